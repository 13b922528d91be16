import Testing

@testable import Accounts
@testable import Identity
@testable import Metering
@testable import Notifications
@testable import Platform
@testable import Web

@Suite("GET forms")
struct QueryFormTests {
    @Test("a plus is a space and %2B a plus, as browsers encode GET forms; bad escapes drop the field")
    func decoding() {
        let form = QueryForm(query: "q=okafor+mill&sum=1%2B1&empty=&bad=%ZZ&q=second&caf%C3%A9=%C3%A9t%C3%A9")
        #expect(form["q"] == "okafor mill")
        #expect(form["sum"] == "1+1")
        #expect(form["empty"] == "")
        #expect(form["bad"] == nil)
        #expect(form["café"] == "été")
        #expect(form["missing"] == nil)
        #expect(QueryForm(query: nil)["q"] == nil)
    }
}
