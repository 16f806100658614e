/// Checks the fields of one step, by type, on top of the structural rules of
/// `AutomationDefinition.validate` (ids, types, branch arrays, step count).
/// The caller validates the steps nested in a condition's branches.
///
/// Every message reads `step "<id>": field "<name>" …`; nested fields are
/// named with dots and indexes (`mappings[1].target`, `headers.X-Team`).
/// Unknown extra fields are allowed. An optional field set to `null` counts
/// as absent. Strings in template fields (condition `value`, upsert_contact
/// `fields`, upsert_object `data`, http_request `url`/`headers`/`body`,
/// create_call `script_id`/`from_number`/`to`/`scheduled_time`, delay
/// `until`) may hold `{{path}}` templates, whose paths must be valid context
/// paths.
public enum StepDefinitionValidator {
    public static let contactFields = ["phone_number", "first_name", "last_name", "email", "address", "location", "title"]
    public static let matchOnFields = ["phone_number", "email"]
    public static let httpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    public static let timeoutRange: ClosedRange<Double> = 1...60
    /// `http_request`'s `connect_timeout_seconds`: how long to wait for a
    /// connection (a refused one fails at once whatever this is).
    public static let connectTimeoutRange: ClosedRange<Double> = 0.1...30
    public static let defaultTimeoutSeconds = 10
    /// 30 days.
    public static let maxDelaySeconds = 2_592_000

    public static func validate(step: JSONObject, id: String, type: String) throws(DefinitionError) {
        let check = Check(id: id, step: step)
        switch type {
        case "transform": try validateTransform(check)
        case "condition": try validateCondition(check)
        case "upsert_contact": try validateUpsertContact(check)
        case "upsert_object": try validateUpsertObject(check)
        case "http_request": try validateHTTPRequest(check)
        case "create_call": try validateCreateCall(check)
        case "delay": try validateDelay(check)
        default:
            throw check.fail("type", "must be one of: \(AutomationDefinition.stepTypes.sorted().joined(separator: ", "))")
        }
    }

    // MARK: - Step types

    private static func validateTransform(_ check: Check) throws(DefinitionError) {
        guard let value = check.present("mappings") else { throw check.fail("mappings", "is required") }
        guard case .array(let mappings) = value, !mappings.isEmpty else {
            throw check.fail("mappings", "must be a non-empty array of {\"source\", \"target\"} mappings")
        }
        for (index, element) in mappings.enumerated() {
            let field = "mappings[\(index)]"
            guard case .object(let mapping) = element else {
                throw check.fail(field, "must be an object with \"source\" and \"target\"")
            }
            try check.path(mapping["source"], field: "\(field).source")
            guard let target = nonNull(mapping["target"]) else { throw check.fail("\(field).target", "is required") }
            guard case .string(let name) = target, isName(name, allowUppercase: true) else {
                throw check.fail("\(field).target", "must match [a-zA-Z0-9_]+")
            }
            if let transform = nonNull(mapping["transform"]) {
                guard case .string(let text) = transform else { throw check.fail("\(field).transform", "must be a string") }
                do {
                    _ = try FieldTransform(parsing: text)
                } catch {
                    throw check.fail("\(field).transform", "is invalid: \(error.message)")
                }
            }
        }
    }

