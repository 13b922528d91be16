import Testing

@testable import Web

@Suite("Links from the route table")
struct RoutesTests {
    @Test("a link fills in its parameters, each encoded as one path segment")
    func pathParameters() {
        #expect(Routes.site.premise.url("100200300") == "/account/premises/100200300")
        #expect(Routes.site.premise.url("1 2/3?x") == "/account/premises/1%202%2F3%3Fx")
        #expect(Routes.site.premiseTenants.url("Ñ-._~") == "/account/premises/%C3%91-._~/tenants")
    }

    @Test("query values are encoded, so a search for a street with an ampersand stays one value")
    func queryValues() {
        #expect(Routes.site.adminAccounts.url(query: [("q", "Mill & Sons")]) == "/admin/accounts?q=Mill%20%26%20Sons")
        #expect(Routes.site.adminAccounts.url() == "/admin/accounts")
    }
}
