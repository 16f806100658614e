import Crypto

/// Seals secrets for storage with AES-256-GCM under the master key, so that
/// a copy of the database alone does not reveal webhook signing secrets.
public struct SecretBox: Sendable {
    public enum Failure: Error { case badKeyLength, cannotOpen }

    private let key: SymmetricKey

    public init(masterKey: [UInt8]) throws {
        guard masterKey.count == 32 else { throw Failure.badKeyLength }
        key = SymmetricKey(data: masterKey)
    }

    /// nonce ‖ ciphertext ‖ tag.
    public func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key)
        guard let combined = box.combined else { throw Failure.cannotOpen }
        return Array(combined)
    }

    public func open(_ sealed: [UInt8]) throws -> [UInt8] {
        do {
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key))
        } catch {
            throw Failure.cannotOpen
        }
    }
}
