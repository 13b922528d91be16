/// Turns an Encodable page model into nested `[String: Any]` / `[Any]` values. swift-mustache
/// looks names up in dictionaries directly, where for structs it reflects with `Mirror` on every
/// lookup: profiling the home page showed 40% of the server's time in Mirror alone.
enum TemplateEncoder {
    static func encode(_ value: some Encodable) throws -> Any {
        let root = Node()
        try value.encode(to: TreeEncoder(node: root, codingPath: []))
        return root.value
    }
}

/// A value being built; containers fill it in as the model encodes itself.
private final class Node {
    enum Storage {
        case empty
        case value(Any)
        case keyed([String: Node])
        case unkeyed([Node])
    }

    var storage = Storage.empty

    var value: Any {
        switch storage {
        case .empty: return [String: Any]()
        case .value(let value): return value
        case .keyed(let children): return children.mapValues(\.value)
        case .unkeyed(let children): return children.map(\.value)
        }
    }

    func child(forKey key: String) -> Node {
        var children: [String: Node] = if case .keyed(let existing) = storage { existing } else { [:] }
        if let node = children[key] { return node }
        let node = Node()
        children[key] = node
        storage = .keyed(children)
        return node
    }

    func appendChild() -> Node {
        var children: [Node] = if case .unkeyed(let existing) = storage { existing } else { [] }
        let node = Node()
        children.append(node)
        storage = .unkeyed(children)
        return node
    }
}

private struct TreeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .empty = node.storage { node.storage = .keyed([:]) }
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .empty = node.storage { node.storage = .unkeyed([]) }
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        Single(node: node, codingPath: codingPath)
    }
}

/// Strings, numbers and booleans are kept as they are; anything else encodes itself further.
private func store(_ value: some Encodable, in node: Node, codingPath: [any CodingKey]) throws {
    switch value {
    case let text as String: node.storage = .value(text)
    case let flag as Bool: node.storage = .value(flag)
    case let number as Int: node.storage = .value(number)
    case let number as Int64: node.storage = .value(number)
    case let number as Double: node.storage = .value(number)
    default: try value.encode(to: TreeEncoder(node: node, codingPath: codingPath))
    }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {}

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try store(value, in: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }

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
    var count: Int {
        if case .unkeyed(let children) = node.storage { return children.count }
        return 0
    }

    mutating func encodeNil() throws { node.appendChild().storage = .value("") }

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

    mutating func encodeNil() throws {}

    mutating func encode<T: Encodable>(_ value: T) throws {
        try store(value, in: node, codingPath: codingPath)
    }
}
