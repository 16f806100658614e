import Testing
@testable import VoxworksCore

@Suite("ConditionOperator")
struct ConditionOperatorTests {
    private func json(_ text: String) throws -> JSONValue { try JSONParser().parse(text) }

    @Test func rawValuesAreExactlyTheDocumentedNames() {
        #expect(
            ConditionOperator.allCases.map(\.rawValue) == [
                "equals", "not_equals", "greater_than", "greater_or_equal", "less_than", "less_or_equal",
                "contains", "not_contains", "starts_with", "is_empty", "is_not_empty",
            ])
        #expect(ConditionOperator(rawValue: "equals") == .equals)
        #expect(ConditionOperator(rawValue: "=") == nil)
        #expect(ConditionOperator(rawValue: "Equals") == nil)
    }

    @Test func onlyTheEmptinessOperatorsIgnoreTheValue() {
        for op in ConditionOperator.allCases {
            #expect(op.needsValue == !(op == .isEmpty || op == .isNotEmpty), "\(op)")
        }
    }

    // MARK: - equals / not_equals

    @Test func equalsStrings() {
        #expect(ConditionOperator.equals.evaluate("website", "website"))
        #expect(!ConditionOperator.equals.evaluate("website", "Website"))
        #expect(!ConditionOperator.equals.evaluate("website", "website "))
        #expect(ConditionOperator.equals.evaluate("", ""))
    }

    @Test func equalsComparesNumbersByValue() throws {
        #expect(ConditionOperator.equals.evaluate(.string("5"), 5))
        #expect(ConditionOperator.equals.evaluate(5, .string("5")))
        #expect(ConditionOperator.equals.evaluate(5, .number("5.0")))
        #expect(ConditionOperator.equals.evaluate(.number("5.00"), .string(" 5 ")))
        #expect(ConditionOperator.equals.evaluate(.number("500"), .number("5e2")))
        #expect(ConditionOperator.equals.evaluate(.number("0"), .number("-0")))
        #expect(!ConditionOperator.equals.evaluate(5, 6))
        #expect(!ConditionOperator.equals.evaluate(.number("0.1"), .number("0.10000000000000001")))
        // No rounding through Double: 64-bit ids stay distinct.
        #expect(!ConditionOperator.equals.evaluate(.number("12345678901234567891"), .number("12345678901234567890")))
        #expect(ConditionOperator.equals.evaluate(.number("12345678901234567891"), .string("12345678901234567891")))
        #expect(!ConditionOperator.equals.evaluate(5, "five"))
        #expect(!ConditionOperator.equals.evaluate("abc", 0))
    }

    @Test func equalsTwoStringsExactlyEvenWhenNumeric() {
        #expect(!ConditionOperator.equals.evaluate("05", "5"))
        #expect(!ConditionOperator.equals.evaluate("5.0", "5"))
        #expect(ConditionOperator.equals.evaluate("0429069971", "0429069971"))
    }

    @Test func equalsBooleans() {
        #expect(ConditionOperator.equals.evaluate(true, true))
        #expect(ConditionOperator.equals.evaluate(false, false))
        #expect(!ConditionOperator.equals.evaluate(true, false))
        #expect(ConditionOperator.equals.evaluate(true, "true"))
        #expect(ConditionOperator.equals.evaluate("false", false))
        #expect(!ConditionOperator.equals.evaluate(true, "TRUE"))
        #expect(!ConditionOperator.equals.evaluate(true, 1))
        #expect(!ConditionOperator.equals.evaluate(false, .null))
    }

    @Test func equalsNullAndMissing() {
        #expect(ConditionOperator.equals.evaluate(.null, .null))
        #expect(ConditionOperator.equals.evaluate(nil, .null))
        #expect(ConditionOperator.equals.evaluate(nil, nil))
        #expect(!ConditionOperator.equals.evaluate(nil, ""))
        #expect(!ConditionOperator.equals.evaluate(.null, ""))
        #expect(!ConditionOperator.equals.evaluate("", .null))
        #expect(!ConditionOperator.equals.evaluate(nil, "website"))
    }

    @Test func equalsArraysAndObjectsStructurally() throws {
        #expect(ConditionOperator.equals.evaluate(try json(#"[1,"a",[true]]"#), try json(#"["1.0","a",[true]]"#)))
        #expect(!ConditionOperator.equals.evaluate(try json(#"[1,2]"#), try json(#"[2,1]"#)))
        #expect(!ConditionOperator.equals.evaluate(try json(#"[1]"#), try json(#"[1,1]"#)))
        #expect(ConditionOperator.equals.evaluate(try json(#"{"a":1,"b":"x"}"#), try json(#"{"b":"x","a":1.0}"#)))
        #expect(!ConditionOperator.equals.evaluate(try json(#"{"a":1}"#), try json(#"{"a":1,"b":2}"#)))
        #expect(!ConditionOperator.equals.evaluate(try json(#"{"a":1,"c":2}"#), try json(#"{"a":1,"b":2}"#)))
        #expect(!ConditionOperator.equals.evaluate(try json(#"[]"#), try json(#"{}"#)))
        #expect(!ConditionOperator.equals.evaluate(try json(#"["a"]"#), "a"))
    }

    @Test func notEqualsIsTheNegation() throws {
        #expect(ConditionOperator.notEquals.evaluate("website", "email"))
        #expect(!ConditionOperator.notEquals.evaluate("website", "website"))
        #expect(!ConditionOperator.notEquals.evaluate(.string("5"), 5))
        #expect(ConditionOperator.notEquals.evaluate("05", "5"))
        #expect(ConditionOperator.notEquals.evaluate(nil, "x"))
        #expect(!ConditionOperator.notEquals.evaluate(nil, .null))
        #expect(ConditionOperator.notEquals.evaluate(true, false))
    }

    // MARK: - comparisons

    @Test func greaterThan() {
        #expect(ConditionOperator.greaterThan.evaluate(10, 9))
        #expect(!ConditionOperator.greaterThan.evaluate(9, 10))
        #expect(!ConditionOperator.greaterThan.evaluate(10, 10))
        #expect(ConditionOperator.greaterThan.evaluate("10", "9"))  // numeric strings compare as numbers
        #expect(ConditionOperator.greaterThan.evaluate(.number("-1.5"), .number("-2")))
        #expect(!ConditionOperator.greaterThan.evaluate(.number("-2"), .number("-1.5")))
        #expect(ConditionOperator.greaterThan.evaluate(.number("0.001"), .number("0")))
        #expect(ConditionOperator.greaterThan.evaluate(.number("1e3"), .number("999.9")))
        #expect(ConditionOperator.greaterThan.evaluate(.number("12345678901234567891"), .number("12345678901234567890")))
        #expect(ConditionOperator.greaterThan.evaluate("b", "a"))
        #expect(!ConditionOperator.greaterThan.evaluate("a", "b"))
        #expect(ConditionOperator.greaterThan.evaluate("2024-03-05T10:00:00Z", "2024-03-04T23:00:00Z"))
        #expect(ConditionOperator.greaterThan.evaluate("abc", 5))  // text: "abc" > "5"
        #expect(!ConditionOperator.greaterThan.evaluate(nil, 0))
        #expect(!ConditionOperator.greaterThan.evaluate(.null, 0))
        #expect(!ConditionOperator.greaterThan.evaluate(true, false))
        #expect(!ConditionOperator.greaterThan.evaluate(.array([5]), 1))
    }

    @Test func greaterOrEqual() {
        #expect(ConditionOperator.greaterOrEqual.evaluate(10, 10))
        #expect(ConditionOperator.greaterOrEqual.evaluate(.string("10.0"), 10))
        #expect(ConditionOperator.greaterOrEqual.evaluate(11, "10"))
        #expect(!ConditionOperator.greaterOrEqual.evaluate(9, 10))
        #expect(ConditionOperator.greaterOrEqual.evaluate("b", "b"))
        #expect(!ConditionOperator.greaterOrEqual.evaluate("a", "b"))
        #expect(!ConditionOperator.greaterOrEqual.evaluate(nil, nil))
        #expect(!ConditionOperator.greaterOrEqual.evaluate(.object([:]), .object([:])))
    }

    @Test func lessThan() {
        #expect(ConditionOperator.lessThan.evaluate(9, 10))
        #expect(!ConditionOperator.lessThan.evaluate(10, 9))
        #expect(!ConditionOperator.lessThan.evaluate(10, 10))
        #expect(ConditionOperator.lessThan.evaluate("9", "10"))
        #expect(!ConditionOperator.lessThan.evaluate("9", "10 apples"))  // text comparison: "9" > "1…"
        #expect(ConditionOperator.lessThan.evaluate("apple", "banana"))
        #expect(ConditionOperator.lessThan.evaluate(.number("-0.5"), 0))
        #expect(!ConditionOperator.lessThan.evaluate(nil, 10))
        #expect(!ConditionOperator.lessThan.evaluate(5, nil))
        #expect(!ConditionOperator.lessThan.evaluate(false, true))
    }

    @Test func lessOrEqual() {
        #expect(ConditionOperator.lessOrEqual.evaluate(10, 10))
        #expect(ConditionOperator.lessOrEqual.evaluate(.number("1e1"), "10"))
        #expect(ConditionOperator.lessOrEqual.evaluate(9, 10))
        #expect(!ConditionOperator.lessOrEqual.evaluate(11, 10))
        #expect(ConditionOperator.lessOrEqual.evaluate("a", "a"))
        #expect(!ConditionOperator.lessOrEqual.evaluate("b", "a"))
        #expect(!ConditionOperator.lessOrEqual.evaluate(.null, .null))
    }

    // MARK: - contains / not_contains / starts_with

    @Test func containsOnStrings() {
        #expect(ConditionOperator.contains.evaluate("New website lead", "website"))
        #expect(!ConditionOperator.contains.evaluate("New website lead", "Website"))
        #expect(!ConditionOperator.contains.evaluate("web", "website"))
        #expect(ConditionOperator.contains.evaluate("anything", ""))
        #expect(ConditionOperator.contains.evaluate("", ""))
        #expect(ConditionOperator.contains.evaluate("Order 42 shipped", 42))
        #expect(ConditionOperator.contains.evaluate("flag=true", true))
        #expect(ConditionOperator.contains.evaluate(.number("12345"), "234"))
        #expect(!ConditionOperator.contains.evaluate("text", .null))
        #expect(!ConditionOperator.contains.evaluate("text", nil))
        #expect(!ConditionOperator.contains.evaluate("[1]", .array([1])))
    }

    @Test func containsOnArraysUsesEquals() throws {
        let tags = try json(#"["vip","new",5,true,null,{"a":1}]"#)
        #expect(ConditionOperator.contains.evaluate(tags, "vip"))
        #expect(!ConditionOperator.contains.evaluate(tags, "VIP"))
        #expect(!ConditionOperator.contains.evaluate(tags, "vi"))
        #expect(ConditionOperator.contains.evaluate(tags, "5"))
        #expect(ConditionOperator.contains.evaluate(tags, true))
        #expect(ConditionOperator.contains.evaluate(tags, .null))
        #expect(ConditionOperator.contains.evaluate(tags, .object(["a": 1])))
        #expect(!ConditionOperator.contains.evaluate(.array([]), "x"))
    }

    @Test func containsOnObjectsLooksForAKey() throws {
        let object = try json(#"{"email":"a@b.c","phone":null}"#)
        #expect(ConditionOperator.contains.evaluate(object, "email"))
        #expect(ConditionOperator.contains.evaluate(object, "phone"))
        #expect(!ConditionOperator.contains.evaluate(object, "a@b.c"))
        #expect(!ConditionOperator.contains.evaluate(object, 1))
    }

    @Test func containsOnAnythingElseIsFalse() {
        #expect(!ConditionOperator.contains.evaluate(nil, "x"))
        #expect(!ConditionOperator.contains.evaluate(.null, ""))
        #expect(!ConditionOperator.contains.evaluate(true, "true"))
    }

    @Test func notContainsIsTheNegation() throws {
        #expect(ConditionOperator.notContains.evaluate("New lead", "website"))
        #expect(!ConditionOperator.notContains.evaluate("New website lead", "website"))
        #expect(ConditionOperator.notContains.evaluate(try json(#"["a"]"#), "b"))
        #expect(!ConditionOperator.notContains.evaluate(try json(#"["a"]"#), "a"))
        #expect(ConditionOperator.notContains.evaluate(nil, "x"))
    }

    @Test func startsWith() {
        #expect(ConditionOperator.startsWith.evaluate("+61429069971", "+61"))
        #expect(!ConditionOperator.startsWith.evaluate("+64211234567", "+61"))
        #expect(!ConditionOperator.startsWith.evaluate("Website", "web"))
        #expect(ConditionOperator.startsWith.evaluate("abc", ""))
        #expect(ConditionOperator.startsWith.evaluate(.number("61429"), 61))
        #expect(ConditionOperator.startsWith.evaluate("true story", true))
        #expect(!ConditionOperator.startsWith.evaluate(nil, "a"))
        #expect(!ConditionOperator.startsWith.evaluate(.array(["abc"]), "a"))
        #expect(!ConditionOperator.startsWith.evaluate("abc", .null))
        #expect(!ConditionOperator.startsWith.evaluate("ab", "abc"))
    }

    // MARK: - is_empty / is_not_empty

    @Test func isEmpty() {
        for field: JSONValue? in [nil, .null, "", .array([]), .object([:])] {
            #expect(ConditionOperator.isEmpty.evaluate(field, nil), "\(String(describing: field))")
            #expect(!ConditionOperator.isNotEmpty.evaluate(field, nil), "\(String(describing: field))")
        }
    }

    @Test func isNotEmpty() {
        for field: JSONValue in [" ", "x", 0, false, .array([.null]), .object(["a": .null])] {
            #expect(ConditionOperator.isNotEmpty.evaluate(field, nil), "\(field)")
            #expect(!ConditionOperator.isEmpty.evaluate(field, nil), "\(field)")
        }
    }

    @Test func emptinessIgnoresTheValue() {
        #expect(ConditionOperator.isEmpty.evaluate("", "not empty"))
        #expect(ConditionOperator.isNotEmpty.evaluate("x", ""))
    }
}
