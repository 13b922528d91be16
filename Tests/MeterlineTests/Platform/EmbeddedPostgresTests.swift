import Foundation
import Logging
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("Embedded PostgreSQL (OP-1)")
struct EmbeddedPostgresTests {
    @Test("a cluster is created on first start, keeps its data across a stop and a start, and stops cleanly")
    func dataSurvivesRestart() async throws {
        let root = "/tmp/meterline-embedded-test-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = EmbeddedPostgres.Options()
        options.port = 5440
        let cluster = EmbeddedPostgres(root: root, options: options, logger: Logger(label: "test"))

        #expect(try cluster.start() == true)
        #expect(try cluster.isRunning())
        do {
            let connection = try PostgresConnection(conninfo: cluster.conninfo())
            try connection.execute("CREATE TABLE kept (note text)")
            try connection.execute("INSERT INTO kept VALUES ($1)", ["still here"])
        }
        // A second start while it runs neither fails nor claims to have started it.
        #expect(try cluster.start() == false)
        try cluster.stop()
        #expect(try cluster.isRunning() == false)

        #expect(try cluster.start() == true)
        let connection = try PostgresConnection(conninfo: cluster.conninfo())
        let note = try connection.query("SELECT note FROM kept").rows[0].decode("note", as: String.self)
        #expect(note == "still here")
        try cluster.stop()
        #expect(try cluster.isRunning() == false)
    }

    @Test("it listens only on its own unix socket, not on TCP")
    func unixSocketOnly() async throws {
        let root = "/tmp/meterline-embedded-test-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = EmbeddedPostgres.Options()
        options.port = 5441
        let cluster = EmbeddedPostgres(root: root, options: options, logger: Logger(label: "test"))
        try cluster.start()
        defer { try? cluster.stop() }
        let listen = try PostgresConnection(conninfo: cluster.conninfo()).query("SHOW listen_addresses").rows[0]
        #expect(try listen.decode(0, as: String.self) == "")
        #expect(throws: DatabaseError.self) {
            try PostgresConnection(conninfo: "host=127.0.0.1 port=5441 user=meterline dbname=meterline", connectTimeoutSeconds: 2)
        }
    }
}
