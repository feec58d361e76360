import ExhibitKit
import Foundation

/// Limits that stop hostile archives (zip bombs, deep nesting, entry floods) from exhausting the machine.
///
/// Every budget, when exceeded, records status `limit-exceeded` with a message naming the budget and
/// the command-line flag that raises it; the walk then goes on where that is safe.
public struct IntakeBudgets: Sendable, Hashable {
    /// Levels of archives opened, the evidence item counting as level 1: with 3, the evidence and
    /// two levels of nested archives are opened; an archive on level 4 is hashed but not opened.
    public var maxDepth: Int
    /// Expanded bytes per evidence item, nested archives included (bytes read, zero-filled or skipped by decompression).
    public var maxTotalBytes: Int64
    /// Bytes read from one entry.
    public var maxEntryBytes: Int64
    /// Entries listed in one container (archive or directory tree).
    public var maxEntriesPerArchive: Int
    /// Expanded/compressed ratio, per entry and per evidence item.
    public var maxRatio: Double
    /// The ratio is checked only once the expansion passes this many bytes, so small, very compressible files pass.
    public var ratioFloorBytes: Int64

    /// Creates budgets; every parameter has a default sized for real phone and PC dumps.
    public init(maxDepth: Int = 8, maxTotalBytes: Int64 = 4 << 40, maxEntryBytes: Int64 = 64 << 30,
                maxEntriesPerArchive: Int = 10_000_000, maxRatio: Double = 1000, ratioFloorBytes: Int64 = 64 << 20) {
        self.maxDepth = maxDepth
        self.maxTotalBytes = maxTotalBytes
        self.maxEntryBytes = maxEntryBytes
        self.maxEntriesPerArchive = maxEntriesPerArchive
        self.maxRatio = maxRatio
        self.ratioFloorBytes = ratioFloorBytes
    }

    /// The defaults: depth 8, 4 TiB total, 64 GiB per entry, 10,000,000 entries, ratio 1000 past 64 MiB.
    public static let `default` = IntakeBudgets()
}

/// How the walker reads evidence.
public struct IntakeOptions: Sendable {
    /// Budgets that stop hostile input.
    public var budgets: IntakeBudgets
    /// Legacy charsets (iconv names) tried in order for entry names that are not valid UTF-8.
    public var nameCharsets: [String]
    /// Entries larger than this many bytes are spooled to a private temp file instead of memory.
    public var memoryThreshold: Int
    /// A private (0700) directory created by the caller; spool files (0600) are created only here.
    public var temporaryDirectory: URL
    /// Zone for DOS date-times that carry no zone (zip without UTC extra fields, cab, rar 4); `nil` = unknown.
    public var assumedZone: TimeZone?
    /// Whether entries' bytes are handed out for analysis. When `false` (a hash-only ingest) an
    /// entry too large for memory is not spooled unless its content makes it a nested archive:
    /// it is hashed and typed in passing, and its ``IntakeEntry/content`` is `.none`.
    public var retainContent: Bool

    /// Creates options; only the temporary directory has no default.
    public init(temporaryDirectory: URL, budgets: IntakeBudgets = .default, nameCharsets: [String] = ["CP949", "SHIFT_JIS"],
                memoryThreshold: Int = 16 << 20, assumedZone: TimeZone? = nil, retainContent: Bool = true) {
        self.retainContent = retainContent
        self.temporaryDirectory = temporaryDirectory
        self.budgets = budgets
        self.nameCharsets = nameCharsets
        self.memoryThreshold = memoryThreshold
        self.assumedZone = assumedZone
    }
}

/// One evidence item as given on the command line: an archive, a bare compressed file or a directory.
public struct EvidenceSource: Sendable {
    /// File-system path of the item (opened read-only).
    public var path: String
    /// The item's label, unique within the case (`seized.zip`, `seized.zip#2`); first part of every virtual path.
    public var label: String
    /// Creates a source.
    public init(path: String, label: String) {
        self.path = path
        self.label = label
    }
}

/// Keeps a spooled temp file alive; deletes it when the last reference goes away.
///
/// Immutable (one `let` URL), so sharing it across tasks is safe.
public final class ContentLease: Sendable {
    /// The private 0600 file holding the entry's bytes.
    public let url: URL

    /// Takes ownership of `url`: the file is deleted when the lease goes (the engine's
    /// decrypted backup files use it too).
    public init(url: URL) { self.url = url }

    deinit { _ = unlink(url.path) }
}

