import Foundation
import Logging
import VoxworksCore
import VoxworksStore

/// The backends the behaviour suite runs against: SQLite always, and
/// PostgreSQL when `VOXWORKS_TEST_DATABASE_URL` names a server (the
/// README's test command starts a throwaway one).
public enum StoreKind: String, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public static var available: [StoreKind] {
        ProcessInfo.processInfo.environment["VOXWORKS_TEST_DATABASE_URL"].map { $0.isEmpty ? [.sqlite] : [.sqlite, .postgres] } ?? [.sqlite]
    }

    public var description: String { rawValue }

    public func makeStore() async throws -> (store: any Store, directory: URL, secretBox: SecretBox) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("voxworks-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let box = try SecretBox(masterKey: SecretMaterial.randomBytes(32))
        return (try await open(directory: directory, secretBox: box, postgresURL: nil).store, directory, box)
    }

    /// Opens the store of this kind: the SQLite file in `directory`, or the
    /// PostgreSQL schema at `postgresURL` (a new schema when nil). Opening
    /// the same place again is what a restarted node sees.
    public func open(directory: URL, secretBox: SecretBox, postgresURL: String?) async throws -> (store: any Store, postgresURL: String?) {
        switch self {
        case .sqlite:
            return (try SQLiteStore(path: directory.appendingPathComponent("voxworks.sqlite").path, secretBox: secretBox), nil)
        case .postgres:
            let url = if let postgresURL { postgresURL } else { try await PostgresTestDatabase.newSchemaURL() }
            return (
                try await PostgresStore.connect(url: url, secretBox: secretBox, logger: Logger(label: "test"), maximumConnections: 4), url
            )
        }
    }
}

/// Each test gets a schema of its own in the test server, so tests run in
/// parallel without seeing each other's rows.
public enum PostgresTestDatabase {
    /// A URL for a schema of its own in the test server.
    public static func newSchemaURL() async throws -> String {
        guard let base = ProcessInfo.processInfo.environment["VOXWORKS_TEST_DATABASE_URL"] else { throw CocoaError(.featureUnsupported) }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try await PostgresStore.connect(
            url: base, secretBox: SecretBox(masterKey: SecretMaterial.randomBytes(32)), logger: Logger(label: "test-admin"),
            maximumConnections: 1)
        try await admin.execute("CREATE SCHEMA \(schema)")
        admin.close()
        return base + (base.contains("?") ? "&" : "?") + "search_path=\(schema)"
    }
}
