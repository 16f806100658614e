import Testing
@testable import VoxworksEngine

/// The node's cap on executions in flight: no more slots than asked for,
/// each taken once, and a given-back slot wakes a waiting dispatcher.
@Suite struct ExecutionSlotsTests {
    @Test func neverMoreSlotsThanTheCapAndEachOnce() {
        let slots = ExecutionSlots(count: 3)
        let taken = (0..<5).compactMap { _ in slots.take() }
        #expect(taken == [0, 1, 2], "three distinct slots, lowest first, then none")
        slots.give(1)
        #expect(slots.take() == 1)
        #expect(slots.take() == nil)
    }

    @Test func aGivenBackSlotWakesTheWaiter() async {
        let slots = ExecutionSlots(count: 1)
        #expect(slots.take() == 0)
        let waiter = Task {
            let started = ContinuousClock.now
            await slots.waitForFree(timeout: .seconds(30))
            return ContinuousClock.now - started
        }
        try? await Task.sleep(for: .milliseconds(50))
        slots.give(0)
        let waited = await waiter.value
        #expect(waited < .seconds(20), "woken by the slot, not by the 30 s timeout (\(waited))")
        #expect(slots.take() == 0)
    }
}
