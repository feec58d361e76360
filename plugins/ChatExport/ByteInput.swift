import Foundation
import ExhibitKit
#if canImport(Glibc)
import Glibc
#endif

/// Reads an evidence file's bytes in bounded chunks, from memory or from intake's spooled temp
/// file, so that no parser ever needs the whole file at once (a 2 GB HTML stays 1 MiB in flight).
struct ByteInput {
    let file: EvidenceFile
    /// Chunk size for file reads; memory content is handed out in slices of the same size.
    static let chunkSize = 1 << 20

    /// Calls `body` with successive chunks until the bytes end or `body` returns `false`.
    /// The pointer is valid only during the call.
    func forEachChunk(_ body: (UnsafeRawBufferPointer) -> Bool) throws {
        switch file.content {
        case .memory(let data):
            var start = data.startIndex
            while start < data.endIndex {
                let end = min(start + Self.chunkSize, data.endIndex)
                let go = data[start..<end].withUnsafeBytes { body($0) }
                if !go { return }
                start = end
            }
        case .temporaryFile(let url):
            let fd = open(url.path, O_RDONLY)
            guard fd >= 0 else { throw EvidenceFileError.io(path: file.virtualPath, message: "cannot open spooled content (errno \(errno))") }
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, Self.chunkSize) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw EvidenceFileError.io(path: file.virtualPath, message: "read failed (errno \(errno))")
                }
                if n == 0 { return }
                let go = buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                if !go { return }
            }
        case .none:
            throw EvidenceFileError.noContent(path: file.virtualPath)
        }
    }

    /// The first `count` bytes, for detection.
    func prefix(_ count: Int) -> [UInt8] { [UInt8](file.prefix(count)) }
}
