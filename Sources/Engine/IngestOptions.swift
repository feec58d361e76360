import ExhibitKit
import EvidenceStore
import ExhibitSupport
import Foundation
import Intake

/// Chain-of-custody details the examiner gives for one evidence item. All optional, all recorded.
public struct CustodyDetails: Sendable, Hashable {
    public var item: String?
    public var description: String?
    public var seizedBy: String?
    /// As typed (ISO 8601); parsed into a TimeValue with basis `offset`/`utc`.
    public var seizedAt: String?
    public var expectedSHA256: String?
    /// The phone the item comes from, as the examiner names it (`--device`): items of one phone
    /// (an FFS extraction and a backup of it) share it, so an app's room read from each is one
    /// room. Without it, an iTunes/Finder backup's UDID names its phone.
    public var device: String?
    public init(item: String? = nil, description: String? = nil, seizedBy: String? = nil, seizedAt: String? = nil,
                expectedSHA256: String? = nil, device: String? = nil) {
        self.item = item; self.description = description; self.seizedBy = seizedBy
        self.seizedAt = seizedAt; self.expectedSHA256 = expectedSHA256; self.device = device
    }
}

/// Everything one `exhibit ingest` run needs. Built by the CLI; also used directly by tests.
public struct IngestOptions: Sendable {
    /// Evidence paths (files or directories) in command-line order.
    public var evidence: [String]
    public var databasePath: String
    public var caseName: String
    public var examiner: String?
    /// The zone for naive local times, or nil: parsed once from the examiner's name by
    /// ``CaseZone/named(_:)`` (the command line's `--assume-tz`); stored by the name as given.
    public var assumedZone: NamedZone?
    /// Custody details by evidence path (as given on the command line).
    public var custody: [String: CustodyDetails]
    /// Refuse to ingest an item whose hash does not match `expectedSHA256`.
    public var strict: Bool
    public var budgets: IntakeBudgets
    public var nameCharsets: [String]
    public var memoryThreshold: Int
    /// Files analysed concurrently.
    public var jobs: Int
    /// Files per database transaction (a file is acknowledged when its transaction commits).
    public var batchSize: Int
    /// Ed25519 private key file (64 hex chars, mode 0600) used to sign the audit chain's head.
    public var signKeyPath: String?
    /// Parent folder of the run's private temp dir.
    public var temporaryRoot: String
    /// Findings of one file kept in memory; past this many the file's transaction is opened and
    /// the rest stream into it as they are read, so memory does not grow with the file (a chat of
    /// a million messages). The stored result is the same either way.
    public var streamAfter: Int = IngestOptions.defaultStreamAfter
    /// ``streamAfter``'s default: about 2 MB of chat messages.
    public static let defaultStreamAfter = 4096
    /// Seconds one libarchive call may go without new output before the intake guard stops it
    /// (docs/intake.md, "Intake guard"). Applies under a supervisor only.
    public var intakeStallSeconds: Double = 10
    /// Worker RSS above which the intake guard stops the libarchive call that grew it.
    public var workerMemoryLimit: Int64 = 768 << 20
    /// The command line, recorded in `ingest_runs` and the audit log; secrets are redacted
    /// (``CommandLineRedaction``) when the options are made.
    public var commandLine: [String]
    /// Passwords of encrypted evidence (iTunes/Finder backups), by evidence path as given. Never
    /// stored, printed or logged: the audit log says only that one was given for the item.
    public var passwords: [String: String] = [:]
    public var toolVersion: String

    public init(evidence: [String], databasePath: String, caseName: String, examiner: String? = nil,
                assumedZone: NamedZone? = nil, custody: [String: CustodyDetails] = [:], strict: Bool = false,
                budgets: IntakeBudgets = .default, nameCharsets: [String] = ["CP949", "SHIFT_JIS"],
                memoryThreshold: Int = 16 << 20, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                batchSize: Int = 512, signKeyPath: String? = nil,
                temporaryRoot: String = TemporaryDirectory.defaultRoot,
                commandLine: [String] = CommandLine.arguments, toolVersion: String = ExhibitVersion.current) {
        self.evidence = evidence; self.databasePath = databasePath; self.caseName = caseName
        self.examiner = examiner; self.assumedZone = assumedZone; self.custody = custody; self.strict = strict
        self.budgets = budgets; self.nameCharsets = nameCharsets; self.memoryThreshold = memoryThreshold
        self.jobs = max(1, jobs); self.batchSize = max(1, batchSize); self.signKeyPath = signKeyPath
        self.temporaryRoot = temporaryRoot; self.commandLine = CommandLineRedaction.redact(commandLine)
        self.toolVersion = toolVersion
    }

    /// The options that shape findings, as recorded in the audit log (no paths to key files).
    var recordedOptions: JSONValue {
        .object([
            "case": .string(caseName),
            "examiner": examiner.map(JSONValue.string) ?? .null,
            "assumed_zone": assumedZone.map { JSONValue.string($0.name) } ?? .null,
            "strict": .bool(strict),
            "name_charsets": .array(nameCharsets.map(JSONValue.string)),
            "memory_threshold": .number(Double(memoryThreshold)),
            "budgets": .object([
                "max_depth": .number(Double(budgets.maxDepth)),
                "max_total_bytes": .number(Double(budgets.maxTotalBytes)),
                "max_entry_bytes": .number(Double(budgets.maxEntryBytes)),
                "max_entries_per_archive": .number(Double(budgets.maxEntriesPerArchive)),
                "max_ratio": .number(budgets.maxRatio),
                "ratio_floor_bytes": .number(Double(budgets.ratioFloorBytes)),
            ]),
        ])
    }
}

/// Problems with the run itself (not with the evidence): these stop `exhibit ingest`.
public struct IngestError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// Suggested exit code (see `exhibit ingest --help`).
    public var exitCode: Int32
    public init(_ message: String, exitCode: Int32 = 1) { self.message = message; self.exitCode = exitCode }
    public var description: String { message }
}

/// The one reading of a zone name given by the examiner (`--assume-tz`, `exhibit case set-tz`):
/// an IANA name, else a usage error that says what is expected. Commands parse the name here
/// once and pass the zone on.
public enum CaseZone {
    /// The zone named `name`; `nil` for no name. Throws a usage error (exit 2) for an unknown name.
    public static func resolve(_ name: String?) throws -> TimeZone? {
        guard let name else { return nil }
        guard let zone = TimeZone(identifier: name) else {
            throw IngestError("unknown time zone '\(name)': use an IANA name such as Asia/Seoul or UTC", exitCode: 2)
        }
        return zone
    }

    /// The zone named `name` with the name kept as given: Foundation reports some zones under
    /// another identifier (`UTC` comes back as `GMT`), and the case records the examiner's name.
    public static func named(_ name: String?) throws -> NamedZone? {
        guard let name, let zone = try resolve(name) else { return nil }
        return NamedZone(name: name, zone: zone)
    }
}

/// A zone and the IANA name it was given by (what the case stores and compares).
public struct NamedZone: Sendable, Equatable {
    public let name: String
    public let zone: TimeZone
}
