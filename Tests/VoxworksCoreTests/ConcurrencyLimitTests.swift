import Testing
import VoxworksCore

/// The definition's `concurrency`: validated where definitions are, with a default.
@Suite struct ConcurrencyLimitTests {
    @Test func absentOrNullTakesTheDefaultOfSixtyFour() throws {
        #expect(ConcurrencyLimit.automation(AutomationDefinition.emptyJSON) == 64)
        let null = try JSONParser().parse(#"{"trigger":{"type":"webhook"},"concurrency":null}"#)
        try AutomationDefinition.validate(null)
        #expect(ConcurrencyLimit.automation(null) == 64)
        #expect(ConcurrencyLimit.teamDefault == 128)
    }

    @Test func aDefinitionSetsItWithinOneToTenThousand() throws {
        for value in [1, 7, 10_000] {
            let definition = try JSONParser().parse(#"{"trigger":{"type":"webhook"},"steps":[],"concurrency":\#(value)}"#)
            try AutomationDefinition.validate(definition)
            #expect(ConcurrencyLimit.automation(definition) == value)
        }
    }

    @Test func otherValuesAreRefusedByTheDefinitionsValidation() throws {
        for value in ["0", "10001", "-3", "2.5", "\"8\"", "true", "[4]"] {
            let definition = try JSONParser().parse(#"{"trigger":{"type":"webhook"},"concurrency":\#(value)}"#)
            #expect(throws: DefinitionError("definition.concurrency must be an integer from 1 to 10000"), "\(value)") {
                try AutomationDefinition.validate(definition)
            }
        }
    }
}
