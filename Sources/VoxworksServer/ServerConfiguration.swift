import Foundation
import VoxworksCore
import VoxworksEngine

/// Everything `voxworks serve` can be told, with its defaults (the
/// configuration table in README.md). Read once at start; environment
/// variables first, flags override them.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var publicURL: String?
    public var databasePath = "./voxworks-data/voxworks.sqlite"
    /// `postgres://…` selects the PostgreSQL store (several nodes on one database).
    public var databaseURL: String?
    public var masterKeyFile: String?
    public var maxBodyBytes = 1_048_576
    /// How long a client may take to send a request body (then `408`).
    public var bodyTimeoutSeconds = 10
    /// How long a connection may sit idle (or never finish its headers).
    public var idleTimeoutSeconds = 30
    /// Connections this node holds open at once; more are answered `503`
    /// and closed. 0 turns the cap off.
    public var maxConnections = 10_000
    /// Connections one client address may hold open at once (same answer); 0 turns it off.
    public var maxConnectionsPerAddress = 256
    public var idempotencyTTLSeconds: Double = 86_400
    /// Pending executions a team may have before webhooks get `429`.
    public var backlogLimit = 100_000
    /// Executions of one team in flight at once, across the cluster
    /// (`VOXWORKS_TEAM_CONCURRENCY`; see `ConcurrencyLimit`).
    public var teamConcurrency = ConcurrencyLimit.teamDefault
    /// Finished executions older than this many days are deleted; nil keeps them.
    public var retentionDays: Int? = 30
    /// How long a replaced signing secret keeps working.
    public var secretGraceSeconds: Double = 86_400
    /// The per-team ceiling over all of a team's webhooks.
    public var teamRateLimit = RateLimit(perSecond: 1_000, burst: 2_000)
    /// Each API key's limit over the whole Bearer API.
    public var apiRateLimit = RateLimit(perSecond: 20, burst: 100)
    /// `404`s one client address may draw on the webhook endpoint before its
    /// requests get `429` (slows token guessing); nil turns it off.
    public var notFoundLimit: RateLimit? = RateLimit(perSecond: 1, burst: 60)
    /// Client addresses and ranges the `404` throttle never counts (trusted senders).
    public var notFoundExempt: [IPRange] = []
    /// Failed API keys and console sign-ins one client address (an IPv6
    /// /64) may make before its API and sign-in requests get `429`; nil turns it off.
    public var authFailureLimit: RateLimit? = RateLimit(perSecond: 10.0 / 60, burst: 20)
    /// Client addresses and ranges the failed-key throttle never counts.
    public var authFailureExempt: [IPRange] = []
    /// `api`, `worker` or `all`: which parts this node runs.
    public var role = Role.all
    public var engine = EngineConfiguration()
    /// Bearer token for `/metrics`; nil turns `/metrics` off.
    public var metricsToken: String?
    public var logFormat = LogFormat.text
    public var logLevel = "info"
    /// The request log (docs/request-log.md): how much of each body it keeps,
    /// how many refused requests per automation per second it records, how
    /// long it keeps them.
    public var requestLog = RequestLogSettings()

    public enum LogFormat: String, Sendable {
        case text, json
    }

    public enum Role: String, Sendable {
        case api, worker, all
        public var servesHTTP: Bool { self != .worker }
        public var runsWorkers: Bool { self != .api }
    }

    public init() {}

    public enum Failure: Error, CustomStringConvertible {
        case invalid(variable: String, value: String, expected: String)

        public var description: String {
            switch self {
            case .invalid(let variable, let value, let expected): "\(variable)=\(value) is not valid: expected \(expected)"
            }
        }
    }

    /// Reads the `VOXWORKS_*` variables; unknown ones are ignored.
    public static func fromEnvironment(_ environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        // Every number is checked against the range its entry in
        // `ConfigurationVariable.all` declares (the one `help env` shows).
        func integer(_ variable: ConfigurationVariable) throws -> Int? {
            guard let text = environment[variable.name], !text.isEmpty else { return nil }
            guard let value = Int(text), variable.range.map({ $0.contains(value) }) ?? true else {
                throw Failure.invalid(variable: variable.name, value: text, expected: variable.expected)
            }
            return value
        }
        if let host = environment[ConfigurationVariable.host.name], !host.isEmpty { configuration.host = host }
        if let port = try integer(.port) { configuration.port = port }
        if let url = environment[ConfigurationVariable.publicURL.name], !url.isEmpty { configuration.publicURL = url }
        if let path = environment[ConfigurationVariable.database.name], !path.isEmpty { configuration.databasePath = path }
        if let url = environment[ConfigurationVariable.databaseURL.name], !url.isEmpty { configuration.databaseURL = url }
        if let path = environment[ConfigurationVariable.masterKeyFile.name], !path.isEmpty { configuration.masterKeyFile = path }
        if let bytes = try integer(.maxBodyBytes) { configuration.maxBodyBytes = bytes }
        if let seconds = try integer(.bodyTimeoutSeconds) { configuration.bodyTimeoutSeconds = seconds }
        if let seconds = try integer(.idleTimeoutSeconds) { configuration.idleTimeoutSeconds = seconds }
        if let cap = try integer(.maxConnections) { configuration.maxConnections = cap }
        if let cap = try integer(.maxConnectionsPerAddress) { configuration.maxConnectionsPerAddress = cap }
        if let ttl = try integer(.idempotencyTTLSeconds) {
            configuration.idempotencyTTLSeconds = Double(ttl)
        }
        if let backlog = try integer(.backlogLimit) { configuration.backlogLimit = backlog }
        if let cap = try integer(.teamConcurrency) { configuration.teamConcurrency = cap }
        if let days = environment[ConfigurationVariable.retentionDays.name], !days.isEmpty {
            if days == "forever" {
                configuration.retentionDays = nil
            } else {
                guard let value = Int(days), ConfigurationVariable.retentionDays.range?.contains(value) == true else {
                    throw Failure.invalid(
                        variable: ConfigurationVariable.retentionDays.name, value: days,
                        expected: "a number of days from 1 to 36500, or forever")
                }
                configuration.retentionDays = value
            }
        }
        if let grace = try integer(.secretGraceSeconds) { configuration.secretGraceSeconds = Double(grace) }
        if let rate = try integer(.teamRatePerSecond) { configuration.teamRateLimit.perSecond = Double(rate) }
        if let burst = try integer(.teamRateBurst) { configuration.teamRateLimit.burst = burst }
        if let rate = try integer(.apiRatePerSecond) { configuration.apiRateLimit.perSecond = Double(rate) }
        if let burst = try integer(.apiRateBurst) { configuration.apiRateLimit.burst = burst }
        if let rate = try integer(.notFoundRatePerMinute) {
            configuration.notFoundLimit =
                rate == 0 ? nil : RateLimit(perSecond: Double(rate) / 60, burst: configuration.notFoundLimit?.burst ?? 60)
        }
        if let burst = try integer(.notFoundBurst), configuration.notFoundLimit != nil {
            configuration.notFoundLimit?.burst = burst
        }
        // Per-address throttles: which clients they spare, and failed keys.
        func ranges(_ variable: ConfigurationVariable) throws -> [IPRange] {
            let name = variable.name
            guard let text = environment[name], !text.isEmpty else { return [] }
            let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return try entries.map { entry -> IPRange in
                guard let range = IPRange(entry) else {
                    throw Failure.invalid(
                        variable: name, value: entry, expected: "comma-separated IP addresses or CIDR ranges (IPv4 or IPv6)")
                }
                return range
            }
        }
        configuration.notFoundExempt = try ranges(.notFoundExempt)
        configuration.authFailureExempt = try ranges(.authFailureExempt)
        if let rate = try integer(.authFailureRatePerMinute) {
            configuration.authFailureLimit =
                rate == 0 ? nil : RateLimit(perSecond: Double(rate) / 60, burst: configuration.authFailureLimit?.burst ?? 20)
        }
        if let burst = try integer(.authFailureBurst), configuration.authFailureLimit != nil {
            configuration.authFailureLimit?.burst = burst
        }
        if let role = environment[ConfigurationVariable.role.name], !role.isEmpty {
            guard let parsed = Role(rawValue: role) else {
                throw Failure.invalid(variable: ConfigurationVariable.role.name, value: role, expected: "api, worker or all")
            }
            configuration.role = parsed
        }
        if let bytes = try integer(.requestLogBodyBytes) { configuration.requestLog.bodyBytes = bytes }
        if let rate = try integer(.requestLogRefusedPerSecond) { configuration.requestLog.refusedPerSecond = rate }
        if let hours = try integer(.requestLogRetentionHours) { configuration.requestLog.retentionHours = hours }
        if let workers = try integer(.workers) { configuration.engine.workers = workers }
        if let lease = try integer(.leaseSeconds) { configuration.engine.leaseSeconds = Double(lease) }
        if let failures = try integer(.circuitFailures) {
            configuration.engine.destinationSettings.failureThreshold = failures
        }
        if let cap = try integer(.destinationMaxInFlight) {
            configuration.engine.destinationSettings.maxInFlight = cap
        }
        if let seconds = try integer(.circuitCooldownSeconds) {
            configuration.engine.destinationSettings.cooldownSeconds = Double(seconds)
        }
        let cooldown = configuration.engine.destinationSettings.cooldownSeconds
        if let seconds = try integer(.circuitMaxCooldownSeconds) {
            guard Double(seconds) >= cooldown else {
                throw Failure.invalid(
                    variable: ConfigurationVariable.circuitMaxCooldownSeconds.name, value: String(seconds),
                    expected: "at least \(ConfigurationVariable.circuitCooldownSeconds.name) (\(Int(cooldown)))")
            }
            configuration.engine.destinationSettings.maxCooldownSeconds = Double(seconds)
        } else {
            // A first cool-down longer than the default longest is the longest.
            configuration.engine.destinationSettings.maxCooldownSeconds = max(
                configuration.engine.destinationSettings.maxCooldownSeconds, cooldown)
        }
        if let region = environment[ConfigurationVariable.defaultRegion.name], !region.isEmpty {
            guard PhoneNumber.countryCode(for: region.uppercased()) != nil else {
                throw Failure.invalid(
                    variable: ConfigurationVariable.defaultRegion.name, value: region,
                    expected: "one of \(PhoneNumber.supportedRegions.joined(separator: ", "))")
            }
            configuration.engine.defaultRegion = region.uppercased()
        }
        if let allow = environment[ConfigurationVariable.outboundAllow.name], !allow.isEmpty {
            let entries = allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let bad = entries.first(where: { OutboundPolicy.Entry($0) == nil }) {
                throw Failure.invalid(
                    variable: ConfigurationVariable.outboundAllow.name, value: bad,
                    expected:
                        "comma-separated host[:port], IPv4[:port], IPv6 or [IPv6]:port, or CIDR ranges (10.0.0.0/8[:port], fd00::/8, [fd00::/8]:port)"
                )
            }
            configuration.engine.outboundAllow = entries
        }
        if let seconds = try integer(.callSimulatorSeconds) {
            configuration.engine.callSimulatorSeconds = Double(seconds)
        }
        if let status = environment[ConfigurationVariable.callSimulatorStatus.name], !status.isEmpty {
            configuration.engine.callSimulatorStatus = status
        }
        if let token = environment[ConfigurationVariable.metricsToken.name], !token.isEmpty { configuration.metricsToken = token }
        if let format = environment[ConfigurationVariable.logFormat.name], !format.isEmpty {
            guard let parsed = LogFormat(rawValue: format) else {
                throw Failure.invalid(variable: ConfigurationVariable.logFormat.name, value: format, expected: "text or json")
            }
            configuration.logFormat = parsed
        }
        if let level = environment[ConfigurationVariable.logLevel.name], !level.isEmpty {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(level) else {
                throw Failure.invalid(variable: ConfigurationVariable.logLevel.name, value: level, expected: levels.joined(separator: ", "))
            }
            configuration.logLevel = level
        }
        return configuration
    }

    /// Where the master key lives unless configured: beside the database.
    public var resolvedMasterKeyFile: String {
        if let masterKeyFile { return masterKeyFile }
        let directory = databasePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return (directory.isEmpty ? "." : directory) + "/master.key"
    }

    /// The base of webhook URLs shown to people.
    public var resolvedPublicURL: String {
        if let publicURL {
            return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        }
        let shownHost: String
        switch host {
        case "0.0.0.0", "": shownHost = "127.0.0.1"
        case "::": shownHost = "[::1]"
        default: shownHost = host.contains(":") ? "[\(host)]" : host
        }
        return "http://\(shownHost):\(port)"
    }

    public func webhookURL(token: String) -> String { "\(resolvedPublicURL)/api/v1/hooks/\(token)" }
}
