import ExhibitKit
import Foundation

/// One kind of libarchive call the walker makes. libarchive 3.6.2 can loop *inside* one call on
/// hostile input (a Rock Ridge continuation loop in `next_header`, a gzip quine stacking filters
/// in `open`, a xar toc loop), growing memory or spinning without ever calling back into Exhibit,
/// so the only safe way out is to stop the process; the step names what to skip on the restart.
public enum IntakeStep: String, Sendable, CaseIterable {
    /// Opening a container (filter and format detection) or reading its next entry header.
    /// Position: the entry that header would become (opening counts toward entry 0).
    case header = "intake-header"
    /// Reading an entry's data (libarchive, libmagic, hashing). Position: the entry's. Its id is
    /// the historical pseudo-analyzer id of entry reads.
    case data = "intake"
}

/// A step stopped by the intake guard in an earlier worker: on the restart the walker does not
/// make that call again but records `status` with `message` (a container stops there).
public struct IntakeStop: Sendable, Hashable {
    /// Which call.
    public var step: IntakeStep
    /// The entry (or container) position the call was made for.
    public var position: [Int]
    /// Why it was stopped (names the guard and the flag that sets it).
    public var message: String
    /// Creates a stop record.
    public init(step: IntakeStep, position: [Int], message: String) {
        self.step = step; self.position = position; self.message = message
    }
}

/// What the walker is doing right now, readable from another thread (the worker's intake guard).
///
/// The walker calls ``begin(_:position:path:)`` before a libarchive call that may loop,
/// ``progress()`` whenever new output bytes arrive, and ``end()`` after. The guard reads
/// ``current`` every few tens of milliseconds; it costs the walker one uncontended lock per call.
public final class IntakeWatch: @unchecked Sendable {
    // Safe: every field is read and written under `lock`.
    private let lock = NSLock()
    private var active: Active?
    private var serial: UInt64 = 0

    /// The call in progress.
    public struct Active: Sendable {
        /// Increases with every call, so a watcher can tell one long call from many short ones.
        public var serial: UInt64
        /// Which call.
        public var step: IntakeStep
        /// The position it is made for.
        public var position: [Int]
        /// The entry's (or container's) virtual path, for messages.
        public var path: String
        /// Monotonic seconds of the call's start or its last new output bytes.
        public var lastProgress: Double
    }

    /// Creates an idle watch.
    public init() {}

    /// Monotonic clock in seconds (never the wall clock: a clock change must not fire the guard).
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func begin(_ step: IntakeStep, position: [Int], path: String) {
        let t = Self.now()
        lock.lock()
        serial &+= 1
        active = Active(serial: serial, step: step, position: position, path: path, lastProgress: t)
        lock.unlock()
    }

    func progress() {
        let t = Self.now()
        lock.lock()
        active?.lastProgress = t
        lock.unlock()
    }

    func end() {
        lock.lock()
        active = nil
        lock.unlock()
    }

    /// The call in progress, if any.
    public var current: Active? {
        lock.lock(); defer { lock.unlock() }
        return active
    }
}

/// Catalogue of stops for one evidence item, looked up by the walker before each guarded call.
struct IntakeStops {
    private var byKey: [IntakeStep: [[Int]: String]] = [:]

    init(_ stops: [IntakeStop]) {
        for s in stops { byKey[s.step, default: [:]][s.position] = s.message }
    }

    func message(_ step: IntakeStep, _ position: [Int]) -> String? {
        byKey[step]?[position]
    }

    var isEmpty: Bool { byKey.isEmpty }
}

extension WalkContext {
    /// Runs one libarchive call under the watch (if any). Stops recorded for it are checked by the caller.
    func watched<T>(_ step: IntakeStep, _ position: [Int], _ path: String, _ call: () throws -> T) rethrows -> T {
        guard let watch else { return try call() }
        watch.begin(step, position: position, path: path)
        defer { watch.end() }
        return try call()
    }

    /// Fingerprint of a container being read: its size and first 64 KiB. A container whose bytes
    /// start and end like one already on the chain of containers being read is a nesting loop
    /// (a quine: an archive that contains, or decompresses to, itself).
    static func fingerprint(of src: ByteSource) -> ContainerFingerprint {
        ContainerFingerprint(size: src.size, head: src.read(at: 0, count: 64 << 10))
    }

    static let nestingLoopMessage = "nesting loop: this archive's bytes are those of a container it lies inside (a recursive or quine archive); not opened again"
}

/// See ``WalkContext/fingerprint(of:)``.
struct ContainerFingerprint: Equatable {
    var size: Int64
    var head: [UInt8]
}

/// Names already listed in one container, for the `duplicate-name` flag, under a memory cap: a
/// flood of millions of long names must not grow the walker without bound. Past
/// ``maxBytes`` of names, further names are no longer remembered (a duplicate of one of them
/// goes unflagged) and the container gets the flag `duplicate-check-capped`.
struct SeenNames {
    static let maxBytes = 64 << 20
    private var names = Set<String>()
    private var bytes = 0
    /// Set once the cap was reached.
    private(set) var capped = false

    mutating func isDuplicate(_ path: String) -> Bool {
        if names.contains(path) { return true }
        let cost = path.utf8.count + 48
        guard bytes + cost <= Self.maxBytes else { capped = true; return false }
        names.insert(path)
        bytes += cost
        return false
    }
}
