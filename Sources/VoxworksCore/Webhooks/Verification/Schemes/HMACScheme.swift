/// Any sender that signs with an HMAC but has no scheme of its own: the
/// settings say where the signature is (`header`, `prefix`), how it is
/// computed (`algorithm`, `encoding`) and over what (`signed`, a template of
/// `{body}`, `{timestamp}`, `{id}`, `{url}` and literal text, e.g.
/// `{timestamp}.{body}`). The key is the secret as UTF-8.
///
/// A signed `{timestamp}` (from `timestamp_header`: Unix seconds, Unix
/// milliseconds, or RFC 3339) must be within the tolerance.
/// Delivery id: the `id_header` value, when set.
public struct HMACScheme: VerificationScheme {
    /// One piece of the signed template.
    enum Part: Sendable, Equatable {
        case literal([UInt8])
        case body, timestamp, id, url
    }

    public var name: SchemeName { .hmac }
    /// Lower-cased, as `InboundRequest` keeps header names.
    public let header: String
    let algorithm: SchemeCrypto.Algorithm
    let encoding: SchemeCrypto.Encoding
    public let prefix: String
    let parts: [Part]
    public let timestampHeader: String?
    public let idHeader: String?
    public let tolerance: Double

    /// Builds the scheme from the settings, or says which field is wrong.
    public init(settings: VerificationSettings) throws(SchemeSettingsError) {
        guard let header = settings.header, !header.isEmpty else { throw SchemeSettingsError("hmac needs \"header\"") }
        guard Self.isHeaderName(header) else {
            throw SchemeSettingsError("hmac \"header\" must be an HTTP header name")
        }
        self.header = header.lowercased()
        if let text = settings.algorithm {
            guard let algorithm = SchemeCrypto.Algorithm(rawValue: text.lowercased()) else {
                throw SchemeSettingsError("hmac \"algorithm\" must be sha1, sha256 or sha512")
            }
            self.algorithm = algorithm
        } else {
            algorithm = .sha256
        }
        if let text = settings.encoding {
            guard let encoding = SchemeCrypto.Encoding(rawValue: text.lowercased()) else {
                throw SchemeSettingsError("hmac \"encoding\" must be hex or base64")
            }
            self.encoding = encoding
        } else {
            encoding = .hex
        }
        let prefix = settings.prefix ?? ""
        guard prefix.utf8.count <= 64, prefix.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw SchemeSettingsError("hmac \"prefix\" must be at most 64 printable ASCII characters")
        }
        self.prefix = prefix
        let parts = try Self.parse(template: settings.signed ?? "{body}")
        self.parts = parts
        let signsTimestamp = parts.contains(.timestamp)
        let signsID = parts.contains(.id)
        timestampHeader = try Self.optionalHeader(settings.timestampHeader, field: "timestamp_header")
        idHeader = try Self.optionalHeader(settings.idHeader, field: "id_header")
        if signsTimestamp && timestampHeader == nil {
            throw SchemeSettingsError("hmac \"signed\" uses {timestamp}, so \"timestamp_header\" is required")
        }
        if !signsTimestamp && timestampHeader != nil {
            throw SchemeSettingsError("hmac \"timestamp_header\" is set but \"signed\" has no {timestamp}")
        }
        if signsID && idHeader == nil { throw SchemeSettingsError("hmac \"signed\" uses {id}, so \"id_header\" is required") }
        if let seconds = settings.toleranceSeconds, seconds <= 0 {
            throw SchemeSettingsError("hmac \"tolerance_seconds\" must be positive")
        }
        tolerance = settings.tolerance
    }

    public func verify(_ request: InboundRequest, credentials: [SchemeCredential], nowSeconds: Double) -> VerificationOutcome {
        guard let value = request.header(header) else { return .missing }
        var timestamp: String?
        var id: String?
        if let timestampHeader {
            guard let sent = request.header(timestampHeader) else { return .missing }
            timestamp = sent
        }
        if parts.contains(.id), let idHeader {
            guard let sent = request.header(idHeader) else { return .missing }
            id = sent
        }
        guard let mac = SchemeCrypto.decodeSignature(value, prefix: prefix, encoding: encoding) else { return .invalid }
        let message = signedBytes(request, timestamp: timestamp ?? "", id: id ?? "")
        guard SchemeCrypto.matchesAny(mac, message: message, keys: SchemeCrypto.utf8Secrets(credentials), algorithm: algorithm) else {
            return .invalid
        }
        if let timestamp {
            guard let seconds = Self.seconds(timestamp), SchemeCrypto.isFresh(seconds, nowSeconds: nowSeconds, tolerance: tolerance) else {
                return .outsideWindow
            }
            if id == nil { return .verified(signedKey: SchemeSupport.timestampKey(timestamp, mac: mac)) }
        }
        return .verified(signedKey: id)
    }

    public func deliveryID(_ request: InboundRequest) -> String? {
        idHeader.flatMap { request.header($0) }
    }

    /// What the sender signed: the template with its placeholders filled in.
    func signedBytes(_ request: InboundRequest, timestamp: String, id: String) -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(request.body.count + 64)
        for part in parts {
            switch part {
            case .literal(let bytes): message.append(contentsOf: bytes)
            case .body: message.append(contentsOf: request.body)
            case .timestamp: message.append(contentsOf: timestamp.utf8)
            case .id: message.append(contentsOf: id.utf8)
            case .url: message.append(contentsOf: request.url.utf8)
            }
        }
        return message
    }

    /// A signed time: Unix seconds, Unix milliseconds (13 digits or more),
    /// or an RFC 3339 date-time.
    static func seconds(_ text: String) -> Double? {
        if let number = SchemeCrypto.unixSeconds(text) { return number >= 1e12 ? number / 1000 : number }
        guard text.utf8.count <= 64 else { return nil }
        return Timestamp(rfc3339: text)?.seconds
    }

    /// Splits a template into literal text and placeholders; refuses unknown
    /// placeholders and a template that does not sign the body.
    static func parse(template: String) throws(SchemeSettingsError) -> [Part] {
        guard template.utf8.count <= 256 else { throw SchemeSettingsError("hmac \"signed\" must be at most 256 characters") }
        var parts: [Part] = []
        var literal: [UInt8] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            literal.append(contentsOf: rest[rest.startIndex..<open].utf8)
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw SchemeSettingsError("hmac \"signed\" has a \"{\" without \"}\"")
            }
            let placeholder: Part
            switch rest[rest.index(after: open)..<close] {
            case "body": placeholder = .body
            case "timestamp": placeholder = .timestamp
            case "id": placeholder = .id
            case "url": placeholder = .url
            case let other:
                throw SchemeSettingsError("hmac \"signed\" has an unknown placeholder {\(other)}; use {body}, {timestamp}, {id} or {url}")
            }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = []
            parts.append(placeholder)
            rest = rest[rest.index(after: close)...]
        }
        literal.append(contentsOf: rest.utf8)
        if !literal.isEmpty { parts.append(.literal(literal)) }
        guard parts.contains(.body) else { throw SchemeSettingsError("hmac \"signed\" must include {body}") }
        return parts
    }

    static func optionalHeader(_ name: String?, field: String) throws(SchemeSettingsError) -> String? {
        guard let name, !name.isEmpty else { return nil }
        guard isHeaderName(name) else { throw SchemeSettingsError("hmac \"\(field)\" must be an HTTP header name") }
        return name.lowercased()
    }

    /// An RFC 9110 field name (a token), at most 128 characters.
    static func isHeaderName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 128 else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
            }
        }
    }
}
