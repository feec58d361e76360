import Dispatch

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
