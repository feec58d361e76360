import Foundation

/// The key range a leaf page of a `WITHOUT ROWID` table serves: the separator keys its parent
/// puts before and after the child pointer that names it (`nil` = open on that side).
struct KeyRange {
    var lower: [SQLValue]?
    var upper: [SQLValue]?
}

/// SQLite's order of record keys under the BINARY collation (fileformat2 §1.6, datatype3 §4.1):
/// NULL first, then numbers by value, then text by its bytes, then blobs by their bytes.
enum KeyOrder {
    /// Whether a table's PRIMARY KEY sorts by plain BINARY ascending order: no `COLLATE` and no
    /// `DESC` anywhere in its definition (then the order is the collation's, not checked).
    static func plainOrder(_ t: TableSchema) -> Bool {
        let sql = t.sql.uppercased()
        return !sql.contains("COLLATE") && !sql.contains("DESC")
    }

    static func rank(_ v: SQLValue) -> Int {
        switch v {
        case .null: return 0
        case .integer, .real: return 1
        case .text: return 2
        case .blob: return 3
        case .missing: return 4
        }
    }

    /// −1, 0, 1; `nil` when a value is missing (unknown order).
    static func compare(_ a: SQLValue, _ b: SQLValue) -> Int? {
        let ra = rank(a), rb = rank(b)
        guard ra != 4, rb != 4 else { return nil }
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.text(let x), .text(let y)): return bytes(Array(x.utf8), Array(y.utf8))
        case (.blob(let x), .blob(let y)): return bytes(x, y)
        case (.null, .null): return 0
        default:
            let x = number(a), y = number(b)
            return x < y ? -1 : x > y ? 1 : 0
        }
    }

    static func number(_ v: SQLValue) -> Double {
        switch v {
        case .integer(let i): return Double(i)
        case .real(let d): return d
        default: return 0
        }
    }

    static func bytes(_ x: [UInt8], _ y: [UInt8]) -> Int {
        for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
        return x.count < y.count ? -1 : x.count > y.count ? 1 : 0
    }

    /// Compares two keys field by field over the first `fields` fields; `nil` when unknown.
    static func compare(_ a: [SQLValue], _ b: [SQLValue], fields: Int) -> Int? {
        for i in 0..<fields {
            guard i < a.count, i < b.count else { return nil }
            guard let c = compare(a[i], b[i]) else { return nil }
            if c != 0 { return c }
        }
        return 0
    }

    /// Whether `key` (record order) may lie on a page serving `range`: not below its lower or
    /// above its upper separator. An unknown comparison (a missing value) does not refuse.
    static func within(_ key: [SQLValue], _ range: KeyRange, fields: Int) -> Bool {
        if let l = range.lower, let c = compare(key, l, fields: fields), c < 0 { return false }
        if let u = range.upper, let c = compare(key, u, fields: fields), c > 0 { return false }
        return true
    }
}
