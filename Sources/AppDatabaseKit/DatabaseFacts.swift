import ExhibitKit
import Foundation
import GRDB

/// Facts about one opened app database, recorded with its findings so a court can see what was
/// read: whether a WAL or rollback journal lay beside it (and so was applied to the copy), the
/// page size and count, `user_version`, and the tables with their columns.
public struct DatabaseFacts: Sendable {
    public var walPresent: Bool
    public var walBytes: Int64
    /// Frames in the WAL by its size: (bytes − 32) / (page size + 24).
    public var walFrames: Int64
    public var journalPresent: Bool
    public var pageSize: Int
    public var pageCount: Int64
    public var userVersion: Int64
    /// Lower-cased table name → lower-cased column names.
    public var tables: [String: Set<String>]

    static func read(queue: DatabaseQueue, file: EvidenceFile, header: [UInt8]) throws -> DatabaseFacts {
        // The app's name for the file (a backup stores it under a SHA-1 name): its companions
        // are named after it.
        let name = file.devicePath.map { ($0 as NSString).lastPathComponent } ?? file.name
        let wal = file.companion(named: name + "-wal")
        let journal = file.companion(named: name + "-journal")
        var pageSize = header.count >= 18 ? Int(header[16]) << 8 | Int(header[17]) : 0
        if pageSize == 1 { pageSize = 65536 }
        var facts = DatabaseFacts(walPresent: wal != nil, walBytes: wal?.size ?? 0, walFrames: 0,
                                  journalPresent: journal != nil, pageSize: pageSize, pageCount: 0, userVersion: 0, tables: [:])
        if let wal, pageSize > 0, wal.size > 32 { facts.walFrames = (wal.size - 32) / Int64(pageSize + 24) }
        try queue.inDatabase { db in
            facts.pageCount = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            facts.userVersion = try Int64.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            for name in names {
                let cols = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [name])
                    .compactMap { ($0["name"] as String?)?.lowercased() }
                facts.tables[name.lowercased()] = Set(cols)
            }
        }
        return facts
    }

    func json(app: String) -> JSONValue {
        .object([
            "app": .string(app),
            "wal_present": .bool(walPresent), "wal_bytes": .number(Double(walBytes)), "wal_frames": .number(Double(walFrames)),
            "journal_present": .bool(journalPresent),
            "page_size": .number(Double(pageSize)), "page_count": .number(Double(pageCount)),
            "user_version": .number(Double(userVersion)),
            "tables": .array(tables.keys.sorted().map(JSONValue.string)),
        ])
    }
}
