import VoxworksCore
import VoxworksStore

import Foundation

/// `webhook.verification` and `webhook.accept`, parsed once at the API's
/// edge and validated against the scheme before anything is stored. Shared
/// by the API and the console.
extension AutomationActions {
    /// What a request said about verification.
    enum VerificationRequest: Sendable {
        case absent
        /// `"verification": null`
        case off
        case set(VerificationInput)
    }

    static func verificationRequest(_ value: JSONValue?) throws -> VerificationRequest {
        switch value {
        case nil: return .absent
        case .null?: return .off
        case .object(let object)?:
            do {
                return .set(try VerificationInput.parse(object))
            } catch {
                throw APIError.badRequest(error.message)
            }
        default: throw APIError.badRequest("webhook.verification must be an object or null")
        }
    }

    /// `webhook.accept`: nil when absent; `.some(nil)` (null) is the scheme's default.
    static func acceptRequest(_ value: JSONValue?) throws -> [BodyFormat]?? {
        switch value {
        case nil: return nil
        case .null?: return .some(nil)
        case .array(let items)?:
            var formats: [BodyFormat] = []
            for item in items {
                guard case .string(let name) = item, let format = BodyFormat(rawValue: name) else {
                    let text = item.stringValue ?? item.serialized
                    let hint = NearestName.find(text, among: BodyFormat.allCases.map(\.rawValue)).map { "; did you mean \"\($0)\"?" } ?? ""
                    throw APIError.badRequest(
                        "webhook.accept: \"\(String(text.prefix(64)))\" is not one of json, form, json_array\(hint)")
                }
                if !formats.contains(format) { formats.append(format) }
            }
            guard !formats.isEmpty else { throw APIError.badRequest("webhook.accept must list at least one of json, form, json_array") }
            return .some(formats)
        default: throw APIError.badRequest("webhook.accept must be an array of json, form, json_array")
        }
    }

    /// The scheme value for an input, or a `400` naming the field.
    static func scheme(for input: VerificationInput) throws -> any VerificationScheme {
        do {
            return try SchemeCatalog.scheme(input.scheme, settings: input.settings)
        } catch {
            throw APIError.badRequest("webhook.verification: \(error.message)")
        }
    }

    /// The store change for an input, given the webhook's current scheme: a
    /// new credential for the same scheme is a rotation (the previous one
    /// stays valid for the grace period); a new scheme ends the old
    /// credentials at once; the same scheme without a credential changes
    /// only its settings.
    func verificationChange(_ input: VerificationInput, current: Webhook) throws -> VerificationChange {
        let scheme = try Self.scheme(for: input)
        let sameScheme = current.verification?.scheme == input.scheme
        var change = VerificationChange(scheme: .set(WebhookVerification(scheme: input.scheme, settings: input.settings)))
        if let credential = input.credential {
            if let problem = scheme.problem(with: credential) { throw APIError.badRequest("webhook.verification: \(problem)") }
            change.credential = credential
            change.previous =
                sameScheme && current.signing ? .validUntil(clock().adding(seconds: configuration.secretGraceSeconds)) : .endNow
        } else if !sameScheme {
            // Most schemes need a credential; Asana's arrives with its handshake.
            if let problem = scheme.problem(with: SchemeCredential()) { throw APIError.badRequest("webhook.verification: \(problem)") }
            change.previous = .endNow
        }
        return change
    }

    /// The formats a webhook takes: as set, else its scheme's default.
    static func effectiveAccept(_ webhook: Webhook) -> [BodyFormat] {
        if let accept = webhook.accept { return accept }
        guard let verification = webhook.verification,
            let scheme = try? SchemeCatalog.scheme(verification.scheme, settings: verification.settings)
        else { return [.json] }
        return scheme.defaultAccept
    }

    /// Applies a change; a `404` when the automation is gone.
    func changeVerification(automationID: UUID, teamID: UUID, change: VerificationChange) async throws -> Automation {
        guard let automation = try await store.changeVerification(automationID: automationID, teamID: teamID, change: change, now: clock())
        else { throw APIError.notFound("Automation") }
        return automation
    }
}
