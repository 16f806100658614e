/// Normalises phone numbers to E.164 (`+` and 8 to 15 digits), the form
/// contacts are unique by.
///
/// 1. Spaces (any whitespace), dashes, dots and parentheses are removed.
///    Any other character (letters, `/`, `#`, `*`, a `+` that is not first)
///    means the text cannot be a phone number.
/// 2. A leading `+` or `00` means the number is international already. In an
///    international number a trunk prefix written `(0)` is dropped
///    (`+61 (0)2 9123 4567` → `+61291234567`).
/// 3. Otherwise the default region applies:
///    - AU 61, NZ 64, GB 44, IE 353, DE 49, FR 33, IN 91: one leading trunk
///      `0` is dropped and the country code prepended
///      (`0429069971` → `+61429069971`, `(02) 9123 4567` → `+61291234567`).
///      Digits that already start with the country code and are longer
///      than any national number of that region are taken as international
///      without the `+` (`61429069971` in AU → `+61429069971`); DE, whose
///      national numbers vary most in length, has no such rule.
///    - SG 65: no trunk prefix; the country code is prepended.
///    - US and CA 1: 10 digits get `+1`; 11 digits starting with `1` get `+`;
///      any other length is refused.
/// 4. The result must have 8 to 15 digits and a country code that does not
///    start with `0`.
///
/// The region is matched case-insensitively (`au` is AU) and is checked on
/// every call, so a misconfigured region is noticed even for numbers in
/// international form.
public enum PhoneNumber {
    public static let supportedRegions: [String] = ["AU", "CA", "DE", "FR", "GB", "IE", "IN", "NZ", "SG", "US"]

    private struct Region {
        var countryCode: String
        /// Whether one leading `0` is a trunk prefix to drop.
        var trunkZero: Bool
        /// The most digits a national number (without trunk prefix) has; nil when too varied to tell.
        var maxNationalDigits: Int?
    }

    private static let regions: [String: Region] = [
        "AU": Region(countryCode: "61", trunkZero: true, maxNationalDigits: 9),
        "NZ": Region(countryCode: "64", trunkZero: true, maxNationalDigits: 10),
        "GB": Region(countryCode: "44", trunkZero: true, maxNationalDigits: 10),
        "IE": Region(countryCode: "353", trunkZero: true, maxNationalDigits: 9),
        "DE": Region(countryCode: "49", trunkZero: true, maxNationalDigits: nil),
        "FR": Region(countryCode: "33", trunkZero: true, maxNationalDigits: 9),
        "IN": Region(countryCode: "91", trunkZero: true, maxNationalDigits: 10),
        "SG": Region(countryCode: "65", trunkZero: false, maxNationalDigits: 8),
        "US": Region(countryCode: "1", trunkZero: false, maxNationalDigits: 10),
        "CA": Region(countryCode: "1", trunkZero: false, maxNationalDigits: 10),
    ]

    /// The country calling code of a supported region (`AU` → `61`), or nil.
    public static func countryCode(for region: String) -> String? {
        regions[region.uppercased()]?.countryCode
    }

    public static func normalize(_ raw: String, defaultRegion: String) throws(StepFailure) -> String {
        let regionName = defaultRegion.uppercased()
        guard let region = regions[regionName] else {
            throw StepFailure(
                "unknown phone region \"\(defaultRegion)\" (supported: \(supportedRegions.joined(separator: ", ")))")
        }
        func refuse(_ reason: String) -> StepFailure {
            // The value is quoted only in part: a sender can make it as long as a body.
            StepFailure("\(JSONValue.string(Truncation.text(raw, maxBytes: 64)).serialized) cannot be a phone number: \(reason)")
        }

        var text = Template.trim(raw)
        let international: Bool
        if text.hasPrefix("+") {
            international = true
            text.removeFirst()
        } else {
            international = false
        }
        if international || text.hasPrefix("00") {
            text = text.replacingAll("(0)", with: "")
        }
        var digits = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9": digits.unicodeScalars.append(scalar)
            case "-", ".", "(", ")": continue
            default:
                guard scalar.properties.isWhitespace else {
                    throw refuse(
                        scalar == "+"
                            ? "a \"+\" may only come first"
                            : "it may only hold digits, spaces, dashes, dots, parentheses and a leading \"+\"")
                }
            }
        }
        guard !digits.isEmpty else { throw refuse("it has no digits") }

        let e164: String
        if international {
            e164 = digits
        } else if digits.hasPrefix("00") {
            e164 = String(digits.dropFirst(2))
        } else if region.countryCode == "1" {
            switch digits.count {
            case 10: e164 = "1" + digits
            case 11 where digits.hasPrefix("1"): e164 = digits
            default: throw refuse("a \(regionName) number has 10 digits, or 11 starting with 1")
            }
        } else if let maxNational = region.maxNationalDigits, !digits.hasPrefix("0"),
            digits.hasPrefix(region.countryCode), digits.count > maxNational
        {
            e164 = digits
        } else if region.trunkZero, digits.hasPrefix("0") {
            e164 = region.countryCode + digits.dropFirst()
        } else {
            e164 = region.countryCode + digits
        }

        guard !e164.hasPrefix("0") else { throw refuse("a country code cannot start with 0") }
        guard e164.count >= 8 else { throw refuse("too short (\(e164.count) digits with the country code; E.164 needs 8 to 15)") }
        guard e164.count <= 15 else { throw refuse("too long (\(e164.count) digits with the country code; E.164 allows at most 15)") }
        return "+" + e164
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
