import ExhibitTesting
import Foundation
import SQLiteForensics

/// A generated case of corpora/recovery/ with its answer key (make_recovery.py).
struct RecoveryCase {
    struct Truth {
        var table: String
        var rowid: Int64?
        var values: [SQLValue]
        var recoverable: Bool
        var dropped: Bool
    }

    var name: String
    var database: [UInt8]
    var wal: [UInt8]?
    var journal: [UInt8]?
    var expectNone: Bool
    var deleted: [Truth]

    static let directory = Corpus.url("recovery")

    static func bytes(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: directory.appendingPathComponent(name).path).map { [UInt8]($0) }
    }

    /// Every case with a key, sorted by name.
    static func all() throws -> [RecoveryCase] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".key.json") }.sorted()
        return try names.map { try load(String($0.dropLast(".key.json".count))) }
    }

    static func load(_ name: String) throws -> RecoveryCase {
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".key.json"))
        guard let key = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let dbName = key["database"] as? String, let db = bytes(dbName) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        let comps = key["companions"] as? [String] ?? []
        let truth = (key["deleted"] as? [[String: Any]] ?? []).map { t in
            Truth(table: t["table"] as? String ?? "", rowid: (t["rowid"] as? NSNumber)?.int64Value,
                  values: (t["values"] as? [Any] ?? []).map(value), recoverable: t["recoverable"] as? Bool ?? false,
                  dropped: t["dropped"] as? Bool ?? false)
        }
        return RecoveryCase(name: name, database: db, wal: comps.first { $0.hasSuffix("-wal") }.flatMap(bytes),
                            journal: comps.first { $0.hasSuffix("-journal") }.flatMap(bytes),
                            expectNone: key["expect_none"] as? Bool ?? false, deleted: truth)
    }

    static func value(_ v: Any) -> SQLValue {
        switch v {
        case is NSNull: return .null
        case let s as String: return .text(s)
        case let d as [String: Any]:
            let hex = d["hex"] as? String ?? ""
            var bytes: [UInt8] = []
            var i = hex.startIndex
            while i < hex.endIndex, let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex), let b = UInt8(hex[i..<j], radix: 16) {
                bytes.append(b); i = j
            }
            return .blob(bytes)
        case let n as NSNumber:
            let kind = String(cString: n.objCType)
            if kind == "d" || kind == "f" { return .real(n.doubleValue) }
            return .integer(n.int64Value)
        default: return .missing
        }
    }

    func recover() -> RecoveryReport { SQLiteRecovery.recover(database: database, wal: wal, journal: journal) }

    /// `full`, `partial` or nil: the benchmark's matching rule (bench/recovery_bench.py).
    static func match(_ r: RecoveredRow, _ t: Truth) -> String? {
        if let name = r.tableName { guard name == t.table else { return nil } } else if !t.dropped { return nil }
        guard r.values.count == t.values.count else { return nil }
        if let a = r.rowid, let b = t.rowid, a != b { return nil }
        var partial = false
        for (i, (got, want)) in zip(r.values, t.values).enumerated() {
            if got == .missing {
                if !(i == 0 && t.rowid != nil && want == .integer(t.rowid ?? -1)) { partial = true }
                continue
            }
            if got == want { continue }
            if case .real(let x) = got, case .integer(let y) = want, x == Double(y) { continue }
            if case .integer(let x) = got, case .real(let y) = want, Double(x) == y { continue }
            return nil
        }
        return partial ? "partial" : "full"
    }
}
