/// One entry of the inventory: what intake learned about a file, directory, link or nested
/// container, and what becomes its `files` row (plus its `file_times` rows).
///
/// One type from the walker to the store: Intake fills it (`IntakeEntry.record`), the engine
/// adds what it knows (device path, container details) and hands it to the store's writer
/// unchanged, and the store's read side returns it inside `FileRow`. Parent key and depth are
/// not stored here: they follow from ``key``.
public struct InventoryRecord: Sendable, Hashable {
    /// Position path within the evidence item: the row's identity there (stored as `3/17`).
    public var key: EntryKey
    /// `<label>!/<path>`, nested containers joined with `!/`.
    public var virtualPath: String
    /// The entry's own name, decoded.
    public var name: String
    /// Name bytes exactly as stored (formats storing Unicode give UTF-8; a bare compressed
    /// stream: its derived name's UTF-8; directory evidence: the path relative to the directory).
    public var rawName: [UInt8]
    /// How ``name`` was decoded from ``rawName``: `utf-8`, a configured charset (`CP949`,
    /// `SHIFT_JIS`), or `undecodable`. An open vocabulary (charset names), so text.
    public var nameEncoding: String
    /// File, directory, symlink, hardlink or other.
    public var kind: EntryKind
    /// Unix mode bits, when the format records them.
    public var mode: UInt32?
    /// Numeric owner `uid:gid` as the file system recorded it (directory evidence only; issue 19
    /// item 8, directory manifest version 3; `files.owner`); nil for archive entries.
    public var owner: String?
    /// Target of a symlink or hardlink (recorded, never followed).
    public var linkTarget: String?
    /// Size the header claims (not trusted; kept for comparison).
    public var declaredSize: Int64?
    /// Bytes actually read (zero-filled sparse gaps included).
    public var size: Int64
    /// MD5, SHA-1 and SHA-256 of the bytes read; `nil` only when no data was read at all.
    public var hashes: FileHashes?
    /// libmagic MIME type of the bytes read.
    public var mime: String?
    /// Outcome of reading the entry.
    public var status: EntryStatus
    /// libarchive's message, or the budget that stopped the read.
    public var message: String?
    /// Findings about the entry (`path-sanitized`, `absolute-path`, `duplicate-name`, `sparse`, …);
    /// stored unique, sorted and comma-joined.
    public var flags: [String]
    /// Archive or file-system timestamps with their basis.
    public var times: EntryTimes
    /// Whether the entry is (or is made, for a decrypted backup file) a container walked into.
    public var isContainer: Bool
    /// Format of a nested container (`ZIP 2.0 (deflation)`…), known once it has been walked.
    public var containerFormat: String?
    /// Flags about the nested container as a whole, known once it has been walked.
    public var containerFlags: [String]
    /// Bytes this entry added to the evidence item's budget (for a container, once walked: its
    /// whole subtree too); `nil` in rows written before intake recorded it.
    public var expandedBytes: Int64?
    /// Where the file lived on the seized phone, inside a recognised extraction (`files.device_path`).
    public var devicePath: String?

    /// Creates a record; optional details default to absent, `rawName` to the UTF-8 of `name`.
    public init(key: EntryKey, virtualPath: String, name: String, rawName: [UInt8]? = nil, nameEncoding: String = "utf-8",
                kind: EntryKind = .file, mode: UInt32? = nil, linkTarget: String? = nil, declaredSize: Int64? = nil,
                size: Int64 = 0, hashes: FileHashes? = nil, mime: String? = nil, status: EntryStatus = .ok,
                message: String? = nil, flags: [String] = [], times: EntryTimes = EntryTimes(), isContainer: Bool = false,
                containerFormat: String? = nil, containerFlags: [String] = [], expandedBytes: Int64? = nil,
                devicePath: String? = nil, owner: String? = nil) {
        self.owner = owner
        self.key = key; self.virtualPath = virtualPath; self.name = name; self.rawName = rawName ?? Array(name.utf8)
        self.nameEncoding = nameEncoding; self.kind = kind; self.mode = mode; self.linkTarget = linkTarget
        self.declaredSize = declaredSize; self.size = size; self.hashes = hashes; self.mime = mime; self.status = status
        self.message = message; self.flags = flags; self.times = times; self.isContainer = isContainer
        self.containerFormat = containerFormat; self.containerFlags = containerFlags; self.expandedBytes = expandedBytes
        self.devicePath = devicePath
    }

    /// The containing nested archive's key; `nil` at the top level.
    public var parentKey: EntryKey? { key.parent }

    /// Nesting depth: 0 for entries of the evidence item itself.
    public var depth: Int { key.depth }
}
