import Synchronization

/// The queue behind group commit: items that arrive while a transaction is
/// being flushed wait together and go into the next one. Whoever adds the
/// first item to an idle queue starts the single drain loop.
final class GroupCommitQueue<Item: Sendable>: Sendable {
    private struct State: ~Copyable {
        var items: [Item] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let maxBatch: Int

    init(maxBatch: Int) {
        self.maxBatch = maxBatch
    }

    /// Adds an item; true when the caller must start the drain loop.
    func append(_ item: Item) -> Bool {
        state.withLock { state in
            state.items.append(item)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
    }

    /// The next batch (oldest first, at most `maxBatch`), or an empty one,
    /// which ends the drain loop.
    func nextBatch() -> [Item] {
        state.withLock { state in
            guard !state.items.isEmpty else {
                state.draining = false
                return []
            }
            let batch = Array(state.items.prefix(maxBatch))
            state.items.removeFirst(batch.count)
            return batch
        }
    }
}
