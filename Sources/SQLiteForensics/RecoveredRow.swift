import Foundation

/// Where a recovered row was found.
public enum RecoverySource: String, Sendable, Hashable, CaseIterable {
    /// A freeblock inside a b-tree page in use.
    case freeblock
    /// The unallocated gap of a page in use (or a page in no b-tree and not on the freelist).
    case unallocated
    /// A page on the freelist (freed pages, dropped tables).
    case freelist
    /// An older or uncommitted page version in the WAL, or a main-file page the WAL supersedes.
    case wal
    /// A page's pre-image in a rollback journal.
    case journal
}

/// A row recovered from a database's free space or history, with its provenance.
public struct RecoveredRow: Sendable, Hashable {
    /// The table it most likely belongs to, or `nil` when no single table's schema fits.
    public var tableName: String?
    /// Where it was found.
    public var source: RecoverySource
    /// Page number (1-based) of the page image the row was found in.
    public var page: Int
    /// Byte offset of the cell within that page image.
    public var cellOffset: Int
    /// WAL frame number holding the page image, for `wal` rows read from a frame.
    public var walFrame: Int?
    /// The rowid, when its bytes survived.
    public var rowid: Int64?
    /// Values in table column order (record order when no table was chosen).
    public var values: [SQLValue]
    /// Equal to a live row of the same table: reported, never counted as a recovered deletion.
    public var duplicateOfLive: Bool
    /// Whether some value could not be recovered.
    public var isPartial: Bool { values.contains(.missing) }
}

/// Everything recovery found in one database (with its WAL and journal).
public struct RecoveryReport: Sendable {
    /// The database header, when readable.
    public var header: DatabaseHeader?
    /// Tables of the live schema, then tables known only from older schema versions (dropped).
    public var tables: [TableSchema]
    /// Names of tables known only from older schema versions.
    public var droppedTables: [String]
    /// Recovered rows in a deterministic order (main file pages, then WAL frames, then journal);
    /// empty when they were handed over as found (`SQLiteRecovery.recover(database:wal:journal:holdLimit:each:)`).
    public var records: [RecoveredRow]
    /// Live rows per table name (read from the current state: the file plus committed WAL frames).
    public var liveRowCounts: [String: Int]
    /// WAL frames and how each was judged.
    public var walFrames: [WALFrame]
    /// Journal page records accepted.
    public var journalRecords: Int
    /// Structural problems, each once per kind and page; reading went on after every one.
    public var problems: [RecoveryProblem]

    /// Records of one table (`nil`: those no table fitted).
    public func records(table: String?) -> [RecoveredRow] { records.filter { $0.tableName == table } }
}
