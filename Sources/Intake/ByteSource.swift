import Foundation

/// Seekable, read-only bytes of a container: the evidence file, a spooled temp file, or memory.
///
/// libarchive reads it through callbacks (``ArchiveReader``), the zip inspector through
/// ``read(at:count:)``. Files are opened `O_RDONLY | O_NOATIME` (falling back without `O_NOATIME`
/// when the caller does not own the file), so the evidence is never modified, not even its atime.
final class ByteSource {
    enum Storage {
        case file(fd: Int32)
        case memory(Data)
    }

    let storage: Storage
    /// Total size in bytes.
    let size: Int64
    /// Read position of the libarchive callbacks.
    var position: Int64 = 0
    /// Set when a sequential read reached the end since the last seek: a failure then means truncation.
    var hitEnd = false
    /// libarchive's read buffer (valid until the next read callback).
    let buffer: UnsafeMutableRawPointer
    static let bufferSize = 1 << 20

    init(data: Data) {
        storage = .memory(data)
        size = Int64(data.count)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
    }

    /// Opens a file read-only without touching its access time where permitted.
    init(path: String) throws {
        let fd = Self.openReadOnly(path)
        guard fd >= 0 else {
            throw IntakeError(operation: "open", path: path, message: String(cString: strerror(errno)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let msg = String(cString: strerror(errno))
            close(fd)
            throw IntakeError(operation: "stat", path: path, message: msg)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw IntakeError(operation: "open", path: path, message: "not a regular file")
        }
        storage = .file(fd: fd)
        size = Int64(st.st_size)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
    }

    deinit {
        if case .file(let fd) = storage { close(fd) }
        buffer.deallocate()
    }

    /// Linux `O_NOATIME` (octal 01000000): Glibc hides it behind `_GNU_SOURCE`, so Swift cannot see it.
    #if os(Linux)
    static let noAtimeFlag: Int32 = 0o1000000
    #else
    static let noAtimeFlag: Int32 = 0
    #endif

    /// `open(O_RDONLY|O_NOATIME|O_CLOEXEC)`, retried without `O_NOATIME` (EPERM when not the owner).
    static func openReadOnly(_ path: String, extraFlags: Int32 = 0) -> Int32 {
        // O_NONBLOCK: opening a FIFO put (or swapped in) at the evidence path must not hang; it
        // changes nothing for regular files, the only kind the callers go on to read.
        var fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | noAtimeFlag | extraFlags)
        if fd < 0 && errno == EPERM { fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | extraFlags) }
        return fd
    }

    /// Reads up to `count` bytes at `offset` into `dest`; returns bytes read or -1 on an I/O error.
    func read(at offset: Int64, count: Int, into dest: UnsafeMutableRawPointer) -> Int {
        guard offset >= 0, offset < size, count > 0 else { return 0 }
        let n = Int(min(Int64(count), size - offset))
        switch storage {
        case .memory(let data):
            data.withUnsafeBytes { raw in
                if let base = raw.baseAddress { dest.copyMemory(from: base + Int(offset), byteCount: n) }
            }
            return n
        case .file(let fd):
            var done = 0
            while done < n {
                let r = pread(fd, dest + done, n - done, off_t(offset) + off_t(done))
                if r < 0 { if errno == EINTR { continue }; return done > 0 ? done : -1 }
                if r == 0 { break }
                done += r
            }
            return done
        }
    }

    /// Bounds-checked random read for parsers: at most `count` bytes (fewer at the end).
    func read(at offset: Int64, count: Int) -> [UInt8] {
        guard offset >= 0, offset < size, count > 0 else { return [] }
        let n = Int(min(Int64(count), size - offset))
        var out = [UInt8](repeating: 0, count: n)
        let got = out.withUnsafeMutableBytes { buf -> Int in
            guard let base = buf.baseAddress else { return 0 }
            return read(at: offset, count: n, into: base)
        }
        if got < n { out.removeLast(n - max(got, 0)) }
        return out
    }

    /// Back to the start, for a second libarchive handle over the same bytes.
    func rewind() {
        position = 0
        hitEnd = false
    }

    // MARK: libarchive callbacks (sequential reads from `position`)

    func nextBlock() -> Int {
        let n = read(at: position, count: Self.bufferSize, into: buffer)
        if n > 0 { position += Int64(n) }
        if n == 0 { hitEnd = true }
        return n
    }

    func seek(offset: Int64, whence: Int32) -> Int64 {
        let base: Int64
        switch whence {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = position
        case SEEK_END: base = size
        default: return -1
        }
        let target = base.addingReportingOverflow(offset)
        guard !target.overflow, target.partialValue >= 0 else { return -1 }
        position = min(target.partialValue, size)
        hitEnd = false
        return position
    }

    func skip(_ request: Int64) -> Int64 {
        guard request > 0 else { return 0 }
        let n = min(request, size - position)
        position += n
        return n
    }
}
