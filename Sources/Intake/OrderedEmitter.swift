import ExhibitKit
import Foundation

/// Delivers a walk's events to the caller in exactly the order the walker produced them, on a
/// thread of its own, once each entry's digests are done.
///
/// This lets the walker start inflating the next entry while the hashing lanes finish the last
/// one, instead of waiting at every file boundary. At most ``maxQueued`` events (and
/// ``maxQueuedBytes`` of in-memory content) wait here; beyond that the walker blocks, so memory
/// stays bounded. A failure thrown by the caller's `emit` stops delivery; the walker sees it at
/// its next ``push(_:)`` (or at ``finish()``) and the walk ends with that error.
final class OrderedEmitter: @unchecked Sendable {
    // Safe: every mutable field is guarded by `cond`; `downstream` is only called by the
    // delivery thread and released under `cond` once that thread has stopped.
    static let maxQueued = 64
    static let maxQueuedBytes = 96 << 20

    private let cond = NSCondition()
    private var queue: [IntakeEvent] = []
    private var queuedBytes = 0
    private var closing = false
    private var failure: Error?
    private var downstream: ((IntakeEvent) throws -> Void)?
    private let exited = DispatchSemaphore(value: 0)

    init(downstream: @escaping (IntakeEvent) throws -> Void) {
        self.downstream = downstream
        let t = Thread { [self] in
            run()
            exited.signal()
        }
        t.name = "exhibit-emit"
        t.start()
    }

    private static func memoryBytes(_ e: IntakeEvent) -> Int {
        if case .entry(let entry) = e, case .memory(let d) = entry.content { return d.count }
        return 0
    }

    /// Queues an event; throws the caller's failure if delivery already failed.
    func push(_ event: IntakeEvent) throws {
        cond.lock()
        defer { cond.unlock() }
        let bytes = Self.memoryBytes(event)
        while failure == nil && (queue.count >= Self.maxQueued || (queuedBytes > 0 && queuedBytes + bytes > Self.maxQueuedBytes)) {
            cond.wait()
        }
        if let failure { throw failure }
        queue.append(event)
        queuedBytes += bytes
        cond.broadcast()
    }

    /// Waits until everything queued was delivered, stops the thread, releases the caller's
    /// closure, and rethrows the caller's failure if there was one.
    func finish() throws {
        cond.lock()
        closing = true
        cond.broadcast()
        cond.unlock()
        exited.wait()
        cond.lock()
        defer { cond.unlock() }
        downstream = nil
        if let failure { throw failure }
    }

    private func run() {
        while true {
            cond.lock()
            while queue.isEmpty && !closing { cond.wait() }
            if failure != nil || queue.isEmpty {
                cond.unlock()
                return
            }
            var event = queue.removeFirst()
            let deliver = downstream
            cond.unlock()

            if case .entry(var entry) = event, let pending = entry.pendingHashes {
                entry.hashes = pending.wait()
                entry.pendingHashes = nil
                event = .entry(entry)
            }
            var error: Error?
            do { try deliver?(event) } catch let e { error = e }

            cond.lock()
            queuedBytes -= Self.memoryBytes(event)
            if let error {
                failure = error
                queue.removeAll()
                queuedBytes = 0
            }
            cond.broadcast()
            cond.unlock()
        }
    }
}
