import EvidenceStore
import ExhibitKit
import Foundation

/// Collects finished files and commits them in batches (one transaction each): a file counts as
/// done only once its transaction commits. A nested container's row is held back until both its
/// own analysis and its children are finished, so an interrupted run re-enters the container.
final class OutcomeWriter: @unchecked Sendable {
    // Safe: every mutable field is accessed under `lock`; commits are serialised by it too.
    private let lock = NSLock()
    private let db: EvidenceDatabase
    private let batchSize: Int
    private let maxDelay: TimeInterval
    private var pending: [FileOutcome] = []
    private var lastFlush = Date()
    private var containers: [String: HeldContainer] = [:]
    private(set) var committed = 0

    private struct HeldContainer {
        var outcome: FileOutcome
        var analysed = false
        var summaryApplied = false
    }

    init(db: EvidenceDatabase, batchSize: Int, maxDelay: TimeInterval = 1.0) {
        self.db = db; self.batchSize = batchSize; self.maxDelay = maxDelay
    }

    private static func key(_ evidenceID: Int64, _ entryKey: String) -> String { "\(evidenceID)|\(entryKey)" }

    /// Registers a container entry: its row waits for ``closeContainer`` and ``deliver``.
    func openContainer(_ outcome: FileOutcome) {
        lock.lock(); defer { lock.unlock() }
        containers[Self.key(outcome.evidenceID, outcome.record.entryKey)] = HeldContainer(outcome: outcome)
    }

    /// A file's analysis is finished (with or without analyzers).
    func deliver(_ outcome: FileOutcome) throws {
        lock.lock(); defer { lock.unlock() }
        try deliverLocked(outcome)
    }

    private func deliverLocked(_ outcome: FileOutcome) throws {
        let k = Self.key(outcome.evidenceID, outcome.record.entryKey)
        if var held = containers[k] {
            held.outcome.findings = outcome.findings
            held.outcome.errors = outcome.errors
            held.analysed = true
            try settle(k, held)
        } else {
            try enqueue(outcome)
        }
    }

    /// A file whose findings stream into its own commit (see `EvidenceDatabase.commitStreaming`
    /// and ``FileSink``): pending files are committed first, then this one in one transaction
    /// while `next` hands batches over (nil at the end) and `errors` gives the file's error rows
    /// last. Runs on the file's commit thread; other deliveries wait meanwhile (backpressure).
    func deliverStreaming(_ outcome: FileOutcome, next: () throws -> [ProducedFinding]?,
                          errors: () -> [AnalysisErrorInput]) throws {
        lock.lock(); defer { lock.unlock() }
        let k = Self.key(outcome.evidenceID, outcome.record.entryKey)
        if containers[k] != nil {
            // A nested archive that is also a chat export (rare): its row waits for its
            // children, so its findings are collected in memory.
            var o = outcome
            while let batch = try next() { o.findings += batch }
            o.errors += errors()
            return try deliverLocked(o)
        }
        try flushLocked()
        try db.commitStreaming(outcome, next: next, errors: errors)
        committed += 1
    }

    /// The walker finished a container's children: its final status, format and totals are known.
    func closeContainer(evidenceID: Int64, entryKey: String, status: EntryStatus, message: String?, format: String?,
                        flags: [String], expandedBytes: Int64) throws {
        lock.lock(); defer { lock.unlock() }
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
        try settle(k, held)
    }

    /// Commits containers the walker never closed (it stopped early) as they are.
    func releaseOpenContainers() throws {
        lock.lock(); defer { lock.unlock() }
        for (k, held) in containers.sorted(by: { $0.key < $1.key }) where held.analysed {
            containers[k] = nil
            try enqueue(held.outcome)
        }
    }

    private func settle(_ k: String, _ held: HeldContainer) throws {
        if held.analysed && held.summaryApplied {
            containers[k] = nil
            try enqueue(held.outcome)
        } else {
            containers[k] = held
        }
    }

    private func enqueue(_ outcome: FileOutcome) throws {
        pending.append(outcome)
        if pending.count >= batchSize || Date().timeIntervalSince(lastFlush) >= maxDelay { try flushLocked() }
    }

    /// Commits everything pending now.
    func flush() throws {
        lock.lock(); defer { lock.unlock() }
        try flushLocked()
    }

    private func flushLocked() throws {
        lastFlush = Date()
        guard !pending.isEmpty else { return }
        let batch = pending
        try db.commit(batch)
        pending.removeAll(keepingCapacity: true)
        committed += batch.count
    }

    /// Files committed so far in this run.
    var committedCount: Int {
        lock.lock(); defer { lock.unlock() }
        return committed
    }
}
