import EvidenceStore
import ExhibitKit
import Foundation

/// A bounded hand-over of findings from the analysis thread running an analyzer to the thread
/// holding the file's write transaction, so decoding and storing run on two cores at once instead
/// of taking turns.
///
/// Findings travel in batches (fewer wake-ups); at most `maxBatches` full batches wait, so memory
/// is bounded whatever the analyzer produces, and the producer waits when the writer is behind.
/// Order is kept: the writer stores findings exactly in the order they were produced, so the case
/// database is the same as when the file's findings are committed from memory.
final class FindingPipe: @unchecked Sendable {
    // Safe: `full`, `closed`, `closingErrors` and `failure` are read and written under `cond`;
    // `filling` belongs to the producer thread alone (`put`, `handOver`, `close` run there).
    private let cond = NSCondition()
    private var full: [[ProducedFinding]] = []
    private var filling: [ProducedFinding] = []
    private var closed = false
    private var closingErrors: [AnalysisErrorInput] = []
    private var failure: Error?
    private let batchSize: Int
    private let maxBatches: Int

    init(batchSize: Int = 512, maxBatches: Int = 8) {
        self.batchSize = batchSize
        self.maxBatches = maxBatches
        filling.reserveCapacity(batchSize)
    }

    /// Producer side: queues one finding; waits while `maxBatches` batches are waiting. Returns
    /// whether it had to wait for the writer. Throws the writer's failure once storing failed.
    /// `whileWaiting` is called every few seconds of a long wait (the file's commit waits for its
    /// turn behind a file still being analysed): the supervisor's clock is not the analyzer's.
    @discardableResult
    func put(_ f: ProducedFinding, whileWaiting: (() -> Void)? = nil) throws -> Bool {
        // The batch being filled belongs to the producer alone until it is handed over; the lock
        // is taken once per batch, not per finding.
        filling.append(f)
        if filling.count >= batchSize { return try handOver(whileWaiting) }
        return false
    }

    private func handOver(_ whileWaiting: (() -> Void)?) throws -> Bool {
        cond.lock(); defer { cond.unlock() }
        var waited = false
        while full.count >= maxBatches && failure == nil {
            waited = true
            if !cond.wait(until: Date(timeIntervalSinceNow: 5)) { whileWaiting?() }
        }
        if let failure { filling.removeAll(keepingCapacity: true); throw failure }
        full.append(filling)
        filling = []
        filling.reserveCapacity(batchSize)
        cond.broadcast()
        return waited
    }

    /// Producer side: no more findings; `errors` (the file's error and warning rows) are stored
    /// after the last finding.
    func close(errors: [AnalysisErrorInput]) {
        cond.lock(); defer { cond.unlock() }
        if failure == nil && !filling.isEmpty { full.append(filling) }
        filling = []
        closingErrors = errors
        closed = true
        cond.broadcast()
    }

    /// Writer side: the next batch in order, or nil once the producer closed and all was taken.
    func take() -> [ProducedFinding]? {
        cond.lock(); defer { cond.unlock() }
        while full.isEmpty && !closed { cond.wait() }
        if full.isEmpty { return nil }
        let batch = full.removeFirst()
        cond.broadcast()
        return batch
    }

    /// Writer side, after ``take()`` returned nil: the error rows given to ``close(errors:)``.
    var errors: [AnalysisErrorInput] {
        cond.lock(); defer { cond.unlock() }
        return closingErrors
    }

    /// Writer side: storing failed; the producer is told on its next hand-over.
    func fail(_ error: Error) {
        cond.lock(); defer { cond.unlock() }
        if failure == nil { failure = error }
        full.removeAll()
        cond.broadcast()
    }
}
