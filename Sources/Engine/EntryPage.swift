import CSandbox
import ExhibitKit
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The entry the worker's walker is reading, in one page of memory shared with the supervisor.
///
/// Reading an entry is supervised like an analyzer's pair (entry, `intake`), but it happens once
/// per entry, and a pipe line before and after each (two `write(2)`s here, two thread wake-ups in
/// the supervisor) cost ~7 s per 200,000 tiny entries. So the walker writes the entry's identity
/// into this page with plain stores instead, and the supervisor looks at it only when it needs
/// to: when the worker died (which entry was being read?) and at its watchdog poll (has the
/// page's sequence moved within the intake timeout?).
///
/// The page is a sealed memfd (no file on any file system) the supervisor creates and maps before
/// it spawns the worker, passed as fd 4 (`--worker-page 4`); the worker maps the same pages. Only
/// an entry whose identity does not fit (deeper than ``maxDepth`` or a path longer than
/// ``pathCapacity`` bytes) is announced on the pipe as before.
///
/// Writes are a sequence lock: the sequence is odd while the worker writes, and moves by two for
/// every begin and every end, so the supervisor can tell a consistent snapshot from a torn one and
/// one long read from many short ones. Only the walker thread writes (one entry read at a time:
/// a nested container is walked after its entry's read has ended).
final class EntryPage: @unchecked Sendable {
    // Safe: the mapping lives as long as the object; the sequence word is atomic and the other
    // fields are read only between two equal, even loads of it (the sequence lock above).
    private let base: UnsafeMutableRawPointer
    let fd: Int32
    private let ownsFD: Bool

    /// Size of the shared mapping.
    static let size = 16 << 10
    /// Deepest entry key the page holds.
    static let maxDepth = 64
    private static let magic: UInt64 = 0x3147_4150_5848_4558  // "EXHXPAG1", little-endian
    private enum Offset {
        static let magic = 0, sequence = 8, evidence = 16, timeout = 24, active = 32, depth = 36, pathLength = 40
        static let positions = 48
        static let path = positions + EntryPage.maxDepth * 8
    }
    /// Longest virtual path (UTF-8 bytes) the page holds.
    static let pathCapacity = size - Offset.path

