/// One `VOXWORKS_` environment variable: its name, its default as people
/// read it, what it means and, for a number, the values it accepts.
///
/// `all` is the one list of them: `ServerConfiguration.fromEnvironment`
/// reads each variable through its entry here (so a number's range is
/// checked where it is declared), `voxworks help env` prints the list, and a
/// test checks that every `VOXWORKS_` name in the sources is in it and in
/// the README's and docs/operations.md's tables. A variable added without an
/// entry fails that test instead of going undocumented.
public struct ConfigurationVariable: Sendable, Hashable {
    public let name: String
    public let defaultValue: String
    public let meaning: String
    /// Accepted values of an integer variable; nil for any other kind.
    public let range: ClosedRange<Int>?

    init(_ name: String, default defaultValue: String, range: ClosedRange<Int>? = nil, _ meaning: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.range = range
        self.meaning = meaning
    }

    /// "an integer in 1...65535", for error messages and `help env`.
    public var expected: String {
        guard let range else { return "" }
        return "an integer from \(range.lowerBound) to \(range.upperBound)"
    }
}

extension ConfigurationVariable {
    static let host = ConfigurationVariable("VOXWORKS_HOST", default: "127.0.0.1", "listen address")
    public static let port = ConfigurationVariable("VOXWORKS_PORT", default: "8080", range: 1...65535, "listen port")
    static let publicURL = ConfigurationVariable(
        "VOXWORKS_PUBLIC_URL", default: "the listen address", "base of the webhook URLs shown to users")
    static let database = ConfigurationVariable(
        "VOXWORKS_DATABASE", default: "./voxworks-data/voxworks.sqlite", "SQLite file (only `serve` creates it)")
    static let databaseURL = ConfigurationVariable(
        "VOXWORKS_DATABASE_URL", default: "unset", "postgres://user:password@host:5432/db selects PostgreSQL")
    static let masterKeyFile = ConfigurationVariable(
        "VOXWORKS_MASTER_KEY_FILE", default: "<database dir>/master.key", "key that seals signing secrets at rest")
    static let maxBodyBytes = ConfigurationVariable(
        "VOXWORKS_MAX_BODY_BYTES", default: "1048576", range: 1...(64 << 20), "webhook body limit (413 above it)")
    static let bodyTimeoutSeconds = ConfigurationVariable(
        "VOXWORKS_BODY_TIMEOUT_SECONDS", default: "10", range: 1...600, "a body still arriving after this gets 408")
    static let idleTimeoutSeconds = ConfigurationVariable(
        "VOXWORKS_IDLE_TIMEOUT_SECONDS", default: "30", range: 1...3600, "an idle connection is closed after this")
    static let maxConnections = ConfigurationVariable(
        "VOXWORKS_MAX_CONNECTIONS", default: "10000", range: 0...10_000_000, "connections a node holds open at once (0: no cap)")
    static let maxConnectionsPerAddress = ConfigurationVariable(
        "VOXWORKS_MAX_CONNECTIONS_PER_ADDRESS", default: "256", range: 0...10_000_000,
        "connections one client address holds open at once (0: no cap)")
    static let idempotencyTTLSeconds = ConfigurationVariable(
        "VOXWORKS_IDEMPOTENCY_TTL_SECONDS", default: "86400", range: 1...(30 * 86_400), "how long an idempotency key is remembered")
    static let backlogLimit = ConfigurationVariable(
        "VOXWORKS_BACKLOG_LIMIT", default: "100000", range: 1...100_000_000, "pending executions per team before webhooks get 429")
    static let teamConcurrency = ConfigurationVariable(
        "VOXWORKS_TEAM_CONCURRENCY", default: "128", range: 1...100_000, "executions of one team in flight at once, across all nodes")
    static let retentionDays = ConfigurationVariable(
        "VOXWORKS_RETENTION_DAYS", default: "30", range: 1...36_500, "days finished executions are kept (or forever)")
    static let secretGraceSeconds = ConfigurationVariable(
        "VOXWORKS_SECRET_GRACE_SECONDS", default: "86400", range: 0...(30 * 86_400), "how long a rotated-out signing secret stays valid")
    static let teamRatePerSecond = ConfigurationVariable(
        "VOXWORKS_TEAM_RATE_PER_SECOND", default: "1000", range: 1...1_000_000, "per-team rate over all its webhooks")
    static let teamRateBurst = ConfigurationVariable(
        "VOXWORKS_TEAM_RATE_BURST", default: "2000", range: 1...10_000_000, "per-team burst over all its webhooks")
    static let apiRatePerSecond = ConfigurationVariable(
        "VOXWORKS_API_RATE_PER_SECOND", default: "20", range: 1...1_000_000, "each API key's rate over the Bearer API")
    static let apiRateBurst = ConfigurationVariable(
        "VOXWORKS_API_RATE_BURST", default: "100", range: 1...10_000_000, "each API key's burst over the Bearer API")
    static let notFoundRatePerMinute = ConfigurationVariable(
        "VOXWORKS_NOT_FOUND_RATE_PER_MINUTE", default: "60", range: 0...6_000_000,
        "webhook 404s per minute one address may draw before 429 (0: off)")
    static let notFoundBurst = ConfigurationVariable(
        "VOXWORKS_NOT_FOUND_BURST", default: "60", range: 1...10_000_000, "burst of the webhook 404 throttle")
    static let notFoundExempt = ConfigurationVariable(
        "VOXWORKS_NOT_FOUND_EXEMPT", default: "empty", "IPs or CIDRs the 404 throttle never counts")
    static let authFailureRatePerMinute = ConfigurationVariable(
        "VOXWORKS_AUTH_FAILURE_RATE_PER_MINUTE", default: "10", range: 0...6_000_000,
        "failed API keys and sign-ins per minute one address may make before 429 (0: off)")
    static let authFailureBurst = ConfigurationVariable(
        "VOXWORKS_AUTH_FAILURE_BURST", default: "20", range: 1...10_000_000, "burst of the failed-key throttle")
    static let authFailureExempt = ConfigurationVariable(
        "VOXWORKS_AUTH_FAILURE_EXEMPT", default: "empty", "IPs or CIDRs the failed-key throttle never counts")
    static let requestLogBodyBytes = ConfigurationVariable(
        "VOXWORKS_REQUEST_LOG_BODY_BYTES", default: "16384", range: 0...(64 << 20), "bytes of each webhook body the request log keeps")
    static let requestLogRefusedPerSecond = ConfigurationVariable(
        "VOXWORKS_REQUEST_LOG_REFUSED_PER_SECOND", default: "20", range: 0...1_000_000,
        "refused webhooks recorded per automation per second on a node (the rest are counted)")
    static let requestLogRetentionHours = ConfigurationVariable(
        "VOXWORKS_REQUEST_LOG_RETENTION_HOURS", default: "168", range: 1...87_600, "hours request log records are kept")
    static let role = ConfigurationVariable("VOXWORKS_ROLE", default: "all", "api, worker or all")
    static let workers = ConfigurationVariable(
        "VOXWORKS_WORKERS", default: "256", range: 1...10_000, "executions in flight at once on this node")
    static let leaseSeconds = ConfigurationVariable(
        "VOXWORKS_LEASE_SECONDS", default: "30", range: 3...3600, "how long a worker's claim lasts without a heartbeat")
    static let circuitFailures = ConfigurationVariable(
        "VOXWORKS_CIRCUIT_FAILURES", default: "5", range: 1...1000, "consecutive failures that open a destination's circuit")
    static let destinationMaxInFlight = ConfigurationVariable(
        "VOXWORKS_DESTINATION_MAX_IN_FLIGHT", default: "32", range: 1...100_000, "http_request requests under way to one destination")
    static let circuitCooldownSeconds = ConfigurationVariable(
        "VOXWORKS_CIRCUIT_COOLDOWN_SECONDS", default: "30", range: 1...86_400, "first wait of an open circuit before a probe")
    static let circuitMaxCooldownSeconds = ConfigurationVariable(
        "VOXWORKS_CIRCUIT_MAX_COOLDOWN_SECONDS", default: "600", range: 1...86_400, "longest wait of an open circuit (at least the first)")
    static let defaultRegion = ConfigurationVariable(
        "VOXWORKS_DEFAULT_REGION", default: "AU", "region for local phone numbers")
    static let outboundAllow = ConfigurationVariable(
        "VOXWORKS_OUTBOUND_ALLOW", default: "empty", "private or loopback hosts and CIDRs http_request may reach")
    static let callSimulatorSeconds = ConfigurationVariable(
        "VOXWORKS_CALL_SIMULATOR_SECONDS", default: "5", range: 0...86_400, "how long a simulated call lasts")
    static let callSimulatorStatus = ConfigurationVariable(
        "VOXWORKS_CALL_SIMULATOR_STATUS", default: "completed", "how a simulated call ends")
    static let metricsToken = ConfigurationVariable(
        "VOXWORKS_METRICS_TOKEN", default: "unset", "turns on GET /metrics behind this Bearer token")
    static let logFormat = ConfigurationVariable("VOXWORKS_LOG_FORMAT", default: "text", "text, or json for one JSON object per line")
    static let logLevel = ConfigurationVariable(
        "VOXWORKS_LOG_LEVEL", default: "info", "trace, debug, info, notice, warning, error or critical")

