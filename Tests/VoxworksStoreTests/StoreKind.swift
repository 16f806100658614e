import Foundation
import VoxworksCore
import VoxworksStore

/// The backends the behaviour suite runs against. PostgreSQL joins this
/// list with its store; every test here then runs on both.
enum StoreKind: String, CaseIterable, Sendable {
    case sqlite

    func makeStore() throws -> (store: any Store, directory: URL, secretBox: SecretBox) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        switch self {
        case .sqlite:
            return (try SQLiteStore(path: directory.appendingPathComponent("voxworks.sqlite").path, secretBox: box), directory, box)
        }
    }
}