    private var sequence: UnsafeMutablePointer<Atomic<UInt64>> {
        (base + Offset.sequence).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    private init(base: UnsafeMutableRawPointer, fd: Int32, ownsFD: Bool) {
        self.base = base; self.fd = fd; self.ownsFD = ownsFD
    }

    deinit {
        munmap(base, Self.size)
        if ownsFD { close(fd) }
    }

    /// The supervisor's side: a new, zeroed page, its descriptor close-on-exec and above 9 (the
    /// spawn actions put it on fd 4 of the worker only).
    static func create() throws -> EntryPage {
        let made = exhibit_memfd("exhibit-entry-page")
        guard made >= 0 else { throw IngestError("memfd_create: \(String(cString: strerror(errno)))") }
        let fd = fcntl(made, F_DUPFD_CLOEXEC, 10)
        close(made)
        guard fd >= 0 else { throw IngestError("fcntl(F_DUPFD_CLOEXEC): \(String(cString: strerror(errno)))") }
        guard ftruncate(fd, off_t(size)) == 0, exhibit_seal_size(fd) == 0 else {
            let why = String(cString: strerror(errno)); close(fd)
            throw IngestError("cannot size the supervisor's entry page: \(why)")
        }
        guard let p = map(fd) else {
            let why = String(cString: strerror(errno)); close(fd)
            throw IngestError("cannot map the supervisor's entry page: \(why)")
        }
        p.storeBytes(of: magic, toByteOffset: Offset.magic, as: UInt64.self)
        let page = EntryPage(base: p, fd: fd, ownsFD: true)
        page.sequence.initialize(to: Atomic(0))
        return page
    }

    /// The worker's side: maps the page on `fd`. Refuses anything but a size-sealed memfd of the
    /// right size carrying the page's mark, so a wrong descriptor never has a file written to.
    /// Throws an ``IngestError`` with exit code 2.
    static func adopt(_ fd: Int32) throws -> EntryPage {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size == off_t(size), exhibit_is_size_sealed(fd) == 1 else {
            throw IngestError("--worker-page \(fd) is not the supervisor's entry page (it is for the supervisor's own use)", exitCode: 2)
        }
        guard let p = map(fd) else {
            throw IngestError("--worker-page \(fd): cannot map it: \(String(cString: strerror(errno)))", exitCode: 2)
        }
        guard p.load(fromByteOffset: Offset.magic, as: UInt64.self) == magic else {
            munmap(p, size)
            throw IngestError("--worker-page \(fd) is not the supervisor's entry page (it is for the supervisor's own use)", exitCode: 2)
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return EntryPage(base: p, fd: fd, ownsFD: true)
    }

    private static func map(_ fd: Int32) -> UnsafeMutableRawPointer? {
        let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        return p == UnsafeMutableRawPointer(bitPattern: -1) ? nil : p  // MAP_FAILED
    }

    // MARK: the worker (walker thread only)

    /// Publishes the entry about to be read; `false` (nothing written) when its identity does
    /// not fit the page, and the caller announces it on the pipe instead.
    func begin(evidenceID: Int64, position: [Int], path: String, timeout: Double) -> Bool {
        guard position.count <= Self.maxDepth, path.utf8.count <= Self.pathCapacity else { return false }
        write {
            base.storeBytes(of: evidenceID, toByteOffset: Offset.evidence, as: Int64.self)
            base.storeBytes(of: timeout.bitPattern, toByteOffset: Offset.timeout, as: UInt64.self)
            base.storeBytes(of: UInt32(position.count), toByteOffset: Offset.depth, as: UInt32.self)
            for (i, p) in position.enumerated() {
                base.storeBytes(of: Int64(p), toByteOffset: Offset.positions + i * 8, as: Int64.self)
            }
            var length = 0
            var text = path
            text.withUTF8 { bytes in
                if let src = bytes.baseAddress { (base + Offset.path).copyMemory(from: src, byteCount: bytes.count) }
                length = bytes.count
            }
            base.storeBytes(of: UInt32(length), toByteOffset: Offset.pathLength, as: UInt32.self)
            base.storeBytes(of: 1, toByteOffset: Offset.active, as: UInt32.self)
        }
        return true
    }

    /// The entry's read has ended.
    func end() {
        write { base.storeBytes(of: 0, toByteOffset: Offset.active, as: UInt32.self) }
    }

    private func write(_ fields: () -> Void) {
        let s = sequence.pointee.load(ordering: .relaxed)
        sequence.pointee.store(s &+ 1, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        fields()
        sequence.pointee.store(s &+ 2, ordering: .releasing)
    }

    // MARK: the supervisor

    /// What the page says at one moment.
    struct Snapshot: Equatable {
        /// Moves by two with every begin and every end.
        var sequence: UInt64
        /// `nil` when no entry is being read.
        var entry: Entry?
    }

    /// The entry being read.
    struct Entry: Equatable {
        var evidenceID: Int64
        var position: [Int]
        var path: String
        var timeout: Double
    }

    /// A consistent snapshot, or `nil` when the worker is in the middle of writing it (after the
    /// worker died: it died inside the few stores of a begin or an end, not reading an entry).
    func snapshot() -> Snapshot? {
        for attempt in 0..<100 {
            if attempt > 0 { usleep(100) }
            let before = sequence.pointee.load(ordering: .acquiring)
            guard before & 1 == 0 else { continue }
            var entry: Entry?
            if base.load(fromByteOffset: Offset.active, as: UInt32.self) != 0 {
                let depth = min(Int(base.load(fromByteOffset: Offset.depth, as: UInt32.self)), Self.maxDepth)
                let length = min(Int(base.load(fromByteOffset: Offset.pathLength, as: UInt32.self)), Self.pathCapacity)
                let position = (0..<depth).map { Int(base.load(fromByteOffset: Offset.positions + $0 * 8, as: Int64.self)) }
                let path = String(decoding: UnsafeRawBufferPointer(start: base + Offset.path, count: length), as: UTF8.self)
                entry = Entry(evidenceID: base.load(fromByteOffset: Offset.evidence, as: Int64.self), position: position, path: path,
                              timeout: Double(bitPattern: base.load(fromByteOffset: Offset.timeout, as: UInt64.self)))
            }
            atomicMemoryFence(ordering: .acquiring)
            if sequence.pointee.load(ordering: .relaxed) == before { return Snapshot(sequence: before, entry: entry) }
        }
        return nil
    }

    /// Watches the page's sequence between polls: an entry read whose sequence has not moved for
    /// longer than its timeout is the stalled one.
    struct StallClock {
        private var seen: UInt64?
        private var since: Double = 0

        /// The entry overdue at `now` (monotonic seconds), if any.
        mutating func overdue(_ snapshot: Snapshot?, now: Double) -> Entry? {
            guard let snapshot, let entry = snapshot.entry else { seen = nil; return nil }
            if seen != snapshot.sequence { seen = snapshot.sequence; since = now; return nil }
            return now - since > entry.timeout ? entry : nil
        }
    }
}
