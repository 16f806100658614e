import Testing
@testable import VoxworksCore

@Suite("ContentTypeRule")
struct ContentTypeRuleTests {
    @Test func missingHeaderIsAccepted() {
        #expect(ContentTypeRule.accepts(nil))
    }

    @Test(arguments: [
        "application/json",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        "APPLICATION/JSON",
        "Application/Json",
        "  application/json  ",
        "application/vnd.api+json",
        "application/cloudevents+json; charset=utf-8",
        "APPLICATION/VND.API+JSON",
    ])
    func accepted(header: String) {
        #expect(ContentTypeRule.accepts(header), "\(header)")
    }

    @Test(arguments: [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/jsonx",
        "json",
        "text/json",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/+json",
        "/json",
        "+json",
        "application/json/extra",
        "application/vnd.api+jsonx",
        "; charset=utf-8",
        "*/*",
    ])
    func rejected(header: String) {
        #expect(!ContentTypeRule.accepts(header), "\(header)")
    }
}
