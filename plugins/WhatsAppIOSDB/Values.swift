import ExhibitKit
import Foundation
import GRDB

/// One column of an evidence row read by its storage class, never converted by force (GRDB's
/// typed subscripts stop the process on a failed conversion). `wrong` marks a value of another
/// storage class than the column is meant to hold; it is then not used.
enum Cell {
    static func int(_ row: Row, _ i: Int) -> (value: Int64?, wrong: Bool) {
        switch (row[i] as DatabaseValue).storage {
        case .null: return (nil, false)
        case .int64(let v): return (v, false)
        case .double(let d):
            if d.isFinite, d == d.rounded(), abs(d) < 9.0e18 { return (Int64(d), false) }
            return (nil, true)
        case .string, .blob: return (nil, true)
        }
    }

    static func text(_ row: Row, _ i: Int) -> (value: String?, wrong: Bool) {
        switch (row[i] as DatabaseValue).storage {
        case .null: return (nil, false)
        case .string(let s): return (s, false)
        case .int64, .double, .blob: return (nil, true)
        }
    }

    static func double(_ row: Row, _ i: Int) -> (value: Double?, wrong: Bool) {
        switch (row[i] as DatabaseValue).storage {
        case .null: return (nil, false)
        case .int64(let v): return (Double(v), false)
        case .double(let d): return d.isFinite ? (d, false) : (nil, true)
        case .string, .blob: return (nil, true)
        }
    }

    /// Seconds between the Unix epoch and Core Data's reference date, 2001-01-01T00:00:00Z.
    static let coreDataEpoch: Int64 = 978_307_200

    /// A Core Data time (seconds since 2001-01-01 UTC, REAL or INTEGER), basis `utc`, the raw
    /// value kept as found. `outOfRange`: a number no phone wrote (year 10000 or later, or before
    /// 1970); the raw value is kept without an instant.
    static func coreDataTime(_ row: Row, _ i: Int) -> (value: TimeValue?, wrong: Bool, outOfRange: Bool) {
        let seconds: Double, raw: String, fractional: Bool
        switch (row[i] as DatabaseValue).storage {
        case .null: return (nil, false, false)
        case .int64(let v): seconds = Double(v); raw = String(v); fractional = false
        case .double(let d):
            guard d.isFinite else { return (nil, true, false) }
            seconds = d; raw = String(d); fractional = d != d.rounded()
        case .string, .blob: return (nil, true, false)
        }
        let unix = seconds + Double(coreDataEpoch)
        guard unix >= 0, unix < 253_402_300_800 else {
            return (TimeValue(raw: raw, utcMicros: nil, basis: .utc, precision: .second,
                              note: "not a plausible Core Data time (seconds since 2001-01-01)"), false, true)
        }
        let micros = Int64((unix * 1_000_000).rounded())
        return (TimeValue(raw: raw, utcMicros: micros, basis: .utc, precision: fractional ? .millisecond : .second), false, false)
    }
}

/// Builds a SELECT list from the columns a table really has: a missing column reads as NULL, so
/// one query shape serves every schema version and column indexes stay fixed.
struct Picker {
    let alias: String
    let columns: Set<String>?

    /// `alias.NAME`, or `NULL` when the table or the column is absent (names compared lower-cased).
    func callAsFunction(_ name: String) -> String {
        guard let columns, columns.contains(name.lowercased()) else { return "NULL" }
        return "\(alias).\(name)"
    }

    func has(_ name: String) -> Bool { columns?.contains(name.lowercased()) ?? false }
}
