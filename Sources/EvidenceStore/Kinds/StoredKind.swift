import ExhibitKit
import GRDB

/// The store's side of one finding kind, or of kinds that share tables (a chat, its participants
/// and messages): its tables, the migrations that create them, its writer and its digest
/// sections — everything the store does per kind, in one file per kind under `Kinds/`, found
/// through ``StoredKinds/store(of:)``. docs/architecture.md, "How to add a finding kind".
///
/// A kind added after `v10-file-owner` declares its own ``migrations`` and ``digestSections``;
/// they apply and hash after the frozen history (``StoreMigrations/history``,
/// ``FindingsDigest/history``), in ``StoredKinds/all`` order. The kinds that existed before this
/// registry keep their migrations in `Schema/` and their sections' places in the history, since
/// cases in the field recorded those migrations by name and their digests by section order.
protocol StoredKind {
    /// The kinds it stores.
    static var kinds: [FindingKind] { get }
    /// Its tables, by the names docs/schema.md heads them with (a test checks both).
    static var tables: [String] { get }
    /// The migrations creating its tables, in order; never edited once shipped. Empty for a kind
    /// whose tables are in the `Schema/` history.
    static var migrations: [KindMigration] { get }
    /// Its digest sections. Those in ``FindingsDigest/history`` are hashed at their place there;
    /// any other is hashed after the history.
    static var digestSections: [DigestSection] { get }
    /// Its writer for one commit transaction, with its prepared statements (cached by `db`).
    static func writer(_ db: Database) throws -> any KindWriter
}

/// Stores findings of its kinds for the files of one commit transaction, with bound, cached
/// statements: this is the hot path of an ingest, so no per-row SQL text and no record encoding.
protocol KindWriter {
    /// A new file starts: state kept for the previous file (chat keys) no longer applies.
    mutating func beginFile()
    /// Removes what an earlier commit of the file stored (a redo replaces a file's rows).
    mutating func deleteFile(_ fileID: Int64) throws
    /// Stores one finding of one of its kinds; returns why it was refused (nothing stored), or nil.
    mutating func write(_ produced: ProducedFinding, fileID: Int64) throws -> KindProblem?
    /// All of the file's findings are written (same transaction): link what arrived out of order.
    mutating func finish(fileID: Int64) throws
}

extension KindWriter {
    mutating func beginFile() {}
    mutating func finish(fileID: Int64) throws {}
}

/// A finding the store refused, recorded as the analyzer's `error` row of the file.
struct KindProblem {
    /// The row's code (`bad-media-hash`).
    var code: String
    var message: String
    /// Record it once per file and code: a broken analyzer would otherwise repeat it per finding.
    var oncePerFile = false
}

/// One named schema migration of a kind (GRDB's identifier and the SQL it runs).
struct KindMigration: Sendable {
    let identifier: String
    let sql: String
}

/// The registry of ``StoredKind``s.
enum StoredKinds {
    /// The store of each kind: the one line a new kind adds here (the compiler asks for it).
    static func store(of kind: FindingKind) -> any StoredKind.Type {
        switch kind {
        case .artifact: ArtifactKind.self
        case .chat, .participant, .message: ChatKinds.self
        case .metadata, .indicator: MetadataKinds.self
        case .mediaHash: MediaHashKind.self
        case .recoveredRecord: RecoveredRecordKind.self
        }
    }

    /// Every store once, in ``FindingKind`` order of its first kind.
    static let all: [any StoredKind.Type] = {
        var seen = Set<ObjectIdentifier>()
        return FindingKind.allCases.map(store(of:)).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }()

    /// Registers every kind's own migrations after the history, skipping none: identifiers are
    /// unique (GRDB refuses a repeat).
    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        for store in all {
            for m in store.migrations {
                migrator.registerMigration(m.identifier) { db in try db.execute(sql: m.sql) }
            }
        }
    }
}
