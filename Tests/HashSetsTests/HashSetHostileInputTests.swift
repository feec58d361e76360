import EvidenceStore
import ExhibitTesting
import Foundation
@testable import HashSets
import Testing

/// Hash-set files that are empty, cut short, enormous or built to attack the parser: each
/// import either stores what is valid and counts the rest, or fails leaving nothing — never a
/// crash, a hang, or a file read from outside the list.
@Suite struct HashSetHostileInputTests {
    let md5 = "d1958e0f31ceda50393fa57fd85bae94"

    func withDir(_ body: (TestDirectory, EvidenceDatabase) throws -> Void) throws {
        let dir = try TestDirectory("hashsets-hostile")
        defer { dir.remove() }
        try body(dir, try EvidenceDatabase(path: dir.path("case.sqlite")))
    }

    func run(_ db: EvidenceDatabase, _ path: String, algorithm: String? = nil, format: HashSetFormat? = nil) throws -> HashSetRecord {
        try HashSetImporter.run(db, HashSetImportRequest(path: path, name: "hostile", kind: "known-bad", algorithm: algorithm,
                                                         format: format), nowMicros: 0).set
    }

    /// A line of megabytes (a 2 GB "line" scaled down) is rejected without being kept whole;
    /// the lines around it still count, with their numbers.
    @Test func overlongLinesAreRejectedAndTheRestRead() throws {
        try withDir { dir, db in
            let path = dir.path("long.txt")
            var data = Data(repeating: UInt8(ascii: "a"), count: 3 << 20)
            data += Data("\n\(md5)\n".utf8)
            data += Data(repeating: UInt8(ascii: "b"), count: (2 << 20) + 17) // last line, no line break
            try data.write(to: URL(fileURLWithPath: path))
            let set = try run(db, path, algorithm: "md5")
            #expect(set.entryCount == 1)
            #expect(set.rejectedCount == 2)
            #expect(set.rejectedExamples == ["line 1: longer than 1048576 bytes", "line 3: longer than 1048576 bytes"])
        }
    }

    /// Real GNU md5sum output for names holding a backslash or a line break: such lines start
    /// with '\\' and still count.
    @Test func md5sumEscapedNamesAreRead() throws {
        try withDir { dir, db in
            let files = dir.path("files")
            let r = try Run.shell("""
                mkdir '\(files)' && cd '\(files)' && printf x > 'a\\b.txt' && printf y > "$(printf 'new\\nline.txt')" && printf z > plain.txt \
                && md5sum * > ../sums.txt
                """)
            #expect(r.exitCode == 0, "\(r.stderr)")
            let sums = try String(contentsOfFile: dir.path("sums.txt"), encoding: .utf8)
            #expect(sums.split(separator: "\n").filter { $0.hasPrefix("\\") }.count == 2, "\(sums)")
            let set = try run(db, dir.path("sums.txt"))
            #expect(set.format == "md5sum" && set.entryCount == 3 && set.rejectedCount == 0, "\(set.rejectedExamples)")
            #expect(TextFormats.unescapeName("new\\nline\\\\x.txt") == "new\nline\\x.txt")
        }
    }

    @Test(arguments: HashSetFormat.allCases)
    func emptyFilesFailCleanly(format: HashSetFormat) throws {
        try withDir { dir, db in
            let path = dir.path("empty")
            try Data().write(to: URL(fileURLWithPath: path))
            #expect(throws: (any Error).self) { try run(db, path, algorithm: format == .pdq ? "pdq" : nil, format: format) }
            #expect(try db.hashSets().isEmpty)
        }
    }