    /// Every variable, in the order `voxworks help env` prints them.
    public static let all: [ConfigurationVariable] = [
        host, port, publicURL, database, databaseURL, masterKeyFile, maxBodyBytes, bodyTimeoutSeconds, idleTimeoutSeconds,
        maxConnections, maxConnectionsPerAddress, idempotencyTTLSeconds, backlogLimit, teamConcurrency, retentionDays,
        secretGraceSeconds, teamRatePerSecond, teamRateBurst, apiRatePerSecond, apiRateBurst, notFoundRatePerMinute, notFoundBurst,
        notFoundExempt, authFailureRatePerMinute, authFailureBurst, authFailureExempt, requestLogBodyBytes,
        requestLogRefusedPerSecond, requestLogRetentionHours, role, workers, leaseSeconds, circuitFailures,
        destinationMaxInFlight, circuitCooldownSeconds, circuitMaxCooldownSeconds, defaultRegion, outboundAllow,
        callSimulatorSeconds, callSimulatorStatus, metricsToken, logFormat, logLevel,
    ]

    /// What `voxworks help env` prints: one variable a line, its default and meaning.
    public static var helpText: String {
        let width = all.map(\.name.count).max() ?? 0
        var lines = [
            "Environment variables read by voxworks (flags such as --port and --database override them):", "",
        ]
        for variable in all {
            let padded = variable.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let range = variable.range.map { " [\($0.lowerBound)-\($0.upperBound)]" } ?? ""
            lines.append("  \(padded)  default \(variable.defaultValue)\(range): \(variable.meaning)")
        }
        return lines.joined(separator: "\n")
    }
}
