import ExhibitKit
import Foundation

/// A bounded hand-over of findings from a streaming analyzer's thread to the thread holding the
/// file's write transaction, so decoding and storing run on two cores at once instead of taking
/// turns (the analyzer used to wait while each finding was written, and SQLite waited while the
/// next row was decoded).
///
/// Findings travel in batches (fewer wake-ups); at most `maxBatches` full batches wait, so memory
/// is bounded whatever the analyzer produces, and the producer waits when the writer is behind.
/// Order is kept: the writer stores findings exactly in the order they were produced, so the case
/// database is the same as with the serial path.
final class FindingPipe: @unchecked Sendable {
    // Safe: `full`, `closed` and `failure` are read and written under `cond`; `filling` belongs to
    // the producer thread alone (`put`, `handOver`, `close` run there).
    private let cond = NSCondition()
    private var full: [[ProducedFinding]] = []
    private var filling: [ProducedFinding] = []
    private var closed = false
    private var failure: Error?
    private let batchSize: Int
    private let maxBatches: Int

    init(batchSize: Int = 512, maxBatches: Int = 8) {
        self.batchSize = batchSize
        self.maxBatches = maxBatches
        filling.reserveCapacity(batchSize)
    }

    /// The writer failed: further `put`s throw this error (the analyzer's sink records it and
    /// stops storing), and nothing waits any more.
    struct Stopped: Error { let underlying: Error }

    /// Producer side: queues one finding; waits while `maxBatches` batches are waiting.
    func put(_ f: ProducedFinding) throws {
        // The batch being filled belongs to the producer alone until it is handed over; the lock
        // is taken once per batch, not per finding.
        filling.append(f)
        if filling.count >= batchSize { try handOver() }
    }

    private func handOver() throws {
        cond.lock(); defer { cond.unlock() }
        while full.count >= maxBatches && failure == nil { cond.wait() }
        if let failure { filling.removeAll(keepingCapacity: true); throw Stopped(underlying: failure) }
        full.append(filling)
        filling = []
        filling.reserveCapacity(batchSize)
        cond.broadcast()
    }

    /// Producer side: no more findings (also after the producer threw).
    func close() {
        cond.lock(); defer { cond.unlock() }
        if failure == nil && !filling.isEmpty { full.append(filling) }
        filling = []
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

    /// Writer side: storing failed; the producer is told on its next hand-over.
    func fail(_ error: Error) {
        cond.lock(); defer { cond.unlock() }
        if failure == nil { failure = error }
        full.removeAll()
        cond.broadcast()
    }
}

/// What the producer thread returns, handed back to the writer once the thread has ended.
final class ProducerResult<T>: @unchecked Sendable {
    // Safe: written by the producer thread before it signals `done`, read only after `done.wait()`.
    var value: Result<T, Error>?
    let done = DispatchSemaphore(value: 0)
}

/// A non-Sendable value lent to the producer thread, which uses it only while the thread that
/// owns it waits in ``FindingPipe/run(produce:write:)``; emptied before that returns (the thread
/// object may outlive the call, the value must not).
final class Lent<T>: @unchecked Sendable {
    // Safe: set before the thread starts, read on it, cleared after it signalled completion.
    var value: T?
    init(_ value: T) { self.value = value }
}

extension FindingPipe {
    /// Runs `produce` on a thread of its own, feeding `write` on the calling thread in order, and
    /// returns what `produce` returned once both are done. A `write` failure stops the producer at
    /// its next hand-over and is rethrown here; a producer failure is rethrown after every finding
    /// it produced before failing was written.
    static func run<T>(produce: (_ sink: (ProducedFinding) throws -> Void) throws -> T,
                       write: (ProducedFinding) throws -> Void) throws -> T {
        let pipe = FindingPipe()
        let result = ProducerResult<T>()
        try withoutActuallyEscaping(produce) { produce in
            let lent = Lent(produce)
            defer { lent.value = nil }
            let thread = Thread {
                result.value = Result {
                    guard let produce = lent.value else { throw FindingPipe.Stopped(underlying: CancellationError()) }
                    return try produce { try pipe.put($0) }
                }
                pipe.close()
                result.done.signal()
            }
            // Analyzers recurse over evidence structures (TL objects, B-trees): the same room as
            // the pool threads they ran on before.
            thread.stackSize = 8 << 20
            thread.name = "exhibit-analyzer"
            thread.start()
            var storeFailure: Error?
            while let batch = pipe.take() {
                guard storeFailure == nil else { continue }
                do { for f in batch { try write(f) } } catch {
                    storeFailure = error
                    pipe.fail(error)
                }
            }
            result.done.wait()
            if let storeFailure { throw storeFailure }
        }
        guard let value = result.value else { throw FindingPipe.Stopped(underlying: CancellationError()) }
        return try value.get()
    }
}
