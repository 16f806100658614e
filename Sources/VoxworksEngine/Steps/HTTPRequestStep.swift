import Foundation
import VoxworksCore

/// `http_request` (the product's Source and Destination): renders the URL,
/// headers and body from the context, sends `Idempotency-Key:
/// <execution_id>:<step_id>` so the receiver can drop our retries, and
/// saves the response under `save_as` (default `source`). Each attempt
/// (what was answered, or why nothing was) goes to the step's attempt log,
/// with the result or with the failure.
struct HTTPRequestStep: StepRunner {
    let client: any OutboundHTTPClient
    /// The node's per-destination circuits and in-flight caps.
    let circuits: DestinationCircuits
    var clock: @Sendable () -> Timestamp = { Timestamp.now() }

    func run(_ spec: HTTPRequestSpec, _ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        let method = spec.method.rawValue
        guard let url = Template.render(spec.url, in: context).stringValue, !url.isEmpty else {
            throw StepFailure("url is empty after templates")
        }
        var headers: [(String, String)] = []
        for (name, value) in Template.render(.object(spec.headers), in: context).objectValue ?? JSONObject() {
            let text = Template.text(of: value)
            if let problem = OutboundHeaders.problem(name: name, value: text) { throw StepFailure(problem) }
            headers.append((name, text))
        }
        // A replay from the failed step keeps the original execution's keys.
        headers.append(("Idempotency-Key", "\(step.execution.stepKeyPrefix.lowercased):\(step.id)"))
        var body: [UInt8]?
        if let template = spec.body, spec.method != .get {
            body = Template.render(template, in: context).serializedBytes
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                headers.append(("Content-Type", "application/json"))
            }
        }
        let timeout = spec.timeoutSeconds
        let connectTimeout = spec.connectTimeoutSeconds
        let pass: DestinationCircuits.Pass
        switch circuits.admit(url, team: step.execution.teamID) {
        case .admitted(let admitted): pass = admitted
        case .deferred(let deferral): return .deferred(.destination, until: deferral.runAt, message: deferral.message)
        }
        let startedAt = clock()
        let started = ContinuousClock.now
        func elapsed() -> Int64 {
            let duration = ContinuousClock.now - started
            return duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        }
        let response: OutboundResponse
        do {
            response = try await pass.send(
                OutboundRequest(
                    method: method, url: url, headers: headers, body: body, timeoutSeconds: timeout, connectTimeoutSeconds: connectTimeout),
                via: client)
        } catch {
            let (outcome, message, retryable) = Self.failure(error, timeout: timeout, connectTimeout: connectTimeout)
            let attempt = StepAttempt(startedAt: startedAt, durationMillis: elapsed(), outcome: outcome, error: message)
            throw StepFailure(message, retryable: retryable, attempt: attempt)
        }
        let duration = elapsed()
        let parsed: JSONValue =
            (try? JSONParser().parse(response.body)).flatMap { $0.objectValue.map(JSONValue.object) }
            ?? .object(["text": .string(String(decoding: response.body, as: UTF8.self))])
        let output: JSONValue = .object(["status_code": .int(response.status), "body": parsed])
        func answered(_ error: String?) -> StepAttempt {
            .answered(
                startedAt: startedAt, durationMillis: duration, status: response.status, headers: response.headers, body: response.body,
                error: error)
        }
        func failed(_ message: String, retryable: Bool = false) -> StepFailure {
            StepFailure(message, retryable: retryable, attempt: answered(message))
        }
        switch response.status {
        case 200..<300:
            context.set(parsed, at: spec.saveAs == "source" ? "source" : "source.\(spec.saveAs)")
            return .done(output: output, attempt: answered(nil))
        case 408, 429, 500..<600:
            throw failed("\(method) \(Self.redacted(url)) answered \(response.status)", retryable: true)
        case 300..<400:
            throw failed("\(method) \(Self.redacted(url)) answered \(response.status); redirects are not followed")
        default:
            throw failed("\(method) \(Self.redacted(url)) answered \(response.status)")
        }
    }

    /// An outbound failure as the attempt's outcome and the step's message.
    static func failure(_ error: OutboundError, timeout: Double, connectTimeout: Double) -> (AttemptOutcome, String, retryable: Bool) {
        switch error {
        case .refused(let why): (.policyRefused, "refused: \(why) (add it to VOXWORKS_OUTBOUND_ALLOW to permit it)", false)
        case .invalidURL(let text): (.invalidURL, "invalid URL \(redacted(text))", false)
        case .timeout: (.timedOut, "timed out after \(seconds(timeout)) s", true)
        case .connectTimeout: (.connectTimedOut, "connect timed out after \(seconds(connectTimeout)) s", true)
        case .connectionRefused(let endpoint): (.refused, "connection refused (\(endpoint))", true)
        case .unresolvable(let host): (.unresolvable, "\(host) does not resolve", true)
        case .tlsFailed(let why): (.tlsFailed, "TLS failed: \(why)", true)
        case .connectionReset(let why): (.connectionReset, "connection reset: \(why)", true)
        case .connection(let why): (.connectionFailed, "connection failed: \(why)", true)
        case .responseTooLarge(let limit): (.responseTooLarge, "response larger than \(limit) bytes", false)
        }
    }

    /// `10` rather than `10.0`; `2.5` stays.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The URL without its query, which often carries credentials.
    static func redacted(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }
}