    /// Entity expansion and external entities: a DOCTYPE is refused (or libxml2 stops first),
    /// so neither a billion laughs nor a record smuggled in from another file (which would
    /// import if XXE worked) gets through.
    @Test func xmlEntitiesAreNeverExpandedOrFetched() throws {
        try withDir { dir, db in
            let outside = dir.path("outside.xml")
            try "<image><id>x</id><fingerprints><md5>\(md5)</md5></fingerprints></image>".write(toFile: outside, atomically: true, encoding: .utf8)
            let dtd = dir.path("outside.dtd")
            try "<!ENTITY xxe SYSTEM \"file://\(outside)\">".write(toFile: dtd, atomically: true, encoding: .utf8)
            var laughs = "<!ENTITY l0 \"lol\">"
            for i in 1...9 { laughs += "<!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">" }
            let documents = [
                "<!DOCTYPE q [<!ENTITY xxe SYSTEM \"file://\(outside)\">]><queryResult><images>&xxe;</images></queryResult>",
                "<!DOCTYPE q SYSTEM \"file://\(dtd)\"><queryResult><images>&xxe;</images></queryResult>",
                "<!DOCTYPE q [<!ENTITY % p SYSTEM \"file://\(dtd)\"> %p;]><queryResult><images>&xxe;</images></queryResult>",
                "<!DOCTYPE q [\(laughs)]><queryResult><images><image><id>&l9;</id><fingerprints><md5>\(md5)</md5></fingerprints></image></images></queryResult>",
            ]
            for (i, doc) in documents.enumerated() {
                let path = dir.path("attack\(i).xml")
                try ("<?xml version=\"1.0\"?>\n" + doc).write(toFile: path, atomically: true, encoding: .utf8)
                do {
                    _ = try run(db, path)
                    Issue.record("document \(i) imported")
                } catch let e as HashSetImportError {
                    // libxml2 itself stops the entity loop and the undeclared entity (external
                    // ones are never loaded) before the DOCTYPE node reaches the reader.
                    #expect("\(e)".contains("DOCTYPE refused") || "\(e)".contains("XML error"), "document \(i): \(e)")
                }
                #expect(try db.hashSets().isEmpty)
            }
        }
    }

    /// An export cut mid-record keeps the records completed before the break and counts it.
    @Test func truncatedXMLKeepsTheCompletedRecords() throws {
        try withDir { dir, db in
            let full = try Data(contentsOf: Corpus.url("media/hashsets/ncmec.xml"))
            let cut = full.prefix(full.count * 2 / 3)
            let path = dir.path("cut.xml")
            try cut.write(to: URL(fileURLWithPath: path))
            let set = try run(db, path)
            #expect(set.entryCount > 0 && set.entryCount < 9)
            #expect(set.rejectedCount == 1 && set.rejectedExamples.first?.contains("XML error") == true)
        }
    }

    /// JSON nested far deeper than any VICS file is refused, not a stack overflow.
    @Test func deeplyNestedJSONFailsCleanly() throws {
        try withDir { dir, db in
            let path = dir.path("deep.json")
            let depth = 200_000
            try (String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: HashSetImportError.self) { try run(db, path) }
            let objects = "{\"value\":" + String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth) + "}"
            try objects.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: HashSetImportError.self) { try run(db, path) }
            #expect(try db.hashSets().isEmpty)
        }
    }

    /// A vPDQ time whose microseconds do not fit 64 bits is a rejected line, not a trap.
    @Test func vpdqTimesOutOfRangeAreRejected() throws {
        try withDir { dir, db in
            let path = dir.path("times.vpdq")
            let pdq = String(repeating: "5a", count: 32)
            try "0,100,\(pdq),0.000\n1,100,\(pdq),1e300\n2,100,\(pdq),nan\n3,100,\(pdq),inf\n4,100,\(pdq),1.000\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            let set = try run(db, path)
            #expect(set.entryCount == 2 && set.rejectedCount == 3)
        }
    }

    /// Lines of separators only in a PDQ list are rejected lines (",", once an index past the end).
    @Test func pdqLinesOfSeparatorsOnlyAreRejected() throws {
        try withDir { dir, db in
            let path = dir.path("list.pdq")
            try "\(String(repeating: "5a", count: 32)),100\n,\n,,\n\t,\t\n".write(toFile: path, atomically: true, encoding: .utf8)
            let set = try run(db, path, algorithm: "pdq")
            #expect(set.entryCount == 1 && set.rejectedCount == 3, "\(set.rejectedExamples)")
        }
    }

    /// A SQLite file with an NSRL-like table but values of every other type: rejected rows.
    @Test func nsrlValuesOfTheWrongTypeAreRejectedRows() throws {
        try withDir { dir, db in
            let path = dir.path("odd.db")
            let r = try Run.shell("""
                python3 -c "import sqlite3; c = sqlite3.connect('\(path)'); c.execute('CREATE TABLE FILE (sha256)'); \
                c.executemany('INSERT INTO FILE VALUES (?)', [(5,), (1.5,), (b'\\\\x00\\\\xff',), (None,), ('\(String(repeating: "ab", count: 32))',)]); c.commit()"
                """)
            #expect(r.exitCode == 0, "\(r.stderr)")
            let set = try run(db, path)
            #expect(set.entryCount == 1 && set.rejectedCount == 4)
        }
    }
}
