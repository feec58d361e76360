import Foundation

/// The engine's fixed set of analysis threads (`--jobs` of them), started once per ingest like the
/// walker and the writer: every analyzer call runs on one of them, synchronously, so an analyzer
/// that blocks (an external plugin waiting for its process) holds its own thread and nothing else.
/// One concurrency model — no Swift tasks on the cooperative pool, no pool thread blocked on a
/// condition — and threads that live for the whole run (a plugin's parent-death signal follows the
/// thread that started it).
///
/// Threads get an 8 MiB stack: analyzers recurse over evidence structures (TL objects, B-trees).
final class AnalysisLanes: @unchecked Sendable {
    // Safe: `queue` and `stopping` are read and written under `cond` only.
    private let cond = NSCondition()
    private var queue: [() -> Void] = []
    private var stopping = false

    /// Starts `count` threads named `exhibit-analysis-N`.
    init(count: Int) {
        for n in 0..<max(1, count) {
            let thread = Thread { [self] in self.serve() }
            thread.stackSize = 8 << 20
            thread.name = "exhibit-analysis-\(n)"
            thread.start()
        }
    }

    /// Runs `work` on the next free thread; returns at once. The caller bounds how much it queues
    /// (the walker waits for a free analysis slot first).
    func submit(_ work: @escaping () -> Void) {
        cond.lock(); defer { cond.unlock() }
        queue.append(work)
        cond.signal()
    }

    /// Runs `work` on an analysis thread and waits for it. Never call it from an analysis thread.
    func runAndWait<T>(_ work: @escaping () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        submit {
            box.result = Result { try work() }
            done.signal()
        }
        done.wait()
        guard let result = box.result else { throw CancellationError() }
        return try result.get()
    }

    /// Lets the threads end once the queue is empty. Called when the ingest's dispatcher goes away.
    func shutdown() {
        cond.lock(); defer { cond.unlock() }
        stopping = true
        cond.broadcast()
    }

    private func serve() {
        while true {
            cond.lock()
            while queue.isEmpty && !stopping { cond.wait() }
            if queue.isEmpty { cond.unlock(); return }
            let work = queue.removeFirst()
            cond.unlock()
            work()
        }
    }

    private final class ResultBox<T>: @unchecked Sendable {
        // Safe: written on the analysis thread before the semaphore is signalled, read after it is waited on.
        var result: Result<T, Error>?
    }
}
