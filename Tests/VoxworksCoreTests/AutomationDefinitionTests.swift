import Testing
@testable import VoxworksCore

@Suite("AutomationDefinition")
struct AutomationDefinitionTests {
    private func definition(_ json: String) throws -> JSONValue {
        try JSONParser().parse(json)
    }

    /// The error `validate` throws for `json`, or nil when it accepts it.
    private func validationError(_ json: String) throws -> DefinitionError? {
        validationError(try definition(json))
    }

    private func validationError(_ value: JSONValue) -> DefinitionError? {
        do {
            try AutomationDefinition.validate(value)
            return nil
        } catch {
            return error
        }
    }

    /// A step of `type` with the fields its type requires, so that these
    /// tests exercise the structural rules and nothing else.
    private func step(_ id: String, _ type: String = "delay") -> JSONValue {
        var object: JSONObject = ["id": .string(id), "type": .string(type)]
        for (key, value) in Self.requiredFields[type] ?? [] { object[key] = value }
        return .object(object)
    }

    private static let requiredFields: [String: [(String, JSONValue)]] = [
        "delay": [("seconds", 1)],
        "transform": [("mappings", .array([.object(["source": "trigger.a", "target": "a"])]))],
        "condition": [("field", "trigger.a"), ("operator", "equals"), ("value", 1)],
        "upsert_contact": [("fields", .object(["phone_number": "{{trigger.phone}}"]))],
        "upsert_object": [("object_type", "item"), ("data", .object(["id": "{{trigger.id}}"]))],
        "http_request": [("url", "https://example.com/hook")],
        "create_call": [("script_id", "s"), ("from_number", "+61291234567")],
    ]

    private func webhookDefinition(steps: [JSONValue]) -> JSONValue {
        .object(["trigger": .object(["type": "webhook"]), "steps": .array(steps)])
    }

    // MARK: - Accepted

    @Test func emptyDefinitionIsValid() throws {
        #expect(validationError(AutomationDefinition.emptyJSON) == nil)
        #expect(AutomationDefinition.emptyJSON.serialized == #"{"trigger":{"type":"webhook"},"steps":[]}"#)
        #expect(AutomationDefinition.stepCount(AutomationDefinition.emptyJSON) == 0)
    }

    @Test func bothTriggerTypesAreAccepted() throws {
        #expect(try validationError(#"{"trigger":{"type":"webhook"}}"#) == nil)
        #expect(try validationError(#"{"trigger":{"type":"call_completed"},"steps":null}"#) == nil)
    }

    @Test func everyStepTypeIsAccepted() throws {
        let types = ["transform", "condition", "upsert_contact", "upsert_object", "http_request", "create_call", "delay"]
        #expect(Set(StepType.allCases.map(\.rawValue)) == Set(types))
        let steps = types.enumerated().map { step("s\($0.offset)", $0.element) }
        #expect(validationError(webhookDefinition(steps: steps)) == nil)
    }

    @Test func wellFormedStepIDs() {
        #expect(AutomationDefinition.isValidStepID("a"))
        #expect(AutomationDefinition.isValidStepID("step_1-b"))
        #expect(AutomationDefinition.isValidStepID(String(repeating: "x", count: 64)))
        #expect(!AutomationDefinition.isValidStepID(""))
        #expect(!AutomationDefinition.isValidStepID(String(repeating: "x", count: 65)))
        #expect(!AutomationDefinition.isValidStepID("Step"))
        #expect(!AutomationDefinition.isValidStepID("a b"))
        #expect(!AutomationDefinition.isValidStepID("a.b"))
        #expect(!AutomationDefinition.isValidStepID("é"))
    }

