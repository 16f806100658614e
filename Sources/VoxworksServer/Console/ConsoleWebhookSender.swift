import Foundation
import VoxworksCore
import VoxworksIngest
import VoxworksStore

/// Test Webhook: builds the delivery a sender would (a JSON body, a fresh
/// idempotency key, signed as the webhook's scheme signs when the service
/// can make that signature) and hands it to the same `IngestService` the
/// endpoint uses: the same rate limits, verification, idempotency and
/// durable commit.
struct ConsoleWebhookSender {
    let ingest: IngestService
    let configuration: ServerConfiguration
    let clock: @Sendable () -> Timestamp

    enum Outcome {
        case accepted(UUID)
        case refused(status: Int, message: String)
        /// The webhook's scheme cannot be signed here (e.g. only a public key is held).
        case cannotSign(SchemeName)
    }

    func send(body: [UInt8], automation: Automation, sourceAddress: String?) async throws -> Outcome {
        let now = clock()
        do {
            let admission = try await ingest.admit(token: automation.webhook.token, now: now)
            let key = "console-test-" + UUID().lowercased
            var delivery = IngestService.Delivery(
                body: body, contentType: "application/json", keyHeaders: [key], sourceAddress: sourceAddress)
            if let verification = admission.route.verification {
                let url = configuration.webhookURL(token: automation.webhook.token)
                let scheme = automation.webhook.verification ?? WebhookVerification(scheme: verification.scheme.name)
                // Signed with the newest active credential, as a sender holding it would.
                guard
                    let signed = ConsoleTestSigner.headers(
                        for: scheme, credential: verification.credentials.first, body: body, url: url, now: now)
                else { return .cannotSign(scheme.scheme) }
                delivery.headers = [("content-type", "application/json"), ("idempotency-key", key)] + signed
                delivery.publicURL = url
            }
            switch try await ingest.accept(delivery, admission: admission, now: now) {
            case .accepted(let id), .replayed(let id):
                return .accepted(id)
            case .conflict:
                return Self.refused(.idempotencyConflict)
            case .backlogFull:
                return Self.refused(.backlogFull)
            }
        } catch let refusal as IngestRefusal {
            return Self.refused(APIError(refusal: refusal))
        }
    }

    private static func refused(_ error: APIError) -> Outcome {
        .refused(status: Int(error.status.code), message: error.message)
    }
}
