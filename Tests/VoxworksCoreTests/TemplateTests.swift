import Testing
@testable import VoxworksCore

@Suite("Template")
struct TemplateTests {
    private func json(_ text: String) throws -> JSONValue { try JSONParser().parse(text) }

    private func context() throws -> ExecutionContext {
        var context = ExecutionContext(
            trigger: try json(
                #"""
                {"name":"Ada","total":12.50,"big":12345678901234567890,"vip":true,"off":false,"note":null,
                 "empty":"","items":[{"sku":"A1","qty":2},{"sku":"B2","qty":1}],"tags":["x","y"],
                 "address":{"city":"Sydney","postcode":"2000"}}
                """#))
        context.set("+61429069971", at: "contact.phone_number")
        context.set("Ada Lovelace", at: "contact.full_name")
        return context
    }

    private func render(_ value: JSONValue) throws -> JSONValue {
        Template.render(value, in: try context())
    }

    // MARK: - A whole string that is one template keeps the JSON type

    @Test func exactTemplateYieldsTypedValues() throws {
        #expect(try render("{{trigger.name}}") == .string("Ada"))
        #expect(try render("{{trigger.total}}") == .number("12.50"))
        #expect(try render("{{trigger.big}}") == .number("12345678901234567890"))
        #expect(try render("{{trigger.vip}}") == .bool(true))
        #expect(try render("{{trigger.note}}") == .null)
        #expect(try render("{{trigger.tags}}") == .array(["x", "y"]))
        #expect(try render("{{trigger.address}}") == .object(["city": "Sydney", "postcode": "2000"]))
        #expect(try render("{{trigger.items[1].qty}}") == .number("1"))
        #expect(try render("{{trigger.items.0.sku}}") == .string("A1"))
        #expect(try render("{{contact.phone_number}}") == .string("+61429069971"))
    }

    @Test func whitespaceInsideTheBracesIsAllowed() throws {
        #expect(try render("{{ trigger.total }}") == .number("12.50"))
        #expect(try render("{{\ttrigger.vip\n}}") == .bool(true))
        #expect(try render("{{   trigger.name}}") == .string("Ada"))
    }

    @Test func exactTemplateOfAMissingOrInvalidPathIsNull() throws {
        #expect(try render("{{trigger.missing}}") == .null)
        #expect(try render("{{trigger.items[5].sku}}") == .null)
        #expect(try render("{{call.status}}") == .null)
        #expect(try render("{{nowhere.x}}") == .null)
        #expect(try render("{{}}") == .null)
        #expect(try render("{{ }}") == .null)
    }

    // MARK: - Templates inside text give a string

    @Test func templatesInsideTextAreReplacedByTheirText() throws {
        #expect(try render("New lead {{contact.full_name}}") == .string("New lead Ada Lovelace"))
        #expect(try render("Total: {{trigger.total}} AUD") == .string("Total: 12.50 AUD"))
        #expect(try render("id={{trigger.big}}") == .string("id=12345678901234567890"))
        #expect(try render("vip={{trigger.vip}}, off={{trigger.off}}") == .string("vip=true, off=false"))
        #expect(try render("{{trigger.name}} from {{trigger.address.city}}") == .string("Ada from Sydney"))
        #expect(try render("{{trigger.name}}{{trigger.name}}") == .string("AdaAda"))
    }

    @Test func nullMissingAndEmptyBecomeEmptyTextInsideText() throws {
        #expect(try render("[{{trigger.note}}]") == .string("[]"))
        #expect(try render("[{{trigger.missing}}]") == .string("[]"))
        #expect(try render("[{{trigger.empty}}]") == .string("[]"))
        #expect(try render("[{{bogus path}}]") == .string("[]"))
        #expect(try render("a{{trigger.missing}}b{{call.x}}c") == .string("abc"))
    }

    @Test func objectsAndArraysInsideTextAreCompactJSON() throws {
        #expect(try render("tags: {{trigger.tags}}") == .string(#"tags: ["x","y"]"#))
        #expect(try render("at {{trigger.address}}") == .string(#"at {"city":"Sydney","postcode":"2000"}"#))
        #expect(try render("items={{trigger.items}}") == .string(#"items=[{"sku":"A1","qty":2},{"sku":"B2","qty":1}]"#))
    }

    @Test func textAroundAnExactTemplateMakesItText() throws {
        #expect(try render(" {{trigger.total}}") == .string(" 12.50"))
        #expect(try render("{{trigger.total}} ") == .string("12.50 "))
        #expect(try render("{{trigger.vip}}{{trigger.off}}") == .string("truefalse"))
    }

    @Test func bracesThatAreNotTemplatesStayAsText() throws {
        #expect(try render("{not a template}") == .string("{not a template}"))
        #expect(try render("{{ unclosed") == .string("{{ unclosed"))
        #expect(try render("closing only }}") == .string("closing only }}"))
        #expect(try render("json {\"a\":1}") == .string("json {\"a\":1}"))
        #expect(try render("{{{trigger.name}}}") == .string("{Ada}"))
        #expect(try render("{{ {{trigger.name}}") == .string("{{ Ada"))
        #expect(try render("{{trigger.name}} and {{ rest") == .string("Ada and {{ rest"))
    }

    @Test func stringsWithoutTemplatesPassThrough() throws {
        #expect(try render("plain text") == .string("plain text"))
        #expect(try render("") == .string(""))
        #expect(try render("émoji 😀") == .string("émoji 😀"))
    }

    @Test func nonStringScalarsPassThrough() throws {
        #expect(try render(.number("1.50")) == .number("1.50"))
        #expect(try render(.bool(false)) == .bool(false))
        #expect(try render(.null) == .null)
    }

    // MARK: - Recursion

    @Test func rendersObjectsAndArraysRecursivelyKeepingKeyOrder() throws {
        let body = try json(
            #"""
            {"text":"New lead {{contact.full_name}}","phone":"{{contact.phone_number}}",
             "amount":"{{trigger.total}}","flags":["{{trigger.vip}}","static",3,null],
             "nested":{"deeper":[["{{trigger.items[0].sku}}"],{"city":"{{trigger.address.city}}"}]},
             "{{trigger.name}}":"keys are not templates","missing":"{{trigger.nope}}"}
            """#)
        let rendered = Template.render(body, in: try context())
        #expect(
            rendered.serialized == #"""
                {"text":"New lead Ada Lovelace","phone":"+61429069971","amount":12.50,"flags":[true,"static",3,null],"nested":{"deeper":[["A1"],{"city":"Sydney"}]},"{{trigger.name}}":"keys are not templates","missing":null}
                """#)
    }

    @Test func rendersTopLevelArrays() throws {
        #expect(
            try render(.array(["{{trigger.items}}", "n={{trigger.items[1].qty}}"]))
                == .array([try json(#"[{"sku":"A1","qty":2},{"sku":"B2","qty":1}]"#), "n=1"]))
    }

    // MARK: - Referenced paths

    @Test func listsReferencedPathsInOrderWithoutRepeats() throws {
        let value = try json(
            #"""
            {"a":"{{trigger.phone}}","b":["x {{ contact.full_name }} y {{trigger.phone}}", {"c":"{{call.status}}"}],
             "d":5,"e":null,"f":"plain","g":"{{bad path}} and {{}}"}
            """#)
        #expect(Template.paths(in: value) == ["trigger.phone", "contact.full_name", "call.status", "bad path", ""])
    }

    @Test func noPathsInPlainValues() {
        #expect(Template.paths(in: "no templates") == [])
        #expect(Template.paths(in: .number("1")) == [])
        #expect(Template.paths(in: .object(["{{trigger.key}}": 1])) == [])
        #expect(Template.paths(in: "{{ unclosed") == [])
    }

    @Test func containsTemplateAndSinglePath() {
        #expect(Template.containsTemplate("a {{trigger.x}}"))
        #expect(Template.containsTemplate("{{}}"))
        #expect(!Template.containsTemplate("a {trigger.x}"))
        #expect(!Template.containsTemplate("{{ open"))
        #expect(Template.singlePath("{{ trigger.x }}") == "trigger.x")
        #expect(Template.singlePath("a {{trigger.x}}") == nil)
        #expect(Template.singlePath("{{trigger.x}}{{trigger.y}}") == nil)
        #expect(Template.singlePath("plain") == nil)
    }

    @Test func textOfValues() {
        #expect(Template.text(of: nil) == "")
        #expect(Template.text(of: .null) == "")
        #expect(Template.text(of: "s") == "s")
        #expect(Template.text(of: .number("1.0")) == "1.0")
        #expect(Template.text(of: true) == "true")
        #expect(Template.text(of: .array([1, "a"])) == #"[1,"a"]"#)
        #expect(Template.text(of: .object(["k": .null])) == #"{"k":null}"#)
    }
}
