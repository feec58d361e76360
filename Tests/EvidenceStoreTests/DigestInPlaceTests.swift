import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// The digest reads columns in place (`DigestCell`) instead of decoding each into a
/// `DatabaseValue`. These tests pin that both give the same digest on values where the two could
/// part: text with a NUL byte (GRDB's `String(cString:)` ends there), ill-formed UTF-8 (repaired
/// to U+FFFD), group keys equal only as Swift values (NFC vs NFD text, 1 vs 1.0, 0.0 vs -0.0),
/// empty blobs, extreme integers and reals.
@Suite("Findings digest, columns read in place")
struct DigestInPlaceTests {
    /// The digest as it was computed before: every column decoded into a `DatabaseValue`, groups
    /// split where `==` says the key changed, records encoded by `DigestHasher.encode`.
    static func reference(_ db: Database, sql: String, groupWidth: Int) throws -> (digest: String, sections: [String: String]) {
        var hasher = DigestHasher()
        hasher.beginSection("t")
        var currentGroup: [DatabaseValue]? = nil
        var records: [RowHash] = []
        let rows = try Row.fetchCursor(db, sql: sql)
        while let row = try rows.next() {
            let values = try (0..<row.count).map { try row.decode(DatabaseValue.self, atIndex: $0) }
            let width = min(groupWidth, values.count)
            if currentGroup.map({ $0.count != width || !$0.elementsEqual(values[..<width]) }) ?? true {
                hasher.flush(&records)
                currentGroup = Array(values[..<width])
            }
            records.append(RowHash(DigestHasher.encode(values)))
        }
        hasher.flush(&records)
        return hasher.finishWithSections()
    }

    static func inPlace(_ db: Database, sql: String, groupWidth: Int) throws -> (digest: String, sections: [String: String]) {
        var hasher = DigestHasher()
        hasher.beginSection("t")
        try hasher.addGroupedRows(db, sql: sql, groupWidth: groupWidth)
        return hasher.finishWithSections()
    }

    /// Rows of (key, value, n), inserted in an order that puts key-equal rows next to each other.
    static let rows: [(key: String, value: String, n: String)] = [
        ("'a'", "'plain'", "1"),
        ("'a'", "'안녕 사진 딥페이크'", "2"),
        ("'a'", "CAST(X'41004243' AS TEXT)", "3"),        // NUL inside: the value is "A"
        ("'a'", "CAST(X'41C0AF42' AS TEXT)", "4"),        // overlong encoding
        ("'a'", "CAST(X'EDA080' AS TEXT)", "5"),          // a surrogate
        ("'a'", "CAST(X'E4B8' AS TEXT)", "6"),            // truncated at the end
        ("'a'", "CAST(X'F09F9880F4908080' AS TEXT)", "7"), // an emoji, then above U+10FFFF
        ("'a'", "CAST(X'E4B800E4B8AD' AS TEXT)", "8"),    // a NUL cutting a sequence
        ("'a'", "X''", "9"),
        ("'a'", "X'00FF10'", "-9223372036854775808"),
        ("'a'", "NULL", "9223372036854775807"),
        ("'a'", "-0.0", "1.5"),
        ("'a'", "1e300", "-2.5e-300"),
        ("'a'", "'twelve bytes'", "0"),
        // One key as NFC and as NFD: equal as Swift strings, so one group before and after.
        ("'caf\u{E9}'", "'x'", "1"),
        ("'caf\u{E9}'", "'y'", "2"),
        ("'cafe\u{301}'", "'z'", "3"),
        ("'cafe\u{301}'", "'w'", "4"),
        // 1 and 1.0, 0.0 and -0.0: equal `DatabaseValue`s.
        ("1", "'p'", "1"),
        ("1.0", "'q'", "2"),
        ("1.0", "'r'", "3"),
        ("0.0", "'s'", "1"),
        ("-0.0", "'t'", "2"),
        ("-0.0", "'u'", "3"),
        // Different ASCII keys, and text vs blob with the same bytes.
        ("'b'", "'p'", "1"),
        ("'c'", "'q'", "1"),
        ("X'63'", "'r'", "1"),
        ("X'63'", "'s'", "2"),
        ("NULL", "'t'", "1"),
        ("NULL", "'u'", "2"),
    ]

    static func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k, v, n)")
            for r in rows { try db.execute(sql: "INSERT INTO t VALUES (\(r.key), \(r.value), \(r.n))") }
        }
        return queue
    }

    @Test(arguments: [1, 2, 3])
    func sameDigestAsDecodedValues(groupWidth: Int) throws {
        let queue = try Self.database()
        let sql = "SELECT k, v, n FROM t ORDER BY rowid"
        let (old, new) = try queue.read { db in
            (try Self.reference(db, sql: sql, groupWidth: groupWidth), try Self.inPlace(db, sql: sql, groupWidth: groupWidth))
        }
        #expect(new.digest == old.digest)
        #expect(new.sections == old.sections)
        #expect(!new.sections.isEmpty)
    }

    /// The grouping matters: with the NFC and NFD rows reordered inside their group, the digest
    /// stays the same (one group, sorted), which it would not if the key were compared as bytes.
    @Test func canonicallyEqualKeysFormOneGroup() throws {
        let queue = try Self.database()
        let (forward, backward) = try queue.read { db in
            (try Self.inPlace(db, sql: "SELECT k, v, n FROM t WHERE n IN (1, 2, 3, 4) AND v IN ('x', 'y', 'z', 'w') ORDER BY rowid", groupWidth: 1),
             try Self.inPlace(db, sql: "SELECT k, v, n FROM t WHERE n IN (1, 2, 3, 4) AND v IN ('x', 'y', 'z', 'w') ORDER BY rowid DESC", groupWidth: 1))
        }
        #expect(forward.digest == backward.digest)
    }

    @Test func textCellsEndAtNULAndAreRepaired() throws {
        let queue = try Self.database()
        let values: [String] = try queue.read { db in
            let statement = try db.makeStatement(sql: "SELECT v FROM t WHERE rowid IN (3, 4, 8) ORDER BY rowid")
            var out: [String] = []
            var repair: [UInt8] = []
            let rows = try Row.fetchCursor(statement)
            while try rows.next() != nil {
                DigestCell.with(statement.sqliteStatement, 0, repair: &repair) { cell in
                    if case .text(let bytes, _) = cell { out.append(String(decoding: bytes, as: UTF8.self)) }
                }
            }
            return out
        }
        #expect(values == ["A", "A\u{FFFD}\u{FFFD}B", "\u{FFFD}"])
    }

    @Test func numbersEncodeLikeTheirDescriptions() {
        for value: Int64 in [0, 7, 10, 99, 100, -1, -10, 1_000_000, .max, .min] {
            var out: [UInt8] = []
            DigestHasher.appendDecimal(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
        for value: UInt64 in [0, 1, 0xF, 0x10, 0xABCDEF, .max, (-0.0 as Double).bitPattern, (1.5 as Double).bitPattern] {
            var out: [UInt8] = []
            DigestHasher.appendHex(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value, radix: 16))
        }
    }
}
