import Foundation
import Logging
import VoxworksCore
import VoxworksStore
import VoxworksRuntime

/// Runs one claimed execution from where it stands: steps already
/// completed (or skipped) are not run again, so a retry resumes at the
/// failed step and a restart after a crash at the unfinished one. Every step
/// is logged with its resolved input, output, error and timing; the context
/// is saved with each completed step, in the same transaction.
///
/// A finished step's line (and any skipped ones after it) is written with
/// the next step's start, or with the turn's outcome, in one commit: all of
/// it is durable before the next step with effects runs, as when each had a
/// commit of its own. A step without effects (a transform, a condition)
/// starts without a commit: a crash while it runs leaves the log as a crash
/// just before it did.
public struct ExecutionRunner: Sendable {
    let store: any ExecutionStore
    let runners: StepRunners
    let clock: @Sendable () -> Timestamp
    let random: @Sendable () -> Double
    let logger: Logger
    let metrics: ServiceMetrics

    public init(
        store: any ExecutionStore, runners: StepRunners, clock: @escaping @Sendable () -> Timestamp,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, logger: Logger, metrics: ServiceMetrics = .disabled
    ) {
        self.store = store
        self.runners = runners
        self.clock = clock
        self.random = random
        self.logger = logger
        self.metrics = metrics
    }

    /// The standard step runners.
    /// `circuits` is the node's one per-destination state (nil: a fresh one from `configuration`).
    public static func standardRunners(
        store: any ExecutionStore, client: any OutboundHTTPClient, provider: any CallProvider, configuration: EngineConfiguration,
        clock: @escaping @Sendable () -> Timestamp, circuits: DestinationCircuits? = nil
    ) -> StepRunners {
        StepRunners(
            transform: TransformStep(),
            condition: ConditionStep(),
            upsertContact: UpsertContactStep(store: store, defaultRegion: configuration.defaultRegion, clock: clock),
            upsertObject: UpsertObjectStep(store: store, clock: clock),
            httpRequest: HTTPRequestStep(
                client: client, circuits: circuits ?? DestinationCircuits(settings: configuration.destinationSettings, clock: clock),
                clock: clock),
            createCall: CreateCallStep(store: store, provider: provider, defaultRegion: configuration.defaultRegion, clock: clock),
            delay: DelayStep(clock: clock))
    }

    /// How a turn ended, and the step-log lines still to be written with its outcome.
    public struct Turn: Sendable {
        public var outcome: ExecutionOutcome
        /// For `ExecutionStore.finishTurn(executionID:worker:outcome:now:steps:)`.
        public var unsaved: StepLogWrite?
    }

    /// Runs and returns how the turn ended; nil when the worker lost the
    /// execution (cancelled, or its lease expired and it was taken).
    /// The caller must record the outcome with the turn's unsaved lines.
    public func runTurn(_ claimed: ClaimedExecution, worker: String) async -> Turn? {
        var walk = Walk(runner: self, claimed: claimed, worker: worker)
        do {
            guard let outcome = try await walk.start() else { return nil }
            // A completed execution never resumes (and only a failed one is
            // replayed from its failed step): its last context is not
            // serialized, and the store drops the one it holds.
            return Turn(outcome: outcome, unsaved: walk.takeUnsaved(withContext: outcome != .completed))
        } catch {
            // The store failed under us: let the retry policy handle it like a transient step failure.
            logger.error("execution turn failed", metadata: ["execution_id": "\(claimed.execution.id.lowercased)", "error": "\(error)"])
            return Turn(outcome: walk.retryOutcome("store error: \(error)"), unsaved: walk.takeUnsaved())
        }
    }

    struct LostLease: Error {}

    /// The state of one pass over the definition.
    struct Walk {
        let runner: ExecutionRunner
        let claimed: ClaimedExecution
        let worker: String
        let policy: RetryPolicy
        var records: [String: StepRecord]
        var context = ExecutionContext(trigger: .object([:]))
        var position = 0
        var completed: Int
        /// Lines not yet written: they go with the next write.
        var unsaved: [StepRecord] = []
        var unsavedContext: JSONObject?

