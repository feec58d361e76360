import ExhibitKit

/// The case a database holds (one case per file).
public struct CaseInfo: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var examiner: String?
    /// IANA zone id the examiner declared for naive local times, or `nil`.
    public var assumedZone: String?
    public var createdUTC: String
    /// Version of the Exhibit that created the case.
    public var toolVersion: String
}

/// One evidence item as recorded.
public struct EvidenceRow: Sendable, Hashable {
    public var id: Int64
    public var label: String
    public var path: String
    public var kind: EvidenceKind
    public var size: Int64
    public var hashes: FileHashes?
    public var hashKind: HashKind
    public var expectedSHA256: String?
    /// Whether the container SHA-256 matched the expected one; `nil` when none was given.
    public var expectedMatch: Bool?
    public var item: String?
    public var description: String?
    public var seizedBy: String?
    public var seizedAt: TimeValue?
    public var assumedZone: String?
    /// Status of reading the item as a whole; `nil` until ``EvidenceDatabase/finishEvidence(id:status:message:format:entryCount:expandedBytes:manifest:)``.
    public var status: EntryStatus?
    public var message: String?
    /// Container format libarchive reported (`zip`, `tar.gz`…).
    public var format: String?
    public var entryCount: Int?
    public var expandedBytes: Int64?
    /// Whether every entry of the item was committed.
    public var complete: Bool
    public var addedUTC: String
}

/// One `files` row with its times, as queries return it.
public struct FileRow: Sendable, Hashable {
    public var id: Int64
    public var evidenceID: Int64
    public var evidenceLabel: String
    public var entryKey: String
    public var parentKey: String?
    public var depth: Int
    public var path: String
    public var name: String
    public var rawName: [UInt8]
    public var nameEncoding: String
    public var kind: String
    public var mode: UInt32?
    public var linkTarget: String?
    public var size: Int64
    public var declaredSize: Int64?
    public var hashes: FileHashes?
    public var mime: String?
    /// Entry status text (`ok`, `encrypted`…; see ``EntryStatus``).
    public var status: String
    public var message: String?
    public var flags: [String]
    public var isContainer: Bool
    public var containerFormat: String?
    public var containerFlags: [String]
    public var expandedBytes: Int64?
    public var times: EntryTimes
    public var runID: Int64?
}

/// Which files ``EvidenceDatabase/listFiles(_:)`` returns. Unset fields do not filter.
public struct FileFilter: Sendable, Hashable {
    public var evidenceLabel: String?
    public var status: String?
    /// `image/` matches `image/jpeg`, `image/png`…
    public var mimePrefix: String?
    /// SQLite GLOB over the virtual path (`*.jpg`, `seized.zip!/DCIM/*`); case-sensitive.
    public var pathGlob: String?
    public var sha256: String?
    public var md5: String?
    public var sha1: String?
    public var kind: String?
    public var limit: Int?
    public var offset: Int?

    /// Creates a filter; by default every file.
    public init(evidenceLabel: String? = nil, status: String? = nil, mimePrefix: String? = nil, pathGlob: String? = nil,
                sha256: String? = nil, md5: String? = nil, sha1: String? = nil, kind: String? = nil,
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

    public var ok: Bool
    /// Rows checked.
    public var entries: Int
    /// Hash of the last row (64 zeros for an empty log).
    public var head: String
    public var firstBadSeq: Int64?
    public var problem: Problem?
    /// One sentence for the examiner.
    public var message: String
}
