import Foundation
/// The webhook's content-type rule (docs/webhooks.md): an explicit media type must be `application/json` or a
/// `+json` structured suffix; parameters such as `charset` are allowed; a
/// missing Content-Type is accepted.
public enum ContentTypeRule {
    public static func accepts(_ header: String?) -> Bool {
        guard let header else { return true }
        // What nearly every sender sends, without splitting or lowercasing.
        if header == "application/json" { return true }
        let mediaType = header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = mediaType.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.isEmpty { return header.trimmingCharacters(in: .whitespaces).isEmpty }
        if trimmed == "application/json" { return true }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count > 5 else { return false }
        return parts[1].hasSuffix("+json")
    }
}
