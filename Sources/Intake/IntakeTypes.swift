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
///
/// Its inventory facts are one ``InventoryRecord`` (the type the store writes), read and
/// written through it by name (`entry.size`, `entry.hashes = …`); what only the walk needs —
/// the bytes, the spool lease, digests still on the lanes — lives beside it.
@dynamicMemberLookup
public struct IntakeEntry: Sendable {
    /// The inventory record: position key, virtual path, names, kind, sizes, hashes, MIME,
    /// status, flags, times, whether the walker recurses into it (its children follow it, then
    /// a `containerEnd`) and the bytes it added to the evidence budget (a resumed run's
    /// `accountedBytes` should return this value, plus the ``ContainerSummary/expandedBytes``
    /// of the container when the entry is one). Names decode as UTF-8, else the first charset
    /// in ``IntakeOptions/nameCharsets`` that decodes, else lossy.
    public var record: InventoryRecord
    /// The bytes read: in memory, or in a spooled temp file kept alive by ``lease``.
    public var content: FileContent
    /// Holds a spooled temp file alive while analyzers use it.
    public var lease: ContentLease?
    /// Digests still on the hashing lanes; the emitter fills ``InventoryRecord/hashes`` from it before delivery.
    var pendingHashes: PendingDigest?

    /// Creates an entry (the walker builds them; public so other modules' tests can too).
    public init(position: [Int], virtualPath: String, rawName: [UInt8], name: String, nameEncoding: String, kind: EntryKind,
                mode: UInt32? = nil, linkTarget: String? = nil, declaredSize: Int64? = nil, size: Int64 = 0,
                hashes: FileHashes? = nil, mime: String? = nil, status: EntryStatus = .ok, message: String? = nil,
                flags: [String] = [], times: EntryTimes = EntryTimes(), isContainer: Bool = false,
                content: FileContent = .none, lease: ContentLease? = nil, expandedBytes: Int64 = 0) {
        record = InventoryRecord(
            key: EntryKey(position), virtualPath: virtualPath, name: name, rawName: rawName, nameEncoding: nameEncoding,
            kind: kind, mode: mode, linkTarget: linkTarget, declaredSize: declaredSize, size: size, hashes: hashes,
            mime: mime, status: status, message: message, flags: flags, times: times, isContainer: isContainer,
            expandedBytes: expandedBytes)
        self.content = content; self.lease = lease
    }

    /// Reads and writes the record's fields by name.
    public subscript<T>(dynamicMember path: WritableKeyPath<InventoryRecord, T>) -> T {
        get { record[keyPath: path] }
        set { record[keyPath: path] = newValue }
    }

    /// The key's positions: index of the entry in its container's header order, one element per nesting level.
    public var position: [Int] {
        get { record.key.positions }
        set { record.key = EntryKey(newValue) }
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
