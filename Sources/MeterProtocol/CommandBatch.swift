/// What the portal posts to a bridge's `POST /commands` (BR-3): command frames, each for one
/// meter, as `CommandFrame` made them.
public struct CommandBatch: Sendable, Codable, Equatable {
    public struct Item: Sendable, Codable, Equatable {
        public var meter: String
        public var frame: String

        public init(meter: String, frame: String) {
            self.meter = meter
            self.frame = frame
        }
    }

    public var commands: [Item]

    public init(commands: [Item]) {
        self.commands = commands
    }
}

/// A bridge's answer: the meters it passed a command to (connected to it now). The meters'
/// answers come back later, as their signed acks through the spool.
public struct CommandDelivery: Sendable, Codable, Equatable {
    public var passed: [String]

    public init(passed: [String]) {
        self.passed = passed
    }
}
