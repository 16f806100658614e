import Testing
@testable import VoxworksCore

@Suite("DefinitionAudit")
struct DefinitionAuditTests {
    @Test func storedDefinitionsAreSortedIntoWhatNeedsAttention() {
        let findings = DefinitionAudit.findings([
            (id: "a1", name: "fine", text: #"{"trigger":{"type":"webhook"},"steps":[]}"#),
            (
                id: "a2", name: "typo",
                text:
                    #"{"trigger":{"type":"webhook"},"steps":[{"id":"crm","type":"http_request","url":"https://x.example","metod":"PATCH"}]}"#
            ),
            (id: "a3", name: "broken", text: #"{"trigger":"#),
            (id: "a4", name: "old", text: #"{"trigger":{"type":"webhook"},"steps":[{"id":"x","type":"send_fax"}]}"#),
        ])
        #expect(findings.map(\.automationID) == ["a2", "a3", "a4"])
        #expect(findings.first?.problem == .refusedIfSaved(#"step "crm": unknown field "metod" (did you mean "method"?)"#))
        #expect(findings.first?.line.contains("runs as before") == true)
        #expect(findings.first?.line.contains("PATCH /api/v1/automations/a2") == true)
        #expect(findings.dropFirst().first?.problem == .unreadable)
        guard case .cannotRun(let message)? = findings.last?.problem else {
            Issue.record("a4 should be reported as unable to run")
            return
        }
        #expect(message.hasPrefix(#"step "x": field "type" must be one of"#))
    }
}
