#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The loops every pipe and file descriptor user needs, written once: write everything (a
/// `write(2)` may write less than asked, or be interrupted) and read newline-ended lines.
public enum FileDescriptorIO {
    /// Writes all of `bytes` to `fd`, retrying short writes and `EINTR`. Returns `false` when a
    /// write fails or writes nothing (a closed pipe, a full disk); `errno` then says why.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        return transferAll(bytes.count) { off in write(fd, base + off, bytes.count - off) }
    }

    /// Writes all of `bytes` at byte `offset` of the file `fd` (`pwrite(2)`), retrying short
    /// writes and `EINTR`. Returns `false` when a write fails or writes nothing (a full disk).
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        return transferAll(bytes.count) { off in pwrite(fd, base + off, bytes.count - off, off_t(offset + off)) }
    }

    /// Fills all of `buffer` from byte `offset` of the file `fd` (`pread(2)`), retrying short
    /// reads and `EINTR`. Returns `false` when a read fails or the file ends first.
    public static func readAll(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        return transferAll(buffer.count) { off in pread(fd, base + off, buffer.count - off, off_t(offset + off)) }
    }

    /// The one retry rule of the three calls above: `transfer(done)` moves bytes from `done` on and
    /// returns how many (`write`/`pread` style); short transfers continue, `EINTR` is retried, an
    /// error or a transfer of nothing (end of file, closed pipe, full disk) is `false`.
    private static func transferAll(_ count: Int, _ transfer: (Int) -> Int) -> Bool {
        var done = 0
        while done < count {
            let n = transfer(done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// ``writeAll(_:_:)-(_,UnsafeRawBufferPointer)`` for byte arrays, `Data` and other contiguous bytes.
    @discardableResult
    public static func writeAll<B: Sequence>(_ fd: Int32, _ bytes: B) -> Bool where B.Element == UInt8 {
        if let done = bytes.withContiguousStorageIfAvailable({ writeAll(fd, UnsafeRawBufferPointer($0)) }) { return done }
        return Array(bytes).withUnsafeBytes { writeAll(fd, $0) }
    }

    /// Reads `fd` to its end and calls `line` for each newline-ended line (without the newline),
    /// then once for an unended last line unless `dropUnended` (a writer that died mid-line). A line longer than `maxLine` is handed over in pieces
    /// of `maxLine` bytes, so memory stays bounded whatever the writer sends. `EINTR` is retried;
    /// a read error ends the loop like end of file.
    public static func forEachLine(_ fd: Int32, maxLine: Int = Int.max, chunkSize: Int = 65_536, dropUnended: Bool = false,
                                   _ line: (ArraySlice<UInt8>) -> Void) {
        var lines = LineBuffer()
        var chunk = [UInt8](repeating: 0, count: max(1, chunkSize))
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            lines.append(chunk[0..<n])
            while let l = lines.next() { line(l[...]) }
            while lines.pendingCount > maxLine { line(lines.take(maxLine)[...]) }
        }
        if lines.pendingCount > 0, !dropUnended { line(lines.take(lines.pendingCount)[...]) }
    }
}

/// Bytes received so far, cut into newline-ended lines in linear time: the consumed prefix is
/// dropped only when it is at least half the buffer (many short lines: no quadratic copying), and
/// bytes already searched are not searched again (a long line arriving in many chunks).
public struct LineBuffer: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0

    /// An empty buffer.
    public init() {}

    /// Bytes received and not yet returned as a line.
    public var pendingCount: Int { buffer.count - start }

    /// Adds received bytes.
    public mutating func append<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(..<start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line without its newline, or `nil` until one has arrived.
    public mutating func next() -> [UInt8]? {
        guard let nl = buffer[max(start, scanned)...].firstIndex(of: 10) else {
            scanned = buffer.count
            return nil
        }
        let line = Array(buffer[start..<nl])
        start = nl + 1
        scanned = start
        if start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0; scanned = 0 }
        return line
    }

    /// Removes and returns the first `count` pending bytes (at most ``pendingCount``), whether or
    /// not a newline is among them: an overlong line is handed over in pieces.
    public mutating func take(_ count: Int) -> [UInt8] {
        let n = min(max(0, count), pendingCount)
        let piece = Array(buffer[start..<start + n])
        start += n
        scanned = max(scanned, start)
        if start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0; scanned = 0 }
        return piece
    }
}
