import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("What forms accept at the edge")
struct FormInputTests {
    @Test(
        "a NUL character in any form field, raw or as %00, is refused with a page that says so, never a 500",
        arguments: [
            "login=maria%00&password=x", "login=maria&password=lamp%00light", "%00=1&login=maria", "login=ma\u{0}ria&password=x",
        ])
    func nulRefused(_ body: String) async throws {
        try await withMember { browser, db in
            try await browser.get("/login")
            let response = try await browser.postRaw("/login", body: Array(body.utf8))
            #expect(response.status == .badRequest)
            #expect(response.text.contains("NUL character"))
            #expect(try await countRows("audit_log WHERE action = 'login.failed'", db) == 0, "nothing reached the sign-in")
        }
    }

    @Test("a NUL character in a search box is ignored, not an error")
    func nulInQuery() async throws {
        try await withStaff([.meterReader]) { browser, _, _ in
            let response = try await browser.get("/field?q=okafor%00mill")
            #expect(response.status == .ok)
        }
    }
}
