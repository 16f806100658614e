import Testing
@testable import VoxworksCore

@Suite("FieldTransform")
struct FieldTransformTests {
    private func parse(_ text: String) -> Result<FieldTransform, DefinitionError> {
        do { return .success(try FieldTransform(parsing: text)) } catch { return .failure(error) }
    }

    private func failure(_ transform: FieldTransform, _ value: JSONValue) -> StepFailure? {
        do {
            _ = try transform.apply(value)
            return nil
        } catch {
            return error
        }
    }

    private let dateFailureTail = " as a date (expected RFC 3339, YYYY-MM-DD or Unix seconds)"

    // MARK: - Parsing

    @Test func parsesEveryForm() throws {
        #expect(try FieldTransform(parsing: "uppercase") == .uppercase)
        #expect(try FieldTransform(parsing: "lowercase") == .lowercase)
        #expect(try FieldTransform(parsing: "truncate:10") == .truncate(10))
        #expect(try FieldTransform(parsing: "truncate:0") == .truncate(0))
        #expect(try FieldTransform(parsing: "truncate:007") == .truncate(7))
        #expect(try FieldTransform(parsing: "date:YYYY-MM-DD") == .date("YYYY-MM-DD"))
        #expect(try FieldTransform(parsing: "date:DD/MM/YYYY HH:mm") == .date("DD/MM/YYYY HH:mm"))
        #expect(try FieldTransform(parsing: "date::") == .date(":"))
        #expect(try FieldTransform(parsing: "to_string") == .toString)
        #expect(try FieldTransform(parsing: "to_number") == .toNumber)
    }

    @Test func descriptionRoundTrips() throws {
        for text in ["uppercase", "lowercase", "truncate:3", "date:YYYY-MM-DD", "to_string", "to_number"] {
            #expect(try FieldTransform(parsing: text).description == text)
        }
    }

    @Test func refusesUnknownTransforms() {
        let tail = " is not a known transform (expected uppercase, lowercase, truncate:N, date:FORMAT, to_string or to_number)"
        for text in ["", "upper", "Uppercase", "UPPERCASE", " uppercase", "to-number", "toString", "truncate", "date"] {
            #expect(parse(text) == .failure(DefinitionError(JSONValue.string(text).serialized + tail)), "\(text)")
        }
    }

    @Test func refusesBadTruncateLengths() {
        for text in [
            "truncate:", "truncate:-1", "truncate:x", "truncate:1.5", "truncate: 3", "truncate:+3", "truncate:99999999999999999999",
        ] {
            #expect(parse(text) == .failure(DefinitionError("\"\(text)\" needs a whole number N ≥ 0 in truncate:N")), "\(text)")
        }
    }

    @Test func refusesAnEmptyDateFormat() {
        #expect(parse("date:") == .failure(DefinitionError(#""date:" needs a format after it, e.g. date:YYYY-MM-DD"#)))
    }

    // MARK: - null passes through

    @Test func nullPassesThroughEveryTransform() throws {
        for transform: FieldTransform in [.uppercase, .lowercase, .truncate(2), .date("YYYY"), .toString, .toNumber] {
            #expect(try transform.apply(.null) == .null, "\(transform)")
        }
    }

    // MARK: - uppercase / lowercase

    @Test func uppercase() throws {
        #expect(try FieldTransform.uppercase.apply("Ada Lovelace") == "ADA LOVELACE")
        #expect(try FieldTransform.uppercase.apply("straße é") == "STRASSE É")
        #expect(try FieldTransform.uppercase.apply("") == "")
    }

    @Test func lowercase() throws {
        #expect(try FieldTransform.lowercase.apply("ADA@Example.COM") == "ada@example.com")
        #expect(try FieldTransform.lowercase.apply("ÉCOLE") == "école")
    }

    @Test func caseTransformsRefuseNonStrings() {
        #expect(failure(.uppercase, 5) == StepFailure("uppercase needs a string, got the number 5"))
        #expect(failure(.uppercase, .number("1.50")) == StepFailure("uppercase needs a string, got the number 1.50"))
        #expect(failure(.lowercase, true) == StepFailure("lowercase needs a string, got the boolean true"))
        #expect(failure(.lowercase, .array(["A"])) == StepFailure("lowercase needs a string, got an array"))
        #expect(failure(.uppercase, .object(["a": "b"])) == StepFailure("uppercase needs a string, got an object"))
        #expect(failure(.uppercase, 5)?.retryable == false)
    }

    // MARK: - truncate

