import AppDatabaseKit
import ExhibitKit
import GRDB

/// Typed reads of evidence columns that count problems instead of failing.
extension ChatSession {
    /// Runs `sql` and hands each row to `body`. An SQLite error mid-way (a corrupt page, the time
    /// limit) ends this table's read with one warning; rows read before are kept.
    func readRows(_ db: AppDatabase, sql: String, what: String, _ body: (Row) -> Void) {
        do {
            try db.read { database in
                let cursor = try Row.fetchCursor(database, sql: sql)
                while let row = try cursor.next() { body(row) }
            }
        } catch {
            problems.add("read-interrupted", "reading \(what) stopped: \(error); rows read before are kept", at: what)
        }
    }

    func text(_ row: Row, _ i: Int, at record: @autoclosure () -> String) -> String? {
        let v = SQLValue(row, i).text()
        if v.wrongType { wrongType(at: record()) }
        return v.value
    }

    func int(_ row: Row, _ i: Int, at record: @autoclosure () -> String) -> Int64? {
        let v = SQLValue(row, i).int()
        if v.wrongType { wrongType(at: record()) }
        return v.value
    }

    func double(_ row: Row, _ i: Int, at record: @autoclosure () -> String) -> Double? {
        let v = SQLValue(row, i).double()
        if v.wrongType { wrongType(at: record()) }
        return v.value
    }

    func flag(_ row: Row, _ i: Int, at record: @autoclosure () -> String) -> Bool {
        (int(row, i, at: record()) ?? 0) != 0
    }

    func time(_ row: Row, _ i: Int, at record: @autoclosure () -> String) -> TimeValue? {
        let v = SQLValue(row, i).milliseconds()
        if v.wrongType {
            problems.add("bad-timestamp", "a time column holds text or a BLOB instead of Unix milliseconds; the time is left empty", at: record())
        }
        if v.outOfRange {
            problems.add("time-out-of-range", "a time is too large to be Unix milliseconds; the raw value is kept without an instant", at: record())
        }
        return v.value
    }

    private func wrongType(at record: String) {
        problems.add("wrong-column-type", "values of an unexpected storage type (e.g. text in an integer column) were not used", at: record)
    }
}
