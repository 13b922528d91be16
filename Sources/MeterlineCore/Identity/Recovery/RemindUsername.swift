/// ID-6: a forgotten username is texted to the verified mobile it belongs to. The page says
/// the same whether or not any login has that number.
struct RemindUsername: Sendable {
    let database: Database

    func send(mobile: String) async throws {
        try await database.transaction { connection in
            let names = try connection.query(
                "SELECT username FROM users WHERE mobile = $1 AND mobile_verified_at IS NOT NULL AND status = 'active' ORDER BY username",
                [mobile]
            ).rows.map { try $0.decode("username", as: String.self) }
            guard !names.isEmpty else { return }
            // The same daily cap as codes, so this cannot be used to flood a number with texts.
            let sentToday = try connection.query(
                """
                SELECT count(*) AS n FROM notifications
                WHERE recipient = $1 AND purpose = 'username_reminder' AND created_at > now() - interval '1 day'
                """, [mobile]
            ).rows[0].decode("n", as: Int.self)
            guard sentToday < OneTimeCodes.dailyLimitPerRecipient else { return }
            try Outbox.enqueue(
                on: connection, channel: .sms, to: mobile,
                body: "Meterline: your username is \(names.joined(separator: ", ")).", purpose: "username_reminder")
        }
    }
}