    @Test func truncateCountsCharacters() throws {
        #expect(try FieldTransform.truncate(3).apply("abcdef") == "abc")
        #expect(try FieldTransform.truncate(10).apply("abc") == "abc")
        #expect(try FieldTransform.truncate(3).apply("abc") == "abc")
        #expect(try FieldTransform.truncate(0).apply("abc") == "")
        #expect(try FieldTransform.truncate(2).apply("é😀x") == "é😀")
        // One family emoji is one Character of several scalars; a combining accent stays with its letter.
        #expect(try FieldTransform.truncate(1).apply("👨‍👩‍👧‍👦 family") == "👨‍👩‍👧‍👦")
        #expect(try FieldTransform.truncate(1).apply("e\u{301}tude") == "e\u{301}")
    }

    @Test func truncateRefusesNonStrings() {
        #expect(failure(.truncate(3), 12345) == StepFailure("truncate:3 needs a string, got the number 12345"))
        #expect(failure(.truncate(3), .array([1, 2, 3, 4])) == StepFailure("truncate:3 needs a string, got an array"))
        #expect(failure(.truncate(1), false) == StepFailure("truncate:1 needs a string, got the boolean false"))
    }

    // MARK: - date

    @Test func formatsRFC3339DateTimesInUTC() throws {
        let format = FieldTransform.date("YYYY-MM-DD HH:mm:ss")
        #expect(try format.apply("2024-03-05T14:30:15Z") == "2024-03-05 14:30:15")
        #expect(try format.apply("2024-03-05t14:30:15z") == "2024-03-05 14:30:15")
        #expect(try format.apply("2024-03-05T14:30:15.123456Z") == "2024-03-05 14:30:15")
        #expect(try format.apply("2024-03-05T14:30:15,5Z") == "2024-03-05 14:30:15")
        #expect(try format.apply("2024-03-05T23:30:00+10:00") == "2024-03-05 13:30:00")
        #expect(try format.apply("2024-03-05T08:30:00+10:00") == "2024-03-04 22:30:00")
        #expect(try format.apply("2024-03-05T20:30:00-05:00") == "2024-03-06 01:30:00")
        #expect(try format.apply("2024-03-05T10:00:00+0530") == "2024-03-05 04:30:00")
        #expect(try format.apply("2024-03-05T10:00:00+05") == "2024-03-05 05:00:00")
        #expect(try format.apply("2024-12-31T23:59:59-00:01") == "2025-01-01 00:00:59")
    }

    @Test func dateTimesWithoutOffsetAreUTC() throws {
        let format = FieldTransform.date("YYYY-MM-DD HH:mm:ss")
        #expect(try format.apply("2024-03-05T14:30:15") == "2024-03-05 14:30:15")
        #expect(try format.apply("2024-03-05 14:30") == "2024-03-05 14:30:00")
        #expect(try format.apply(" 2024-03-05T14:30Z ") == "2024-03-05 14:30:00")
    }

    @Test func formatsPlainDates() throws {
        #expect(try FieldTransform.date("DD/MM/YYYY").apply("2024-03-05") == "05/03/2024")
        #expect(try FieldTransform.date("YYYY-MM-DD HH:mm:ss").apply("2024-03-05") == "2024-03-05 00:00:00")
        #expect(try FieldTransform.date("YYYY-MM-DD").apply("2024-02-29") == "2024-02-29")
        #expect(try FieldTransform.date("YYYY-MM-DD").apply("2000-02-29") == "2000-02-29")
        #expect(try FieldTransform.date("YYYY").apply("0001-01-01") == "0001")
    }

    @Test func formatsUnixSeconds() throws {
        let format = FieldTransform.date("YYYY-MM-DD HH:mm:ss")
        #expect(try format.apply(0) == "1970-01-01 00:00:00")
        #expect(try format.apply(1_700_000_000) == "2023-11-14 22:13:20")
        #expect(try format.apply(.number("1700000000.9")) == "2023-11-14 22:13:20")
        #expect(try format.apply(.number("1.7e9")) == "2023-11-14 22:13:20")
        #expect(try format.apply(-1) == "1969-12-31 23:59:59")
        #expect(try format.apply(951_782_400) == "2000-02-29 00:00:00")
        #expect(try format.apply(253_402_300_799) == "9999-12-31 23:59:59")
    }

    @Test func copiesTextBetweenTokens() throws {
        let instant: JSONValue = "2024-03-05T14:07:09Z"
        #expect(try FieldTransform.date("DD.MM.YYYY at HH:mm UTC").apply(instant) == "05.03.2024 at 14:07 UTC")
        #expect(try FieldTransform.date("YYYYMMDDHHmmss").apply(instant) == "20240305140709")
        #expect(try FieldTransform.date("hh:MM yy Y").apply(instant) == "hh:03 yy Y")
        #expect(try FieldTransform.date("no tokens").apply(instant) == "no tokens")
        #expect(try FieldTransform.date("mm:ss").apply(instant) == "07:09")
    }

