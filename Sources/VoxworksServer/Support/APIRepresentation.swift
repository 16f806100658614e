import VoxworksCore

import Foundation

/// The JSON shapes of the management API (docs/openapi.yaml), in one place.
enum APIRepresentation {
    static func automation(_ automation: Automation, configuration: ServerConfiguration, signingSecret: String? = nil) -> JSONValue {
        var webhook: JSONObject = [
            "url": .string(configuration.webhookURL(token: automation.webhook.token)),
            "token": .string(automation.webhook.token),
            "signing": .bool(automation.webhook.signing),
        ]
        if let signingSecret { webhook["signing_secret"] = .string(signingSecret) }
        webhook["rate_limit"] = rateLimit(automation.webhook.rateLimit)
        // The scheme and its non-secret settings; a credential is never shown.
        webhook["verification"] = automation.webhook.verification?.json ?? .null
        webhook["accept"] = .array(AutomationActions.effectiveAccept(automation.webhook).map { .string($0.rawValue) })
        return .object([
            "id": .string(automation.id.lowercased),
            "name": .string(automation.name),
            "enabled": .bool(automation.enabled),
            "definition": automation.definition,
            "created_at": .string(automation.createdAt.rfc3339),
            "updated_at": .string(automation.updatedAt.rfc3339),
            "webhook": .object(webhook),
        ])
    }

    static func rateLimit(_ limit: RateLimit) -> JSONValue {
        .object(["per_second": .double(limit.perSecond), "burst": .int(limit.burst)])
    }

    /// An execution as listed (`steps` nil: without payload and steps) or in full.
    static func execution(_ execution: Execution, steps: [StepRecord]?) -> JSONValue {
        let detailed = steps != nil
        var object: JSONObject = [
            "id": .string(execution.id.lowercased),
            "automation_id": .string(execution.automationID.lowercased),
            "status": .string(execution.status.rawValue),
            "attempt": .int(execution.attempt),
        ]
        if detailed {
            // The payload exactly as received: key order and number literals are kept.
            object["trigger"] = (try? JSONParser().parse(execution.body)) ?? .null
        }
        object["received_at"] = .string(execution.receivedAt.rfc3339)
        object["started_at"] = execution.startedAt?.rfc3339.json ?? .null
        object["finished_at"] = execution.finishedAt?.rfc3339.json ?? .null
        object["duration_ms"] = execution.durationMillis.map { .int(Int($0)) } ?? .null
        object["steps_total"] = .int(execution.stepsTotal)
        object["steps_completed"] = .int(execution.stepsCompleted)
        object["replay_of"] = execution.replayOf?.lowercased.json ?? .null
        object["resolved_by"] = execution.resolvedBy?.lowercased.json ?? .null
        object["error"] = execution.error.json
        object["idempotency_key"] = execution.idempotencyKey.json
        object["content_type"] = execution.contentType.json
        object["source_address"] = execution.sourceAddress.json
        if let steps {
            object["steps"] = .array(steps.map(step))
        }
        return .object(object)
    }

    static func step(_ record: StepRecord) -> JSONValue {
        .object([
            "id": .string(record.stepID),
            "type": .string(record.type),
            "status": .string(record.status.rawValue),
            "started_at": record.startedAt?.rfc3339.json ?? .null,
            "finished_at": record.finishedAt?.rfc3339.json ?? .null,
            "duration_ms": record.durationMillis.map { .int(Int($0)) } ?? .null,
            // How many times the step ran (it was `attempts` before each
            // HTTP attempt was kept); `attempts` lists those HTTP attempts.
            "attempt_count": .int(record.attempts),
            "attempts": .array(record.attemptLog.attempts.map(\.json)),
            "attempts_omitted": .int(record.attemptLog.omitted),
            "input": record.input ?? .null,
            "output": record.output ?? .null,
            "error": record.error.json,
        ])
    }
}
