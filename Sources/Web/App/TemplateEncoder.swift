import Accounts
import Identity
import Metering
import Mustache
import Notifications
import Platform

/// Turns an Encodable page model into nested `[String: Any]` / `[Any]` values. swift-mustache
/// looks names up in dictionaries directly, where for structs it reflects with `Mirror` on every
/// lookup: profiling the home page showed 40% of the server's time in Mirror alone.
/// Containers grow in place (linear in the number of rows), and a nil field is kept as `Absent`:
/// a missing key would make Mustache show an enclosing value of the same name instead.
enum TemplateEncoder {
    static func encode(_ value: some Encodable) throws -> Any {
        let root = Node()
        try value.encode(to: TreeEncoder(node: root, codingPath: []))
        return root.value
    }
}

/// A string or number as templates show it. swift-mustache renders a `MustacheCustomRenderable`
/// after one type check, where a plain `String` or `Int` went through several dynamic casts and
/// `String(describing:)` on every use.
/// It is a `MustacheParent` with no children, so a name looked up inside its section goes on to
/// the enclosing values without swift-mustache reflecting on it with `Mirror`.
struct Text: MustacheCustomRenderable, MustacheParent {
    let renderText: String
    init(_ text: String) { renderText = text }
    var isNull: Bool { false }
    func child(named name: String) -> Any? { nil }
}

/// A struct of the model as templates read it. A final class conforming to `MustacheParent`
/// outright: a `[String: Any]` conforms only conditionally, and the runtime's conformance
/// checks on it, several per name looked up, showed in profiles.
final class TemplateObject: MustacheParent, @unchecked Sendable {
    let fields: [String: Any]
    init(_ fields: [String: Any]) { self.fields = fields }
    func child(named name: String) -> Any? { fields[name] }
}

/// A nil field: present, so the lookup stops here; rendered as nothing, false in a section.
struct Absent: MustacheCustomRenderable, MustacheParent {
    var renderText: String { "" }
    var isNull: Bool { true }
    func child(named name: String) -> Any? { nil }
}

/// A value being built; containers fill it in as the model encodes itself. Children live in the
/// node's own stored properties, so adding one never copies the others.
private final class Node {
    var scalar: Any?
    var keyed: [String: Node]?
    var unkeyed: [Node]?

    var isEmpty: Bool { scalar == nil && keyed == nil && unkeyed == nil }

    var value: Any {
        if let scalar { return scalar }
        if let keyed { return TemplateObject(keyed.mapValues(\.value)) }
        if let unkeyed { return unkeyed.map(\.value) }
        return [String: Any]()
    }

    func child(forKey key: String) -> Node {
        if keyed == nil { keyed = [:] }
        if let node = keyed![key] { return node }
        let node = Node()
        keyed![key] = node
        return node
    }

    func appendChild() -> Node {
        let node = Node()
        if unkeyed == nil { unkeyed = [] }
        unkeyed!.append(node)
        return node
    }
}

private struct TreeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.isEmpty { node.keyed = [:] }
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.isEmpty { node.unkeyed = [] }
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        Single(node: node, codingPath: codingPath)
    }
}

/// A value that is the same on every page (the route table in every page's chrome): encoded
/// once, then handed to each page as it is.
protocol TemplateConstant: Encodable {
    static var templateValue: Any { get }
}

/// Strings, numbers and booleans are kept as they are; anything else encodes itself further.
private func store(_ value: some Encodable, in node: Node, codingPath: [any CodingKey]) throws {
    // Concrete types first: a cast to one is a type comparison, a cast to a protocol a runtime lookup.
    switch value {
    case let text as String: node.scalar = Text(text)
    case let flag as Bool: node.scalar = flag
    case let number as Int: node.scalar = Text(String(number))
    case let number as Int64: node.scalar = Text(String(number))
    case let number as Double: node.scalar = Text(String(number))
    case let constant as any TemplateConstant: node.scalar = type(of: constant).templateValue
    default: try value.encode(to: TreeEncoder(node: node, codingPath: codingPath))
    }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.child(forKey: key.stringValue).scalar = Absent() }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try store(value, in: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }

    // Synthesized models encode optionals through these: nil becomes `Absent`, never a missing key.
    private mutating func present(_ value: (some Encodable)?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try present(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try present(value, forKey: key) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    var count: Int { node.unkeyed?.count ?? 0 }

    mutating func encodeNil() throws { node.appendChild().scalar = Absent() }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try store(value, in: node.appendChild(), codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: node.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.appendChild(), codingPath: codingPath) }
}

private struct Single: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.scalar = Absent() }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try store(value, in: node, codingPath: codingPath)
    }
}
