import ExhibitKit
import Foundation

/// Collects one entry's bytes in a single pass: the three digests, the first bytes for libmagic,
/// and the content itself — in memory up to the threshold, then in a private 0600 spool file.
///
/// The spool file gets a neutral generated name in the run's private temp directory: an entry's
/// own name is never used as a path.
final class EntryContentCollector {
    private let threshold: Int
    private let directory: URL
    private var hasher: EntryDigest
    private var memory = Data()
    /// The first ``MagicDetector/sniffBytes`` bytes, kept separately once content moves to disk.
    private var head = Data()
    private var fd: Int32 = -1
    private(set) var spoolURL: URL?
    private(set) var count: Int64 = 0

    /// Decides, from the first bytes of an entry too large for memory, whether it must be
    /// spooled anyway (nil: always spool). Used for hash-only ingests, where only nested
    /// archives need their bytes after the pass.
    private let mustSpool: ((UnsafeRawBufferPointer) -> Bool)?
    /// Set when a large entry's bytes are hashed in passing and not kept.
    private var discarding = false
    /// Whether `mustSpool` was asked already.
    private var decided = false
    /// Hash-only ingest: the sniff window collects in the walker's recycled buffer until the
    /// spool decision, so an entry longer than the window that is not kept costs no allocation
    /// (and no fresh pages) for its head; only kept bytes become `memory`.
    private let scratch: HeadScratch?
    /// Bytes of the entry in `scratch` (before the decision; the head after it, when discarding).
    private var scratchCount = 0

    init(threshold: Int, directory: URL, expectedSize: Int64?, lanes: HashLanes?,
         mustSpool: ((UnsafeRawBufferPointer) -> Bool)? = nil, scratch: HeadScratch? = nil) {
        self.threshold = threshold
        self.directory = directory
        self.mustSpool = mustSpool
        self.hasher = EntryDigest(lanes: lanes)
        // The window must be decided before anything could spool (threshold ≥ window).
        self.scratch = mustSpool != nil && threshold >= MagicDetector.sniffBytes ? scratch : nil
        if self.scratch == nil, let expectedSize, expectedSize > 0 {
            // A hostile header can claim anything: reserve at most 1 MiB up front.
            memory.reserveCapacity(Int(min(expectedSize, Int64(min(threshold, 1 << 20)))))
        }
    }

    /// Set once the spool file belongs to a ``ContentLease``.
    private var handedOut = false

    deinit {
        if fd >= 0 { close(fd) }
        // A sink dropped before `finish` (an error mid-entry) must not leave its spool behind.
        if !handedOut, let url = spoolURL { unlink(url.path) }
    }

    func append(_ buf: UnsafeRawBufferPointer) throws {
        guard buf.count > 0 else { return }
        hasher.update(buf)
        count += Int64(buf.count)
        try keep(buf)
    }

    /// Keeps bytes already hashed and counted: in memory, the spool file, or the sniff window.
    private func keep(_ buf: UnsafeRawBufferPointer) throws {
        if discarding { return }
        if let scratch, !decided {
            try appendWindow(buf, scratch)
            return
        }
        if fd < 0 {
            let after = memory.count + buf.count
            // Hash-only ingest: once the sniff window is full, keep the bytes only if they are a
            // nested archive (which must be opened after this pass).
            if let mustSpool, !decided, after >= MagicDetector.sniffBytes {
                decided = true
                var window = memory.prefix(MagicDetector.sniffBytes)
                window.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf.prefix(MagicDetector.sniffBytes - window.count)))
                if !window.withUnsafeBytes(mustSpool) {
                    discarding = true
                    head = window
                    memory = Data()
                    return
                }
            }
            if after <= threshold {
                memory.append(contentsOf: buf)
                return
            }
            try startSpool()
        }
        if head.count < MagicDetector.sniffBytes {
            head.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf.prefix(MagicDetector.sniffBytes - head.count)))
        }
        try write(buf)
    }

    /// Before the spool decision (hash-only ingest): fills the sniff window in `scratch`; once it
    /// is full, asks `mustSpool` and either keeps the head there (discarding the rest) or moves the
    /// window into `memory` and goes on as usual.
    private func appendWindow(_ buf: UnsafeRawBufferPointer, _ scratch: HeadScratch) throws {
        let window = MagicDetector.sniffBytes
        let n = min(buf.count, window - scratchCount)
        if let src = buf.baseAddress, let dst = scratch.buffer.baseAddress {
            (dst + scratchCount).copyMemory(from: src, byteCount: n)
        }
        scratchCount += n
        guard scratchCount == window, let mustSpool else { return }
        decided = true
        let head = UnsafeRawBufferPointer(rebasing: scratch.buffer[0..<window])
        if !mustSpool(head) {
            discarding = true
            return
        }
        memory = Data(head)
        let rest = UnsafeRawBufferPointer(rebasing: buf[n...])
        if rest.count > 0 { try keep(rest) }
    }

    /// Appends `count` zero bytes (a sparse gap) in 1 MiB steps.
    func appendZeros(_ n: Int64) throws {
        var left = n
        while left > 0 {
            let step = Int(min(left, Int64(ZeroBlock.size)))
            try append(UnsafeRawBufferPointer(rebasing: ZeroBlock.pointer.prefix(step)))
            left -= Int64(step)
        }
    }

    private func startSpool() throws {
        let name = "spool-\(getpid())-\(UUID().uuidString)"
        let url = directory.appendingPathComponent(name)
        let f = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard f >= 0 else {
            throw IntakeError(operation: "create spool file", path: url.path, message: String(cString: strerror(errno)))
        }
        fd = f
        spoolURL = url
        head = memory.prefix(MagicDetector.sniffBytes)
        let pending = memory
        memory = Data()
        try pending.withUnsafeBytes { try write($0) }
    }

    private func write(_ buf: UnsafeRawBufferPointer) throws {
        guard let base = buf.baseAddress else { return }
        var done = 0
        while done < buf.count {
            let r = Glibc.write(fd, base + done, buf.count - done)
            if r < 0 {
                if errno == EINTR { continue }
                throw IntakeError(operation: "write spool file", path: spoolURL?.path ?? "", message: String(cString: strerror(errno)))
            }
            done += r
        }
    }

    /// Calls `body` with the bytes libmagic should see.
    func withHead<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        if let scratch, !decided || discarding {
            return body(UnsafeRawBufferPointer(rebasing: scratch.buffer[0..<scratchCount]))
        }
        if spoolURL != nil || discarding { return head.withUnsafeBytes(body) }
        return memory.prefix(MagicDetector.sniffBytes).withUnsafeBytes(body)
    }

    /// Finishes: digests, content, and the lease that deletes the spool file.
    func finish() -> (hashes: DigestResult, content: FileContent, lease: ContentLease?) {
        let hashes = hasher.finish()
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if let url = spoolURL {
            handedOut = true
            return (hashes, .temporaryFile(url), ContentLease(url: url))
        }
        if discarding { return (hashes, .none, nil) }
        if let scratch, !decided {
            // Shorter than the sniff window: the whole entry is in the scratch buffer.
            return (hashes, .memory(Data(UnsafeRawBufferPointer(rebasing: scratch.buffer[0..<scratchCount]))), nil)
        }
        return (hashes, .memory(memory), nil)
    }

}

/// The sniff window's buffer, recycled by one walker from entry to entry (one collector at a time:
/// an entry's data is read to the end before the next one, or a nested container, is opened).
final class HeadScratch {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: MagicDetector.sniffBytes, alignment: 16)
    deinit { buffer.deallocate() }
}
