import Synchronization

/// The queue behind group commit: items that arrive while a transaction is
/// being flushed wait together and go into the next one. Whoever adds the
/// first item to an idle queue starts the single drain loop.
///
/// Inlinable, with `BatchingQueue`: the ingest path is another module, and
/// without its body there the queue handled each request through generic
/// value witnesses, which showed in the ingest profile.
@usableFromInline
final class GroupCommitQueue<Item: Sendable>: Sendable {
    @usableFromInline
    struct State: ~Copyable {
        @usableFromInline var items: [Item] = []
        @usableFromInline var draining = false

        @inlinable init() {}
    }

    @usableFromInline let state = Mutex(State())
    @usableFromInline let maxBatch: Int

    @inlinable
    init(maxBatch: Int) {
        self.maxBatch = maxBatch
    }

    /// Adds an item; true when the caller must start the drain loop.
    @inlinable
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
    @inlinable
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