/// One entry found in the evidence: a file, directory, link or nested container.
public struct IntakeEntry: Sendable {
    /// Index of the entry in its container's header order, one element per nesting level.
    public var position: [Int]
    /// `<label>!/<path>`, nested containers joined with `!/`.
    public var virtualPath: String
    /// Name bytes exactly as libarchive handed them over (formats storing Unicode give UTF-8; a
    /// bare compressed stream has no stored name: its derived name's UTF-8; directory evidence:
    /// the path relative to the directory, as the file system stores it).
    public var rawName: [UInt8]
    /// Decoded name: UTF-8, else the first charset in ``IntakeOptions/nameCharsets`` that decodes, else lossy.
    public var name: String
    /// `utf-8`, one of the configured charsets (`CP949`, `SHIFT_JIS`), or `undecodable`.
    public var nameEncoding: String
    /// File, directory, symlink, hardlink or other.
    public var kind: EntryKind
    /// Unix mode bits, when the format records them.
    public var mode: UInt32?
    /// Numeric owner `uid:gid` as the file system recorded it (directory evidence only; issue 19
    /// item 8, directory manifest version 3); nil for archive entries.
    public var owner: String?
    /// Target of a symlink or hardlink (never followed).
    public var linkTarget: String?
    /// Size the header claims (not trusted).
    public var declaredSize: Int64?
    /// Bytes actually read (zero-filled sparse gaps included).
    public var size: Int64
    /// Digests of the bytes read; `nil` only when no data was read at all.
    public var hashes: FileHashes?
    /// libmagic MIME type of the bytes read.
    public var mime: String?
    /// Outcome of reading the entry.
    public var status: EntryStatus
    /// libarchive's message, or the budget that stopped the read.
    public var message: String?
    /// Findings about the entry (`path-sanitized`, `absolute-path`, `duplicate-name`, `name-mismatch`,
    /// `overlapping-entry`, `sparse`, `size-mismatch`, `encrypted-header`, …).
    public var flags: [String]
    /// Archive or file-system timestamps with their basis.
    public var times: EntryTimes
    /// Whether the walker recurses into this entry (its children follow it, then a `containerEnd`).
    public var isContainer: Bool
    /// The bytes read: in memory, or in a spooled temp file kept alive by ``lease``.
    public var content: FileContent
    /// Holds a spooled temp file alive while analyzers use it.
    public var lease: ContentLease?
    /// Bytes this entry added to the evidence budget (read, zero-filled, or decompressed while skipping
    /// its unread remainder). A resumed run's `accountedBytes` should return this value, plus the
    /// ``ContainerSummary/expandedBytes`` of the container when the entry is one.
    public var expandedBytes: Int64
    /// Digests still on the hashing lanes; the emitter fills ``hashes`` from it before delivery.
    var pendingHashes: PendingDigest?

    /// Creates an entry (the walker builds them; public so other modules' tests can too).
    public init(position: [Int], virtualPath: String, rawName: [UInt8], name: String, nameEncoding: String, kind: EntryKind,
                mode: UInt32? = nil, linkTarget: String? = nil, declaredSize: Int64? = nil, size: Int64 = 0,
                hashes: FileHashes? = nil, mime: String? = nil, status: EntryStatus = .ok, message: String? = nil,
                flags: [String] = [], times: EntryTimes = EntryTimes(), isContainer: Bool = false,
                content: FileContent = .none, lease: ContentLease? = nil, expandedBytes: Int64 = 0) {
        self.position = position; self.virtualPath = virtualPath; self.rawName = rawName; self.name = name
        self.nameEncoding = nameEncoding; self.kind = kind; self.mode = mode; self.linkTarget = linkTarget
        self.declaredSize = declaredSize; self.size = size; self.hashes = hashes; self.mime = mime; self.status = status
        self.message = message; self.flags = flags; self.times = times; self.isContainer = isContainer
        self.content = content; self.lease = lease; self.expandedBytes = expandedBytes
    }
}

/// What happened to one container (the evidence item, or a nested archive).
public struct ContainerSummary: Sendable {
    /// `[]` = the evidence item itself; otherwise the position of the container's own entry.
    public var position: [Int]
    /// libarchive format and filters (`ZIP 2.0 (deflation)`, `GNU tar format + gzip`), or `directory`.
    public var format: String?
    /// ok, truncated, corrupt, encrypted, unsupported or limit-exceeded.
    public var status: EntryStatus
    /// libarchive's message or the budget that stopped the walk.
    public var message: String?
    /// Entries listed directly in this container (not counting nested ones).
    public var entryCount: Int
    /// Findings about the container (`cd-count-mismatch`, `name-mismatch`, `encrypted-header`, …).
    public var flags: [String]
    /// Bytes expanded under this container, nested included (not the container entry's own bytes).
    public var expandedBytes: Int64

    /// Creates a summary.
    public init(position: [Int], format: String?, status: EntryStatus, message: String?, entryCount: Int, flags: [String],
                expandedBytes: Int64) {
        self.position = position; self.format = format; self.status = status; self.message = message
        self.entryCount = entryCount; self.flags = flags; self.expandedBytes = expandedBytes
    }
}

/// One event of a walk, in order.
public enum IntakeEvent: Sendable {
    /// Every entry, directories/links/containers included; a container's entry comes before its children.
    case entry(IntakeEntry)
    /// After a nested container's children; once more with position `[]` at the end of the evidence item.
    case containerEnd(ContainerSummary)
}

/// Problems with the run itself (not with the evidence's content, which only ever becomes a status).
public struct IntakeError: Error, Sendable, CustomStringConvertible {
    /// What failed (`open evidence`, `write spool file`, `load libmagic database`).
    public var operation: String
    /// The path involved.
    public var path: String
    /// The system or library message.
    public var message: String
    /// Creates an error.
    public init(operation: String, path: String, message: String) {
        self.operation = operation
        self.path = path
        self.message = message
    }
    /// `<operation> <path>: <message>`.
    public var description: String { "\(operation) \(path): \(message)" }
}
