import HTTPTypes
import Synchronization
import VoxworksCore
import VoxworksStore

/// Which request headers the request log keeps, and how. An allow-list
/// (a sender's custom header may carry anything, a secret included):
/// what explains a delivery (user agent, content type and length, the
/// idempotency and request ids) and the signature, timestamp and
/// delivery-id headers of the senders we know. Values of credentials and
/// signatures are cut to their first 8 characters followed by `…` (at
/// most half of a shorter value), enough to tell two apart, not to reuse
/// one. At most `maxCount` headers of at most `maxValueBytes` each.
enum RequestLogHeaders {
    static let maxCount = 32
    static let maxValueBytes = 512
    static let redactedPrefixCharacters = 8

    static let keptNames: Set<String> = [
        "user-agent", "content-type", "content-length", "content-encoding", "x-request-id", "x-forwarded-for", "forwarded",
        "x-idempotency-key", "idempotency-key", "authorization", "proxy-authorization", "cookie",
        "stripe-signature", "paddle-signature", "typeform-signature", "calendly-webhook-signature", "linear-signature", "linear-delivery",
        "linear-event", "i-twilio-idempotency-token", "x-hook-secret", "x-hook-signature", "x-event-key", "x-request-uuid",
        "x-line-signature", "x-vercel-signature", "x-xero-signature", "x-pagerduty-signature", "x-signature-ed25519",
        "x-signature-timestamp", "x-twitter-webhooks-signature", "x-mailgun-signature",
    ]

    static let keptPrefixes = [
        "svix-", "webhook-", "x-webhook-", "x-slack-", "x-twilio-", "x-shopify-", "x-github-", "x-hub-", "x-gitlab-", "x-zm-",
        "x-square-", "x-hubspot-", "twitch-eventsub-", "x-wc-webhook-", "x-docusign-", "x-airtable-", "sentry-hook-", "x-intercom-",
        "x-discord-",
    ]

    /// Names holding one of these are credentials or signatures.
    static let secretWords = [
        "authorization", "cookie", "signature", "secret", "token", "password", "auth", "key", "hmac", "session", "credential",
    ]
    /// Keys that identify a delivery, kept whole.
    static let plainKeys: Set<String> = ["x-idempotency-key", "idempotency-key"]

    /// What the log does with a header, by name.
    enum Treatment {
        case drop, keep, redact
    }

    /// The treatment of every name of the allow-list and of the headers
    /// most requests carry, decided once. Every record's headers pass
    /// through here on the writer's path; deciding each name anew
    /// (eleven substring searches, which on Linux go through Foundation's
    /// `NSString`) was over half of the writer's CPU in a profile of
    /// `benchmarks/quick-ingest`.
    static let knownTreatments: [String: Treatment] = {
        let common = [
            "host", "accept", "accept-encoding", "accept-language", "connection", "keep-alive", "transfer-encoding", "expect", "te",
            "x-forwarded-proto", "x-forwarded-host", "x-real-ip", "via", "cache-control", "pragma", "origin", "referer",
        ]
        return Dictionary(uniqueKeysWithValues: Set(keptNames).union(common).map { ($0, decide($0)) })
    }()

    /// Names decided on the way (a provider's `x-webhook-signature`, a
    /// sender's own headers), remembered so that each is searched once;
    /// at most `maxLearned` of them, since a sender chooses the names.
    private static let learned = Mutex<[String: Treatment]>([:])
    static let maxLearned = 1_024
    static var learnedCount: Int { learned.withLock { $0.count } }

    static func treatment(_ name: String) -> Treatment {
        if let known = knownTreatments[name] { return known }
        if let seen = learned.withLock({ $0[name] }) { return seen }
        let decided = decide(name)
        learned.withLock { table in
            if table.count < maxLearned { table[name] = decided }
        }
        return decided
    }

    static func decide(_ name: String) -> Treatment {
        guard kept(name) else { return .drop }
        return isSecret(name) ? .redact : .keep
    }

    static func kept(_ name: String) -> Bool {
        keptNames.contains(name) || keptPrefixes.contains { name.hasPrefix($0) }
    }

    static func isSecret(_ name: String) -> Bool {
        !plainKeys.contains(name) && secretWords.contains { contains(name, $0) }
    }

    /// Whether `word` occurs in `name`, byte by byte: header names are
    /// lower-case ASCII, and this needs no Foundation.
    static func contains(_ name: String, _ word: String) -> Bool {
        let bytes = name.utf8
        return bytes.indices.contains { bytes[$0...].starts(with: word.utf8) }
    }

    /// The kept headers, lower-case names in the order received; a
    /// repeated name's values joined with ", ".
    static func select(_ fields: HTTPFields) -> [RequestHeader] {
        var headers: [RequestHeader] = []
        for field in fields {
            let name = field.name.canonicalName
            let value: String
            switch treatment(name) {
            case .drop: continue
            case .keep: value = Truncation.text(field.value, maxBytes: maxValueBytes)
            case .redact: value = redact(field.value)
            }
            if let index = headers.firstIndex(where: { $0.name == name }) {
                headers[index].value = Truncation.text(headers[index].value + ", " + value, maxBytes: maxValueBytes)
            } else if headers.count < maxCount {
                headers.append(RequestHeader(name: name, value: value))
            }
        }
        return headers
    }

    static func redact(_ value: String) -> String {
        let keep = min(redactedPrefixCharacters, value.count / 2)
        return String(value.prefix(keep)) + "…"
    }
}
