/// One active credential of a webhook's scheme, as the provider shows it.
/// These are the secret fields of `webhook.verification`: sealed at rest,
/// never echoed. A rotation keeps two of them active for the grace period.
public struct SchemeCredential: Sendable, Equatable, Codable {
    /// The provider's signing secret, exactly as shown (`whsec_…`, a free
    /// string, an app secret…). The scheme knows how it becomes a key.
    public var secret: String? {
        didSet { signingKey = Self.signingKey(secret) }
    }
    /// `secret` decoded as a `whsec_` key (nil when it is not one), once
    /// per credential: the `voxworks` scheme checks every delivery with it,
    /// and decoding the base64 on each request showed in the ingest profile.
    /// Not stored; it follows `secret`.
    public private(set) var signingKey: [UInt8]?
    /// Asymmetric schemes: Discord's hex Ed25519 key, SendGrid's base64 DER P-256 key.
    public var publicKey: String?
    /// `basic_auth`'s password.
    public var password: String?
    /// `header_token`'s expected header value.
    public var value: String?
    /// `meta`'s `hub.verify_token`.
    public var verifyToken: String?

    public init(
        secret: String? = nil, publicKey: String? = nil, password: String? = nil, value: String? = nil, verifyToken: String? = nil
    ) {
        self.secret = secret
        signingKey = Self.signingKey(secret)
        self.publicKey = publicKey
        self.password = password
        self.value = value
        self.verifyToken = verifyToken
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            secret: try container.decodeIfPresent(String.self, forKey: .secret),
            publicKey: try container.decodeIfPresent(String.self, forKey: .publicKey),
            password: try container.decodeIfPresent(String.self, forKey: .password),
            value: try container.decodeIfPresent(String.self, forKey: .value),
            verifyToken: try container.decodeIfPresent(String.self, forKey: .verifyToken))
    }

    private static func signingKey(_ secret: String?) -> [UInt8]? {
        secret.flatMap(SecretMaterial.signingKey(fromDisplay:))
    }

    enum CodingKeys: String, CodingKey {
        case secret
        case publicKey = "public_key"
        case password, value
        case verifyToken = "verify_token"
    }
}
