import Foundation

/// How one attempt of an `http_request` step ended.
public enum AttemptOutcome: String, Sendable, CaseIterable {
    /// The receiver answered; `StepAttempt.statusCode` says what.
    case answered
    /// Nothing listens there: the connection was refused.
    case refused
    /// The host name does not resolve.
    case unresolvable
    /// The TLS handshake failed (certificate, protocol).
    case tlsFailed = "tls_failed"
    /// No connection within `connect_timeout_seconds`.
    case connectTimedOut = "connect_timed_out"
    /// Connected, but no complete answer within `timeout_seconds`.
    case timedOut = "timed_out"
    /// The receiver closed or reset the connection before answering.
    case connectionReset = "connection_reset"
    /// Any other transport failure.
    case connectionFailed = "connection_failed"
    /// The outbound policy refused the destination; nothing was sent.
    case policyRefused = "policy_refused"
    /// The rendered URL is not an http(s) URL; nothing was sent.
    case invalidURL = "invalid_url"
    /// The receiver answered with more than the response cap.
    case responseTooLarge = "response_too_large"
}

/// One response header kept with an attempt.
public struct AttemptHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One attempt of an `http_request` step: when, how long, how it ended,
/// and what the receiver said (a few safe headers, the start of its body).
public struct StepAttempt: Sendable, Equatable {
    /// Bytes of the response body kept.
    public static let maxBodyBytes = 4_096
    /// Bytes of one header value kept.
    public static let maxHeaderValueBytes = 256
    /// The response headers kept: what explains an answer (its type and
    /// size, when to retry, which server, the receiver's request id), never
    /// a cookie or anything credential-like.
    public static let keptHeaders: Set<String> = [
        "content-type", "content-length", "retry-after", "date", "server", "x-request-id", "request-id",
    ]

    /// 1 for the step's first attempt; counts omitted ones too (see `StepAttemptLog`).
    public var number: Int
    public var startedAt: Timestamp
    public var durationMillis: Int64
    public var outcome: AttemptOutcome
    public var statusCode: Int?
    public var headers: [AttemptHeader]
    /// The start of the response body: UTF-8 text, or base64 when it is not text.
    public var body: String?
    public var bodyEncoding: BodyEncoding
    /// The body had more than `maxBodyBytes` bytes.
    public var bodyTruncated: Bool
    /// The failure in words (nil when the receiver answered with a 2xx).
    public var error: String?

    public enum BodyEncoding: String, Sendable {
        case text
        case base64
    }

    public init(
        number: Int = 0, startedAt: Timestamp, durationMillis: Int64, outcome: AttemptOutcome, statusCode: Int? = nil,
        headers: [AttemptHeader] = [], body: String? = nil, bodyEncoding: BodyEncoding = .text, bodyTruncated: Bool = false,
        error: String? = nil
    ) {
        self.number = number
        self.startedAt = startedAt
        self.durationMillis = durationMillis
        self.outcome = outcome
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        self.bodyEncoding = bodyEncoding
        self.bodyTruncated = bodyTruncated
        self.error = error
    }

    /// An attempt that got an answer, keeping its safe headers and the start of its body.
    public static func answered(
        startedAt: Timestamp, durationMillis: Int64, status: Int, headers: [(String, String)], body: [UInt8], error: String?
    ) -> StepAttempt {
        let excerpt = bodyExcerpt(body)
        return StepAttempt(
            startedAt: startedAt, durationMillis: durationMillis, outcome: .answered, statusCode: status,
            headers: keptHeaders(headers), body: excerpt.text, bodyEncoding: excerpt.encoding,
            bodyTruncated: excerpt.truncated, error: error)
    }

    /// The response headers an attempt keeps: those in `keptHeaders` that
    /// `OutboundHeaders` does not consider credentials, values cut short.
    public static func keptHeaders(_ headers: [(String, String)]) -> [AttemptHeader] {
        headers.filter { keptHeaders.contains($0.0.lowercased()) && !OutboundHeaders.isSensitive($0.0) }.map {
            AttemptHeader(name: $0.0, value: Truncation.text($0.1, maxBytes: maxHeaderValueBytes))
        }
    }

