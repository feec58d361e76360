import ExhibitKit

/// Whether an evidence item is a single file (an archive, an image) or a directory tree.
public enum EvidenceKind: String, Sendable, Codable, CaseIterable {
    /// One file: an archive, a disk image, a bare compressed file.
    case file
    /// A directory tree read in place.
    case directory
}

/// What an evidence item's hashes cover: the container's bytes, or (for a directory) the
/// manifest over its sorted listing and file hashes.
public enum HashKind: String, Sendable, Codable, CaseIterable {
    /// Hashes of the item's own bytes, computed before anything else.
    case container
    /// Hashes of a directory's manifest (sorted listing of paths and file hashes).
    case manifest
}

/// One evidence item to register: its identity, its hashes, and the chain-of-custody details
/// the examiner gave.
public struct EvidenceInput: Sendable, Hashable {
    /// The item's name made unique within the case (`seized.zip`, `seized.zip#2`).
    public var label: String
    /// The path as given on the command line, made absolute.
    public var path: String
    /// File or directory.
    public var kind: EvidenceKind
    /// Bytes of the container (for a directory: total bytes of its files).
    public var size: Int64
    /// Container hashes, or manifest hashes for a directory (`hashKind`).
    public var hashes: FileHashes?
    /// What the hashes cover: the container, or a directory manifest.
    public var hashKind: HashKind
    /// The SHA-256 from the seizure form (`--expect-sha256`), if given.
    public var expectedSHA256: String?
    /// Item/exhibit number (`--item`).
    public var item: String?
    /// Free-text description (`--description`).
    public var description: String?
    /// Who seized the item (`--seized-by`).
    public var seizedBy: String?
    /// When it was seized (`--seized-at`), with raw value and basis.
    public var seizedAt: TimeValue?
    /// A zone declared for this item only (a phone set to another zone than the case).
    public var assumedZone: String?

    /// Creates an evidence description; everything but identity is optional.
    public init(label: String, path: String, kind: EvidenceKind, size: Int64, hashes: FileHashes?,
                hashKind: HashKind = .container, expectedSHA256: String? = nil, item: String? = nil,
                description: String? = nil, seizedBy: String? = nil, seizedAt: TimeValue? = nil,
                assumedZone: String? = nil) {
        self.label = label; self.path = path; self.kind = kind; self.size = size; self.hashes = hashes
        self.hashKind = hashKind; self.expectedSHA256 = expectedSHA256; self.item = item
        self.description = description; self.seizedBy = seizedBy; self.seizedAt = seizedAt
        self.assumedZone = assumedZone
    }
}

/// One entry of the inventory as intake recorded it: becomes one `files` row plus its times.
public struct FileRecordInput: Sendable, Hashable {
    /// Positions joined by `/` (`3/17`): the row's identity within its evidence item.
    public var entryKey: String
    /// The containing archive's entry key; `nil` at the top level.
    public var parentKey: String?
    /// Nesting depth: 0 for entries of the evidence item itself.
    public var depth: Int
    /// Virtual path `<label>!/<entry path>` (nested containers joined with `!/`).
    public var path: String
    /// The entry's own name, decoded.
    public var name: String
    /// The name's bytes exactly as stored in the archive.
    public var rawName: [UInt8]
    /// How `name` was decoded from `rawName` (`utf-8`, `cp949`, …).
    public var nameEncoding: String
    /// File, directory, link or other.
    public var kind: EntryKind
    /// Unix permission bits as recorded in the archive.
    public var mode: UInt32?
    /// Numeric owner `uid:gid` of a directory evidence entry (`files.owner`); nil for archive entries.
    public var owner: String?
    /// Target of a symlink or hardlink (recorded, never followed).
    public var linkTarget: String?
    /// Bytes actually read.
    public var size: Int64
    /// Size the archive declared (not trusted; kept for comparison).
    public var declaredSize: Int64?
    /// MD5, SHA-1 and SHA-256 of the bytes read (lower-case hex).
    public var hashes: FileHashes?
    /// Type detected from content by libmagic.
    public var mime: String?
    /// Outcome of reading the entry.
    public var status: EntryStatus
    /// libarchive's or intake's message about the entry.
    public var message: String?
    /// Flags such as `path-sanitized`; stored sorted and comma-joined.
    public var flags: [String]
    /// Archive timestamps, each with raw value and basis.
    public var times: EntryTimes
    /// Whether intake opened this entry as a nested archive.
    public var isContainer: Bool
    /// Format of a nested archive (`zip`, `tar`…).
    public var containerFormat: String?
    /// Flags about the nested archive as a whole.
    public var containerFlags: [String]
    /// For a container: bytes expanded from its whole subtree.
    public var expandedBytes: Int64?
    /// Where the file lived on the seized phone, inside a recognised extraction (`files.device_path`).
    public var devicePath: String?

