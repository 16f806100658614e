/// The non-secret fields of `webhook.verification`, shown back in
/// responses. Each scheme reads the ones it uses; parsing refuses fields
/// that no scheme knows (the API edge names them).
public struct VerificationSettings: Sendable, Equatable, Codable {
    /// How far a signed timestamp may be from now, in seconds (default 300).
    public var toleranceSeconds: Int?
    /// twilio, square, hubspot: the exact URL the provider signs.
    public var url: String?
    /// basic_auth
    public var username: String?
    /// header_token, hmac: the header carrying the value or signature.
    public var header: String?
    /// hmac: `sha1` | `sha256` | `sha512`.
    public var algorithm: String?
    /// hmac: `hex` | `base64`.
    public var encoding: String?
    /// hmac: a prefix before the encoded MAC, e.g. `sha256=`.
    public var prefix: String?
    /// hmac: a template of `{body}`, `{timestamp}`, `{id}`, `{url}`.
    public var signed: String?
    /// hmac: where `{timestamp}` and `{id}` come from.
    public var timestampHeader: String?
    public var idHeader: String?

    public static let defaultToleranceSeconds = 300

    public init(
        toleranceSeconds: Int? = nil, url: String? = nil, username: String? = nil, header: String? = nil, algorithm: String? = nil,
        encoding: String? = nil, prefix: String? = nil, signed: String? = nil, timestampHeader: String? = nil, idHeader: String? = nil
    ) {
        self.toleranceSeconds = toleranceSeconds
        self.url = url
        self.username = username
        self.header = header
        self.algorithm = algorithm
        self.encoding = encoding
        self.prefix = prefix
        self.signed = signed
        self.timestampHeader = timestampHeader
        self.idHeader = idHeader
    }

    /// The tolerance in seconds, defaulted.
    public var tolerance: Double { Double(toleranceSeconds ?? Self.defaultToleranceSeconds) }

    enum CodingKeys: String, CodingKey {
        case toleranceSeconds = "tolerance_seconds"
        case url, username, header, algorithm, encoding, prefix, signed
        case timestampHeader = "timestamp_header"
        case idHeader = "id_header"
    }
}
