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

/// The closed vocabulary of `analysis_errors.status` (the schema's CHECK holds the same list).
public enum AnalysisStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// The analyzer read the file but says something could not be examined.
    case warning
    /// The analyzer threw, or broke its contract.
    case error
    /// The worker died (a signal) while the analyzer, or intake, ran on the file.
    case crashed
    /// The analyzer, or intake, overran its time on the file.
    case timeout

    /// Whether only the supervisor records it (a crash or timeout), so a redo of the file keeps it.
    public var isSupervisorRecord: Bool { self == .crashed || self == .timeout }
}

/// What the supervisor records when a pair brought the worker down or overran its time: the
/// two ``AnalysisStatus`` values a redo keeps.
public enum CrashStatus: String, Sendable, Hashable, CaseIterable {
    /// The worker died by a signal while the pair ran.
    case crashed
    /// The pair overran its time and the worker was killed.
    case timeout

    /// The same value as an ``AnalysisStatus``.
    public var analysisStatus: AnalysisStatus { self == .crashed ? .crashed : .timeout }
}

/// An analyzer's failure on one file (it threw), recorded as one `analysis_errors` row.
public struct AnalysisErrorInput: Sendable, Hashable {
    /// Id of the analyzer (provenance).
    public var analyzerID: String
    /// Version of the analyzer (provenance).
    public var analyzerVersion: String
    /// `error` (the analyzer threw), or `warning`/`timeout`/`crashed` when the engine decides.
    public var status: AnalysisStatus
    /// Short stable code for counting and filtering.
    public var code: String
    /// One sentence for the examiner.
    public var message: String
    /// Where in the file, if known.
    public var location: String?
    /// Describes one failure.
    public init(analyzerID: String, analyzerVersion: String, status: AnalysisStatus = .error, code: String,
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
    public var record: InventoryRecord
    /// Every analyzer finding on the file.
    public var findings: [ProducedFinding]
    /// Every analyzer failure on the file.
    public var errors: [AnalysisErrorInput]
    /// Bundles one file's results.
    public init(evidenceID: Int64, record: InventoryRecord, findings: [ProducedFinding] = [],
                errors: [AnalysisErrorInput] = []) {
        self.evidenceID = evidenceID; self.record = record; self.findings = findings; self.errors = errors
    }
}
