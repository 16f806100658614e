import VoxworksStore

extension Store {
    /// Runs `body`, then shuts the store down whether `body` threw or not
    /// (a `defer` cannot wait for the shutdown), so that a failing test does
    /// not leave the store's connection pools running.
    public func closing<T>(after body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await shutdown()
            return result
        } catch {
            await shutdown()
            throw error
        }
    }
}
