import ExhibitKit
import Foundation
import GRDB

/// Where named result columns are in a statement's rows, looked up once per query: a reader of
/// every message of a case decodes ~30 values per row, and GRDB's by-name decoding hashes the
/// name (and builds the prefixed time column names) for each of them on every row. Same values,
/// same conversions as `decode(forColumn:)` (the same GRDB decoding, by index).
struct ColumnPositions {
    private let positions: [Int]

    /// The positions of `names`, in that order; throws when the statement has no such column
    /// (the query and the reader disagree: a programming error, never evidence).
    init(_ statement: Statement, _ names: [String]) throws {
        positions = try names.map { try Self.position(statement, $0) }
    }

    /// The position of the `i`-th name given to ``init(_:_:)``.
    subscript(_ i: Int) -> Int { positions[i] }

    static func position(_ statement: Statement, _ name: String) throws -> Int {
        guard let i = statement.index(ofColumn: name) else {
            throw DatabaseError(message: "no column \(name) in the result of \(statement.sql)")
        }
        return i
    }

    /// The time columns named `prefix` + ``TimeColumns/names`` (`sent_raw`, `sent_utc_us`, …).
    struct Time {
        private let utcMicros, raw, basis, precision, note, alternate, wall: Int

        init(_ statement: Statement, prefix: String) throws {
            func at(_ n: String) throws -> Int { try ColumnPositions.position(statement, prefix + n) }
            utcMicros = try at("utc_us"); raw = try at("raw"); basis = try at("basis"); precision = try at("precision")
            note = try at("note"); alternate = try at("alternate_utc"); wall = try at("local_wallclock")
        }

        /// The time, or `nil` when the raw value is NULL (no time at all), as
        /// ``TimeColumns/decode(_:prefix:)`` reads it.
        func decode(_ row: Row) throws -> TimeValue? {
            guard let rawValue = try row.decode(String?.self, atIndex: raw) else { return nil }
            return TimeColumns.make(micros: try row.decode(atIndex: utcMicros), raw: rawValue,
                                    basis: try row.decode(atIndex: basis), precision: try row.decode(atIndex: precision),
                                    note: try row.decode(atIndex: note), alternate: try row.decode(atIndex: alternate),
                                    wall: try row.decode(atIndex: wall))
        }
    }
}
