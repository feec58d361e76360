import ExhibitKit

/// The case a database holds (one case per file).
public struct CaseInfo: Sendable, Hashable {
    /// Row id.
    public var id: Int64
    /// Name (see the `name` column in docs/schema.md).
    public var name: String
    /// Examiner who created the case.
    public var examiner: String?
    /// IANA zone id the examiner declared for naive local times, or `nil`.
    public var assumedZone: String?
    /// When the case database was created (UTC text form).
    public var createdUTC: String
    /// Version of the Exhibit that created the case.
    public var toolVersion: String
}

/// One evidence item as recorded.
public struct EvidenceRow: Sendable, Hashable {
    /// Row id.
    public var id: Int64
    /// Unique name of the item within the case.
    public var label: String
    /// Path (see docs/schema.md).
    public var path: String
    /// File or directory.
    public var kind: EvidenceKind
    /// Size in bytes.
    public var size: Int64
    /// MD5, SHA-1 and SHA-256 of the bytes read (lower-case hex).
    public var hashes: FileHashes?
    /// What the hashes cover: the container, or a directory manifest.
    public var hashKind: HashKind
    /// SHA-256 from the seizure form, if given.
    public var expectedSHA256: String?
    /// Whether the container SHA-256 matched the expected one; `nil` when none was given.
    public var expectedMatch: Bool?
    /// Item / exhibit number.
    public var item: String?
    /// Free-text description (`--description`).
    public var description: String?
    /// Who seized the item (`--seized-by`).
    public var seizedBy: String?
    /// When it was seized (`--seized-at`), with raw value and basis.
    public var seizedAt: TimeValue?
    /// Zone declared for this item only, or `nil` for the case zone.
    public var assumedZone: String?
    /// Status of reading the item as a whole; `nil` until ``EvidenceDatabase/finishEvidence(id:status:message:format:entryCount:expandedBytes:manifest:)``.
    public var status: EntryStatus?
    /// One sentence for the examiner.
    public var message: String?
    /// Container format libarchive reported (`zip`, `tar.gz`…).
    public var format: String?
    /// Entries found, nested ones included.
    public var entryCount: Int?
    /// Bytes read from all entries below (nested ones included).
    public var expandedBytes: Int64?
    /// Whether every entry of the item was committed.
    public var complete: Bool
    /// When the item was first added (UTC text form).
    public var addedUTC: String
}

/// One `files` row with its times, as queries return it: the ``InventoryRecord`` intake made
/// (read back field by field, by name) and what the store added. The record's fields read
/// directly on the row (`row.virtualPath`, `row.key`, `row.status`).
@dynamicMemberLookup
public struct FileRow: Sendable, Hashable {
    /// Row id.
    public var id: Int64
    /// Id of the evidence item (`evidence.id`).
    public var evidenceID: Int64
    /// Label of the evidence item.
    public var evidenceLabel: String
    /// The inventory record as committed, times included.
    public var record: InventoryRecord
    /// The ingest run that committed the row.
    public var runID: Int64?

    /// Pairs a committed record with its row id, evidence item and run.
    public init(id: Int64, evidenceID: Int64, evidenceLabel: String, record: InventoryRecord, runID: Int64?) {
        self.id = id; self.evidenceID = evidenceID; self.evidenceLabel = evidenceLabel; self.record = record
        self.runID = runID
    }

    /// Reads the record's fields by name.
    public subscript<T>(dynamicMember path: KeyPath<InventoryRecord, T>) -> T { record[keyPath: path] }
}

/// Which files ``EvidenceDatabase/listFiles(_:)`` returns. Unset fields do not filter.
public struct FileFilter: Sendable, Hashable {
    /// Label of the evidence item.
    public var evidenceLabel: String?
    /// Only files with this status.
    public var status: EntryStatus?
    /// `image/` matches `image/jpeg`, `image/png`…
    public var mimePrefix: String?
    /// SQLite GLOB over the virtual path (`*.jpg`, `seized.zip!/DCIM/*`); case-sensitive.
    public var pathGlob: String?
    /// Only files with this SHA-256 (any case).
    public var sha256: String?
    /// Only files with this MD5 (any case).
    public var md5: String?
    /// Only files with this SHA-1 (any case).
    public var sha1: String?
    /// SQLite GLOB over the device path (`/data/data/com.whatsapp/*`); files without one never match.
    public var devicePathGlob: String?
    /// Only entries of this kind.
    public var kind: EntryKind?
    /// At most this many rows.
    public var limit: Int?
    /// Skip this many rows first.
    public var offset: Int?

    /// Creates a filter; by default every file.
    public init(evidenceLabel: String? = nil, status: EntryStatus? = nil, mimePrefix: String? = nil, pathGlob: String? = nil,
                sha256: String? = nil, md5: String? = nil, sha1: String? = nil, kind: EntryKind? = nil,
                limit: Int? = nil, offset: Int? = nil) {
        self.evidenceLabel = evidenceLabel; self.status = status; self.mimePrefix = mimePrefix
        self.pathGlob = pathGlob; self.sha256 = sha256; self.md5 = md5; self.sha1 = sha1; self.kind = kind
        self.limit = limit; self.offset = offset
    }
}

/// Result of re-checking the audit log's hash chain.
public struct AuditChainReport: Sendable, Hashable {
    /// What broke the chain at ``AuditChainReport/firstBadSeq``.
    public enum Problem: String, Sendable, Hashable {
        /// A row's stored hash is not the hash of its content: the row was edited.
        case hashMismatch = "hash-mismatch"
        /// A row's `prev_hash` is not the previous row's hash: rows were removed or replaced.
        case brokenLink = "broken-link"
        /// Sequence numbers skip: a row was deleted.
        case gap
        /// An ingest run recorded a chain head that is no longer in the log: the tail was cut.
        case missingRunHead = "missing-run-head"
    }

    /// Whether the whole chain verified.
    public var ok: Bool
    /// Rows checked.
    public var entries: Int
    /// Hash of the last row (64 zeros for an empty log).
    public var head: String
    /// Sequence number where the first problem was found.
    public var firstBadSeq: Int64?
    /// What the first problem was.
    public var problem: Problem?
    /// One sentence for the examiner.
    public var message: String
}
