import Foundation

/// Problems writing an export or report (the database side throws its own errors).
public enum ExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The output path already exists and overwriting was not asked for.
    case outputExists(path: String)
    /// The output could not be created or written.
    case cannotWrite(path: String, reason: String)
    /// An option the format cannot use.
    case invalidOption(String)

    /// A sentence naming the file and the remedy.
    public var description: String {
        switch self {
        case .outputExists(let p): return "\(p): already exists; choose another --out path or pass --force"
        case .cannotWrite(let p, let r): return "\(p): cannot write (\(r))"
        case .invalidOption(let m): return m
        }
    }
}

/// A buffered, append-only output file.
///
/// Written to `<path>.partial` and renamed to `path` only by ``finish()``, so an export that
/// stopped half-way never looks complete. Bytes are collected in a 1 MiB buffer: exports write
/// millions of short pieces, and one `write(2)` per piece would dominate the run.
public final class ExportOutput {
    /// The final path.
    public let path: String
    private let partialPath: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let flushAt = 1 << 20
    private var finished = false

    /// Creates `<path>.partial`. Refuses an existing `path` unless `overwrite`.
    public init(path: String, overwrite: Bool) throws {
        self.path = path
        self.partialPath = path + ".partial"
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            // --force replaces a file, never a directory (finishing would have deleted it and all in it).
            if isDirectory.boolValue { throw ExportError.cannotWrite(path: path, reason: "it is a directory; give a file path") }
            if !overwrite { throw ExportError.outputExists(path: path) }
        }
        try? fm.removeItem(atPath: partialPath)
        guard fm.createFile(atPath: partialPath, contents: nil, attributes: [.posixPermissions: 0o644]),
              let h = FileHandle(forWritingAtPath: partialPath) else {
            throw ExportError.cannotWrite(path: path, reason: "cannot create \(partialPath)")
        }
        handle = h
        buffer.reserveCapacity(flushAt + 65_536)
    }

    deinit {
        // An export that threw half-way leaves nothing behind that could pass for a result.
        if !finished {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: partialPath)
        }
    }

    /// Appends UTF-8 text.
    public func write(_ text: String) throws {
        var t = text
        t.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= flushAt { try flush() }
    }

    /// Appends bytes.
    public func write(bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushAt { try flush() }
    }

    /// Appends the bytes built by `body` directly into the buffer (no intermediate strings).
    public func append(_ body: (inout [UInt8]) -> Void) throws {
        body(&buffer)
        if buffer.count >= flushAt { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw ExportError.cannotWrite(path: path, reason: "\(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, closes and renames the file into place. Not fsync'ed: the
    /// rename is what marks it complete, and an export can be written again from the database
    /// (forcing 100s of MB to disk doubled the wall time of a 1 M-event export).
    public func finish() throws {
        try flush()
        do { try handle.close() } catch { throw ExportError.cannotWrite(path: path, reason: "\(error)") }
        // rename(2) replaces an existing file in one step and refuses a directory, where
        // remove-then-move would delete a directory tree that appeared at `path` meanwhile.
        guard rename(partialPath, path) == 0 else {
            throw ExportError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        finished = true
    }
}

