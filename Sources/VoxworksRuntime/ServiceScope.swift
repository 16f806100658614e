import ServiceLifecycle

/// Runs ServiceLifecycle services for exactly as long as some work: they
/// start before it and are cancelled once it has returned or thrown. The
/// store's connection pools run this way around a whole command (`serve`
/// included, around its own service group), so they are the first thing up
/// and the last thing down, and no task outlives the scope that started it.
public enum ServiceScope {
    /// Runs `services` around `body`, and returns what `body` returns.
    public static func run<T: Sendable>(
        _ services: [any Service], isolation: isolated (any Actor)? = #isolation, around body: () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            for service in services {
                group.addTask { try await service.run() }
            }
            do {
                let result = try await body()
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Runs `services` until the calling task is cancelled.
    public static func runUntilCancelled(_ services: [any Service]) async {
        await withDiscardingTaskGroup { group in
            for service in services {
                group.addTask { try? await service.run() }
            }
        }
    }
}
