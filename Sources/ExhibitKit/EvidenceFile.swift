import Foundation

/// Lower-case hex digests computed by intake in one pass over the bytes actually read.
public struct FileHashes: Sendable, Hashable, Codable {
    public var md5: String
    public var sha1: String
    public var sha256: String
    public init(md5: String, sha1: String, sha256: String) {
        self.md5 = md5; self.sha1 = sha1; self.sha256 = sha256
    }
}

/// Outcome of reading one entry (or one evidence container). Stored in `files.status`.
public enum EntryStatus: String, Sendable, Codable, CaseIterable {
    case ok
    /// Encrypted data (ZipCrypto, AES, 7z): never reported as empty.
    case encrypted
    /// A format or feature libarchive cannot read.
    case unsupported
    /// The data ended early; every byte read before the damage is kept and hashed.
    case truncated
    /// The data is damaged (bad CRC, bad stream) or structurally inconsistent.
    case corrupt
    /// A budget (depth, bytes, entries, ratio) stopped the read; see the message for which.
    case limitExceeded = "limit-exceeded"
    /// A symbolic or hard link: recorded as metadata, never followed.
    case link
}

/// What kind of archive member or directory entry a row describes.
public enum EntryKind: String, Sendable, Codable, CaseIterable {
    case file, directory, symlink, hardlink, other
}

/// Timestamps an archive or file system recorded for an entry.
public struct EntryTimes: Sendable, Hashable, Codable {
    public var modified: TimeValue?
    public var accessed: TimeValue?
    public var changed: TimeValue?
    public var created: TimeValue?
    public init(modified: TimeValue? = nil, accessed: TimeValue? = nil, changed: TimeValue? = nil, created: TimeValue? = nil) {
        self.modified = modified; self.accessed = accessed; self.changed = changed; self.created = created
    }
}

/// Where an entry's bytes live while analyzers look at them.
public enum FileContent: Sendable {
    /// Small entries stay in memory.
    case memory(Data)
    /// Large entries are spooled to a private (0600) temp file that intake deletes afterwards.
    case temporaryFile(URL)
    /// No readable bytes (directory, link, encrypted, unsupported).
    case none
}

/// Errors raised by ``EvidenceFile`` accessors.
public enum EvidenceFileError: Error, Sendable, CustomStringConvertible {
    case noContent(path: String)
    case tooLarge(path: String, size: Int64, limit: Int)
    case io(path: String, message: String)
    public var description: String {
        switch self {
        case .noContent(let p): return "\(p): no readable content"
        case .tooLarge(let p, let s, let l): return "\(p): \(s) bytes exceeds the \(l)-byte read limit"
        case .io(let p, let m): return "\(p): \(m)"
        }
    }
}

/// One file found in the evidence, as handed to an ``Analyzer``.
///
/// Everything here was computed by intake: analyzers never re-hash. The bytes are valid only
/// for the duration of the ``Analyzer/analyze(_:context:)`` call: a temp file behind them is
/// deleted afterwards, so an analyzer must not keep the URL.
public struct EvidenceFile: Sendable {
    /// Stable identity within the case: evidence label plus entry positions (not the path, which
    /// can repeat in hostile archives). Printed form `seized.zip#3/17`.
    public var key: String
    /// `<evidence label>!/<entry path>`, nested archives joined with `!/`.
    public var virtualPath: String
    /// Number of bytes actually read (declared sizes are not trusted).
    public var size: Int64
    public var hashes: FileHashes
    /// Type detected from content by libmagic (`image/jpeg`), never from the name.
    public var mime: String
    public var times: EntryTimes
    public var content: FileContent
    /// Where the file lived on the seized device (`/data/data/org.telegram.messenger/files/cache4.db`),
    /// when it is inside a recognised phone extraction (docs/intake.md); `nil` otherwise.
    public var devicePath: String?
    /// Private copies of the sibling files the analyzer asked for (``Acceptance/companions``),
    /// in the same private folder as ``content``'s copy and under their own names. Empty unless
    /// the descriptor names companions.
    public var companions: [CompanionFile]

