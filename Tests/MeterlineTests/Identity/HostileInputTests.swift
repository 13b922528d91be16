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

/// Text that would break a page or a query built by pasting strings together.
private let hostile = "x'); DROP TABLE users; --<script>alert(1)</script>\"><img src=x onerror=alert(2)>"

/// Every field of every identity form, each sent the hostile text in turn.
private let fields: [(page: String, action: String, field: String)] = [
    ("/register", "/register", "username"), ("/register", "/register", "full_name"), ("/register", "/register", "address"),
    ("/register", "/register", "mobile"), ("/register", "/register", "email"), ("/register", "/register", "account_number"),
    ("/register", "/register", "password"),
    ("/login", "/login", "login"), ("/login", "/login", "password"),
    ("/login/code", "/login/code/send", "login"), ("/login/code", "/login/code", "login"), ("/login/code", "/login/code", "code"),
    ("/login/code", "/login/link/send", "login"), ("/login/code", "/login/link", "token"),
    ("/unlock", "/unlock/send", "login"), ("/unlock", "/unlock", "login"), ("/unlock", "/unlock", "code"),
    ("/recover", "/recover/send", "login"), ("/recover", "/recover/send", "channel"), ("/recover", "/recover", "login"),
    ("/recover", "/recover", "code"), ("/recover", "/recover", "password"),
    ("/recover/username", "/recover/username", "mobile"),
    ("/reactivate", "/reactivate/send", "login"), ("/reactivate", "/reactivate", "code"),
    ("/login/code", "/email/verify", "token"),
]

@Suite("Hostile input in identity forms (ID-1 … ID-6)")
struct HostileInputTests {

    @Test("SQL and markup in any field are answered without error, shown escaped, and break nothing", arguments: fields.indices)
    func hostileField(_ index: Int) async throws {
        let (page, action, field) = fields[index]
        try await withMember { browser, db in
            try await browser.get(page)
            var form = action == "/register" ? RegistrationTests.form(username: "someone.new", email: "someone@example.org") : []
            form.removeAll { $0.0 == field }
            form.append((field, hostile))
            let response = try await browser.post(action, form)
            #expect(response.status.code < 500, "\(action) \(field) answered \(response.status)")
            #expect(!response.text.contains("<script>alert(1)"), "\(action) \(field) echoed markup")
            #expect(!response.text.contains("<img src=x"), "\(action) \(field) echoed markup")
            // The tables are all there and the member can still sign in.
            #expect(try await db.query("SELECT count(*) AS n FROM users").rows[0].decode("n", as: Int.self) >= 1)
            let other = TestBrowser(browser.client)
            try await other.get("/login")
            #expect(try await other.post("/login", [("login", Member.username), ("password", Member.password)]).status == .seeOther)
        }
    }

    @Test("a hostile name and address are stored exactly as typed and shown escaped on every page")
    func storedAndEscaped() async throws {
        try await withMember { browser, db in
            try await db.query("UPDATE users SET full_name = $1, postal_address = $2 WHERE username = $3", [hostile, hostile, Member.username])
            try await browser.get("/login")
            try await browser.post("/login", [("login", Member.username), ("password", Member.password)])
            for path in ["/account", "/account/settings"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok)
                #expect(!page.text.contains("<script>alert(1)"))
            }
            #expect(try await browser.get("/account").text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            let stored: String = try await db.query("SELECT full_name FROM users WHERE username = $1", [Member.username]).rows[0].decode("full_name")
            #expect(stored == hostile)
        }
    }
}
