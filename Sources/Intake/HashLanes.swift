import Crypto
import ExhibitKit
import ExhibitSupport
import Foundation

/// Two long-lived hashing threads: one runs MD5, the other SHA-1 + SHA-256, while the walker's
/// own thread inflates. MD5 is serial within a file and the slowest of the three (~0.75 GB/s
/// here), so splitting the three digests over two lanes and overlapping them with
/// decompression is what lets intake approach the machine's limit on two cores
/// (docs/BENCHMARKS.md). Work for one entry is queued in order on both lanes; at most
/// ``maxChunksInFlight`` chunks are queued at once, which bounds memory and makes the walker wait
/// when hashing is the bottleneck. The queue is deep (64 MiB) because work alternates: while the
/// walker inflates compressible text the lanes have little to do, and on incompressible media
/// the lanes lag while the walker has nothing to inflate; a shallow queue (6 MiB, before
/// 2026-12-08) made each side wait for the other in turn (docs/BENCHMARKS.md, "Hash queue depth").
final class HashLanes: @unchecked Sendable {
    // Safe: each lane's queue is guarded by its own condition; a job's digests are touched by one
    // lane each and read by the producer only after both lanes signalled the job done.
    static let chunkSize = 256 << 10
    static let maxChunksInFlight = 256
    /// Buffers the pool keeps for reuse; a burst beyond them is freed as it drains, so the deep
    /// queue costs memory only while it is full.
    static let keptChunks = 24

    fileprivate let slots = DispatchSemaphore(value: HashLanes.maxChunksInFlight)
    /// Chunk buffers are recycled: a fresh 256 KiB allocation is an mmap plus 64 page faults.
    fileprivate let pool = BufferPool()
    private let md5Lane: Lane
    private let shaLane: Lane

    init() {
        md5Lane = Lane(name: "exhibit-md5") { item in
            switch item {
            case .data(let job, let chunk): job.md5.update(bufferPointer: chunk.bytes)
            case .finish(let job): job.done.signal()
            }
        }
        shaLane = Lane(name: "exhibit-sha") { item in
            switch item {
            case .data(let job, let chunk):
                job.sha1.update(bufferPointer: chunk.bytes)
                job.sha256.update(bufferPointer: chunk.bytes)
            case .finish(let job): job.done.signal()
            }
        }
    }

    deinit {
        md5Lane.stop()
        shaLane.stop()
    }

    fileprivate func submit(_ job: HashJob, _ chunk: HashChunk) {
        md5Lane.push(.data(job, chunk))
        shaLane.push(.data(job, chunk))
    }

    /// Queues the end of `job` on both lanes without waiting.
    fileprivate func seal(_ job: HashJob) -> PendingDigest {
        md5Lane.push(.finish(job))
        shaLane.push(.finish(job))
        return PendingDigest(job: job)
    }

    fileprivate enum Item { case data(HashJob, HashChunk), finish(HashJob) }

    /// One thread with a FIFO of work items.
    private final class Lane: @unchecked Sendable {
        // Safe: `items`, `head` and `stopped` are only touched under `cond`.
        private let cond = NSCondition()
        private var items: [Item?] = []
        private var head = 0
        private var stopped = false

        init(name: String, work: @escaping @Sendable (Item) -> Void) {
            // The thread keeps its lane alive until `stop()` lets it return.
            let t = Thread { [self] in
                while let item = self.next() { work(item) }
            }
            t.name = name
            t.start()
        }

        func push(_ item: Item) {
            cond.lock()
            items.append(item)
            cond.signal()
            cond.unlock()
        }

        func stop() {
            cond.lock()
            stopped = true
            cond.signal()
            cond.unlock()
        }

        private func next() -> Item? {
            cond.lock()
            defer { cond.unlock() }
            while head == items.count {
                if stopped { return nil }
                cond.wait()
            }
            let item = items[head]
            items[head] = nil   // release the chunk: its slot returns once both lanes are done
            head += 1
            if head > 1024 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }
}

/// Digests still being computed on the lanes; ``wait()`` blocks until both lanes are done.
final class PendingDigest: @unchecked Sendable {
    // Safe: the result is computed once, under `lock`, after both lanes signalled.
    private let job: HashJob
    private let lock = NSLock()
    private var result: FileHashes?

    fileprivate init(job: HashJob) { self.job = job }

