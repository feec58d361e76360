import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 18, part 1: a warning's location is stored in one encoding whichever path stored it.
/// The engine used to write plain text (`offset 12, line 3`) while docs/schema.md promises JSON
/// (`{"offset":N,"record":"…"}`), and the only test covered the store path production never took.
/// This goes through the real ingest: a small export (whole-file path) and the same export made
/// larger than the streaming threshold (streaming path).
@Suite("Warning locations")
struct WarningLocationTests {
    /// A WhatsApp export of three messages followed by more lines that are not chat text than
    /// the parser attaches: the parser warns `unparsed-lines` at the first of them.
    private static func export(padding: Int) -> String {
        var text = """
            01/02/2024, 10:00 - Minji: first
            01/02/2024, 10:01 - Jun-ho: second
            01/02/2024, 10:02 - Minji: third

            """
        for i in 0..<40 { text += "trailing note \(i) that is no message\n" }
        // A long last line makes the file larger than the streaming threshold (4 MiB): the
        // streaming path stores its warnings.
        if padding > 0 { text += String(repeating: "x", count: padding) + "\n" }
        return text
    }

    @Test(arguments: [0, 9 << 20])
    func everyStoredLocationIsTheDocumentedJSON(padding: Int) throws {
        let dir = try TestDirectory("warning-location")
        defer { dir.remove() }
        let folder = dir.path("phone")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(Self.export(padding: padding).utf8).write(to: URL(fileURLWithPath: folder + "/WhatsApp Chat with Minji.txt"))
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([folder], db: db)
        try #require(r.exitCode == 0, "\(r.stderr)")
        let q = try Fixture.open(db)
        let rows = try q.read {
            try Row.fetchAll($0, sql: "SELECT code, location FROM analysis_errors WHERE location IS NOT NULL ORDER BY id")
        }
        let unparsed = rows.filter { ($0["code"] as String) == "unparsed-lines" }
        try #require(!unparsed.isEmpty, "the export must produce a located warning: \(rows)")
        #expect(unparsed.map { $0["location"] as String } == [#"{"record":"line 4"}"#])
        for row in rows {
            let text: String = row["location"]
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            #expect(object != nil && !(object ?? [:]).isEmpty, "not the documented JSON: \(text)")
            #expect(Set((object ?? [:]).keys).isSubset(of: ["offset", "record"]), "\(text)")
        }
    }
}
