import Foundation
import SQLiteForensics

// Recovery benchmark helper (bench/recovery_bench.py): runs the page-level recovery over one
// database (with `--wal F` / `--journal F`) and prints the recovered rows as JSON lines, then one
// summary line. Values: strings, numbers, null, {"hex": …} for blobs, {"missing": true}.

func load(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { [UInt8]($0) } }

func jsonValue(_ v: SQLValue) -> Any {
    switch v {
    case .null: return NSNull()
    case .integer(let i): return i
    case .real(let d): return d.isFinite ? d : String(d)
    case .text(let s): return s
    case .blob(let b): return ["hex": b.map { String(format: "%02x", $0) }.joined()]
    case .missing: return ["missing": true]
    }
}

var args = Array(CommandLine.arguments.dropFirst())
var wal: String?, journal: String?
if let i = args.firstIndex(of: "--wal"), i + 1 < args.count { wal = args[i + 1]; args.removeSubrange(i...(i + 1)) }
if let i = args.firstIndex(of: "--journal"), i + 1 < args.count { journal = args[i + 1]; args.removeSubrange(i...(i + 1)) }
// The database is read page by page (as the analyzer reads the engine's private copy).
guard let dbPath = args.first, let db = try? ByteSource(path: dbPath) else {
    FileHandle.standardError.write(Data("usage: exhibit-recoverybench DB [--wal F] [--journal F]\n".utf8)); exit(2)
}
let started = Date()
let report = SQLiteRecovery.recover(database: db, wal: wal.flatMap(load), journal: journal.flatMap(load))
let seconds = Date().timeIntervalSince(started)
for r in report.records {
    var o: [String: Any] = ["source": r.source.rawValue, "page": r.page, "offset": r.cellOffset,
                            "values": r.values.map(jsonValue), "duplicate_of_live": r.duplicateOfLive]
    o["table"] = r.tableName ?? NSNull()
    o["rowid"] = r.rowid.map { $0 as Any } ?? NSNull()
    o["wal_frame"] = r.walFrame.map { $0 as Any } ?? NSNull()
    if let d = try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]) { print(String(decoding: d, as: UTF8.self)) }
}
let summary: [String: Any] = ["summary": true, "seconds": seconds, "records": report.records.count,
                              "problems": report.problems.map { "\($0.code): \($0.message)" }, "tables": report.tables.map(\.name),
                              "dropped": report.droppedTables]
if let d = try? JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]) { print(String(decoding: d, as: UTF8.self)) }
