import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// docs/schema.md is the prosecutor's reference: every table and column of a fresh database must
/// be documented there, and nothing documented may be missing from the database.
@Suite("docs/schema.md matches the real schema")
struct SchemaDocTests {
    static let docURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/schema.md")

    /// Table name → documented columns, from `### \`name\`` headings and the first backticked
    /// cell of each following table row.
    static func documented() throws -> [String: [String]] {
        let text = try String(contentsOf: docURL, encoding: .utf8)
        var result: [String: [String]] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") {
                current = nil
                if line.hasPrefix("### `"), let name = line.split(separator: "`").dropFirst().first {
                    current = String(name)
                    result[current!] = []
                }
            } else if let table = current, line.hasPrefix("| `") {
                let cell = line.split(separator: "|").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                result[table]?.append(cell.trimmingCharacters(in: CharacterSet(charactersIn: "`")))
            }
        }
        return result
    }

    @Test func everyTableAndColumnIsDocumented() throws {
        let dir = try TempDir()
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        let actual: [String: [String]] = try db.queue.read { c in
            var out: [String: [String]] = [:]
            let names = try String.fetchAll(c, sql: """
                SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'
                """)
            for name in names {
                // table_xinfo: generated columns (`metadata.name`) are columns a query can use too.
                out[name] = try Row.fetchAll(c, sql: "SELECT name FROM pragma_table_xinfo(?) WHERE hidden IN (0, 2, 3) ORDER BY cid",
                                             arguments: [name])
                    .map { try $0.decode(String.self, atIndex: 0) }
            }
            return out
        }
        let doc = try Self.documented()
        #expect(Set(doc.keys) == Set(actual.keys), "tables documented vs. in the database")
        for (table, columns) in actual {
            #expect(doc[table] == columns, "columns of \(table), in order")
        }
        #expect(actual["files"]?.contains("sha256") == true)
        #expect(actual.count >= 9)
    }

    @Test func auditLogRefusesEditsAtTheSQLLevel() throws {
        let dir = try TempDir()
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        try db.appendAudit(action: "case.created", details: .object(["case": .string("C")]))
        let raw = try StoreInputs.rawConnection(dir.path("case.sqlite"))
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "UPDATE audit_log SET action = 'x'") } }
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "DELETE FROM audit_log") } }
        #expect(try db.verifyAuditChain().ok)
    }
}