    /// The first `maxBodyBytes` bytes, cut back to a UTF-8 boundary; as
    /// text when they are UTF-8 without NULs, else as base64 (a NUL or a
    /// broken sequence cannot be stored or shown as text safely). Nil for an empty body.
    public static func bodyExcerpt(_ body: [UInt8]) -> (text: String?, encoding: BodyEncoding, truncated: Bool) {
        guard !body.isEmpty else { return (nil, .text, false) }
        let truncated = body.count > maxBodyBytes
        var end = min(body.count, maxBodyBytes)
        if truncated {
            // Back up over continuation bytes so no character is split;
            // binary data without any lead byte stays cut at the limit.
            var cut = end
            while cut > 0, UTF8.isContinuation(body[cut]) { cut -= 1 }
            if end - cut <= 3 { end = cut }
        }
        let slice = Array(body[0..<end])
        if !slice.contains(0), let text = String(validating: slice, as: UTF8.self) {
            return (text, .text, truncated)
        }
        return (Data(slice).base64EncodedString(), .base64, truncated)
    }

    public var json: JSONValue {
        var object: JSONObject = [
            "number": .int(number),
            "started_at": .string(startedAt.rfc3339),
            "duration_ms": .int(Int(durationMillis)),
            "outcome": .string(outcome.rawValue),
            "status_code": statusCode.map { .int($0) } ?? .null,
            "headers": .object(JSONObject(headers.map { (key: $0.name, value: JSONValue.string($0.value)) })),
            "body": body.map { .string($0) } ?? .null,
        ]
        object["body_encoding"] = .string(bodyEncoding.rawValue)
        object["body_truncated"] = .bool(bodyTruncated)
        object["error"] = error.map { .string($0) } ?? .null
        return .object(object)
    }

    /// Reads `json`'s shape; nil when it is not one.
    public init?(json value: JSONValue) {
        guard let object = value.objectValue, let started = object["started_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let outcome = object["outcome"]?.stringValue.flatMap(AttemptOutcome.init(rawValue:))
        else { return nil }
        self.init(
            number: object["number"]?.intValue ?? 0, startedAt: started,
            durationMillis: Int64(object["duration_ms"]?.intValue ?? 0), outcome: outcome,
            statusCode: object["status_code"]?.intValue,
            headers: (object["headers"]?.objectValue ?? JSONObject()).members.compactMap { member in
                member.value.stringValue.map { AttemptHeader(name: member.key, value: $0) }
            },
            body: object["body"]?.stringValue,
            bodyEncoding: object["body_encoding"]?.stringValue.flatMap(BodyEncoding.init(rawValue:)) ?? .text,
            bodyTruncated: object["body_truncated"]?.boolValue ?? false,
            error: object["error"]?.stringValue)
    }
}

/// The attempts of one step, bounded: a step retried for days must not
/// grow its row without end. The first `keepFirst` (how it started to
/// fail) and the last `keepLast` (how it fails now) are kept; those
/// between are counted in `omitted`.
public struct StepAttemptLog: Sendable, Equatable {
    public static let keepFirst = 3
    public static let keepLast = 17

    public private(set) var attempts: [StepAttempt]
    /// Attempts dropped from the middle.
    public private(set) var omitted: Int

    public init(attempts: [StepAttempt] = [], omitted: Int = 0) {
        self.attempts = attempts
        self.omitted = omitted
    }

    public var isEmpty: Bool { attempts.isEmpty && omitted == 0 }
    /// Attempts made, kept or not.
    public var total: Int { attempts.count + omitted }

    /// Adds an attempt, numbering it, and drops the oldest of the "last" ones when over the bound.
    public mutating func append(_ attempt: StepAttempt) {
        var attempt = attempt
        attempt.number = total + 1
        attempts.append(attempt)
        if attempts.count > Self.keepFirst + Self.keepLast {
            attempts.remove(at: Self.keepFirst)
            omitted += 1
        }
    }

    public var json: JSONValue {
        .object(["attempts": .array(attempts.map(\.json)), "omitted": .int(omitted)])
    }

    /// Reads `json`'s shape (as stored); an unreadable value is an empty log.
    public init(json value: JSONValue?) {
        let object = value?.objectValue ?? JSONObject()
        self.init(
            attempts: (object["attempts"]?.arrayValue ?? []).compactMap(StepAttempt.init(json:)),
            omitted: object["omitted"]?.intValue ?? 0)
    }

    /// The stored text (nil for an empty log: most steps make no HTTP attempts).
    public var storedText: String? { isEmpty ? nil : json.serialized }

    public init(storedText: String?) {
        self.init(json: storedText.flatMap { try? JSONParser().parse($0) })
    }
}
