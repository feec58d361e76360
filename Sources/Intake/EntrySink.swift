import ExhibitKit
import Foundation

/// Collects one entry's bytes in a single pass: the three digests, the first bytes for libmagic,
/// and the content itself — in memory up to the threshold, then in a private 0600 spool file.
///
/// The spool file gets a neutral generated name in the run's private temp directory: an entry's
/// own name is never used as a path.
final class EntrySink {
    private let threshold: Int
    private let directory: URL
    private var hasher = MultiHasher()
    private var memory = Data()
    /// The first ``MagicDetector/sniffBytes`` bytes, kept separately once content moves to disk.
    private var head = Data()
    private var fd: Int32 = -1
    private(set) var spoolURL: URL?
    private(set) var count: Int64 = 0

    init(threshold: Int, directory: URL, expectedSize: Int64?) {
        self.threshold = threshold
        self.directory = directory
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
        if fd < 0 && memory.count + buf.count <= threshold {
            memory.append(contentsOf: buf)
            return
        }
        if fd < 0 { try startSpool() }
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
        if spoolURL != nil { return head.withUnsafeBytes(body) }
        return memory.prefix(MagicDetector.sniffBytes).withUnsafeBytes(body)
    }

    /// Finishes: digests, content, and the lease that deletes the spool file.
    func finish() -> (hashes: FileHashes, content: FileContent, lease: ContentLease?) {
        let hashes = hasher.finalize()
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if let url = spoolURL {
            handedOut = true
            return (hashes, .temporaryFile(url), ContentLease(url: url))
        }
        return (hashes, .memory(memory), nil)
    }

}
