import Foundation

extension PageImage {
    /// Tables declared in the `sqlite_master` rows of this image (root page 1).
    func schema(problems: inout [RecoveryProblem]) -> (tables: [TableSchema], indexRoots: [Int], walk: TreeWalk) {
        var claimed: Set<Int> = []
        let w = walkTable(root: 1, claimed: &claimed)
        problems += w.problems
        return (Self.tables(from: w.rows.map(\.values)), Self.indexRoots(from: w.rows.map(\.values)), w)
    }

    /// Tables from `sqlite_master` rows (type, name, tbl_name, rootpage, sql).
    static func tables(from rows: [[SQLValue]]) -> [TableSchema] {
        var out: [TableSchema] = []
        for r in rows where r.count == 5 {
            guard case .text("table") = r[0], case .text(let name) = r[1], case .text(let sql) = r[4] else { continue }
            var root = 0
            if case .integer(let x) = r[3] { root = Int(clamping: x) }
            guard let parsed = CreateTableParser.parse(sql) else { continue }
            out.append(TableSchema(name: name, rootPage: root, columns: parsed.columns, rowidAlias: parsed.rowidAlias,
                                   withoutRowid: parsed.withoutRowid, sql: sql, recordOrder: parsed.recordOrder, keyFields: parsed.keyFields))
        }
        return out
    }

    static func indexRoots(from rows: [[SQLValue]]) -> [Int] {
        rows.compactMap { r in
            guard r.count == 5, case .text("index") = r[0], case .integer(let x) = r[3], x > 0 else { return nil }
            return Int(clamping: x)
        }
    }
}