    @Test func conditionWithBranchesIsValidAndCounted() throws {
        let json = #"""
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"check","type":"condition","field":"trigger.source","operator":"equals","value":"web",
               "then":[{"id":"call","type":"create_call","script_id":"s","from_number":"+61291234567"}],
               "otherwise":[{"id":"wait","type":"delay","seconds":5},{"id":"log","type":"http_request","url":"https://example.com"}]},
              {"id":"done","type":"transform","mappings":[{"source":"trigger.a","target":"a"}]}
            ]}
            """#
        #expect(try validationError(json) == nil)
        #expect(AutomationDefinition.stepCount(try definition(json)) == 5)
    }

    @Test func twentyStepsIsTheMaximumAllowed() {
        #expect(AutomationDefinition.maxSteps == 20)
        let steps = (1...20).map { step("s\($0)") }
        #expect(validationError(webhookDefinition(steps: steps)) == nil)
    }

    @Test func twentyStepsCountingBranchStepsIsAllowed() {
        // 1 condition + 10 in "then" + 9 in "otherwise" = 20.
        let condition: JSONValue = .object([
            "id": "branch", "type": "condition", "field": "trigger.a", "operator": "is_empty",
            "then": .array((1...10).map { step("t\($0)") }),
            "otherwise": .array((1...9).map { step("o\($0)") }),
        ])
        let value = webhookDefinition(steps: [condition])
        #expect(AutomationDefinition.stepCount(value) == 20)
        #expect(validationError(value) == nil)
    }

    // MARK: - Refused, with the message that names the problem

    @Test func notAnObject() {
        #expect(validationError(.array([])) == DefinitionError("definition must be a JSON object"))
    }

    @Test func missingTrigger() throws {
        #expect(try validationError(#"{"steps":[]}"#) == DefinitionError(#"definition.trigger must be an object with a "type""#))
        #expect(try validationError(#"{"trigger":"webhook"}"#) == DefinitionError(#"definition.trigger must be an object with a "type""#))
    }

    @Test func unknownTriggerType() throws {
        let expected = DefinitionError("definition.trigger.type must be one of: call_completed, webhook")
        #expect(try validationError(#"{"trigger":{"type":"cron"}}"#) == expected)
        #expect(try validationError(#"{"trigger":{"type":"Webhook"}}"#) == expected)
        #expect(try validationError(#"{"trigger":{}}"#) == expected)
    }

    @Test func stepsMustBeAnArray() throws {
        #expect(try validationError(#"{"trigger":{"type":"webhook"},"steps":{}}"#) == DefinitionError("definition.steps must be an array"))
    }

    @Test func stepMustBeAnObject() {
        #expect(validationError(webhookDefinition(steps: [step("a"), "oops"])) == DefinitionError("steps[1] must be an object"))
    }

    @Test func stepIDIsRequired() {
        let noID: JSONValue = .object(["type": "delay"])
        #expect(validationError(webhookDefinition(steps: [noID])) == DefinitionError(#"steps[0]: field "id" is required"#))
    }

    @Test func uppercaseStepIDIsRefused() {
        let error = validationError(webhookDefinition(steps: [step("ok"), step("Send")]))
        #expect(error == DefinitionError(#"steps[1]: field "id" must match [a-z0-9_-]{1,64}"#))
    }

    @Test func sixtyFiveCharacterStepIDIsRefused() {
        let error = validationError(webhookDefinition(steps: [step(String(repeating: "a", count: 65))]))
        #expect(error == DefinitionError(#"steps[0]: field "id" must match [a-z0-9_-]{1,64}"#))
        #expect(validationError(webhookDefinition(steps: [step(String(repeating: "a", count: 64))])) == nil)
    }

    @Test func badStepIDInsideABranchNamesTheBranch() {
        let condition: JSONValue = .object([
            "id": "check", "type": "condition",
            "then": .array([step("fine")]),
            "otherwise": .array([step("fine2"), step("BAD")]),
        ])
        #expect(
            validationError(webhookDefinition(steps: [condition]))
                == DefinitionError(#"check.otherwise[1]: field "id" must match [a-z0-9_-]{1,64}"#))
    }

    @Test func duplicateIDsAreRefused() {
        let error = validationError(webhookDefinition(steps: [step("a"), step("b"), step("a", "transform")]))
        #expect(error == DefinitionError(#"step "a": field "id" is used twice"#))
    }

    @Test func duplicateIDsAcrossThenAndOtherwiseAreRefused() {
        let condition: JSONValue = .object([
            "id": "check", "type": "condition",
            "then": .array([step("notify")]),
            "otherwise": .array([step("notify")]),
        ])
        #expect(validationError(webhookDefinition(steps: [condition])) == DefinitionError(#"step "notify": field "id" is used twice"#))
    }

    @Test func branchStepReusingATopLevelIDIsRefused() {
        let condition: JSONValue = .object([
            "id": "check", "type": "condition",
            "then": .array([step("check")]),
        ])
        #expect(validationError(webhookDefinition(steps: [condition])) == DefinitionError(#"step "check": field "id" is used twice"#))
        let later = webhookDefinition(steps: [
            .object(["id": "check", "type": "condition", "then": .array([step("x")])]),
            step("x", "transform"),
        ])
        #expect(validationError(later) == DefinitionError(#"step "x": field "id" is used twice"#))
    }

    @Test func stepTypeIsRequired() {
        let noType: JSONValue = .object(["id": "a"])
        #expect(validationError(webhookDefinition(steps: [noType])) == DefinitionError(#"step "a": field "type" is required"#))
    }

    @Test func unknownStepTypeIsRefused() {
        let error = validationError(webhookDefinition(steps: [step("a"), step("send", "send_email")]))
        #expect(
            error
                == DefinitionError(
                    #"step "send": field "type" must be one of: condition, create_call, delay, http_request, transform, upsert_contact, upsert_object"#
                ))
    }

    @Test func unknownStepTypeInsideABranchIsRefused() {
        let condition: JSONValue = .object([
            "id": "check", "type": "condition",
            "then": .array([step("inner", "sleep")]),
        ])
        let error = validationError(webhookDefinition(steps: [condition]))
        #expect(error?.message.hasPrefix(#"step "inner": field "type" must be one of: "#) == true)
    }

    @Test func branchMustBeAnArray() {
        let condition: JSONValue = .object(["id": "check", "type": "condition", "then": .object([:])])
        #expect(
            validationError(webhookDefinition(steps: [condition]))
                == DefinitionError(#"step "check": field "then" must be an array of steps"#))
        let otherwise: JSONValue = .object(["id": "check", "type": "condition", "otherwise": "x"])
        #expect(
            validationError(webhookDefinition(steps: [otherwise]))
                == DefinitionError(#"step "check": field "otherwise" must be an array of steps"#))
    }

    @Test func twentyOneTopLevelStepsAreRefused() {
        let steps = (1...21).map { step("s\($0)") }
        #expect(
            validationError(webhookDefinition(steps: steps))
                == DefinitionError("definition has 21 steps; at most 20 are allowed (branch steps count)"))
    }

    @Test func twentyOneStepsCountingBranchStepsAreRefused() {
        // 5 top-level steps, one a condition with 8 + 8 branch steps: 21 in all.
        let condition: JSONValue = .object([
            "id": "branch", "type": "condition",
            "then": .array((1...8).map { step("t\($0)") }),
            "otherwise": .array((1...8).map { step("o\($0)") }),
        ])
        let value = webhookDefinition(steps: [step("a"), condition, step("b"), step("c"), step("d")])
        #expect(AutomationDefinition.stepCount(value) == 21)
        #expect(validationError(value) == DefinitionError("definition has 21 steps; at most 20 are allowed (branch steps count)"))
    }

    @Test func unknownFieldsOutsideStepsAreRefusedWithTheNearestName() throws {
        #expect(
            try validationError(#"{"trigger":{"type":"webhook"},"stpes":[]}"#)
                == DefinitionError(#"definition: unknown field "stpes" (did you mean "steps"?)"#))
        #expect(
            try validationError(#"{"trigger":{"type":"call_completed","script_id":["a"]}}"#)
                == DefinitionError(#"definition.trigger: unknown field "script_id" (did you mean "script_ids"?)"#))
        #expect(
            try validationError(#"{"trigger":{"type":"webhook","statuses":["completed"]}}"#)
                == DefinitionError(#"definition.trigger: unknown field "statuses" (known fields: type)"#))
        #expect(
            try validationError(#"{"trigger":{"type":"webhook"},"retry":{"max_attempt":3}}"#)
                == DefinitionError(#"definition.retry: unknown field "max_attempt" (did you mean "max_attempts"?)"#))
        #expect(
            try validationError(#"{"trigger":{"type":"webhook"},"steps":[{"id":"a","type":"http_reqest"}]}"#)
                == DefinitionError(
                    #"step "a": field "type" must be one of: condition, create_call, delay, http_request, transform, upsert_contact, upsert_object (did you mean "http_request"?)"#
                ))
    }

    @Test func nearestNameCountsATranspositionAsOneEdit() {
        #expect(NearestName.find("mehtod", among: ["method", "url"]) == "method")
        #expect(NearestName.find("bdy", among: ["body", "headers"]) == "body")
        #expect(NearestName.find("zzzzzz", among: ["method", "url"]) == nil)
        #expect(NearestName.find("", among: ["method"]) == nil)
    }
}