    /// Creates a record; optional details default to absent.
    public init(entryKey: String, parentKey: String? = nil, depth: Int = 0, path: String, name: String,
                rawName: [UInt8]? = nil, nameEncoding: String = "utf-8", kind: EntryKind = .file,
                mode: UInt32? = nil, linkTarget: String? = nil, size: Int64, declaredSize: Int64? = nil,
                hashes: FileHashes? = nil, mime: String? = nil, status: EntryStatus = .ok, message: String? = nil,
                flags: [String] = [], times: EntryTimes = EntryTimes(), isContainer: Bool = false,
                containerFormat: String? = nil, containerFlags: [String] = [], expandedBytes: Int64? = nil,
                devicePath: String? = nil) {
        self.entryKey = entryKey; self.parentKey = parentKey; self.depth = depth; self.path = path
        self.name = name; self.rawName = rawName ?? Array(name.utf8); self.nameEncoding = nameEncoding
        self.kind = kind; self.mode = mode; self.linkTarget = linkTarget; self.size = size
        self.declaredSize = declaredSize; self.hashes = hashes; self.mime = mime; self.status = status
        self.message = message; self.flags = flags; self.times = times; self.isContainer = isContainer
        self.containerFormat = containerFormat; self.containerFlags = containerFlags; self.expandedBytes = expandedBytes
        self.devicePath = devicePath
    }
}

/// A finding together with the analyzer that produced it (provenance for every stored row).
public struct ProducedFinding: Sendable, Hashable {
    /// Id of the analyzer (provenance).
    public var analyzerID: String
    /// Version of the analyzer (provenance).
    public var analyzerVersion: String
    /// The finding itself.
    public var finding: Finding
    /// Pairs a finding with its analyzer's id and version.
    public init(analyzerID: String, analyzerVersion: String, finding: Finding) {
        self.analyzerID = analyzerID; self.analyzerVersion = analyzerVersion; self.finding = finding
    }
}

/// An analyzer's failure on one file (it threw), recorded as one `analysis_errors` row.
public struct AnalysisErrorInput: Sendable, Hashable {
    /// Id of the analyzer (provenance).
    public var analyzerID: String
    /// Version of the analyzer (provenance).
    public var analyzerVersion: String
    /// `error` (the analyzer threw), or `warning`/`timeout`/`crashed` when the engine decides.
    public var status: String
    /// Short stable code for counting and filtering.
    public var code: String
    /// One sentence for the examiner.
    public var message: String
    /// Where in the file, if known.
    public var location: String?
    /// Describes one failure.
    public init(analyzerID: String, analyzerVersion: String, status: String = "error", code: String,
                message: String, location: String? = nil) {
        self.analyzerID = analyzerID; self.analyzerVersion = analyzerVersion; self.status = status
        self.code = code; self.message = message; self.location = location
    }
}

/// Everything learned about one file, committed atomically: its inventory row, every
/// analyzer's findings and every failure. A file is "done" exactly when its outcome is committed.
public struct FileOutcome: Sendable, Hashable {
    /// Id of the evidence item (`evidence.id`).
    public var evidenceID: Int64
    /// The inventory row.
    public var record: FileRecordInput
    /// Every analyzer finding on the file.
    public var findings: [ProducedFinding]
    /// Every analyzer failure on the file.
    public var errors: [AnalysisErrorInput]
    /// Bundles one file's results.
    public init(evidenceID: Int64, record: FileRecordInput, findings: [ProducedFinding] = [],
                errors: [AnalysisErrorInput] = []) {
        self.evidenceID = evidenceID; self.record = record; self.findings = findings; self.errors = errors
    }
}
