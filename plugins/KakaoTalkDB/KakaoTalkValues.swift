import ExhibitKit
import Foundation
import GRDB

/// Reading columns of a suspect's database without trusting their declared types: SQLite lets
/// any column hold any storage class, and GRDB's typed accessors stop the process on a value
/// they cannot convert, so every value is taken as a `DatabaseValue` and converted here.
enum Value {
    /// Text of a TEXT value, UTF-8 of a BLOB, decimal of a number; `nil` for NULL or non-UTF-8 blobs.
    static func text(_ v: DatabaseValue) -> String? {
        switch v.storage {
        case .string(let s): return s
        case .blob(let d): return String(data: d, encoding: .utf8)
        case .int64(let i): return String(i)
        case .double(let d): return String(d)
        case .null: return nil
        }
    }

    /// An integer from an INTEGER value, an integral REAL, or decimal text; `nil` otherwise.
    static func int(_ v: DatabaseValue) -> Int64? {
        switch v.storage {
        case .int64(let i): return i
        case .double(let d): return d.isFinite && d.rounded() == d && abs(d) < 9.0e18 ? Int64(d) : nil
        case .string(let s): return Int64(s.trimmingCharacters(in: .whitespaces))
        case .blob, .null: return nil
        }
    }

    /// The enc type of a row: an integer column, or `"true"` (older rows), which means type 1.
    static func encType(_ v: DatabaseValue) -> Int? {
        if case .string(let s) = v.storage, s.lowercased() == "true" { return 1 }
        guard let i = int(v), i >= Int64(Int32.min), i <= Int64(Int32.max) else { return nil }
        return Int(i)
    }

    /// The `enc` member of a row's `v` JSON (`{"enc":24,…}`), read by a short scan rather than a
    /// full JSON parse (a million rows): the key `"enc"` followed by `:` and a number, `true`, or
    /// a quoted number/`"true"`. `nil` when `v` names no enc type.
    static func encType(fromV v: String) -> Int? {
        var v = v
        return v.withUTF8 { b -> Int? in
            let key: StaticString = "\"enc\""
            let k = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
            guard b.count >= k.count + 2 else { return nil }
            var i = 0
            outer: while i + k.count <= b.count {
                for x in 0..<k.count where b[i + x] != k[x] { i += 1; continue outer }
                var j = i + k.count
                i += 1
                while j < b.count, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
                guard j < b.count, b[j] == 0x3A else { continue }
                j += 1
                while j < b.count, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
                var quoted = false
                if j < b.count, b[j] == 0x22 { quoted = true; j += 1 }
                if j + 4 <= b.count, b[j] == 0x74, b[j + 1] == 0x72, b[j + 2] == 0x75, b[j + 3] == 0x65 { return 1 }  // true
                var negative = false
                if j < b.count, b[j] == 0x2D { negative = true; j += 1 }
                var n = 0, digits = 0
                while j < b.count, b[j] >= 0x30, b[j] <= 0x39, digits < 9 { n = n * 10 + Int(b[j] - 0x30); j += 1; digits += 1 }
                guard digits > 0 else { return nil }
                if quoted, j < b.count, b[j] != 0x22 { return nil }
                return negative ? -n : n
            }
            return nil
        }
    }

    /// A JSON array of integers (`chat_rooms.members`); `nil` when the text is not one.
    static func idList(_ text: String?) -> [Int64]? {
        guard let text, let data = text.data(using: .utf8),
              let any = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
              let array = any as? [Any] else { return nil }
        var out: [Int64] = []
        for item in array.prefix(100_000) {
            if let n = item as? NSNumber, let i = Int64(exactly: n.doubleValue) ?? Int64(n.stringValue) { out.append(i) }
            else if let s = item as? String, let i = Int64(s) { out.append(i) }
        }
        return out
    }

    /// A JSON text as a ``JSONValue`` (for `extra`), or `nil` when it is not JSON.
    static func json(_ text: String) -> JSONValue? {
        guard let data = text.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }
}

/// Columns of one table as the database has them: a query selects the columns present and
/// `NULL` for the missing ones, so every row has the same layout whatever the app version.
struct ColumnPlan {
    let table: String
    let wanted: [String]
    let present: Set<String>

    init(table: String, wanted: [String], available: Set<String>) {
        self.table = table; self.wanted = wanted; present = available.intersection(wanted)
    }

    /// Wanted columns that the table lacks, in the wanted order.
    var missing: [String] { wanted.filter { !present.contains($0) } }

    /// `SELECT rowid, <wanted or NULL> FROM "<table>"` plus `suffix`.
    func select(_ suffix: String = "") -> String {
        let cols = wanted.map { present.contains($0) ? "\"\($0)\"" : "NULL" }
        return "SELECT rowid, " + cols.joined(separator: ", ") + " FROM \"\(table)\" " + suffix
    }

    /// The position of `name` in a row from ``select(_:)`` (rowid is 0).
    func index(_ name: String) -> Int { (wanted.firstIndex(of: name) ?? 0) + 1 }
}
