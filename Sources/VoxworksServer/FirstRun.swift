import Logging
import VoxworksCore
import VoxworksStore

import Foundation

/// What a new user needs on the first start of an empty store: a team, an
/// admin API key (shown once, only its hash is kept) and a demo automation
/// with a webhook to post to.
public enum FirstRun {
    public struct Report: Sendable {
        /// Only on the first start.
        public var apiKey: String?
        public var automations: [Automation]
    }

    public static let demoPayload = #"{"contact_phone":"0429069971","first_name":"Ada","source":"crm"}"#

    /// The demo automation: normalise the lead, upsert the contact, and call
    /// it (through the simulated provider) when the lead came from the website.
    public static let demoDefinition: JSONValue =
        (try? JSONParser().parse(
            #"""
            {"trigger":{"type":"webhook"},"steps":[
              {"id":"map","type":"transform","mappings":[
                {"source":"trigger.contact_phone","target":"phone"},
                {"source":"trigger.first_name","target":"first_name","transform":"uppercase"}]},
              {"id":"contact","type":"upsert_contact","match_on":"phone_number",
               "fields":{"phone_number":"{{mapped.phone}}","first_name":"{{mapped.first_name}}"}},
              {"id":"route","type":"condition","field":"trigger.source","operator":"equals","value":"website",
               "then":[{"id":"call","type":"create_call","script_id":"demo","from_number":"+61291234567"}]}
            ]}
            """#)) ?? AutomationDefinition.emptyJSON

    public static func prepare(store: any APIKeyStore & AutomationStore, now: Timestamp = .now()) async throws -> Report {
        guard try await store.teams().isEmpty,
            let team = try await store.createFirstTeam(name: "Default team", now: now)
        else {
            return Report(apiKey: nil, automations: try await store.allAutomations())
        }
        let key = SecretMaterial.apiKey()
        _ = try await store.createAPIKey(
            teamID: team.id, keyHash: SecretMaterial.hash(key), prefix: APIKey.prefix(of: key), name: "admin (first start)", now: now)
        _ = try await store.createAutomation(
            NewAutomation(
                id: UUID.v7(now: now), teamID: team.id, name: "Demo: new lead", enabled: true,
                definition: demoDefinition, webhookID: UUID.v7(now: now), token: SecretMaterial.webhookToken(),
                rateLimit: .webhookDefault, signingKey: nil),
            now: now)
        return Report(apiKey: key, automations: try await store.allAutomations())
    }

    /// The start-up banner. Keys and webhook URLs (which hold tokens)
    /// appear only on the first start, when they were just created.
    /// With `keyFile`, the key was written to that file (output that is not
    /// a terminal ends up in logs) and the banner names the file instead.
    public static func banner(_ report: Report, configuration: ServerConfiguration, keyFile: String? = nil) -> String {
        var lines: [String] = []
        if let keyFile, report.apiKey != nil {
            lines.append("First start: created a team and an admin API key. Output is not a terminal, so the key is not printed:")
            lines.append("it is in \(keyFile) (mode 0600), shown only there. Store it, then delete the file.")
            lines.append("")
            lines.append("(Lost it? `voxworks keys create` issues another.)")
        } else if let key = report.apiKey {
            lines.append("First start: created a team and an admin API key. It is shown only this once; store it now:")
            lines.append("")
            lines.append("    \(key)")
            lines.append("")
            lines.append("(Lost it? `voxworks keys create` issues another.)")
        }
        if report.automations.isEmpty {
            lines.append("No automations yet: create one with POST /api/v1/automations.")
        } else if report.apiKey == nil {
            // A webhook URL is a credential (its token lets anyone post):
            // routine starts, whose output ends up in logs, do not print them.
            let count = report.automations.count
            lines.append("\(count) automation\(count == 1 ? "" : "s"). `voxworks webhooks` lists their webhook URLs.")
        } else {
            lines.append("Webhook URLs:")
            for automation in report.automations {
                let state = automation.enabled ? "" : " (disabled)"
                lines.append("  \(automation.name)\(state): \(configuration.webhookURL(token: automation.webhook.token))")
            }
        }
        if report.apiKey != nil, let first = report.automations.first(where: { $0.enabled && !$0.webhook.signing }) {
            lines.append("")
            lines.append("Send a first webhook:")
            lines.append("")
            lines.append("  curl -i -X POST '\(configuration.webhookURL(token: first.webhook.token))' \\")
            lines.append("    -H 'Content-Type: application/json' -H 'X-Idempotency-Key: first-1' \\")
            lines.append("    -d '\(demoPayload)'")
            if report.apiKey != nil {
                lines.append("")
                lines.append("Then look at it (use the execution_id from the answer):")
                lines.append("")
                lines.append(
                    "  curl -H 'Authorization: Bearer <your API key>' \(configuration.resolvedPublicURL)/api/v1/executions/<execution_id>")
            }
        }
        lines.append("")
        lines.append("Web console: \(configuration.resolvedPublicURL)/app (sign in with an API key)")
        return lines.joined(separator: "\n")
    }

    /// The banner as log events, for `VOXWORKS_LOG_FORMAT=json`: one JSON
    /// object a line, and no secret in any of them. The key is only ever in
    /// `keyFile` (nil: it could not be written, and `voxworks keys create`
    /// issues another); automations are named by id, never by their webhook
    /// URL, which holds the token.
    public static func log(_ report: Report, configuration: ServerConfiguration, keyFile: String?, logger: Logger) {
        if report.apiKey != nil {
            if let keyFile {
                logger.notice(
                    "first start: created a team and an admin API key, written to a file readable by its owner only",
                    metadata: ["api_key_file": .string(keyFile)])
            } else {
                logger.error("first start: the admin API key could not be written to a file; `voxworks keys create` issues another")
            }
        }
        for automation in report.automations {
            logger.info(
                "automation",
                metadata: [
                    "automation_id": .string(automation.id.lowercased), "name": .string(automation.name),
                    "enabled": .stringConvertible(automation.enabled), "signing": .stringConvertible(automation.webhook.signing),
                ])
        }
        if !report.automations.isEmpty {
            logger.info("`voxworks webhooks` lists the webhook URLs (each holds its secret token)")
        }
        logger.info("web console", metadata: ["url": .string(configuration.resolvedPublicURL + "/app")])
    }

    /// What `voxworks webhooks` prints: every automation's webhook URL.
    public static func webhookList(_ automations: [Automation], configuration: ServerConfiguration) -> String {
        guard !automations.isEmpty else { return "No automations yet: create one with POST /api/v1/automations." }
        return automations.map { automation in
            let state = automation.enabled ? "" : " (disabled)"
            let signing = automation.webhook.signing ? " (signed)" : ""
            return "\(automation.name)\(state)\(signing): \(configuration.webhookURL(token: automation.webhook.token))"
        }.joined(separator: "\n")
    }
}
