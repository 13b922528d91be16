import Accounts
import Identity
import Notifications
import Platform

/// MT-2: an engineer registers a meter before it is installed: serial, model, kind, multiplier,
/// register digits (for rollover), and for a smart meter its secp256k1 public key.
public struct RegisterMeter: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct Form: Sendable {
        public var serial: String?
        public var model: String?
        public var kind: String?
        public var multiplier: String?
        public var registerDigits: String?
        public var publicKey: String?

        public init(
            serial: String? = nil, model: String? = nil, kind: String? = nil, multiplier: String? = nil, registerDigits: String? = nil,
            publicKey: String? = nil
        ) {
            self.serial = serial
            self.model = model
            self.kind = kind
            self.multiplier = multiplier
            self.registerDigits = registerDigits
            self.publicKey = publicKey
        }
    }

    public enum Field: String, Sendable { case serial, model, kind, multiplier, registerDigits, publicKey }

    public struct Refused: Error, Equatable {
        public let problems: [Field: String]

        public init(problems: [Field: String]) {
            self.problems = problems
        }
    }

    public func run(_ form: Form, by userID: Int64?, clientAddress: String?) async throws -> Int64 {
        var problems = [Field: String]()
        let serial = (Normalise.text(form.serial) ?? "").uppercased()
        if serial.wholeMatch(of: /[A-Z0-9][A-Z0-9-]{3,31}/) == nil {
            problems[.serial] = "A serial has 4 to 32 letters, digits or dashes, as printed on the meter."
        }
        let model = Normalise.text(form.model) ?? ""
        if model.isEmpty || model.count > 80 { problems[.model] = "Enter the model (at most 80 characters)." }
        let kind = form.kind ?? ""
        if !["manual", "smart", "prepaid"].contains(kind) { problems[.kind] = "Choose manual, smart or prepaid." }
        let multiplier = Int(Normalise.text(form.multiplier) ?? "1")
        if multiplier == nil || !(1...10_000).contains(multiplier!) { problems[.multiplier] = "A multiplier is a whole number from 1 to 10000." }
        let digits = Int(Normalise.text(form.registerDigits) ?? "6")
        if digits == nil || !(4...10).contains(digits!) { problems[.registerDigits] = "A register has 4 to 10 digits." }
        let key = Normalise.text(form.publicKey)?.lowercased()
        if let key, key.wholeMatch(of: /0[23][0-9a-f]{64}/) == nil {
            problems[.publicKey] = "A public key is 66 hex characters starting 02 or 03 (compressed secp256k1)."
        } else if key == nil, kind == "smart" {
            problems[.publicKey] = "A smart meter needs its public key, to check what it signs."
        }
        guard problems.isEmpty else { throw Refused(problems: problems) }
        do {
            return try await database.transaction { connection in
                let id: Int64 = try connection.query(
                    """
                    INSERT INTO meters (serial, model, kind, multiplier, register_digits, public_key, registered_by)
                    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
                    """, [serial, model, kind, multiplier!, digits!, key, userID]
                ).rows[0].decode("id")
                try AuditLog.record(on: connection, .meterRegistered, userID: userID, clientAddress: clientAddress, details: ["serial": serial])
                return id
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw Refused(problems: [.serial: "A meter with this serial is registered already."])
        }
    }
}
