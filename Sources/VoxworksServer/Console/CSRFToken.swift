import Foundation
import VoxworksCore

/// Tokens that tie a console form to the browser that loaded it: the
/// session's token for signed-in forms, and a double-submit cookie for the
/// sign-in form (no session exists yet).
enum CSRFToken {
    /// 32 random bytes, base64url.
    static func generate() -> String { SecretMaterial.webhookToken() }

    /// Constant-time comparison: the time taken does not depend on where the
    /// strings first differ. Empty or missing tokens never match.
    static func matches(_ given: String?, _ expected: String?) -> Bool {
        guard let given, let expected, !given.isEmpty, !expected.isEmpty else { return false }
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