    func wait() -> FileHashes {
        lock.lock(); defer { lock.unlock() }
        if let result { return result }
        job.done.wait()
        job.done.wait()
        let r = FileHashes(md5: Hex.encode(job.md5.finalize()), sha1: Hex.encode(job.sha1.finalize()),
                           sha256: Hex.encode(job.sha256.finalize()))
        result = r
        return r
    }
}

/// One entry's digests in progress on the lanes.
final class HashJob: @unchecked Sendable {
    // Safe: see HashLanes.
    var md5 = Insecure.MD5()
    var sha1 = Insecure.SHA1()
    var sha256 = SHA256()
    let done = DispatchSemaphore(value: 0)
}

/// A copy of some entry bytes shared by both lanes; freeing it returns its buffer and its slot.
final class HashChunk: @unchecked Sendable {
    // Safe: filled by the producer before it is queued, then only read.
    let storage: UnsafeMutableRawBufferPointer
    var count = 0
    private let lanes: HashLanes

    fileprivate init(lanes: HashLanes) {
        lanes.slots.wait()
        self.lanes = lanes
        storage = lanes.pool.take()
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<count]) }

    deinit {
        lanes.pool.give(storage)
        lanes.slots.signal()
    }
}

/// Recycled chunk buffers (at most ``HashLanes/maxChunksInFlight`` exist at once, at most
/// ``HashLanes/keptChunks`` of them idle).
final class BufferPool: @unchecked Sendable {
    // Safe: `free` is only touched under `lock`.
    private let lock = NSLock()
    private var free: [UnsafeMutableRawBufferPointer] = []

    func take() -> UnsafeMutableRawBufferPointer {
        lock.lock()
        let b = free.popLast()
        lock.unlock()
        return b ?? UnsafeMutableRawBufferPointer.allocate(byteCount: HashLanes.chunkSize, alignment: 16)
    }

    func give(_ b: UnsafeMutableRawBufferPointer) {
        lock.lock()
        let keep = free.count < HashLanes.keptChunks
        if keep { free.append(b) }
        lock.unlock()
        if !keep { b.deallocate() }
    }

    deinit { for b in free { b.deallocate() } }
}

/// The digests of one entry: small entries (the common case in phone dumps) are hashed inline,
/// larger ones are streamed to the lanes in 256 KiB chunks.
struct EntryDigest {
    private let lanes: HashLanes?
    private var inline = MultiHasher()
    private var pending: HashChunk?
    private var job: HashJob?
    private var small: [UInt8] = []
    /// Entries up to this size are hashed on the calling thread: a hand-off costs more.
    static let inlineLimit = 64 << 10

    init(lanes: HashLanes?) { self.lanes = lanes }

    mutating func update(_ buf: UnsafeRawBufferPointer) {
        guard buf.count > 0 else { return }
        guard let lanes else { inline.update(buf); return }
        if job == nil {
            if small.count + buf.count <= Self.inlineLimit {
                small.append(contentsOf: buf)
                return
            }
            job = HashJob()
            let held = small
            small = []
            held.withUnsafeBytes { append($0, lanes) }
        }
        append(buf, lanes)
    }

    private mutating func append(_ buf: UnsafeRawBufferPointer, _ lanes: HashLanes) {
        var rest = buf
        while rest.count > 0 {
            if pending == nil { pending = HashChunk(lanes: lanes) }
            guard let chunk = pending, let job else { return }
            let n = min(rest.count, HashLanes.chunkSize - chunk.count)
            if let src = rest.baseAddress, let dst = chunk.storage.baseAddress {
                (dst + chunk.count).copyMemory(from: src, byteCount: n)
            }
            chunk.count += n
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            if chunk.count == HashLanes.chunkSize {
                lanes.submit(job, chunk)
                pending = nil
            }
        }
    }

    /// The digests: final for small entries, pending on the lanes for larger ones.
    mutating func finish() -> DigestResult {
        guard let lanes, let job else {
            if !small.isEmpty { small.withUnsafeBytes { inline.update($0) } }
            return .ready(inline.finalize())
        }
        if let chunk = pending, chunk.count > 0 { lanes.submit(job, chunk) }
        pending = nil
        return .pending(lanes.seal(job))
    }

    /// The digests, waiting for the lanes if needed.
    mutating func finalize() -> FileHashes {
        switch finish() {
        case .ready(let h): return h
        case .pending(let p): return p.wait()
        }
    }
}

/// Digests that are known now, or will be once the lanes finish.
enum DigestResult {
    case ready(FileHashes)
    case pending(PendingDigest)
}
