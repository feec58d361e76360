import Foundation
import GRDB

/// Reads row values without ever trapping: GRDB's typed subscripts stop the process when a value
/// cannot be converted, and a hostile database may put text where the schema says INTEGER.
enum RowValue {
    static func int(_ row: Row, _ i: Int) -> Int64? {
        switch (row[i] as DatabaseValue).storage {
        case .int64(let v): return v
        case .double(let d): return d.isFinite && d == d.rounded() && abs(d) < 9.2e18 ? Int64(d) : nil
        default: return nil
        }
    }

    static func text(_ row: Row, _ i: Int) -> String? {
        switch (row[i] as DatabaseValue).storage {
        case .string(let s): return s
        case .int64(let v): return String(v)
        default: return nil
        }
    }

    /// The bytes of a BLOB (or of TEXT, as SQLite stores it); `nil` for NULL and numbers.
    static func bytes(_ row: Row, _ i: Int) -> [UInt8]? {
        switch (row[i] as DatabaseValue).storage {
        case .blob(let d): return [UInt8](d)
        case .string(let s): return Array(s.utf8)
        default: return nil
        }
    }
}
