import Dispatch
import Foundation
import PostgresNIO

/// Runs `body` to completion from synchronous code (the CLI's commands are synchronous; the
/// PostgreSQL driver is async). The calling thread waits; the work runs on the concurrency pool.
public func labBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result.get()
}

/// The result of a ``labBlocking`` task.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    // Safe: written once by the task before the semaphore is signalled, read after waiting on it.
    var result: Result<T, any Error> = .failure(LabError("the lab operation did not finish"))
}

extension LabIndex {
    /// Connects to `url`, runs `body`, and closes the connection whatever happens.
    public static func with<T: Sendable>(_ url: LabURL, _ body: @escaping @Sendable (LabIndex) async throws -> T) throws -> T {
        try labBlocking {
            let lab = try await LabIndex.connect(url)
            do {
                let r = try await body(lab)
                await lab.close()
                return r
            } catch {
                await lab.close()
                throw error
            }
        }
    }
}

extension LabIndex {
    /// True once the connection is closed (by us, the server or the network).
    public var isClosed: Bool { connection.isClosed }

    /// Runs `body` on this connection, failing fast when it is already closed and after
    /// `seconds` when no answer comes. A query on a connection the server closed (a PostgreSQL
    /// restart) was seen to wait forever in the driver; a lost network does the same. The worker
    /// then drops the connection and reconnects; the abandoned call ends when the connection does.
    public func withDeadline<T: Sendable>(_ seconds: Double, _ what: String,
                                          _ body: @escaping @Sendable (LabIndex) async throws -> T) async throws -> T {
        guard !isClosed else { throw LabError("\(what): the connection to the lab index is closed") }
        let gate = DeadlineGate<T>()
        let lab = self
        return try await withCheckedThrowingContinuation { (k: CheckedContinuation<T, any Error>) in
            gate.arm(k)
            let work = Task {
                do { gate.finish(.success(try await body(lab))) } catch { gate.finish(.failure(error)) }
            }
            let closeWatch = connection.closeFuture
            closeWatch.whenComplete { _ in
                if gate.finish(.failure(LabError("\(what): the lab index closed the connection"))) { work.cancel() }
            }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(max(0.1, seconds) * 1e9))
                if gate.finish(.failure(LabError("\(what): no answer from the lab index in \(Int(seconds)) s"))) { work.cancel() }
            }
        }
    }
}

/// Resumes a continuation once, from whichever of the work, the deadline or the connection's
/// close comes first.
private final class DeadlineGate<T: Sendable>: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var done = false

    func arm(_ k: CheckedContinuation<T, any Error>) {
        lock.lock(); defer { lock.unlock() }
        continuation = k
    }

    /// Resumes with `r` unless already resumed; true when this call resumed it.
    @discardableResult
    func finish(_ r: Result<T, any Error>) -> Bool {
        lock.lock()
        guard !done, let k = continuation else { lock.unlock(); return false }
        done = true
        continuation = nil
        lock.unlock()
        k.resume(with: r)
        return true
    }
}