    private static func validateCondition(_ check: Check) throws(DefinitionError) {
        try check.path(check.step["field"], field: "field")
        guard let operatorValue = check.present("operator") else { throw check.fail("operator", "is required") }
        guard case .string(let name) = operatorValue, let op = ConditionOperator(rawValue: name) else {
            throw check.fail("operator", "must be one of: \(ConditionOperator.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if op.needsValue {
            // `null` is a value here: `equals null` is a meaningful test.
            guard let value = check.step["value"] else { throw check.fail("value", "is required for operator \"\(name)\"") }
            try check.templates(value, field: "value")
        }
        for branch in ["then", "otherwise"] {
            if let value = check.present(branch), value.arrayValue == nil {
                throw check.fail(branch, "must be an array of steps")
            }
        }
    }

    private static func validateUpsertContact(_ check: Check) throws(DefinitionError) {
        var matchOn = "phone_number"
        if let value = check.present("match_on") {
            guard case .string(let name) = value, matchOnFields.contains(name) else {
                throw check.fail("match_on", "must be \"phone_number\" or \"email\"")
            }
            matchOn = name
        }
        guard let value = check.present("fields") else { throw check.fail("fields", "is required") }
        guard case .object(let fields) = value else { throw check.fail("fields", "must be an object") }
        for member in fields {
            let field = "fields.\(member.key)"
            guard contactFields.contains(member.key) else {
                throw check.fail(field, "is not a contact field (allowed: \(contactFields.joined(separator: ", ")))")
            }
            switch member.value {
            case .null: continue
            case .string: try check.templates(member.value, field: field)
            default: throw check.fail(field, "must be a string (text or a template such as \"{{trigger.\(member.key)}}\")")
            }
        }
        guard nonNull(fields[matchOn]) != nil else {
            throw check.fail("fields", "must map \"\(matchOn)\", the field contacts are matched on")
        }
    }

    private static func validateUpsertObject(_ check: Check) throws(DefinitionError) {
        guard let typeValue = check.present("object_type") else { throw check.fail("object_type", "is required") }
        guard case .string(let objectType) = typeValue, objectType.utf8.count <= 64, isName(objectType, allowUppercase: false) else {
            throw check.fail("object_type", "must match [a-z0-9_]{1,64}")
        }
        guard let data = check.present("data") else { throw check.fail("data", "is required") }
        guard case .object = data else { throw check.fail("data", "must be an object") }
        try check.templates(data, field: "data")
        if let keyPath = check.present("key_path") {
            guard case .string(let text) = keyPath, isKeyPath(text) else {
                throw check.fail("key_path", "must be a JSON path starting with \"$.\", such as \"$.id\"")
            }
        }
    }

    private static func validateHTTPRequest(_ check: Check) throws(DefinitionError) {
        if let method = check.present("method") {
            guard case .string(let name) = method, httpMethods.contains(name) else {
                throw check.fail("method", "must be one of: \(httpMethods.joined(separator: ", "))")
            }
        }
        guard let urlValue = check.present("url") else { throw check.fail("url", "is required") }
        guard case .string(let url) = urlValue else { throw check.fail("url", "must be a string") }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || url.hasPrefix("{{") else {
            throw check.fail("url", "must start with http:// or https:// (or with a template such as \"{{trigger.callback_url}}\")")
        }
        try check.templates(urlValue, field: "url")
        if let headersValue = check.present("headers") {
            guard case .object(let headers) = headersValue else { throw check.fail("headers", "must be an object of strings") }
            for member in headers {
                let field = "headers.\(member.key)"
                guard isHeaderName(member.key) else { throw check.fail(field, "is not a valid HTTP header name") }
                guard case .string(let text) = member.value else { throw check.fail(field, "must be a string") }
                guard !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                    throw check.fail(field, "must not contain line breaks")
                }
                try check.templates(member.value, field: field)
            }
        }
        if let body = check.present("body") { try check.templates(body, field: "body") }
        if let timeout = check.present("timeout_seconds") {
            guard let seconds = timeout.doubleValue, timeoutRange.contains(seconds) else {
                throw check.fail("timeout_seconds", "must be a number from 1 to 60")
            }
        }
        if let timeout = check.present("connect_timeout_seconds") {
            guard let seconds = timeout.doubleValue, connectTimeoutRange.contains(seconds) else {
                throw check.fail("connect_timeout_seconds", "must be a number from 0.1 to 30")
            }
        }
        if let saveAs = check.present("save_as") {
            guard case .string(let name) = saveAs, isName(name, allowUppercase: false) else {
                throw check.fail("save_as", "must match [a-z0-9_]+")
            }
        }
    }

