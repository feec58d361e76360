import EvidenceStore
import ExhibitKit
import Foundation

/// Collects finished files and commits them in batches (one transaction each): a file counts as
/// done only once its transaction commits. A nested container's row is held back until both its
/// own analysis and its children are finished, so an interrupted run re-enters the container.
///
/// Files commit in walk order, not in the order the analysis threads finish them: each file takes
/// a *turn* on the walker's thread when it is handed on (a container when the walker closes it),
/// and a file that finishes before an earlier turn waits in memory (at most ``maxEarly`` of them;
/// then whoever delivers the next one waits too). Row ids (files, messages, chats, metadata, and
/// the events the case phase numbers from them) are assigned at commit, so they are the same for
/// any `--jobs`, and — since what is committed is always a prefix of the turns — an interrupted
/// run resumes with the ids an uninterrupted one gives (docs/architecture.md, "Determinism").
final class OutcomeWriter: @unchecked Sendable {
    // Safe: every mutable field is accessed under `cond`; commits are serialised by it too.
    private let cond = NSCondition()
    private let db: EvidenceDatabase
    private let batchSize: Int
    private let maxDelay: TimeInterval
    private let maxEarly: Int
    /// Findings held by waiting files, and their bound: a waiting file may hold up to
    /// `streamAfter` findings, so a count of files alone would let 4,096 chats wait in memory.
    private var earlyFindings = 0
    private let maxEarlyFindings: Int
    private var pending: [FileOutcome] = []
    private var lastFlush = Date()
    private var containers: [String: HeldContainer] = [:]
    /// The next turn to hand out, and the next one to commit (everything before it is pending or
    /// committed); finished files whose turn has not come, by turn.
    private var issued = 0, turn = 0
    private var early: [Int: FileOutcome] = [:]
    /// Turns of closed containers that will not commit in this run (see ``releaseOpenContainers()``).
    private var skipped: Set<Int> = []
    /// A commit failed, or a file's analysis did (its turn never comes): waiting deliveries throw.
    private var failure: Error?
    private(set) var committed = 0

    private struct HeldContainer {
        var outcome: FileOutcome
        var analysed = false
        var summaryApplied = false
        var turn: Int?
    }

    /// `maxEarly`: finished files kept in memory while an earlier one is still being analysed.
    init(db: EvidenceDatabase, batchSize: Int, maxDelay: TimeInterval = 1.0, maxEarly: Int? = nil,
         maxEarlyFindings: Int = 16_384) {
        self.db = db; self.batchSize = batchSize; self.maxDelay = maxDelay
        self.maxEarly = max(1, maxEarly ?? max(4096, batchSize * 8))
        self.maxEarlyFindings = max(1, maxEarlyFindings)
    }

    /// Takes the next commit turn for a file handed to an analysis thread. Call it on the walker's
    /// thread, in walk order, and pass it to ``deliver(_:turn:)`` or ``deliverStreaming(_:turn:next:errors:)``.
    func takeTurn() -> Int {
        cond.lock(); defer { cond.unlock() }
        issued += 1
        return issued - 1
    }

    private static func key(_ evidenceID: Int64, _ entryKey: EntryKey) -> String { "\(evidenceID)|\(entryKey.text)" }

    /// Registers a container entry: its row waits for ``closeContainer`` and ``deliver``.
    func openContainer(_ outcome: FileOutcome) {
        cond.lock(); defer { cond.unlock() }
        containers[Self.key(outcome.evidenceID, outcome.record.key)] = HeldContainer(outcome: outcome)
    }

    /// A file's analysis is finished (with or without analyzers). `turn` is the one taken when it
    /// was handed on; nil takes one now (the walker's thread delivering directly). A container's
    /// turn is taken when it is closed, so `turn` is ignored for it.
    func deliver(_ outcome: FileOutcome, turn: Int? = nil) throws {
        cond.lock(); defer { cond.unlock() }
        try deliverLocked(outcome, turn: turn)
    }

    private func deliverLocked(_ outcome: FileOutcome, turn: Int?) throws {
        let k = Self.key(outcome.evidenceID, outcome.record.key)
        if var held = containers[k] {
            held.outcome.findings = outcome.findings
            held.outcome.errors = outcome.errors
            held.analysed = true
            try settle(k, held)
        } else {
            let t = turn ?? issueLocked()
            // Memory stays bounded: past `maxEarly` waiting files, or past `maxEarlyFindings`
            // findings held by them, a later one waits here (the next turn never does, so the
            // earliest file always gets through).
            while t > self.turn && failure == nil
                && (early.count >= maxEarly || (!early.isEmpty && earlyFindings + outcome.findings.count > maxEarlyFindings)) {
                cond.wait()
            }
            if let failure { throw failure }
            try place(outcome, turn: t)
        }
    }

    private func issueLocked() -> Int {
        issued += 1
        return issued - 1
    }

    /// Queues `outcome` for commit when `t` is the next turn (with every waiting file after it),
    /// or keeps it until then.
    private func place(_ outcome: FileOutcome, turn t: Int) throws {
        guard t == turn else {
            early[t] = outcome
            earlyFindings += outcome.findings.count
            return
        }
        pending.append(outcome)
        try advance()
    }

