import ExhibitKit
import Foundation

/// Streams an evidence item — archive, bare compressed file or directory — entry by entry,
/// recursing into nested archives found by content, hashing every entry in one pass, under budgets.
///
/// Nothing is extracted under an entry's name: small entries stay in memory, larger ones go to
/// private spool files in ``IntakeOptions/temporaryDirectory`` that die with their ``ContentLease``.
/// A walker owns a libmagic handle and is used from one thread at a time.
public final class IntakeWalker {
    private let options: IntakeOptions
    private let magic: MagicDetector
    private let names: NameDecoder
    /// MD5 on one thread, SHA-1 + SHA-256 on another, overlapping decompression on this one.
    private let lanes = HashLanes()

    /// Called on the walker's thread just before an entry's data is read (`true`) and right
    /// after (`false`), with the entry's position and virtual path. The engine uses it to tell
    /// its supervisor which entry was being read if a C library brings the process down.
    public var dataReadHook: ((_ position: [Int], _ virtualPath: String, _ begin: Bool) -> Void)?
    /// Positions whose data must not be read: reading them crashed the process twice before.
    /// Such entries are listed with status `corrupt` and nothing is read from them.
    public var skipData: Set<[Int]> = []
    /// Set by the engine: the walker reports each libarchive call it makes here, so the worker's
    /// intake guard can tell a call that stopped making progress or grew memory past its budget.
    public var watch: IntakeWatch?
    /// Calls the intake guard stopped in an earlier worker, for the evidence item walked next:
    /// they are not made again (the entry, or the rest of its container, is `limit-exceeded`).
    public var stops: [IntakeStop] = []

    /// Loads the libmagic database once (MIME-type mode).
    public init(options: IntakeOptions) throws {
        self.options = options
        magic = try MagicDetector()
        names = NameDecoder(charsets: options.nameCharsets)
    }

    /// Sets the process up for deterministic archive times and names: `TZ=UTC` (libarchive converts
    /// DOS times with `mktime()` in the process zone) and the `C.UTF-8` locale (libarchive's
    /// charset conversions need a UTF-8 locale). Call once at start-up, before any thread reads time.
    public static func prepareProcess() {
        setenv("TZ", "UTC", 1)
        tzset()
        setlocale(LC_ALL, "C.UTF-8")
    }

    /// Walks one evidence item.
    ///
    /// `accountedBytes(position)` returns non-nil for an entry already committed by an earlier run:
    /// the walker then neither hashes nor emits it (for a container: does not descend) but adds the
    /// returned bytes to its running totals so budgets behave as in an uninterrupted run. Positions
    /// still advance. `emit` may throw to stop the walk. The walk throws only when the evidence
    /// cannot be opened at all (or a spool file cannot be written); every problem with the
    /// evidence's content is a recorded status. The last event is the `containerEnd` of position `[]`,
    /// whose summary is also returned.
    public func walk(_ source: EvidenceSource, accountedBytes: (_ position: [Int]) -> Int64?,
                     emit: (IntakeEvent) throws -> Void) throws -> ContainerSummary {
        var st = stat()
        guard stat(source.path, &st) == 0 else {
            throw IntakeError(operation: "open evidence", path: source.path, message: String(cString: strerror(errno)))
        }
        return try withoutActuallyEscaping(accountedBytes) { accounted in
            try withoutActuallyEscaping(emit) { emit in
                let isDirectory = UInt32(st.st_mode) & FileTypeBits.mask == FileTypeBits.directory
                let ctx = WalkContext(options: options, magic: magic, names: names, lanes: lanes,
                                      evidenceBytes: isDirectory ? 0 : Int64(st.st_size), accounted: accounted, emit: emit)
                // Events reach `emit` on the emitter's thread, in order, while this thread reads on.
                let emitter = OrderedEmitter(downstream: emit)
                ctx.emitter = emitter
                ctx.dataReadHook = dataReadHook
                ctx.skipData = skipData
                ctx.watch = watch
                ctx.stops = IntakeStops(stops)
                let summary: ContainerSummary
                do {
                    if isDirectory {
                        summary = try ctx.walkDirectory(path: source.path, label: source.label)
                    } else {
                        let src = try ByteSource(path: source.path)
                        let fileName = URL(fileURLWithPath: source.path).lastPathComponent
                        summary = try ctx.walkArchive(src, place: ContainerPlace(position: [], virtualPath: source.label, depth: 0, fileName: fileName))
                    }
                    try emitter.push(.containerEnd(summary))
                } catch {
                    // Prefer the caller's own failure (it stopped the walk) over what followed from it.
                    do { try emitter.finish() } catch let callerError { throw callerError }
                    throw error
                }
                try emitter.finish()
                return summary
            }
        }
    }

    /// Hashes a whole file (the evidence container, before anything else), read-only with
    /// `O_NOATIME` where permitted.
    public static func hashFile(atPath path: String) throws -> (hashes: FileHashes, size: Int64) {
        let fd = ByteSource.openReadOnly(path)
        guard fd >= 0 else { throw IntakeError(operation: "open", path: path, message: String(cString: strerror(errno))) }
        // A FIFO, a device (a link to /dev/zero) or a socket would never end or would have side
        // effects: only a regular file is hashed.
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw IntakeError(operation: "open", path: path, message: "not a regular file or folder (a FIFO, device or socket); refused")
        }
        let src = FileBlockSource(fd: fd)
        let lanes = HashLanes()
        var hasher = EntryDigest(lanes: lanes)
        var size: Int64 = 0
        while true {
            switch src.readBlock() {
            case .block(let buf, _), .warning(let buf, _, _):
                hasher.update(buf)
                size += Int64(buf.count)
            case .eof:
                return (hasher.finalize(), size)
            case .failed(let msg, _):
                throw IntakeError(operation: "read", path: path, message: msg)
            }
        }
    }

    /// Versions of the C libraries that shape findings, for the audit log: `libarchive` (its
    /// version details, with the compression libraries it was built with) and `libmagic` (version and database path).
    public static var libraryVersions: [String: String] {
        ["libarchive": ArchiveReader.versionDetails, "libmagic": "\(MagicDetector.version) (\(MagicDetector.databasePath))"]
    }
}
