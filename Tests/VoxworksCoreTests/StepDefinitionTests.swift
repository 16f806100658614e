import Testing
@testable import VoxworksCore

@Suite("Step definitions")
struct StepDefinitionTests {
    private static let roots = "trigger, contact, objects, mapped, source or call"

    /// The error for a step given as JSON text, parsed strictly as the only
    /// step of a webhook definition (an `id` of "s" when it has none), or
    /// nil when accepted.
    private func error(_ text: String) throws -> DefinitionError? {
        var step = try #require(try JSONParser().parse(text).objectValue)
        if step["id"] == nil { step["id"] = "s" }
        let definition: JSONValue = .object(["trigger": .object(["type": "webhook"]), "steps": .array([.object(step)])])
        do {
            _ = try AutomationDefinition(parsing: definition)
            return nil
        } catch {
            return error
        }
    }

    private func fails(_ text: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try error(text) == DefinitionError(message), sourceLocation: sourceLocation)
    }

    private func passes(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try error(text) == nil, sourceLocation: sourceLocation)
    }

    // MARK: - One definition with every step type, as docs/automations.md describes them

    @Test func everyStepOfTheSpecExampleIsValid() throws {
        let definition = try JSONParser().parse(
            #"""
            {"trigger": {"type": "webhook"},
             "retry": {"max_attempts": 5, "initial_backoff_seconds": 2, "max_backoff_seconds": 600},
             "steps": [
              {"id": "map", "type": "transform", "mappings": [
                {"source": "trigger.phone", "target": "phone"},
                {"source": "trigger.first_name", "target": "first_name", "transform": "uppercase"}]},
              {"id": "contact", "type": "upsert_contact", "match_on": "phone_number",
               "fields": {"phone_number": "{{mapped.phone}}", "first_name": "{{trigger.first_name}}"}},
              {"id": "route", "type": "condition",
               "field": "trigger.source", "operator": "equals", "value": "website",
               "then": [
                 {"id": "call", "type": "create_call", "script_id": "sales-v2",
                  "from_number": "+61291234567", "scheduled_time": "{{trigger.call_at}}"}],
               "otherwise": [
                 {"id": "notify", "type": "http_request", "method": "POST",
                  "url": "https://example.com/notify", "headers": {"X-Team": "sales"},
                  "body": {"text": "New lead {{contact.full_name}}", "phone": "{{contact.phone_number}}"},
                  "timeout_seconds": 10, "save_as": "source"}]},
              {"id": "wait", "type": "delay", "seconds": 60},
              {"id": "obj", "type": "upsert_object", "object_type": "monday_item",
               "key_path": "$.id", "data": {"id": "{{trigger.crm_id}}", "status": "{{call.status}}"}}
             ]}
            """#)
        #expect(throws: Never.self) { try AutomationDefinition.validate(definition) }
        let parsed = try AutomationDefinition(parsing: definition)
        var validated: [String] = []
        func walk(_ steps: [AutomationStep]) {
            for step in steps {
                validated.append(step.id)
                if case .condition(let condition) = step.kind {
                    walk(condition.then)
                    walk(condition.otherwise)
                }
            }
        }
        walk(parsed.steps)
        #expect(validated == ["map", "contact", "route", "call", "notify", "wait", "obj"])
        #expect(parsed.stepCount == 7)
    }

    @Test func unknownTypeIsRefused() throws {
        try fails(
            #"{"id":"x","type":"send_email"}"#,
            #"step "x": field "type" must be one of: condition, create_call, delay, http_request, transform, upsert_contact, upsert_object"#
        )
    }

    @Test func unknownFieldsAreRefusedWithTheNearestName() throws {
        try fails(
            #"{"id":"crm","type":"http_request","url":"https://example.com","metod":"PATCH"}"#,
            #"step "crm": unknown field "metod" (did you mean "method"?)"#)
        try fails(
            #"{"id":"crm","type":"http_request","url":"https://example.com","bdy":{"a":1}}"#,
            #"step "crm": unknown field "bdy" (did you mean "body"?)"#)
        try fails(
            #"{"id":"m","type":"transform","mappings":[{"source":"trigger.a","target":"a","tranform":"uppercase"}]}"#,
            #"step "m": unknown field "mappings[0].tranform" (did you mean "transform"?)"#)
        try fails(
            #"{"id":"c","type":"create_call","script_id":"s","from_number":"+61291234567","object":{"object_type":"deal","data":{"id":"1"},"keypath":"$.id"}}"#,
            #"step "c": unknown field "object.keypath" (did you mean "key_path"?)"#)
        try fails(#"{"id":"d","type":"delay","secnds":5}"#, #"step "d": field "seconds" or field "until" is required"#)
        try fails(#"{"id":"d","type":"delay","seconds":5,"secnds":5}"#, #"step "d": unknown field "secnds" (did you mean "seconds"?)"#)
        // Nothing close: the known fields are listed instead.
        try fails(
            #"{"id":"w","type":"delay","seconds":1,"description":"later"}"#,
            #"step "w": unknown field "description" (known fields: id, seconds, type, until)"#)
    }

    @Test func storedDefinitionsWithUnknownFieldsStillParseLeniently() throws {
        let definition = try JSONParser().parse(
            #"""
            {"trigger":{"type":"webhook","note":1},"retry":{"max_attempts":2,"jitter":true},"owner":"ops",
             "steps":[{"id":"w","type":"http_request","url":"https://example.com","metod":"PATCH","x":{"y":[1]}}]}
            """#)
        #expect(throws: DefinitionError.self) { try AutomationDefinition(parsing: definition) }
        let parsed = try AutomationDefinition(parsing: definition, strictness: .lenient)
        guard case .httpRequest(let spec) = try #require(parsed.steps.first).kind else {
            Issue.record("not an http_request step")
            return
        }
        // The misspelt field is ignored, exactly as before strict parsing.
        #expect(spec.method == .post)
        #expect(parsed.retry.maxAttempts == 2)
    }

    @Test func specsCarryTheirDefaults() throws {
        let definition = try JSONParser().parse(
            #"""
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"h","type":"http_request","url":"https://example.com"},
              {"id":"c","type":"create_call","script_id":"s","from_number":"+61291234567"},
              {"id":"u","type":"upsert_contact","fields":{"phone_number":"{{trigger.phone}}"}}]}
            """#)
        let steps = try AutomationDefinition(parsing: definition).steps
        #expect(steps.map(\.type) == [.httpRequest, .createCall, .upsertContact])
        if case .httpRequest(let spec) = steps[0].kind {
            #expect(spec.method == .post)
            #expect(spec.timeoutSeconds == 10)
            #expect(spec.connectTimeoutSeconds == 3)
            #expect(spec.saveAs == "source")
            #expect(spec.body == nil)
        } else {
            Issue.record("step h is not an http_request")
        }
        if case .createCall(let spec) = steps[1].kind {
            #expect(spec.waitForCompletion)
            #expect(spec.to == nil)
            #expect(spec.object == nil)
        } else {
            Issue.record("step c is not a create_call")
        }
        if case .upsertContact(let spec) = steps[2].kind {
            #expect(spec.matchOn == .phoneNumber)
        } else {
            Issue.record("step u is not an upsert_contact")
        }
    }

    // MARK: - transform

    @Test func transformAccepted() throws {
        try passes(
            #"""
            {"id":"map","type":"transform","mappings":[
              {"source":"trigger.items[0].name","target":"First_Item1"},
              {"source":"trigger.total","target":"total","transform":"to_number"},
              {"source":"trigger.when","target":"day","transform":"date:DD/MM/YYYY"},
              {"source":"call.structured_data.notes","target":"notes","transform":"truncate:100"},
              {"source":"contact","target":"c","transform":null}]}
            """#)
    }

    @Test func transformMappingsRequired() throws {
        try fails(#"{"id":"map","type":"transform"}"#, #"step "map": field "mappings" is required"#)
        try fails(#"{"id":"map","type":"transform","mappings":null}"#, #"step "map": field "mappings" is required"#)
        let shape = #"step "map": field "mappings" must be a non-empty array of {"source", "target"} mappings"#
        try fails(#"{"id":"map","type":"transform","mappings":[]}"#, shape)
        try fails(#"{"id":"map","type":"transform","mappings":{"source":"trigger.a","target":"a"}}"#, shape)
    }

    @Test func transformMappingMustBeAnObject() throws {
        try fails(
            #"{"id":"map","type":"transform","mappings":[{"source":"trigger.a","target":"a"},"trigger.b"]}"#,
            #"step "map": field "mappings[1]" must be an object with "source" and "target""#)
    }

    @Test func transformSourceMustBeAContextPath() throws {
        try fails(#"{"id":"map","type":"transform","mappings":[{"target":"a"}]}"#, #"step "map": field "mappings[0].source" is required"#)
        try fails(
            #"{"id":"map","type":"transform","mappings":[{"source":7,"target":"a"}]}"#,
            #"step "map": field "mappings[0].source" must be a context path string"#)
        try fails(
            #"{"id":"map","type":"transform","mappings":[{"source":"trigger.a","target":"a"},{"source":"phone","target":"b"}]}"#,
            #"step "map": field "mappings[1].source" must be a context path starting with \#(Self.roots) (got "phone")"#)
        try fails(
            #"{"id":"map","type":"transform","mappings":[{"source":"{{trigger.a}}","target":"a"}]}"#,
            #"step "map": field "mappings[0].source" must be a context path starting with \#(Self.roots) (got "{{trigger.a}}")"#)
        try fails(
            #"{"id":"map","type":"transform","mappings":[{"source":"trigger..a","target":"a"}]}"#,
            #"step "map": field "mappings[0].source" must be a context path starting with \#(Self.roots) (got "trigger..a")"#)
    }

    @Test func transformTargetMustBeAName() throws {
        try fails(
            #"{"id":"map","type":"transform","mappings":[{"source":"trigger.a"}]}"#, #"step "map": field "mappings[0].target" is required"#)
        for target in [#""""#, #""first-name""#, #""a.b""#, #""a b""#, #""é""#, "5"] {
            try fails(
                #"{"id":"map","type":"transform","mappings":[{"source":"trigger.a","target":\#(target)}]}"#,
                #"step "map": field "mappings[0].target" must match [a-zA-Z0-9_]+"#)
        }
    }

    @Test func transformMustParse() throws {
        try fails(
            #"{"id":"map","type":"transform","mappings":[{"source":"trigger.a","target":"a","transform":"shout"}]}"#,
            #"step "map": field "mappings[0].transform" is invalid: "shout" is not a known transform (expected uppercase, lowercase, truncate:N, date:FORMAT, to_string or to_number)"#
        )
        try fails(
            #"{"id":"map","type":"transform","mappings":[{"source":"trigger.a","target":"a","transform":"truncate:-2"}]}"#,
            #"step "map": field "mappings[0].transform" is invalid: "truncate:-2" needs a whole number N ≥ 0 in truncate:N"#)
        try fails(
            #"{"id":"map","type":"transform","mappings":[{"source":"trigger.a","target":"a","transform":"date:"}]}"#,
            #"step "map": field "mappings[0].transform" is invalid: "date:" needs a format after it, e.g. date:YYYY-MM-DD"#)
        try fails(
            #"{"id":"map","type":"transform","mappings":[{"source":"trigger.a","target":"a","transform":["uppercase"]}]}"#,
            #"step "map": field "mappings[0].transform" must be a string"#)
    }

    // MARK: - condition

    @Test func conditionAccepted() throws {
        try passes(#"{"id":"c","type":"condition","field":"trigger.source","operator":"equals","value":"website"}"#)
        try passes(
            #"{"id":"c","type":"condition","field":"trigger.total","operator":"greater_than","value":100,"then":[],"otherwise":null}"#)
        try passes(#"{"id":"c","type":"condition","field":"trigger.note","operator":"equals","value":null}"#)
        try passes(#"{"id":"c","type":"condition","field":"contact.email","operator":"is_empty"}"#)
        try passes(
            #"{"id":"c","type":"condition","field":"contact.email","operator":"is_not_empty","then":[{"id":"x","type":"delay","seconds":1}]}"#
        )
        try passes(#"{"id":"c","type":"condition","field":"trigger.a","operator":"equals","value":"{{mapped.b}}"}"#)
        for op in ConditionOperator.allCases {
            try passes(#"{"id":"c","type":"condition","field":"trigger.a","operator":"\#(op.rawValue)","value":1}"#)
        }
    }

    @Test func conditionFieldMustBeAContextPath() throws {
        try fails(#"{"id":"c","type":"condition","operator":"equals","value":1}"#, #"step "c": field "field" is required"#)
        try fails(
            #"{"id":"c","type":"condition","field":["trigger.a"],"operator":"equals","value":1}"#,
            #"step "c": field "field" must be a context path string"#)
        try fails(
            #"{"id":"c","type":"condition","field":"source_field","operator":"equals","value":1}"#,
            #"step "c": field "field" must be a context path starting with \#(Self.roots) (got "source_field")"#)
    }

    @Test func conditionOperatorMustBeKnown() throws {
        let expected =
            #"step "c": field "operator" must be one of: equals, not_equals, greater_than, greater_or_equal, less_than, less_or_equal, contains, not_contains, starts_with, is_empty, is_not_empty"#
        try fails(#"{"id":"c","type":"condition","field":"trigger.a"}"#, #"step "c": field "operator" is required"#)
        try fails(#"{"id":"c","type":"condition","field":"trigger.a","operator":"=","value":1}"#, expected)
        try fails(#"{"id":"c","type":"condition","field":"trigger.a","operator":"Equals","value":1}"#, expected)
        try fails(#"{"id":"c","type":"condition","field":"trigger.a","operator":1,"value":1}"#, expected)
    }

    @Test func conditionValueRequiredUnlessEmptinessTest() throws {
        try fails(
            #"{"id":"c","type":"condition","field":"trigger.a","operator":"equals"}"#,
            #"step "c": field "value" is required for operator "equals""#)
        try fails(
            #"{"id":"c","type":"condition","field":"trigger.a","operator":"contains"}"#,
            #"step "c": field "value" is required for operator "contains""#)
    }

    @Test func conditionValueTemplatesMustNameContextPaths() throws {
        try fails(
            #"{"id":"c","type":"condition","field":"trigger.a","operator":"equals","value":"{{trigr.a}}"}"#,
            #"step "c": field "value" refers to "{{trigr.a}}", which is not a context path (paths start with \#(Self.roots))"#)
        try fails(
            #"{"id":"c","type":"condition","field":"trigger.a","operator":"contains","value":["x","{{ }}"]}"#,
            #"step "c": field "value[1]" refers to "{{}}", which is not a context path (paths start with \#(Self.roots))"#)
    }

    @Test func conditionBranchesMustBeArrays() throws {
        try fails(
            #"{"id":"c","type":"condition","field":"trigger.a","operator":"is_empty","then":{}}"#,
            #"step "c": field "then" must be an array of steps"#)
        try fails(
            #"{"id":"c","type":"condition","field":"trigger.a","operator":"is_empty","otherwise":"x"}"#,
            #"step "c": field "otherwise" must be an array of steps"#)
    }

    // MARK: - upsert_contact

    @Test func upsertContactAccepted() throws {
        try passes(
            #"""
            {"id":"u","type":"upsert_contact","fields":{"phone_number":"{{mapped.phone}}","first_name":"{{trigger.first}}",
              "last_name":"Smith","email":null,"address":"{{trigger.addr}}","location":"Sydney","title":"Dr"}}
            """#)
        try passes(#"{"id":"u","type":"upsert_contact","match_on":"email","fields":{"email":"{{trigger.email}}"}}"#)
        try passes(#"{"id":"u","type":"upsert_contact","match_on":null,"fields":{"phone_number":"0429069971"}}"#)
    }

    @Test func upsertContactMatchOn() throws {
        for value in [#""phone""#, #""id""#, #""EMAIL""#, "1"] {
            try fails(
                #"{"id":"u","type":"upsert_contact","match_on":\#(value),"fields":{"phone_number":"x"}}"#,
                #"step "u": field "match_on" must be "phone_number" or "email""#)
        }
    }

    @Test func upsertContactFields() throws {
        try fails(#"{"id":"u","type":"upsert_contact"}"#, #"step "u": field "fields" is required"#)
        try fails(#"{"id":"u","type":"upsert_contact","fields":["phone_number"]}"#, #"step "u": field "fields" must be an object"#)
        try fails(
            #"{"id":"u","type":"upsert_contact","fields":{"phone_number":"x","company":"Acme"}}"#,
            #"step "u": field "fields.company" is not a contact field (allowed: phone_number, first_name, last_name, email, address, location, title)"#
        )
        try fails(
            #"{"id":"u","type":"upsert_contact","fields":{"phone_number":"x","first_name":5}}"#,
            #"step "u": field "fields.first_name" must be a string (text or a template such as "{{trigger.first_name}}")"#)
        try fails(
            #"{"id":"u","type":"upsert_contact","fields":{"phone_number":"x","last_name":"{{bad}}"}}"#,
            #"step "u": field "fields.last_name" refers to "{{bad}}", which is not a context path (paths start with \#(Self.roots))"#)
    }

    @Test func upsertContactMustMapTheMatchField() throws {
        try fails(
            #"{"id":"u","type":"upsert_contact","fields":{"email":"{{trigger.email}}"}}"#,
            #"step "u": field "fields" must map "phone_number", the field contacts are matched on"#)
        try fails(
            #"{"id":"u","type":"upsert_contact","fields":{"phone_number":null}}"#,
            #"step "u": field "fields" must map "phone_number", the field contacts are matched on"#)
        try fails(
            #"{"id":"u","type":"upsert_contact","match_on":"email","fields":{"phone_number":"x"}}"#,
            #"step "u": field "fields" must map "email", the field contacts are matched on"#)
    }

    // MARK: - upsert_object

    @Test func upsertObjectAccepted() throws {
        try passes(#"{"id":"o","type":"upsert_object","object_type":"monday_item","data":{"id":"{{trigger.crm_id}}"}}"#)
        try passes(
            #"{"id":"o","type":"upsert_object","object_type":"rex_property_2","key_path":"$.external_ids.rex.property_id","data":{}}"#)
        try passes(
            #"{"id":"o","type":"upsert_object","object_type":"\#(String(repeating: "a", count: 64))","key_path":null,"data":{"a":[1,{"b":"{{call.status}}"}]}}"#
        )
    }

    @Test func upsertObjectType() throws {
        try fails(#"{"id":"o","type":"upsert_object","data":{}}"#, #"step "o": field "object_type" is required"#)
        for value in [#""""#, #""Monday""#, #""monday-item""#, #""monday item""#, "\"\(String(repeating: "a", count: 65))\"", "5"] {
            try fails(
                #"{"id":"o","type":"upsert_object","object_type":\#(value),"data":{}}"#,
                #"step "o": field "object_type" must match [a-z0-9_]{1,64}"#)
        }
    }

    @Test func upsertObjectData() throws {
        try fails(#"{"id":"o","type":"upsert_object","object_type":"item"}"#, #"step "o": field "data" is required"#)
        try fails(#"{"id":"o","type":"upsert_object","object_type":"item","data":[1]}"#, #"step "o": field "data" must be an object"#)
        try fails(
            #"{"id":"o","type":"upsert_object","object_type":"item","data":{"items":[{"id":"{{item.id}}"}]}}"#,
            #"step "o": field "data.items[0].id" refers to "{{item.id}}", which is not a context path (paths start with \#(Self.roots))"#)
    }

    @Test func upsertObjectKeyPath() throws {
        for value in [#""id""#, #""$.""#, #""$""#, #""$..id""#, #""$.a.""#, #""$.a b""#, #""id.$""#, "1"] {
            try fails(
                #"{"id":"o","type":"upsert_object","object_type":"item","data":{},"key_path":\#(value)}"#,
                #"step "o": field "key_path" must be a JSON path starting with "$.", such as "$.id""#)
        }
    }

    // MARK: - http_request

    @Test func httpRequestAccepted() throws {
        try passes(#"{"id":"h","type":"http_request","url":"https://example.com/hook"}"#)
        try passes(#"{"id":"h","type":"http_request","method":"GET","url":"http://example.com/?q={{trigger.q}}"}"#)
        try passes(#"{"id":"h","type":"http_request","method":null,"url":"HTTPS://Example.com","timeout_seconds":null,"save_as":null}"#)
        try passes(#"{"id":"h","type":"http_request","url":"{{trigger.callback_url}}","body":null,"headers":{}}"#)
        try passes(#"{"id":"h","type":"http_request","url":"{{trigger.host}}/path"}"#)
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            try passes(#"{"id":"h","type":"http_request","method":"\#(method)","url":"https://x.test"}"#)
        }
        try passes(
            #"""
            {"id":"h","type":"http_request","url":"https://x.test","headers":{"Authorization":"Bearer {{source.token}}","X-Team":"sales"},
             "body":["{{trigger}}",{"n":1}],"timeout_seconds":1,"save_as":"lead_data_2"}
            """#)
        try passes(#"{"id":"h","type":"http_request","url":"https://x.test","timeout_seconds":60,"body":"raw text"}"#)
        try passes(#"{"id":"h","type":"http_request","url":"https://x.test","timeout_seconds":2.5}"#)
    }

    @Test func httpRequestMethod() throws {
        for value in [#""get""#, #""HEAD""#, #""""#, "1"] {
            try fails(
                #"{"id":"h","type":"http_request","method":\#(value),"url":"https://x.test"}"#,
                #"step "h": field "method" must be one of: GET, POST, PUT, PATCH, DELETE"#)
        }
    }

    @Test func httpRequestURL() throws {
        try fails(#"{"id":"h","type":"http_request"}"#, #"step "h": field "url" is required"#)
        try fails(#"{"id":"h","type":"http_request","url":null}"#, #"step "h": field "url" is required"#)
        try fails(#"{"id":"h","type":"http_request","url":["https://x.test"]}"#, #"step "h": field "url" must be a string"#)
        for url in ["ftp://x.test", "example.com/hook", "", " https://x.test", "https//x.test", "x{{trigger.url}}"] {
            try fails(
                #"{"id":"h","type":"http_request","url":"\#(url)"}"#,
                #"step "h": field "url" must start with http:// or https:// (or with a template such as "{{trigger.callback_url}}")"#)
        }
        try fails(
            #"{"id":"h","type":"http_request","url":"https://x.test/{{ trigger..id }}"}"#,
            #"step "h": field "url" refers to "{{trigger..id}}", which is not a context path (paths start with \#(Self.roots))"#)
    }

    @Test func httpRequestHeaders() throws {
        try fails(
            #"{"id":"h","type":"http_request","url":"https://x.test","headers":["X-A: b"]}"#,
            #"step "h": field "headers" must be an object of strings"#)
        try fails(
            #"{"id":"h","type":"http_request","url":"https://x.test","headers":{"X-Count":5}}"#,
            #"step "h": field "headers.X-Count" must be a string"#)
        try fails(
            #"{"id":"h","type":"http_request","url":"https://x.test","headers":{"X Team":"a"}}"#,
            #"step "h": field "headers.X Team" is not a valid HTTP header name"#)
        try fails(
            #"{"id":"h","type":"http_request","url":"https://x.test","headers":{"":"a"}}"#,
            #"step "h": field "headers." is not a valid HTTP header name"#)
        try fails(
            #"{"id":"h","type":"http_request","url":"https://x.test","headers":{"X-A":"a\r\nX-Injected: 1"}}"#,
            #"step "h": field "headers.X-A" must not contain line breaks"#)
        try fails(
            #"{"id":"h","type":"http_request","url":"https://x.test","headers":{"X-A":"{{secret.key}}"}}"#,
            #"step "h": field "headers.X-A" refers to "{{secret.key}}", which is not a context path (paths start with \#(Self.roots))"#)
    }

    @Test func httpRequestBodyTemplates() throws {
        try fails(
            #"{"id":"h","type":"http_request","url":"https://x.test","body":{"text":"Hi {{contact.first_name}} {{lead.x}}"}}"#,
            #"step "h": field "body.text" refers to "{{lead.x}}", which is not a context path (paths start with \#(Self.roots))"#)
        try fails(
            #"{"id":"h","type":"http_request","url":"https://x.test","body":"{{nope}}"}"#,
            #"step "h": field "body" refers to "{{nope}}", which is not a context path (paths start with \#(Self.roots))"#)
    }

    @Test func httpRequestTimeout() throws {
        for value in ["0", "0.5", "61", "-1", #""10""#, "true"] {
            try fails(
                #"{"id":"h","type":"http_request","url":"https://x.test","timeout_seconds":\#(value)}"#,
                #"step "h": field "timeout_seconds" must be a number from 1 to 60"#)
        }
    }

    @Test func httpRequestConnectTimeout() throws {
        for value in ["0", "0.05", "31", "-1", #""3""#, "true"] {
            try fails(
                #"{"id":"h","type":"http_request","url":"https://x.test","connect_timeout_seconds":\#(value)}"#,
                #"step "h": field "connect_timeout_seconds" must be a number from 0.1 to 30"#)
        }
        for value in ["0.1", "3", "30", "null"] {
            try passes(#"{"id":"h","type":"http_request","url":"https://x.test","connect_timeout_seconds":\#(value)}"#)
        }
    }

    @Test func httpRequestSaveAs() throws {
        for value in [#""Source""#, #""a-b""#, #""""#, #""source.x""#, "1"] {
            try fails(
                #"{"id":"h","type":"http_request","url":"https://x.test","save_as":\#(value)}"#,
                #"step "h": field "save_as" must match [a-z0-9_]+"#)
        }
    }

    // MARK: - create_call

    @Test func createCallAccepted() throws {
        try passes(#"{"id":"call","type":"create_call","script_id":"sales-v2","from_number":"+61291234567"}"#)
        try passes(
            #"""
            {"id":"call","type":"create_call","script_id":"{{trigger.script}}","from_number":"+61291234567",
             "to":"{{mapped.phone}}","scheduled_time":"{{trigger.call_at}}","wait_for_completion":false}
            """#)
        try passes(
            #"{"id":"call","type":"create_call","script_id":"s","from_number":"f","to":null,"scheduled_time":null,"wait_for_completion":null}"#
        )
    }

    @Test func createCallRequiredFields() throws {
        try fails(#"{"id":"call","type":"create_call","from_number":"+61291234567"}"#, #"step "call": field "script_id" is required"#)
        try fails(
            #"{"id":"call","type":"create_call","script_id":"","from_number":"+61291234567"}"#,
            #"step "call": field "script_id" must be a non-empty string"#)
        try fails(
            #"{"id":"call","type":"create_call","script_id":42,"from_number":"+61291234567"}"#,
            #"step "call": field "script_id" must be a non-empty string"#)
        try fails(#"{"id":"call","type":"create_call","script_id":"s"}"#, #"step "call": field "from_number" is required"#)
        try fails(
            #"{"id":"call","type":"create_call","script_id":"s","from_number":61291234567}"#,
            #"step "call": field "from_number" must be a non-empty string"#)
    }

    @Test func createCallOptionalFields() throws {
        try fails(
            #"{"id":"call","type":"create_call","script_id":"s","from_number":"f","to":61429069971}"#,
            #"step "call": field "to" must be a string"#)
        try fails(
            #"{"id":"call","type":"create_call","script_id":"s","from_number":"f","scheduled_time":1700000000}"#,
            #"step "call": field "scheduled_time" must be a string"#)
        try fails(
            #"{"id":"call","type":"create_call","script_id":"s","from_number":"f","wait_for_completion":"no"}"#,
            #"step "call": field "wait_for_completion" must be true or false"#)
        try fails(
            #"{"id":"call","type":"create_call","script_id":"s","from_number":"f","to":"{{phone}}"}"#,
            #"step "call": field "to" refers to "{{phone}}", which is not a context path (paths start with \#(Self.roots))"#)
        try fails(
            #"{"id":"call","type":"create_call","script_id":"{{script}}","from_number":"f"}"#,
            #"step "call": field "script_id" refers to "{{script}}", which is not a context path (paths start with \#(Self.roots))"#)
    }

    // MARK: - delay

    @Test func delayAccepted() throws {
        try passes(#"{"id":"w","type":"delay","seconds":60}"#)
        try passes(#"{"id":"w","type":"delay","seconds":0}"#)
        try passes(#"{"id":"w","type":"delay","seconds":2592000}"#)
        try passes(#"{"id":"w","type":"delay","seconds":1.5,"until":null}"#)
        try passes(#"{"id":"w","type":"delay","until":"2026-01-31T09:00:00Z"}"#)
        try passes(#"{"id":"w","type":"delay","until":"2026-01-31T09:00:00+10:00","seconds":null}"#)
        try passes(#"{"id":"w","type":"delay","until":"{{trigger.call_at}}"}"#)
    }

    @Test func delayNeedsExactlyOneOfSecondsAndUntil() throws {
        try fails(#"{"id":"w","type":"delay"}"#, #"step "w": field "seconds" or field "until" is required"#)
        try fails(#"{"id":"w","type":"delay","seconds":null,"until":null}"#, #"step "w": field "seconds" or field "until" is required"#)
        try fails(
            #"{"id":"w","type":"delay","seconds":5,"until":"2026-01-31T09:00:00Z"}"#,
            #"step "w": field "seconds" cannot be combined with field "until"; give one of them"#)
    }

    @Test func delaySecondsRange() throws {
        for value in ["-1", "2592001", #""60""#, "true", "[60]"] {
            try fails(
                #"{"id":"w","type":"delay","seconds":\#(value)}"#,
                #"step "w": field "seconds" must be a number from 0 to 2592000 (30 days)"#)
        }
    }

    @Test func delayUntil() throws {
        try fails(#"{"id":"w","type":"delay","until":""}"#, #"step "w": field "until" must be a string: an RFC 3339 time or a template"#)
        try fails(
            #"{"id":"w","type":"delay","until":1700000000}"#, #"step "w": field "until" must be a string: an RFC 3339 time or a template"#)
        for value in ["tomorrow", "31/01/2026 09:00", "2026-02-30T09:00:00Z"] {
            try fails(
                #"{"id":"w","type":"delay","until":"\#(value)"}"#,
                #"step "w": field "until" must be an RFC 3339 time such as "2026-01-31T09:00:00Z" or a template"#)
        }
        try fails(
            #"{"id":"w","type":"delay","until":"{{call_at}}"}"#,
            #"step "w": field "until" refers to "{{call_at}}", which is not a context path (paths start with \#(Self.roots))"#)
    }
}