    /// The current turn is pending or committed: moves on past it and every waiting file after it.
    private func advance() throws {
        turn += 1
        while true {
            if let next = early.removeValue(forKey: turn) {
                earlyFindings -= next.findings.count
                pending.append(next)
            } else if skipped.remove(turn) == nil { break }
            turn += 1
        }
        cond.broadcast()
        if pending.count >= batchSize || Date().timeIntervalSince(lastFlush) >= maxDelay { try flushLocked() }
    }

    /// A file whose findings stream into its own commit (see `EvidenceDatabase.commitStreaming`
    /// and ``FileSink``): pending files are committed first, then this one in one transaction
    /// while `next` hands batches over (nil at the end) and `errors` gives the file's error rows
    /// last. Runs on the file's commit thread; other deliveries wait meanwhile (backpressure).
    /// The file waits for its turn first (its analyzer fills the pipe meanwhile, then waits).
    func deliverStreaming(_ outcome: FileOutcome, turn: Int? = nil, next: () throws -> [ProducedFinding]?,
                          errors: () -> [AnalysisErrorInput]) throws {
        cond.lock(); defer { cond.unlock() }
        let k = Self.key(outcome.evidenceID, outcome.record.key)
        if containers[k] != nil {
            // A nested archive that is also a chat export (rare): its row waits for its
            // children, so its findings are collected in memory.
            var o = outcome
            while let batch = try next() { o.findings += batch }
            o.errors += errors()
            return try deliverLocked(o, turn: turn)
        }
        let t = turn ?? issueLocked()
        while t != self.turn && failure == nil { cond.wait() }
        if let failure { throw failure }
        try flushLocked()
        do {
            try db.commitStreaming(outcome, next: next, errors: errors)
        } catch {
            failLocked(error)
            throw error
        }
        committed += 1
        try advance()
    }

    /// Something stopped the run (a file's analysis failed, so its turn never comes): wakes every
    /// delivery waiting for a turn, which then throws `error`.
    func fail(_ error: Error) {
        cond.lock(); defer { cond.unlock() }
        failLocked(error)
    }

    private func failLocked(_ error: Error) {
        if failure == nil { failure = error }
        cond.broadcast()
    }

    /// The walker finished a container's children: its final status, format and totals are known.
    func closeContainer(evidenceID: Int64, entryKey: EntryKey, status: EntryStatus, message: String?, format: String?,
                        flags: [String], expandedBytes: Int64) throws {
        cond.lock(); defer { cond.unlock() }
        let k = Self.key(evidenceID, entryKey)
        guard var held = containers[k] else { return }
        if status != .ok {
            held.outcome.record.status = status
            held.outcome.record.message = message ?? held.outcome.record.message
        }
        held.outcome.record.containerFormat = format
        held.outcome.record.containerFlags = flags.sorted()
        // Budgets charged the container's own bytes and everything read inside it.
        held.outcome.record.expandedBytes = (held.outcome.record.expandedBytes ?? 0) + expandedBytes
        held.summaryApplied = true
        held.turn = issueLocked()
        try settle(k, held)
    }

    /// Commits containers the walker never closed (it stopped early) as they are. A closed one
    /// whose own analysis never came (it was held for a container that never ended) stays
    /// uncommitted, as before, and gives up its turn so that the files after it commit.
    func releaseOpenContainers() throws {
        cond.lock(); defer { cond.unlock() }
        for (k, held) in containers.sorted(by: { $0.key < $1.key }) {
            if held.analysed {
                containers[k] = nil
                try place(held.outcome, turn: held.turn ?? issueLocked())
            } else if let t = held.turn {
                containers[k]?.turn = nil
                if t == turn { try advance() } else { skipped.insert(t) }
            }
        }
    }

    private func settle(_ k: String, _ held: HeldContainer) throws {
        if held.analysed && held.summaryApplied, let t = held.turn {
            containers[k] = nil
            try place(held.outcome, turn: t)
        } else {
            containers[k] = held
        }
    }

    /// Commits everything pending now: every file whose turn has come. Files waiting for an
    /// earlier turn stay (after a failure that earlier file never comes, and they are not
    /// committed: the resume redoes them in order).
    func flush() throws {
        cond.lock(); defer { cond.unlock() }
        try flushLocked()
    }

    /// Commits everything at the end of an evidence item, when every file handed on has been
    /// delivered: a turn still open would be a file silently left out, so it is an error.
    func flushAll() throws {
        cond.lock(); defer { cond.unlock() }
        try flushLocked()
        guard turn == issued, early.isEmpty, skipped.isEmpty else {
            throw IngestError("internal: \(issued - turn) files handed to analysis were never delivered for commit")
        }
    }

    private func flushLocked() throws {
        lastFlush = Date()
        guard !pending.isEmpty else { return }
        let batch = pending
        do {
            try db.commit(batch)
        } catch {
            failLocked(error)
            throw error
        }
        pending.removeAll(keepingCapacity: true)
        committed += batch.count
    }

    /// Files committed so far in this run.
    var committedCount: Int {
        cond.lock(); defer { cond.unlock() }
        return committed
    }
}
