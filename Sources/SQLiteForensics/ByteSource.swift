import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a database's bytes come from: an array in memory, or a file read page by page with
/// `pread` — then memory stays bounded by what one page read and the rows found need, whatever
/// the file's size (a 2 GiB database is never held whole). Reads never go past the bytes that exist.
public struct ByteSource: Sendable {
    enum Storage: Sendable {
        case memory([UInt8])
        case file(FileReader)
    }

    let storage: Storage
    /// The number of bytes.
    public let count: Int

    /// Bytes held in memory.
    public init(_ bytes: [UInt8]) {
        storage = .memory(bytes); count = bytes.count
    }

    /// A file opened read-only and read with `pread` (the engine's private copy, never the
    /// evidence in place). Throws when it cannot be opened or its size read.
    public init(path: String) throws {
        let r = try FileReader(path: path)
        storage = .file(r); count = r.size
    }

    /// `length` bytes from `offset`, or `nil` when they do not all exist (or the read fails).
    public func read(_ offset: Int, _ length: Int) -> [UInt8]? {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else { return nil }
        switch storage {
        case .memory(let b): return Array(b[offset..<(offset + length)])
        case .file(let r): return r.read(offset, length)
        }
    }
}

/// A read-only file descriptor closed when the last reference goes.
final class FileReader: @unchecked Sendable {
    // Safe: `fd` and `size` are immutable; `pread` takes its own offset, so concurrent reads
    // never share a file position.
    let fd: Int32
    let size: Int

    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw OpenError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw OpenError(description: "cannot read the size of \(path)")
        }
        self.fd = fd
        size = Int(st.st_size)
    }

    deinit { close(fd) }

    /// Exactly `length` bytes from `offset`, or `nil` when the file ends first or a read fails.
    func read(_ offset: Int, _ length: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: length)
        var done = 0
        let ok = out.withUnsafeMutableBytes { buf -> Bool in
            guard let base = buf.baseAddress else { return length == 0 }
            while done < length {
                let n = pread(fd, base + done, length - done, off_t(offset + done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
        return ok ? out : nil
    }
}
