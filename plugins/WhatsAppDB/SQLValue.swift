import ExhibitKit
import Foundation
import GRDB

/// Reads one column of an evidence row without trusting its declared type: SQLite keeps whatever
/// was stored (text in an INTEGER column, a BLOB where text belongs), and GRDB's typed
/// subscripts stop the process on a failed conversion. Every accessor looks at the storage class
/// and reports a mismatch instead of converting by force.
struct SQLValue {
    let value: DatabaseValue

    init(_ row: Row, _ index: Int) { value = row[index] as DatabaseValue }

    var isNull: Bool { value.isNull }

    /// An integer column: INTEGER as is, a REAL with no fraction. `wrongType` is set for any other
    /// non-NULL value (TEXT, BLOB, a REAL with a fraction).
    func int() -> (value: Int64?, wrongType: Bool) {
        switch value.storage {
        case .null: return (nil, false)
        case .int64(let i): return (i, false)
        case .double(let d):
            if d.isFinite, d == d.rounded(), abs(d) < 9.0e18 { return (Int64(d), false) }
            return (nil, true)
        case .string, .blob: return (nil, true)
        }
    }

    /// A text column: TEXT as is. A BLOB or a number where text belongs is flagged and not
    /// shown: bytes are never turned into text by guessing an encoding.
    func text() -> (value: String?, wrongType: Bool) {
        switch value.storage {
        case .null: return (nil, false)
        case .string(let s): return (s, false)
        case .blob, .int64, .double: return (nil, true)
        }
    }

    /// A REAL column (coordinates): REAL or INTEGER.
    func double() -> (value: Double?, wrongType: Bool) {
        switch value.storage {
        case .null: return (nil, false)
        case .int64(let i): return (Double(i), false)
        case .double(let d): return (d.isFinite ? d : nil, !d.isFinite)
        case .string, .blob: return (nil, true)
        }
    }

    /// A time in Unix milliseconds (basis `utc`, precision millisecond), the raw value kept as
    /// found. `outOfRange` when the value is a number too large to be an instant.
    func milliseconds() -> (value: TimeValue?, wrongType: Bool, outOfRange: Bool) {
        switch value.storage {
        case .null: return (nil, false, false)
        case .int64(let ms): return Self.time(ms: ms, raw: String(ms))
        case .double(let d):
            guard d.isFinite, abs(d) < 9.0e15 else { return (nil, true, false) }
            let micros = Int64((d * 1000).rounded())
            return (TimeValue(raw: String(d), utcMicros: micros, basis: .utc, precision: .millisecond), false, false)
        case .string, .blob: return (nil, true, false)
        }
    }

    static func time(ms: Int64, raw: String) -> (value: TimeValue?, wrongType: Bool, outOfRange: Bool) {
        let micros = ms.multipliedReportingOverflow(by: 1000)
        // Year 10000 and later is not a time a phone wrote; keep the raw value, no instant.
        let limit: Int64 = 253_402_300_800_000_000
        if micros.overflow || abs(micros.partialValue) >= limit {
            return (TimeValue(raw: raw, utcMicros: nil, basis: .utc, precision: .millisecond,
                              note: "not a plausible Unix time in milliseconds"), false, true)
        }
        return (TimeValue(raw: raw, utcMicros: micros.partialValue, basis: .utc, precision: .millisecond), false, false)
    }
}

/// Builds a SELECT list from the columns a table really has: a missing column reads as NULL, so
/// one query shape serves every schema version and column indexes stay fixed.
struct ColumnPicker {
    let alias: String
    let columns: Set<String>?

    /// `alias.name`, or `NULL` when the table or the column is absent.
    func callAsFunction(_ name: String) -> String {
        guard let columns, columns.contains(name) else { return "NULL" }
        return "\(alias).\(name)"
    }

    /// Whether the table exists and has every named column.
    func has(_ names: String...) -> Bool {
        guard let columns else { return false }
        return names.allSatisfy(columns.contains)
    }
}