    public init(key: String, virtualPath: String, size: Int64, hashes: FileHashes, mime: String,
                times: EntryTimes = EntryTimes(), content: FileContent, devicePath: String? = nil,
                companions: [CompanionFile] = []) {
        self.key = key; self.virtualPath = virtualPath; self.size = size; self.hashes = hashes
        self.mime = mime; self.times = times; self.content = content; self.devicePath = devicePath
        self.companions = companions
    }

    /// The companion copy named `name` (`wa.db`, `cache4.db-wal`), if the evidence had it.
    public func companion(named name: String) -> CompanionFile? { companions.first { $0.name == name } }

    /// The entry's own name (last component of the innermost path).
    public var name: String {
        let inner = virtualPath.components(separatedBy: "!/").last ?? virtualPath
        return inner.split(separator: "/").last.map(String.init) ?? inner
    }

    /// The virtual path of the folder holding this file (`seized.zip!/ChatExport`).
    public var directoryPath: String {
        guard let slash = virtualPath.lastIndex(of: "/") else { return virtualPath }
        let dir = String(virtualPath[..<slash])
        return dir.hasSuffix("!") ? String(dir.dropLast()) : dir
    }

    /// Names a sibling by a path relative to this file's folder (`photos/a.jpg`, `../b.txt`),
    /// normalised the way intake builds virtual paths. Cross-file references are names; the store
    /// resolves them to file rows after intake.
    public func siblingPath(_ relative: String) -> String {
        let (container, inner) = VirtualPath.split(virtualPath)
        let folder = inner.lastIndex(of: "/").map { String(inner[..<$0]) } ?? ""
        return VirtualPath.join(directory: container + folder, relative: relative)
    }

    /// All bytes, if they fit under `limit`. Large files are better read with ``withFileHandle(temporaryDirectory:_:)``.
    public func readAll(limit: Int = 256 << 20) throws -> Data {
        switch content {
        case .memory(let d):
            guard d.count <= limit else { throw EvidenceFileError.tooLarge(path: virtualPath, size: Int64(d.count), limit: limit) }
            return d
        case .temporaryFile(let url):
            guard size <= Int64(limit) else { throw EvidenceFileError.tooLarge(path: virtualPath, size: size, limit: limit) }
            do { return try Data(contentsOf: url) } catch { throw EvidenceFileError.io(path: virtualPath, message: "\(error)") }
        case .none:
            throw EvidenceFileError.noContent(path: virtualPath)
        }
    }

    /// The first `count` bytes (or fewer), for sniffing.
    public func prefix(_ count: Int) -> Data {
        switch content {
        case .memory(let d): return d.prefix(count)
        case .temporaryFile(let url):
            guard let h = try? FileHandle(forReadingFrom: url) else { return Data() }
            defer { try? h.close() }
            return (try? h.read(upToCount: count)) ?? Data()
        case .none: return Data()
        }
    }

    /// Runs `body` with a read-only handle positioned at offset 0. In-memory content is copied to
    /// a private file under `temporaryDirectory` (the run's 0700 scratch folder) for the call.
    public func withFileHandle<T>(temporaryDirectory: URL, _ body: (FileHandle) throws -> T) throws -> T {
        switch content {
        case .temporaryFile(let url):
            let h: FileHandle
            do { h = try FileHandle(forReadingFrom: url) } catch { throw EvidenceFileError.io(path: virtualPath, message: "\(error)") }
            defer { try? h.close() }
            return try body(h)
        case .memory(let d):
            // A pipe would block on large data; a private temp copy keeps the contract simple.
            let url = temporaryDirectory.appendingPathComponent("content-\(UUID().uuidString)")
            guard FileManager.default.createFile(atPath: url.path, contents: d, attributes: [.posixPermissions: 0o600]) else {
                throw EvidenceFileError.io(path: virtualPath, message: "cannot create private temp copy")
            }
            defer { try? FileManager.default.removeItem(at: url) }
            let h = try FileHandle(forReadingFrom: url)
            defer { try? h.close() }
            return try body(h)
        case .none:
            throw EvidenceFileError.noContent(path: virtualPath)
        }
    }
}