    @Test func refusesWhatIsNotADate() {
        let format = FieldTransform.date("YYYY-MM-DD")
        for text in [
            "31/12/2024", "2024-13-01", "2024-00-10", "2024-02-30", "2023-02-29", "1900-02-29", "2024-3-5", "tomorrow", "",
            "2024-03-05T24:00:00Z", "2024-03-05T10:60Z", "2024-03-05T10:00:61Z", "2024-03-05T10", "2024-03-05X10:00",
            "2024-03-05T10:00:00+24:00", "2024-03-05T10:00:00+10:", "2024-03-05T10:00:00Zjunk", "2024-03-05T10:00:00.Z",
            "1700000000",
        ] {
            #expect(failure(format, .string(text)) == StepFailure("date:YYYY-MM-DD cannot read \"\(text)\"" + dateFailureTail), "\(text)")
        }
        #expect(failure(format, true) == StepFailure("date:YYYY-MM-DD cannot read the boolean true" + dateFailureTail))
        #expect(failure(format, .array([])) == StepFailure("date:YYYY-MM-DD cannot read an array" + dateFailureTail))
        #expect(
            failure(format, .number("253402300800")) == StepFailure("date:YYYY-MM-DD cannot read the number 253402300800" + dateFailureTail)
        )
        #expect(
            failure(format, .number("-62167219201")) == StepFailure("date:YYYY-MM-DD cannot read the number -62167219201" + dateFailureTail)
        )
    }

    @Test func longBadValuesAreShortenedInTheMessage() {
        let long = String(repeating: "x", count: 150)
        let expected = "date:YYYY cannot read \"" + String(repeating: "x", count: 100) + "…\"" + dateFailureTail
        #expect(failure(.date("YYYY"), .string(long)) == StepFailure(expected))
    }

    // MARK: - to_string

    @Test func toString() throws {
        #expect(try FieldTransform.toString.apply("text") == "text")
        #expect(try FieldTransform.toString.apply(.number("12.50")) == "12.50")
        #expect(try FieldTransform.toString.apply(.number("12345678901234567890")) == "12345678901234567890")
        #expect(try FieldTransform.toString.apply(.number("-1e3")) == "-1e3")
        #expect(try FieldTransform.toString.apply(true) == "true")
        #expect(try FieldTransform.toString.apply(false) == "false")
        #expect(try FieldTransform.toString.apply(.array([1, "a", .null])) == #"[1,"a",null]"#)
        #expect(try FieldTransform.toString.apply(.object(["k": "v"])) == #"{"k":"v"}"#)
    }

    // MARK: - to_number

    @Test func toNumberReadsNumericStrings() throws {
        let cases: [(String, String)] = [
            ("42", "42"), ("-7", "-7"), ("3.25", "3.25"), (" 3.5 ", "3.5"), ("+5", "5"), ("007", "7"), ("0", "0"),
            ("0.50", "0.50"), (".5", "0.5"), ("-.5", "-0.5"), ("5.", "5"), ("1e3", "1e3"), ("2E-4", "2e-4"), ("1e+2", "1e+2"),
            ("12345678901234567890123", "12345678901234567890123"), ("-0", "-0"),
        ]
        for (input, literal) in cases {
            #expect(try FieldTransform.toNumber.apply(.string(input)) == .number(literal), "\(input)")
        }
    }

    @Test func toNumberKeepsNumbers() throws {
        #expect(try FieldTransform.toNumber.apply(.number("12.50")) == .number("12.50"))
        #expect(try FieldTransform.toNumber.apply(7) == 7)
    }

    @Test func toNumberRefusesNonNumericStrings() {
        for text in ["abc", "", "  ", "12abc", "1,234", "0x1A", "inf", "NaN", "1e", "--1", "+-1", ".", "1.2.3", "١٢"] {
            #expect(
                failure(.toNumber, .string(text)) == StepFailure("to_number cannot read \(JSONValue.string(text).serialized) as a number"),
                "\(text)")
        }
    }

    @Test func toNumberRefusesOtherTypes() {
        #expect(failure(.toNumber, true) == StepFailure("to_number needs a string or a number, got the boolean true"))
        #expect(failure(.toNumber, .array([1])) == StepFailure("to_number needs a string or a number, got an array"))
        #expect(failure(.toNumber, .object([:])) == StepFailure("to_number needs a string or a number, got an object"))
    }
}
