import Foundation
import Testing
import VoxworksRuntime

/// The wake-up that lets idle workers start new work at once.
@Suite struct WorkSignalTests {
    @Test func aSignalWakesEveryWaiterBeforeItsTimeout() async {
        let signal = WorkSignal()
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { await signal.wait(timeout: .seconds(30)) } }
            try? await Task.sleep(for: .milliseconds(500))
            signal.signal()
        }
        // Well under the 30 s timeout: woken by the signal, with room for a
        // starved machine (10.45 s was seen beside a release build).
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test func aSignalWithNoWaiterIsRememberedOnce() async {
        let signal = WorkSignal()
        signal.signal()
        let started = ContinuousClock.now
        await signal.wait(timeout: .seconds(30))
        #expect(ContinuousClock.now - started < .seconds(10))
        // Consumed: the next wait runs to its timeout.
        let again = ContinuousClock.now
        await signal.wait(timeout: .milliseconds(200))
        #expect(ContinuousClock.now - again >= .milliseconds(190))
    }

    @Test func aWaitEndsAtItsTimeoutAndWhenCancelled() async {
        let signal = WorkSignal()
        let started = ContinuousClock.now
        await signal.wait(timeout: .milliseconds(100))
        #expect(ContinuousClock.now - started >= .milliseconds(90))
        let task = Task { await signal.wait(timeout: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(50))
        task.cancel()
        let cancelled = ContinuousClock.now
        await task.value
        #expect(ContinuousClock.now - cancelled < .seconds(10))
    }
}