        init(runner: ExecutionRunner, claimed: ClaimedExecution, worker: String) {
            self.runner = runner
            self.claimed = claimed
            self.worker = worker
            // An unreadable execution fails at once (`start`) and is never retried.
            policy = (try? claimed.definition.get())?.retry ?? .standard
            records = Dictionary(claimed.steps.map { ($0.stepID, $0) }, uniquingKeysWith: { $1 })
            completed = claimed.steps.filter { $0.status == .completed }.count
        }

        mutating func start() async throws -> ExecutionOutcome? {
            // Corrupt stored data fails the execution with the store's error
            // (table and row): it never runs, let alone completes, without its steps.
            let definition: AutomationDefinition
            switch claimed.definition {
            case .success(let readable): definition = readable
            case .failure(let error): return .failed("\(error)")
            }
            if let saved = claimed.context {
                context = ExecutionContext(root: saved)
            } else {
                guard let trigger = try? JSONParser().parse(claimed.execution.body), trigger.objectValue != nil else {
                    return .failed("the trigger payload is not a JSON object")
                }
                context = ExecutionContext(trigger: trigger)
            }
            do {
                if let outcome = try await walk(definition.steps, skip: false) { return outcome }
            } catch is LostLease {
                return nil
            }
            return .completed
        }

        func retryOutcome(_ message: String) -> ExecutionOutcome {
            let attempt = claimed.execution.attempt
            guard policy.hasAttemptsLeft(after: attempt) else { return .deadLetter(message) }
            let delay = policy.backoff(afterAttempt: attempt, unitRandom: runner.random())
            return .retry(error: message, runAt: runner.clock().adding(seconds: delay))
        }

        /// Walks a list of steps; a non-nil result ends the turn.
        mutating func walk(_ steps: [AutomationStep], skip: Bool) async throws -> ExecutionOutcome? {
            for step in steps {
                let id = step.id
                let type = step.type
                position += 1
                let existing = records[id]
                if skip {
                    if existing?.status != .skipped {
                        keep(StepRecord(stepID: id, position: position, type: type.rawValue, status: .skipped), context: nil)
                    }
                    if let outcome = try await walkBranches(step, taken: nil) { return outcome }
                    continue
                }
                if let existing, existing.status.isDone {
                    if step.type == .condition {
                        let taken = existing.output?["result"]?.boolValue ?? false
                        if let outcome = try await walkBranches(step, taken: taken) { return outcome }
                    }
                    continue
                }
                if let outcome = try await run(step, existing: existing) { return outcome }
            }
            return nil
        }

        /// A condition's branches: the taken one runs, the other is logged as skipped.
        /// `taken == nil` skips both (the condition itself was skipped).
        mutating func walkBranches(_ step: AutomationStep, taken: Bool?) async throws -> ExecutionOutcome? {
            // Through `type` and `branches`, not a pattern on `kind`: matching
            // the enum here, in an async loop, crashed the 6.3.1 optimizer
            // (CopyPropagation) in release builds.
            guard step.type == .condition else { return nil }
            let (then, otherwise) = step.branches
            if let outcome = try await walk(then, skip: taken != true) { return outcome }
            return try await walk(otherwise, skip: taken != false)
        }

