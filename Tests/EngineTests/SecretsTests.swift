import EvidenceStore
import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 15, item 2 (and 15): a signing key never reaches the case, the audit log or any output,
/// and the recorded command line is exactly what the examiner typed, secrets redacted.
@Suite("Secrets", .serialized)
struct SecretsTests {
    /// Every byte of the case (database, WAL, shared memory) as Latin-1 text, for grepping.
    static func caseBytes(_ db: String) -> String {
        ["", "-wal", "-shm"].compactMap { FileManager.default.contents(atPath: db + $0) }
            .map { String(decoding: $0, as: Unicode.ASCII.self) }.joined()
    }

    @Test func aKeyGivenInPlaceOfItsFileIsRefusedBeforeAnythingIsWritten() throws {
        let dir = try TestDirectory("secrets-refused"); defer { dir.remove() }
        let zip = try Fixture.sampleZip(in: dir)
        let (priv, _) = ChainSigner.generateKey()
        let db = dir.path("case.sqlite")
        for value in [priv, priv.uppercased(), Data(repeating: 9, count: 32).base64EncodedString(), dir.path("missing.key")] {
            for form in [["--sign-key", value], ["--sign-key=\(value)"]] {
                let r = try Fixture.ingest([zip], db: db, extra: form)
                #expect(r.exitCode == 2, "\(r.stderr)")
                #expect(!r.stdout.contains(value) && !r.stderr.contains(value), "the value is never echoed")
                #expect(r.stderr.contains("exhibit key new FILE"))
                #expect(!FileManager.default.fileExists(atPath: db), "nothing is created")
            }
        }
        // A key file others can read is refused too, before anything is written.
        let open = dir.path("open.key")
        try priv.write(toFile: open, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: open)
        let r = try Fixture.ingest([zip], db: db, extra: ["--sign-key", open])
        #expect(r.exitCode == 2 && r.stderr.contains("chmod 600"), "\(r.stderr)")
        #expect(!r.stderr.contains(priv))
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func theKeyAndItsFileNameAppearNowhereAndTheCommandLineIsAsTyped() throws {
        let dir = try TestDirectory("secrets-grep"); defer { dir.remove() }
        let zip = try Fixture.sampleZip(in: dir)
        let key = dir.path("examiner-secret-name.key")
        let made = try Run.command(Fixture.exhibit, ["key", "new", key])
        #expect(made.exitCode == 0)
        let priv = try String(contentsOfFile: key, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(priv.count == 64)
        let db = dir.path("case.sqlite")
        let args = ["ingest", zip, "--db", db, "--case", "S", "--sign-key", key, "--jobs", "2"]
        let r = try Run.command(Fixture.exhibit, args)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let verified = try Run.command(Fixture.exhibit, ["verify", "--db", db])
        let report = dir.path("r.html")
        #expect(try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", report]).exitCode == 0)
        let outputs = [r.stdout, r.stderr, verified.stdout, verified.stderr, try CLIFixture.readText(report)]
        let bytes = Self.caseBytes(db)
        for secret in [priv, priv.uppercased(), "examiner-secret-name"] {
            #expect(!bytes.contains(secret), "\(secret) is in the case database")
            for o in outputs { #expect(!o.contains(secret)) }
        }
        let recorded = try Fixture.open(db).read {
            try String.fetchAll($0, sql: """
                SELECT command_line FROM ingest_runs
                UNION ALL SELECT json_extract(details, '$.command') FROM audit_log WHERE action = 'ingest.start'
                """)
        }
        let typed = ["exhibit"] + args.map { $0 == key ? CommandLineRedaction.placeholder : $0 }
        let expected = String(decoding: try JSONSerialization.data(withJSONObject: typed, options: [.withoutEscapingSlashes]), as: UTF8.self)
        #expect(recorded == [expected, expected], "no trailing --worker-channel 3")
    }
}
