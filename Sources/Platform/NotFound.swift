/// What an action throws when the thing asked for does not exist, or is not the asker's to see:
/// the two get the same answer. The web answers 404, the API 404, the CLI exit code 1.
public struct NotFound: Error, Equatable, CustomStringConvertible {
    public let what: String

    public init(_ what: String) {
        self.what = what
    }

    public var description: String { "There is no such \(what)." }
}
