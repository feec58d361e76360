import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Evidence names chosen to fool the examiner's eye or terminal (issue 19, item 10), and the
/// sparse tar and full-overlap zip of item 9, made by real tools and our own generator.
@Suite(.serialized)
struct HostileDisplayTests {
    static let rlo = "invoice\u{202E}fdp.exe"
    static let hebrew = "\u{05E9}\u{05DC}\u{05D5}\u{05DD}.txt"
    static let escape = "x\u{1B}]0;pwned\u{07}\u{1B}[2J.txt"

    /// An evidence folder whose own name carries a terminal sequence, holding the three names.
    private func hostileFolder(_ dir: TestDirectory) throws -> String {
        let ev = dir.path("ev\u{1B}[31mred")
        try FileManager.default.createDirectory(atPath: ev, withIntermediateDirectories: true)
        for name in [Self.rlo, Self.hebrew, Self.escape] {
            try Data("content of a file\n".utf8).write(to: URL(fileURLWithPath: ev + "/" + name))
            #expect(try Run.command("/usr/bin/touch", ["-d", "2024-05-06 07:08:09Z", ev + "/" + name]).exitCode == 0)
        }
        return ev
    }

    private func noControls(_ text: String, _ what: String) {
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B }, "\(what) carries a control sequence")
        #expect(!text.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) || $0.value == 0x200F }, "\(what) carries a raw bidi override")
    }

    @Test func namesAreShownNeutralisedInEveryOutput() throws {
        let dir = try TestDirectory("hostile-display"); defer { dir.remove() }
        let ev = try hostileFolder(dir)
        let db = dir.path("case.sqlite")
        let ingest = try Run.command(Fixture.exhibit, ["ingest", ev, "--db", db, "--case", "T", "--examiner", "T"])
        #expect(ingest.exitCode == 0, "\(ingest.stderr)")
        noControls(ingest.stdout + ingest.stderr, "ingest")
        #expect(ingest.stdout.contains("  ev\u{FFFD}[31mred: ingested, status ok"), "\(ingest.stdout)")

        let verify = try Integrity.verify(db)
        #expect(verify.exitCode == 0, "\(verify.stdout)\(verify.stderr)")
        noControls(verify.stdout + verify.stderr, "verify")
        #expect(verify.stdout.contains("ok   evidence ev\u{FFFD}[31mred: manifest SHA-256 "), "\(verify.stdout)")

        let files = try Run.command(Fixture.exhibit, ["files", "--db", db])
        noControls(files.stdout, "files")
        #expect(files.stdout.contains("ev\u{FFFD}[31mred!/invoice<U+202E>fdp.exe"), "\(files.stdout)")
        #expect(files.stdout.contains("x\u{FFFD}]0;pwned\u{FFFD}\u{FFFD}[2J.txt"), "\(files.stdout)")
        // Right-to-left text is isolated, so it cannot reorder the columns around it.
        #expect(files.stdout.contains("\u{2068}ev\u{FFFD}[31mred!/\(Self.hebrew)\u{2069}"), "\(files.stdout)")

        let csv = try Run.command(Fixture.exhibit, ["timeline", "--db", db, "--format", "csv", "--all"])
        #expect(csv.exitCode == 0, "\(csv.stderr)")
        noControls(csv.stdout, "timeline csv")
        #expect(csv.stdout.contains("invoice<U+202E>fdp.exe"), "\(csv.stdout)")
        #expect(csv.stdout.contains("x\u{FFFD}]0;pwned\u{FFFD}\u{FFFD}[2J.txt"), "\(csv.stdout)")

        let html = dir.path("report.html")
        let report = try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", html])
        #expect(report.exitCode == 0, "\(report.stderr)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        noControls(page, "report")
        #expect(page.contains("<bdi>ev\u{FFFD}[31mred!/invoice⟨U+202E⟩fdp.exe</bdi>"), "the report isolates and shows the override (the review pages' marks)")
        #expect(page.contains("<bdi>ev\u{FFFD}[31mred!/\(Self.hebrew)</bdi>"))
    }

    /// Whether every right-to-left letter of `text` sits inside an FSI … PDI isolate opened on
    /// its own line (a terminal line is a paragraph: an isolate cannot span two).
    static func rightToLeftIsIsolated(_ text: String) -> Bool {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var depth = 0
            for s in line.unicodeScalars {
                if s.value == 0x2068 { depth += 1 } else if s.value == 0x2069 { depth = max(0, depth - 1) }
                else if (0x0590...0x08FF).contains(s.value) && depth == 0 { return false }
            }
        }
        return true
    }

    /// A WhatsApp export (Python's zipfile) whose senders and texts are right-to-left or carry an
    /// override, for the chat printers.
    private func rightToLeftChat(_ dir: TestDirectory) throws -> String {
        let path = dir.path("rtl-chat.zip")
        let script = """
            import sys, zipfile
            path = sys.argv[1]
            nn = "\\u202f"
            lines = [f"8/29/24, 9:00{nn}AM - \\u05d3\\u05e0\\u05d9: \\u05e9\\u05dc\\u05d5\\u05dd \\u05e2\\u05d5\\u05dc\\u05dd 123",
                     f"8/29/24, 9:01{nn}AM - Mal\\u202eyrol: see invoice\\u202efdp.exe",
                     f"8/29/24, 9:02{nn}AM - \\u05d3\\u05e0\\u05d9: \\u05e9\\u05d5\\u05e8\\u05d4 \\u05d0\\u05d7\\u05ea\\n\\u05e9\\u05d5\\u05e8\\u05d4 \\u05e9\\u05ea\\u05d9\\u05d9\\u05dd"]
            with zipfile.ZipFile(path, "w") as z:
                z.writestr(zipfile.ZipInfo("WhatsApp Chat with \\u05d3\\u05e0\\u05d9.txt", (2024, 8, 29, 9, 5, 0)), "\\n".join(lines) + "\\n")
            """
        let r = try Run.command("/usr/bin/env", ["python3", "-c", script, path])
        try #require(r.exitCode == 0, "rtl chat: \(r.stderr)")
        return path
    }

    /// Every printer that shows evidence names or text (issue 19 item 10): right-to-left text is
    /// isolated in FSI … PDI, each line of a multi-line message on its own, and an override is a
    /// visible `<U+202E>` tag — in timeline (table and CSV to stdout), messages, search, files,
    /// problems and metadata.
    @Test func rightToLeftEvidenceIsIsolatedInEveryPrinter() throws {
        let dir = try TestDirectory("rtl-printers"); defer { dir.remove() }
        let ev = try hostileFolder(dir)
        let chat = try rightToLeftChat(dir)
        let db = dir.path("case.sqlite")
        let ingest = try Run.command(Fixture.exhibit, ["ingest", ev, chat, "--db", db, "--case", "T", "--examiner", "T",
                                                       "--assume-tz", "Asia/Seoul"])
        #expect(ingest.exitCode == 0, "\(ingest.stderr)")
        let dani = "\u{05D3}\u{05E0}\u{05D9}", shalom = "\u{05E9}\u{05DC}\u{05D5}\u{05DD} \u{05E2}\u{05D5}\u{05DC}\u{05DD} 123"
        let outputs: [(String, [String], [String])] = [
            ("timeline table", ["timeline", "--all"], [shalom]),
            ("timeline csv", ["timeline", "--all", "--format", "csv"], [shalom, Self.hebrew]),
            ("messages", ["messages"], ["\u{2068}\(dani)\u{2069}: \u{2068}\(shalom)\u{2069}", "Mal<U+202E>yrol: see invoice<U+202E>fdp.exe",
                                        "\u{2068}\u{05E9}\u{05D5}\u{05E8}\u{05D4} \u{05E9}\u{05EA}\u{05D9}\u{05D9}\u{05DD}\u{2069}"]),
            ("search", ["search", "\u{05E9}\u{05DC}\u{05D5}\u{05DD}"], [dani]),
            ("files", ["files"], [Self.hebrew]),
            ("problems", ["problems"], []),
            ("metadata", ["metadata", "ev\u{1B}[31mred!/\(Self.hebrew)"], ["== \u{2068}ev\u{FFFD}[31mred!/\(Self.hebrew)\u{2069}"]),
        ]
        for (name, args, expected) in outputs {
            let r = try Run.command(Fixture.exhibit, args + ["--db", db])
            #expect(r.exitCode == 0, "\(name): exit \(r.exitCode) \(r.stderr)")
            noControls(r.stdout, name)
            #expect(Self.rightToLeftIsIsolated(r.stdout), "\(name): right-to-left text outside an isolate:\n\(r.stdout)")
            for e in expected { #expect(r.stdout.contains(e), "\(name): missing \(e.debugDescription) in\n\(r.stdout)") }
        }
    }

    @Test func aTenGiBSparseEntryInATenKBTarIsCutBeforeHashing() throws {
        let dir = try TestDirectory("sparse-tar"); defer { dir.remove() }
        // GNU tar stores only the data of a sparse file: 10 GiB of hole and 4 bytes, in 10 KB.
        let made = try Run.shell("""
            set -e; cd '\(dir.url.path)'; truncate -s 10G big; printf 'tail' >> big
            tar --sparse -cf sparse.tar big; rm big; stat -c %s sparse.tar
            """)
        try #require(made.exitCode == 0, "\(made.stderr)")
        #expect(Int(made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .max <= 20_480, "\(made.stdout)")
        let db = dir.path("case.sqlite")
        let start = Date()
        let r = try Fixture.ingest([dir.path("sparse.tar")], db: db)
        let seconds = Date().timeIntervalSince(start)
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(seconds < 30, "took \(seconds) s: the hole was hashed")
        let row = try #require(try Fixture.open(db).read {
            try Row.fetchOne($0, sql: "SELECT status, size, declared_size, flags, message FROM files WHERE path = 'sparse.tar!/big'")
        })
        #expect(row["status"] as String == "limit-exceeded")
        #expect(row["size"] as Int64 == 64 << 20, "only the ratio floor is hashed")
        #expect(row["declared_size"] as Int64 == (10 << 30) + 4)
        #expect((row["flags"] as String).contains("sparse"))
        #expect(row["message"] as String == "sparse entry whose holes exceed the compression-ratio budget of 1000 (10737418244 bytes declared; raise with --max-ratio): holes cut before hashing; first 67108864 bytes hashed")
    }

    @Test func everyNameOfAFullOverlapZipBombIsListed() throws {
        let dir = try TestDirectory("overlap-300"); defer { dir.remove() }
        // Our own generator (the construction of corpora/intake/make_fixtures.py, with 300 names):
        // one local file, 300 central-directory records pointing at it.
        let zip = dir.path("bomb.zip")
        let made = try Run.command("/usr/bin/env", ["python3", "-c", """
            import struct, sys, zlib
            data = bytes(1 << 20)
            co = zlib.compressobj(9, zlib.DEFLATED, -15); comp = co.compress(data) + co.flush()
            crc = zlib.crc32(data)
            def fixed(name): return struct.pack('<HHHHHIII', 20, 0, 8, 0, 0x21, crc, len(comp), len(data)) + struct.pack('<HH', len(name), 0)
            first = b'000.bin'
            local = b'PK\\x03\\x04' + fixed(first) + first + comp
            cd = b''
            for i in range(300):
                name = b'%03d.bin' % i
                cd += b'PK\\x01\\x02' + struct.pack('<H', 20) + fixed(name) + struct.pack('<HHHII', 0, 0, 0, 0, 0) + name
            end = b'PK\\x05\\x06' + struct.pack('<HHHHIIH', 0, 0, 300, 300, len(cd), len(local), 0)
            open(sys.argv[1], 'wb').write(local + cd + end)
            """, zip])
        try #require(made.exitCode == 0, "\(made.stderr)")
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([zip], db: db)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let rows = try Fixture.open(db).read {
            try Row.fetchAll($0, sql: "SELECT name, status, size, flags, message FROM files ORDER BY path")
        }
        try #require(!rows.isEmpty)
        #expect(rows.map { $0["name"] as String } == (0..<300).map { String(format: "%03d.bin", $0) })
        let first = try #require(rows.first)
        #expect(first["status"] as String == "ok" && first["size"] as Int64 == 1 << 20)
        for row in rows.dropFirst() {
            #expect(row["status"] as String == "limit-exceeded" && row["size"] as Int64 == 0)
            #expect(row["flags"] as String == "overlapping-entry,shared-local-header" || (row["flags"] as String).contains("shared-local-header"))
            #expect(row["message"] as String == "its central-directory record points at the local header of 000.bin, which the archive reader lists instead (full-overlap zip bomb construction); not read: its data would be that entry's bytes again")
        }
        let item = try Fixture.open(db).read { try Row.fetchOne($0, sql: "SELECT status, message FROM evidence") }
        #expect(item?["status"] as String? == "limit-exceeded")
        #expect(item?["message"] as String? == "entries not fully read: 299 limit-exceeded")
    }
}
