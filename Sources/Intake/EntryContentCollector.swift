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

    init(threshold: Int, directory: URL, expectedSize: Int64?, lanes: HashLanes?,
         mustSpool: ((UnsafeRawBufferPointer) -> Bool)? = nil) {
        self.threshold = threshold
        self.directory = directory
        self.mustSpool = mustSpool
        self.hasher = EntryDigest(lanes: lanes)
        if let expectedSize, expectedSize > 0 {
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
        if discarding { return }
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
        return (hashes, .memory(memory), nil)
    }

}
