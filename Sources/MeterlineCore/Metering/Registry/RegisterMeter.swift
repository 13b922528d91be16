/// MT-2: an engineer registers a meter before it is installed: serial, model, kind, multiplier,
/// register digits (for rollover), and for a smart meter its secp256k1 public key.
struct RegisterMeter: Sendable {
    let database: Database

    struct Form: Sendable {
        var serial: String?
        var model: String?
        var kind: String?
        var multiplier: String?
        var registerDigits: String?
        var publicKey: String?
    }

    enum Field: String, Sendable { case serial, model, kind, multiplier, registerDigits, publicKey }

    struct Refused: Error, Equatable {
        let problems: [Field: String]
    }

    func run(_ form: Form, by userID: Int64?, clientAddress: String?) async throws -> Int64 {
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