/// A private copy of a file found beside an accepted file (a database's `-wal`/`-journal`, or a
/// second database of the same app), handed to the analyzer with it. Valid only during the call.
public struct CompanionFile: Sendable, Hashable {
    /// The file's own name (`cache4.db-wal`, `wa.db`), also its name in the private folder.
    public var name: String
    /// Its virtual path in the evidence, for provenance.
    public var virtualPath: String
    /// Its device path, when inside a recognised phone extraction.
    public var devicePath: String?
    public var size: Int64
    public var sha256: String
    /// The private copy (0600, in a 0700 folder of the run's scratch area).
    public var url: URL

    public init(name: String, virtualPath: String, devicePath: String?, size: Int64, sha256: String, url: URL) {
        self.name = name; self.virtualPath = virtualPath; self.devicePath = devicePath; self.size = size
        self.sha256 = sha256; self.url = url
    }
}

/// Virtual-path helpers shared by intake, analyzers and the store.
public enum VirtualPath {
    /// The separator between a container and a path inside it.
    public static let containerSeparator = "!/"

    /// Joins `relative` onto `directory`, resolving `.` and `..` without ever climbing above the
    /// innermost container (`a.zip!/x/../../y` stays inside `a.zip!/`).
    public static func join(directory: String, relative: String) -> String {
        let (container, inner) = split(directory)
        var parts = inner.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for comp in relative.split(separator: "/", omittingEmptySubsequences: true) {
            if comp == "." { continue }
            if comp == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(String(comp))
        }
        return container + parts.joined(separator: "/")
    }

    /// Splits at the last `!/` into (`label!/…!/`, path inside the innermost container).
    public static func split(_ path: String) -> (container: String, inner: String) {
        // An ASCII path (the usual one) is searched byte by byte: Foundation's search bridges the
        // string first, a few µs twice per entry on the engine's path. ASCII has no combining
        // sequences, so the byte search finds what Foundation finds; other paths still use it.
        let found = path.utf8.allSatisfy({ $0 < 0x80 }) ? lastSeparator(inASCII: path)
            : path.range(of: containerSeparator, options: .backwards)
        guard let r = found else { return (path + containerSeparator, "") }
        return (String(path[..<r.upperBound]), String(path[r.upperBound...]))
    }

    private static func lastSeparator(inASCII path: String) -> Range<String.Index>? {
        let u = path.utf8
        var i = u.endIndex
        var slashAfter = false
        while i > u.startIndex {
            i = u.index(before: i)
            let b = u[i]
            if b == UInt8(ascii: "!"), slashAfter { return i..<u.index(i, offsetBy: 2) }
            slashAfter = b == UInt8(ascii: "/")
        }
        return nil
    }

    /// Normalises an entry name from an archive into a safe inner path: backslashes become `/`,
    /// leading `/`, drive letters, `.` and `..` segments are removed (zip-slip names are data,
    /// never a place to write). Returns the cleaned path and whether anything was changed.
    public static func sanitize(entryName: String) -> (path: String, changed: Bool) {
        // Foundation's replace (a bridged copy, ~7 % of a 200,000-entry ingest) only when there is
        // a backslash byte to replace; without one it returns the name unchanged. No `count`
        // either (a walk over every character): a second character exists when it is `:`.
        var s = entryName.utf8.contains(UInt8(ascii: "\\")) ? entryName.replacingOccurrences(of: "\\", with: "/") : entryName
        if s.dropFirst().first == ":", s.first?.isLetter == true { s = String(s.dropFirst(2)) }
        var parts: [String] = []
        for comp in s.split(separator: "/", omittingEmptySubsequences: true) {
            if comp == "." || comp == ".." { continue }
            parts.append(String(comp))
        }
        let out = parts.joined(separator: "/")
        let trimmedOriginal = entryName.hasSuffix("/") ? String(entryName.dropLast()) : entryName
        return (out, out != trimmedOriginal)
    }
}
