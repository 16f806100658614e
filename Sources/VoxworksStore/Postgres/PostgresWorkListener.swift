import Logging
import PostgresNIO
import ServiceLifecycle
import VoxworksRuntime

/// Wakes this node's idle workers when any node commits work: it LISTENs on
/// the channel that ingest, replays and finished calls NOTIFY inside their
/// transactions. If the connection drops it reconnects; the workers' slow
/// poll covers the gap.
public struct PostgresWorkListener: Service {
    let store: PostgresStore
    let signal: WorkSignal

    public init(store: PostgresStore, signal: WorkSignal) {
        self.store = store
        self.signal = signal
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown {
                    try await store.client.withConnection { connection in
                        try await connection.listen(on: PostgresStore.workChannel) { notifications in
                            for try await _ in notifications { signal.signal() }
                        }
                    }
                }
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                store.logger.warning("work notifications interrupted; reconnecting", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