    private static func validateCreateCall(_ check: Check) throws(DefinitionError) {
        for field in ["script_id", "from_number"] {
            guard let value = check.present(field) else { throw check.fail(field, "is required") }
            guard case .string(let text) = value, !text.isEmpty else { throw check.fail(field, "must be a non-empty string") }
            try check.templates(value, field: field)
        }
        for field in ["to", "scheduled_time"] {
            guard let value = check.present(field) else { continue }
            guard case .string = value else { throw check.fail(field, "must be a string") }
            try check.templates(value, field: field)
        }
        if let wait = check.present("wait_for_completion"), wait.boolValue == nil {
            throw check.fail("wait_for_completion", "must be true or false")
        }
        // The object to link to the call has the fields of an upsert_object step.
        if let object = check.present("object") {
            guard case .object(let fields) = object else {
                throw check.fail("object", "must be an object with object_type, data and optionally key_path")
            }
            try validateUpsertObject(Check(id: check.id, step: fields, prefix: "object."))
        }
    }

    private static func validateDelay(_ check: Check) throws(DefinitionError) {
        let seconds = check.present("seconds")
        let until = check.present("until")
        switch (seconds, until) {
        case (nil, nil):
            throw check.fail("seconds", "or field \"until\" is required")
        case (_?, _?):
            throw check.fail("seconds", "cannot be combined with field \"until\"; give one of them")
        case (let value?, nil):
            guard let number = value.doubleValue, number >= 0, number <= Double(maxDelaySeconds) else {
                throw check.fail("seconds", "must be a number from 0 to \(maxDelaySeconds) (30 days)")
            }
        case (nil, let value?):
            guard case .string(let text) = value, !text.isEmpty else {
                throw check.fail("until", "must be a string: an RFC 3339 time or a template")
            }
            if Template.containsTemplate(text) {
                try check.templates(value, field: "until")
            } else if Timestamp(rfc3339: text) == nil {
                // The same parser the delay step runs with, so that a
                // definition that validates never fails on its `until` text.
                throw check.fail("until", "must be an RFC 3339 time such as \"2026-01-31T09:00:00Z\" or a template")
            }
        }
    }

    // MARK: - Helpers

    private struct Check {
        let id: String
        let step: JSONObject
        /// Names the enclosing field when `step` is a nested object (`object.`).
        var prefix = ""

        func fail(_ field: String, _ text: String) -> DefinitionError {
            DefinitionError("step \"\(id)\": field \"\(prefix)\(field)\" \(text)")
        }

        /// The member, or nil when it is absent or `null`.
        func present(_ key: String) -> JSONValue? {
            nonNull(step[key])
        }

        /// A required context path (a transform's `source`, a condition's `field`).
        func path(_ value: JSONValue?, field: String) throws(DefinitionError) {
            guard let value = nonNull(value) else { throw fail(field, "is required") }
            guard case .string(let path) = value else { throw fail(field, "must be a context path string") }
            guard ExecutionContext.isValidPath(path) else {
                throw fail(field, "must be a context path starting with \(rootList) (got \(value.serialized))")
            }
        }

        /// Every template in `value` must name a valid context path.
        func templates(_ value: JSONValue, field: String) throws(DefinitionError) {
            switch value {
            case .string:
                for path in Template.paths(in: value) where !ExecutionContext.isValidPath(path) {
                    throw fail(field, "refers to \"{{\(path)}}\", which is not a context path (paths start with \(rootList))")
                }
            case .array(let elements):
                for (index, element) in elements.enumerated() { try templates(element, field: "\(field)[\(index)]") }
            case .object(let object):
                for member in object { try templates(member.value, field: "\(field).\(member.key)") }
            case .null, .bool, .number:
                break
            }
        }
    }

    private static let rootList = "trigger, contact, objects, mapped, source or call"

    private static func nonNull(_ value: JSONValue?) -> JSONValue? {
        if case .null? = value { return nil }
        return value
    }

    /// `[a-z0-9_]+`, or `[a-zA-Z0-9_]+` with `allowUppercase`.
    private static func isName(_ text: String, allowUppercase: Bool) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || (allowUppercase && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        }
    }

    /// `$.` followed by dot-separated non-empty segments without whitespace.
    private static func isKeyPath(_ text: String) -> Bool {
        guard text.hasPrefix("$.") else { return false }
        let segments = text.dropFirst(2).split(separator: ".", omittingEmptySubsequences: false)
        return segments.allSatisfy { !$0.isEmpty && !$0.contains(where: \.isWhitespace) }
    }

    /// An RFC 9110 token.
    private static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
