import Testing
@testable import VoxworksCore

@Suite("ExecutionContext")
struct ExecutionContextTests {
    private func json(_ text: String) throws -> JSONValue { try JSONParser().parse(text) }

    private func context() throws -> ExecutionContext {
        ExecutionContext(
            trigger: try json(
                #"""
                {"phone":"0429069971","total":12.50,"vip":true,"note":null,
                 "items":[{"name":"first","tags":["a","b"]},{"name":"second"}],
                 "matrix":[[1,2],[3,[4,5]]],
                 "numbered":{"0":"zero","10":"ten"},
                 "First Name":"Ada",
                 "deep":{"a":{"b":{"c":"found"}}}}
                """#))
    }

    // MARK: - Initial state

    @Test func startsWithTheSixRootsInOrder() throws {
        let context = ExecutionContext(trigger: .object(["x": 1]))
        #expect(context.root.keys == ["trigger", "contact", "objects", "mapped", "source", "call"])
        #expect(ExecutionContext.roots == ["trigger", "contact", "objects", "mapped", "source", "call"])
        #expect(context.root["trigger"] == .object(["x": 1]))
        for key in ["contact", "objects", "mapped", "source", "call"] {
            #expect(context.root[key] == .object([:]))
        }
        #expect(context.json.serialized == #"{"trigger":{"x":1},"contact":{},"objects":{},"mapped":{},"source":{},"call":{}}"#)
    }

    @Test func restoresFromAStoredRoot() {
        let root: JSONObject = ["trigger": .object(["a": 1]), "mapped": .object(["b": "c"])]
        let context = ExecutionContext(root: root)
        #expect(context.root == root)
        #expect(context.value(at: "mapped.b") == "c")
        #expect(context.value(at: "call.status") == nil)
    }

    // MARK: - Reading

    @Test func readsNestedObjectValuesWithTheirTypes() throws {
        let context = try context()
        #expect(context.value(at: "trigger.phone") == .string("0429069971"))
        #expect(context.value(at: "trigger.total") == .number("12.50"))
        #expect(context.value(at: "trigger.vip") == .bool(true))
        #expect(context.value(at: "trigger.deep.a.b.c") == "found")
        #expect(context.value(at: "trigger.deep.a") == .object(["b": .object(["c": "found"])]))
        #expect(context.value(at: "trigger.First Name") == "Ada")
    }

    @Test func storedNullIsPresentNotMissing() throws {
        #expect(try context().value(at: "trigger.note") == .null)
    }

    @Test func readsArrayElementsInBothIndexForms() throws {
        let context = try context()
        #expect(context.value(at: "trigger.items.0.name") == "first")
        #expect(context.value(at: "trigger.items[0].name") == "first")
        #expect(context.value(at: "trigger.items[1].name") == "second")
        #expect(context.value(at: "trigger.items.1.name") == "second")
        #expect(context.value(at: "trigger.items[0].tags[1]") == "b")
        #expect(context.value(at: "trigger.items.0.tags.1") == "b")
        #expect(context.value(at: "trigger.items[0].tags.0") == "a")
    }

    @Test func readsNestedArraysWithConsecutiveBrackets() throws {
        let context = try context()
        #expect(context.value(at: "trigger.matrix[0][1]") == 2)
        #expect(context.value(at: "trigger.matrix[1][1][0]") == 4)
        #expect(context.value(at: "trigger.matrix.1.1.1") == 5)
        #expect(context.value(at: "trigger.matrix[1].1[1]") == 5)
        #expect(context.value(at: "trigger.matrix[1]") == .array([3, .array([4, 5])]))
    }

    @Test func numericSegmentsAreKeysOnObjects() throws {
        let context = try context()
        #expect(context.value(at: "trigger.numbered.0") == "zero")
        #expect(context.value(at: "trigger.numbered[10]") == "ten")
        #expect(context.value(at: "trigger.numbered.1") == nil)
    }

    @Test func rootsAloneAreTheirWholeValue() throws {
        let context = try context()
        #expect(context.value(at: "trigger")?.objectValue?.keys.first == "phone")
        #expect(context.value(at: "mapped") == .object([:]))
        #expect(context.value(at: "call") == .object([:]))
    }

    @Test func missingValuesAreNil() throws {
        let context = try context()
        #expect(context.value(at: "trigger.nope") == nil)
        #expect(context.value(at: "trigger.deep.a.x") == nil)
        #expect(context.value(at: "trigger.items[2].name") == nil)
        #expect(context.value(at: "trigger.items.5") == nil)
        #expect(context.value(at: "trigger.items.name") == nil)
        #expect(context.value(at: "trigger.phone.length") == nil)
        #expect(context.value(at: "trigger.phone[0]") == nil)
        #expect(context.value(at: "trigger.note.x") == nil)
        #expect(context.value(at: "trigger.items[99999999999999999999999]") == nil)
        #expect(context.value(at: "contact.phone_number") == nil)
        #expect(context.value(at: "objects.monday_item.board_id") == nil)
    }

    @Test func pathsOutsideTheSixRootsAreNil() throws {
        let context = try context()
        #expect(context.value(at: "phone") == nil)
        #expect(context.value(at: "triggers.phone") == nil)
        #expect(context.value(at: "Trigger.phone") == nil)
        #expect(context.value(at: "") == nil)
    }

    @Test func malformedPathsAreNil() throws {
        let context = try context()
        #expect(context.value(at: "trigger..phone") == nil)
        #expect(context.value(at: "trigger.phone.") == nil)
        #expect(context.value(at: ".trigger.phone") == nil)
        #expect(context.value(at: "trigger.items[0]name") == nil)
        #expect(context.value(at: "trigger.items[]") == nil)
        #expect(context.value(at: "trigger.items[-1]") == nil)
        #expect(context.value(at: "trigger.items[0") == nil)
        #expect(context.value(at: " trigger.phone") == nil)
    }

    // MARK: - Path syntax

    @Test func validPaths() {
        for path in [
            "trigger", "contact", "objects", "mapped", "source", "call",
            "trigger.phone", "contact.phone_number", "objects.monday_item.board_id", "mapped.first_name",
            "source.data.items[0].id", "call.structured_data.budget", "trigger.items.0.name", "trigger.items[0].name",
            "trigger.m[0][1]", "trigger.m[0].x[2]", "trigger.First Name", "trigger.crm-id", "trigger.é",
            // A combining mark or emoji modifier right after `.` or `]` joins it into
            // one Character; the path is still read by scalar.
            "trigger.\u{1F3FB}x", "trigger[0].\u{0301}a", "contact.a\u{0301}",
        ] {
            #expect(ExecutionContext.isValidPath(path), "\(path)")
        }
    }

    @Test func invalidPaths() {
        for path in [
            "", "phone", "triggers", "Trigger.phone", "trigger.", ".trigger", "trigger..a", "trigger.a b ", "trigger. a",
            "trigger.items[]", "trigger.items[a]", "trigger.items[-1]", "trigger.items[0", "trigger.items]0[",
            "trigger.items[0]x", "[0]", "trigger.{{x}}", "trigger.a}", " trigger", "trigger ", "trigger.a\tb", "trigger.a\nb",
            "{{trigger.phone}}",
        ] {
            #expect(!ExecutionContext.isValidPath(path), "\(path)")
        }
    }

    // MARK: - Writing

    @Test func setsMappedValuesCreatingTheObject() {
        var context = ExecutionContext(trigger: .object([:]))
        context.set("+61429069971", at: "mapped.phone")
        context.set(.number("3"), at: "mapped.count")
        #expect(context.value(at: "mapped.phone") == "+61429069971")
        #expect(context.root["mapped"] == .object(["phone": "+61429069971", "count": 3]))
        context.set("+61400000000", at: "mapped.phone")
        #expect(context.root["mapped"] == .object(["phone": "+61400000000", "count": 3]))
    }

    @Test func setsAnObjectTypeUnderObjects() {
        var context = ExecutionContext(trigger: .object([:]))
        context.set(.object(["board_id": "42", "id": 7]), at: "objects.monday_item")
        #expect(context.value(at: "objects.monday_item.board_id") == "42")
        #expect(context.value(at: "objects.monday_item.id") == 7)
    }

    @Test func replacesAWholeRoot() {
        var context = ExecutionContext(trigger: .object(["a": 1]))
        context.set(.object(["status": 200]), at: "source")
        context.set(.object(["status": "completed", "duration": 61]), at: "call")
        #expect(context.value(at: "source.status") == 200)
        #expect(context.value(at: "call.status") == "completed")
        #expect(context.root.keys == ["trigger", "contact", "objects", "mapped", "source", "call"])
    }

    @Test func createsDeepIntermediateObjects() {
        var context = ExecutionContext(trigger: .object([:]))
        context.set(true, at: "mapped.a.b.c")
        #expect(context.root["mapped"] == .object(["a": .object(["b": .object(["c": true])])]))
    }

    @Test func createsMissingRootsInARestoredContext() {
        var context = ExecutionContext(root: ["trigger": .object([:])])
        context.set("x", at: "call.status")
        #expect(context.root.keys == ["trigger", "call"])
        #expect(context.value(at: "call.status") == "x")
    }

    @Test func replacesAScalarInTheWayWithAnObject() {
        var context = ExecutionContext(trigger: .object(["phone": "123"]))
        context.set("1", at: "trigger.phone.country")
        #expect(context.value(at: "trigger.phone") == .object(["country": "1"]))
    }

    @Test func writesIntoExistingArrays() throws {
        var context = ExecutionContext(trigger: try json(#"{"items":[{"n":1},{"n":2}]}"#))
        context.set(20, at: "trigger.items[1].n")
        context.set("x", at: "trigger.items.0.extra")
        #expect(context.value(at: "trigger.items")?.serialized == #"[{"n":1,"extra":"x"},{"n":20}]"#)
        context.set("appended", at: "trigger.items[2]")
        context.set("padded", at: "trigger.items.4")
        #expect(context.value(at: "trigger.items")?.serialized == #"[{"n":1,"extra":"x"},{"n":20},"appended",null,"padded"]"#)
    }

    @Test func farOutOfRangeArrayIndexChangesNothing() throws {
        var context = ExecutionContext(trigger: try json(#"{"items":[1]}"#))
        let before = context
        context.set(2, at: "trigger.items.\(ExecutionContext.maxArrayPadding + 2)")
        #expect(context == before)
        context.set(2, at: "trigger.items.\(ExecutionContext.maxArrayPadding + 1)")
        #expect(context.value(at: "trigger.items")?.arrayValue?.count == ExecutionContext.maxArrayPadding + 2)
    }

    @Test func nonNumericSegmentOnAnArrayReplacesItWithAnObject() throws {
        var context = ExecutionContext(trigger: try json(#"{"items":[1]}"#))
        context.set(2, at: "trigger.items.name")
        #expect(context.value(at: "trigger.items") == .object(["name": 2]))
    }

    @Test func numericSegmentCreatesAnObjectKeyWhenNothingIsThere() {
        var context = ExecutionContext(trigger: .object([:]))
        context.set("v", at: "mapped.list[0]")
        #expect(context.root["mapped"] == .object(["list": .object(["0": "v"])]))
        #expect(context.value(at: "mapped.list[0]") == "v")
    }

    @Test func invalidPathsChangeNothing() {
        var context = ExecutionContext(trigger: .object(["a": 1]))
        let before = context
        context.set(1, at: "other.x")
        context.set(1, at: "mapped..x")
        context.set(1, at: "")
        context.set(1, at: "mapped.")
        #expect(context == before)
    }

    @Test func setKeepsExistingKeyOrder() {
        var context = ExecutionContext(trigger: .object(["a": 1, "b": 2, "c": 3]))
        context.set(20, at: "trigger.b")
        #expect(context.value(at: "trigger")?.serialized == #"{"a":1,"b":20,"c":3}"#)
    }

    @Test func equality() {
        var a = ExecutionContext(trigger: .object(["x": 1]))
        let b = ExecutionContext(trigger: .object(["x": 1]))
        #expect(a == b)
        a.set("y", at: "mapped.y")
        #expect(a != b)
    }
}
