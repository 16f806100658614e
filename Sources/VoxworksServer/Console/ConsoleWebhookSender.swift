import Foundation
import VoxworksCore
import VoxworksIngest
import VoxworksStore

/// Test Webhook: builds the delivery a sender would (a JSON body, a fresh
/// idempotency key, `X-Webhook-Signature` when the webhook has a secret)
/// and hands it to the same `IngestService` the endpoint uses: the same
/// rate limits, verification, idempotency and durable commit.
struct ConsoleWebhookSender {
    let ingest: IngestService
    let clock: @Sendable () -> Timestamp

    enum Outcome {
        case accepted(UUID)
        case refused(status: Int, message: String)
    }

    func send(body: [UInt8], automation: Automation, sourceAddress: String?) async throws -> Outcome {
        let now = clock()
        do {
            let admission = try await ingest.admit(token: automation.webhook.token, now: now)
            // Signed with the webhook's newest active key, as a sender holding it would.
            let signature = admission.route.signingKeys.first.map { "sha256=" + SignatureVerifier.sign(body: body, key: $0) }
            let delivery = IngestService.Delivery(
                body: body, contentType: "application/json", signature: SignatureHeaders(webhookSignature: signature),
                keyHeaders: ["console-test-" + UUID().lowercased], sourceAddress: sourceAddress)
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
