import Foundation
import Logging
import VoxworksCore
import VoxworksStore

/// The backends the behaviour suite runs against: SQLite always, and
/// PostgreSQL when `VOXWORKS_TEST_DATABASE_URL` names a server (the
/// README's test command starts a throwaway one).
enum StoreKind: String, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    static var available: [StoreKind] {
        ProcessInfo.processInfo.environment["VOXWORKS_TEST_DATABASE_URL"].map { $0.isEmpty ? [.sqlite] : [.sqlite, .postgres] } ?? [.sqlite]
    }

    var description: String { rawValue }

    func makeStore() async throws -> (store: any Store, directory: URL, secretBox: SecretBox) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        switch self {
        case .sqlite:
            return (try SQLiteStore(path: directory.appendingPathComponent("voxworks.sqlite").path, secretBox: box), directory, box)
        case .postgres:
            return (try await PostgresTestDatabase.store(secretBox: box), directory, box)
        }
    }
}

/// Each test gets a schema of its own in the test server, so tests run in
/// parallel without seeing each other's rows.
enum PostgresTestDatabase {
    static func store(secretBox: SecretBox) async throws -> PostgresStore {
        guard let base = ProcessInfo.processInfo.environment["VOXWORKS_TEST_DATABASE_URL"] else { throw CocoaError(.featureUnsupported) }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try await PostgresStore.connect(url: base, secretBox: secretBox, logger: Logger(label: "test-admin"), maximumConnections: 1)
        try await admin.execute("CREATE SCHEMA \(schema)")
        admin.close()
        let separator = base.contains("?") ? "&" : "?"
        return try await PostgresStore.connect(
            url: base + separator + "search_path=\(schema)", secretBox: secretBox, logger: Logger(label: "test"), maximumConnections: 4)
    }
}
