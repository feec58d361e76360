import Foundation

/// One value of a recovered SQLite row, as stored in `recovered_records.values_json`.
public enum RecoveredValue: Sendable, Hashable, Codable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    /// Blob bytes as lower-case hex.
    case blobHex(String)
    /// The bytes of this value were overwritten or are out of reach (a broken overflow chain).
    case missing

    /// The JSON form: strings, numbers, null, `{"hex": …}` for blobs, `{"missing": true}`
    /// (integers beyond 2^53 lose precision here: ``RecoveredRecord/valuesJSON`` writes them exactly).
    public var json: JSONValue {
        switch self {
        case .null: return .null
        case .integer(let i): return .number(Double(i))
        case .real(let d): return d.isFinite ? .number(d) : .string(String(d))
        case .text(let s): return .string(s)
        case .blobHex(let h): return .object(["hex": .string(h)])
        case .missing: return .object(["missing": .bool(true)])
        }
    }
}

/// Where in a SQLite database a recovered row was found.
public enum RecoveredRecordSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// A freeblock inside a b-tree page in use.
    case freeblock
    /// The unallocated gap of a page in use, or a page in no b-tree and not on the freelist.
    case unallocated
    /// A page on the freelist (freed pages, dropped tables).
    case freelist
    /// An older or uncommitted page version in the `-wal` (frame number set), or a main-file page
    /// the WAL supersedes (no frame number).
    case wal
    /// A page's pre-image in a rollback `-journal`.
    case journal
}

/// A deleted or superseded row recovered from a SQLite database in the evidence, with the
/// provenance a court can follow back to the bytes. Stored in `recovered_records`; never mixed
/// into live tables. Fields are relative to the database file the finding is reported on.
/// Codable because an app analyzer's recovered message carries its row (``MessageRecord/recovered``).
public struct RecoveredRecord: Sendable, Hashable, Codable {
    /// The table the row most likely belongs to, or `nil` when no single table's schema fits.
    public var tableName: String?
    /// Where in the database it was found.
    public var source: RecoveredRecordSource
    /// Page number (1-based) of the page image the row was read from.
    public var page: Int
    /// Byte offset of the cell within that page image.
    public var cellOffset: Int
    /// Frame number in the `-wal`, for rows read from a WAL frame.
    public var walFrame: Int?
    /// The rowid, when its bytes survived.
    public var rowid: Int64?
    /// Values in table column order (record order when no table was chosen).
    public var values: [RecoveredValue]
    /// Equal to a live row of the same table: reported with this flag, never counted as a deletion.
    public var duplicateOfLive: Bool

    public init(tableName: String?, source: RecoveredRecordSource, page: Int, cellOffset: Int, walFrame: Int? = nil,
                rowid: Int64? = nil, values: [RecoveredValue], duplicateOfLive: Bool) {
        self.tableName = tableName; self.source = source; self.page = page; self.cellOffset = cellOffset
        self.walFrame = walFrame; self.rowid = rowid; self.values = values; self.duplicateOfLive = duplicateOfLive
    }

    /// `values` as the canonical JSON array stored in `values_json`. Integers are written as
    /// their exact decimal text (a 64-bit id does not survive a trip through `Double`); every
    /// other value is written by ``JSONValue/canonicalText``.
    public var valuesJSON: String {
        "[" + values.map { v in
            if case .integer(let i) = v { return String(i) }
            return v.json.canonicalText
        }.joined(separator: ",") + "]"
    }
}