        mutating func run(_ step: AutomationStep, existing: StepRecord?) async throws -> ExecutionOutcome? {
            let id = step.id
            let effects = runner.runners.effects(of: step.type)
            // A deferral (`destination`) is no wait: the step runs afresh.
            let resuming = claimed.resumedFrom != nil && claimed.resumedFrom != .destination && existing?.status == .processing
            var invocation = StepInvocation(
                step: step, execution: claimed.execution, resuming: resuming, previousOutput: resuming ? existing?.output : nil)
            var record = StepRecord(
                stepID: id, position: position, type: step.type.rawValue, status: .processing,
                startedAt: resuming ? existing?.startedAt : runner.clock(),
                attempts: (existing?.attempts ?? 0) + (resuming ? 0 : 1),
                input: resuming ? existing?.input : resolvedInput(invocation, context: context),
                output: resuming ? existing?.output : nil,
                // Attempts of earlier turns (retries) stay in the log.
                attemptLog: existing?.attemptLog ?? StepAttemptLog())
            // Everything logged so far is committed before a step with effects
            // acts, or in the same transaction when the effect is a store write.
            var leading: StepLogWrite?
            switch effects {
            case .none:
                if !resuming { keep(record, context: nil) }
            case .inStoreTransaction:
                if !resuming { keep(record, context: nil) }
                leading = takeUnsaved()
                invocation.leadingLog = leading.map { LeadingStepLog(executionID: claimed.execution.id, worker: worker, lines: $0) }
            case .afterCommit where resuming:
                try await flush()
            case .afterCommit:
                try await save(record)
            }
            var working = context
            let result: StepResult
            do {
                result = try await runner.runners.run(invocation, context: &working)
            } catch {
                // The transaction that was to carry the leading lines failed (or
                // never ran): they go with the turn's end instead. Rewriting a
                // line is harmless, so this holds even if it did commit.
                if let leading { restore(leading) }
                record.status = .failed
                record.error = error.message
                if let attempt = error.attempt { record.attemptLog.append(attempt) }
                record.finishedAt = runner.clock()
                observe(record)
                keep(record, context: nil)
                let message = "step \"\(id)\": \(error.message)"
                return error.retryable ? retryOutcome(message) : .failed(message)
            }
            context = working
            switch result {
            case .done(let output, let branch, let attempt):
                record.status = .completed
                if let attempt { record.attemptLog.append(attempt) }
                record.output = output
                record.finishedAt = runner.clock()
                completed += 1
                observe(record)
                keep(record, context: context.root)
                if step.type == .condition {
                    return try await walkBranches(step, taken: branch ?? false)
                }
                return nil
            case .wait(let reason, let until, let output):
                record.output = output
                keep(record, context: context.root)
                return .wait(reason, until: until)
            case .deferred(let reason, let until, let message):
                // Nothing was sent: the line goes back to how it stood, its
                // attempts uncounted, with the reason shown until it runs.
                // Lines handed to an effect that did not happen go with the turn's end.
                if let leading { restore(leading) }
                record.status = .pending
                record.attempts = existing?.attempts ?? 0
                record.startedAt = existing?.startedAt
                record.finishedAt = nil
                record.error = message
                keep(record, context: nil)
                return .deferred(reason, until: until)
            }
        }

        func observe(_ record: StepRecord) {
            runner.metrics.step(type: record.type, status: record.status, seconds: Double(record.durationMillis ?? 0) / 1000)
        }

        /// Keeps a line to be written with the next one (or with the turn's outcome).
        mutating func keep(_ record: StepRecord, context: JSONObject?) {
            records[record.stepID] = record
            // A step's end replaces its unwritten start.
            if let index = unsaved.lastIndex(where: { $0.stepID == record.stepID }) {
                unsaved[index] = record
            } else {
                unsaved.append(record)
            }
            if let context { unsavedContext = context }
        }

        /// Keeps again lines handed over for a write that did not happen.
        /// Nothing was kept since they were taken (only the step ran between).
        mutating func restore(_ log: StepLogWrite) {
            unsaved = log.records
            unsavedContext = log.context
        }

        /// Writes a line now, with any kept before it.
        mutating func save(_ record: StepRecord) async throws {
            keep(record, context: nil)
            try await flush()
        }

        mutating func flush() async throws {
            guard let log = takeUnsaved() else { return }
            let held = try await runner.store.recordSteps(executionID: claimed.execution.id, worker: worker, log)
            if !held { throw LostLease() }
        }

        /// The kept lines, handed over (a failed write is not tried again, as before they were kept).
        mutating func takeUnsaved(withContext: Bool = true) -> StepLogWrite? {
            guard !unsaved.isEmpty else { return nil }
            let log = StepLogWrite(records: unsaved, context: withContext ? unsavedContext : nil, stepsCompleted: completed)
            unsaved = []
            unsavedContext = nil
            return log
        }
    }
}
