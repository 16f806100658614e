import Foundation
import VoxworksCore

/// `http_request` (the product's Source and Destination): renders the URL,
/// headers and body from the context, sends `Idempotency-Key:
/// <execution_id>:<step_id>` so the receiver can drop our retries, and
/// saves the response under `save_as` (default `source`).
struct HTTPRequestStep: StepRunner {
    let client: any OutboundHTTPClient
    /// The node's per-destination circuits and in-flight caps.
    let circuits: DestinationCircuits

    func run(_ step: StepInvocation, context: inout ExecutionContext) async throws(StepFailure) -> StepResult {
        let method = (step.definition.string("method") ?? "POST").uppercased()
        guard let url = Template.render(step.definition["url"] ?? .null, in: context).stringValue, !url.isEmpty else {
            throw StepFailure("url is empty after templates")
        }
        var headers: [(String, String)] = []
        for (name, value) in Template.render(step.definition["headers"] ?? .object([:]), in: context).objectValue ?? JSONObject() {
            let text = Template.text(of: value)
            if let problem = OutboundHeaders.problem(name: name, value: text) { throw StepFailure(problem) }
            headers.append((name, text))
        }
        // A replay from the failed step keeps the original execution's keys.
        headers.append(("Idempotency-Key", "\(step.execution.stepKeyPrefix.lowercased):\(step.id)"))
        var body: [UInt8]?
        if let template = step.definition["body"], !template.isNull, method != "GET" {
            body = Template.render(template, in: context).serializedBytes
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                headers.append(("Content-Type", "application/json"))
            }
        }
        let timeout = step.definition["timeout_seconds"]?.doubleValue ?? 10
        let pass: DestinationCircuits.Pass
        switch circuits.admit(url, team: step.execution.teamID) {
        case .admitted(let admitted): pass = admitted
        case .deferred(let deferral): return .deferred(.destination, until: deferral.runAt, message: deferral.message)
        }
        let response: OutboundResponse
        do {
            response = try await pass.send(OutboundRequest(method: method, url: url, headers: headers, body: body, timeoutSeconds: timeout), via: client)
        } catch {
            switch error {
            case .refused(let why): throw StepFailure("refused: \(why) (add it to VOXWORKS_OUTBOUND_ALLOW to permit it)")
            case .invalidURL(let text): throw StepFailure("invalid URL \(Self.redacted(text))")
            case .timeout: throw StepFailure("timed out after \(timeout) s", retryable: true)
            case .connection(let why): throw StepFailure("connection failed: \(why)", retryable: true)
            case .responseTooLarge(let limit): throw StepFailure("response larger than \(limit) bytes")
            }
        }
        let parsed: JSONValue = (try? JSONParser().parse(response.body)).flatMap { $0.objectValue.map(JSONValue.object) }
            ?? .object(["text": .string(String(decoding: response.body, as: UTF8.self))])
        let output: JSONValue = .object(["status_code": .int(response.status), "body": parsed])
        switch response.status {
        case 200..<300:
            let name = step.definition.string("save_as") ?? "source"
            context.set(parsed, at: name == "source" ? "source" : "source.\(name)")
            return .done(output: output)
        case 408, 429, 500..<600:
            throw StepFailure("\(method) \(Self.redacted(url)) answered \(response.status)", retryable: true)
        case 300..<400:
            throw StepFailure("\(method) \(Self.redacted(url)) answered \(response.status); redirects are not followed")
        default:
            throw StepFailure("\(method) \(Self.redacted(url)) answered \(response.status)")
        }
    }

    /// The URL without its query, which often carries credentials.
    static func redacted(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }
}
