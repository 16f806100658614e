import Foundation

/// Turns a webhook's body, as received, into the trigger an execution
/// runs on, as `webhook.accept` allows: one JSON object (the default, kept
/// as sent), a form (an object of its fields) or a JSON array
/// (`{"items": [...]}`). Signatures are checked before this, over the
/// bytes as received; this only decides what the execution sees.
public enum WebhookBody {
    public enum Refusal: Error, Sendable, Equatable {
        /// The Content-Type is none of the accepted formats'.
        case unsupportedContentType(accept: [BodyFormat])
        /// The body does not parse as its Content-Type says; the reason, for a `400`.
        case malformed(String)
    }

    /// The trigger's JSON text: the body itself when it is a JSON object
    /// (no copy is made), else the converted form or array.
    public static func trigger(
        body: [UInt8], contentType: String?, accept: [BodyFormat], parser: JSONParser = JSONParser()
    ) throws(Refusal) -> [UInt8] {
        if accept == [.json] {
            // The seed's contract, on the hot path: no other format is considered.
            guard ContentTypeRule.accepts(contentType) else { throw .unsupportedContentType(accept: accept) }
            do {
                try parser.validateObject(body)
            } catch {
                throw .malformed(error.message)
            }
            return body
        }
        if isForm(contentType) {
            guard accept.contains(.form) else { throw .unsupportedContentType(accept: accept) }
            return try form(body)
        }
        guard ContentTypeRule.accepts(contentType), accept.contains(.json) || accept.contains(.jsonArray) else {
            throw .unsupportedContentType(accept: accept)
        }
        do {
            try parser.validateObject(body)
        } catch .notAnObject where accept.contains(.jsonArray) {
            return try array(body, parser: parser)
        } catch {
            throw .malformed(error.message)
        }
        guard accept.contains(.json) else { throw .malformed("Request body must be a JSON array") }
        return body
    }

    /// The message of a `400` for a Content-Type none of `accept` takes.
    public static func contentTypeMessage(accept: [BodyFormat]) -> String {
        var types: [String] = []
        if accept.contains(.json) || accept.contains(.jsonArray) { types.append("application/json") }
        if accept.contains(.form) { types.append("application/x-www-form-urlencoded") }
        return "Content-Type must be " + (types.isEmpty ? "application/json" : types.joined(separator: " or "))
    }

    /// Whether the media type is `application/x-www-form-urlencoded` (any case, any parameters).
    public static func isForm(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return media.trimmingCharacters(in: .whitespaces).lowercased() == "application/x-www-form-urlencoded"
    }

    /// An object of the fields in the order first sent; a repeated name
    /// becomes an array of its values. Every value stays a string (Slack's
    /// `payload` field holds JSON, and stays that JSON's text).
    static func form(_ body: [UInt8]) throws(Refusal) -> [UInt8] {
        guard let pairs = FormURLEncoded.decode(body) else { throw .malformed("Malformed form body (a bad %-escape or not UTF-8)") }
        var object = JSONObject()
        for (name, value) in pairs {
            switch object[name] {
            case nil: object[name] = .string(value)
            case .array(var values)?:
                values.append(.string(value))
                object[name] = .array(values)
            case let first?: object[name] = .array([first, .string(value)])
            }
        }
        return JSONValue.object(object).serializedBytes
    }

    /// `{"items":` + the array exactly as sent + `}`: checked, not rebuilt.
    static func array(_ body: [UInt8], parser: JSONParser) throws(Refusal) -> [UInt8] {
        let value: JSONValue
        do {
            value = try parser.parse(body)
        } catch {
            throw .malformed(error.message)
        }
        guard case .array = value else { throw .malformed("Request body must be a JSON object or array") }
        var wrapped = Array(#"{"items":"#.utf8)
        wrapped.reserveCapacity(body.count + 10)
        wrapped.append(contentsOf: body)
        wrapped.append(UInt8(ascii: "}"))
        return wrapped
    }
}
