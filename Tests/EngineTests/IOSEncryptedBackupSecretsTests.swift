import Engine
import EvidenceStore
import ExhibitTesting
import Foundation
import GRDB
import Testing

/// The password of an encrypted backup (issue 12) is a secret: whether it comes from
/// `--password` or `--password-file`, and whether it is right or wrong, its bytes appear nowhere
/// in the case database file (any table, any free page, the WAL), the terminal output, the
/// exports or the report; the decrypted files live only in the run's private temp folder, which
/// is gone when the run ends.
@Suite("iOS backups: the password is in no output")
struct IOSEncryptedBackupSecretsTests {
    static let password = "Sëcret/Pa55=Backup:42"

    /// Every byte pattern the password could leave: UTF-8 and UTF-16 (either order).
    static func patterns(_ secret: String) -> [Data] {
        [Data(secret.utf8), secret.data(using: .utf16LittleEndian) ?? Data(), secret.data(using: .utf16BigEndian) ?? Data()]
    }

    /// Paths (files, recursively for folders) whose bytes hold `secret`.
    static func holders(of secret: String, in paths: [String]) throws -> [String] {
        var found: [String] = []
        var files: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                let subs = (try? FileManager.default.subpathsOfDirectory(atPath: p)) ?? []
                files += subs.sorted().map { p + "/" + $0 }
            } else {
                files.append(p)
            }
        }
        for f in files {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: f, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: f) else { continue }
            if patterns(secret).contains(where: { !$0.isEmpty && data.range(of: $0) != nil }) { found.append(f) }
        }
        return found
    }

    /// Ingests `backup` with `extra`, then writes every export and the report; returns what the
    /// commands printed and every file they wrote (the case database and its companions included).
    /// A wrong password refuses the item (exit 3); the exports and the report are still written.
    static func ingestAndExport(_ backup: String, in dir: TestDirectory, name: String, extra: [String],
                                exitCode: Int32 = 0) throws -> (output: String, files: [String], temp: String) {
        let db = dir.path("\(name).sqlite")
        let temp = dir.path("\(name)-tmp")
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        let r = try Fixture.ingest([backup], db: db, extra: extra + ["--temp-dir", temp])
        try #require(r.exitCode == exitCode, "ingest: \(r.stderr)")
        var output = r.stdout + r.stderr
        var files = [db, db + "-wal", db + "-shm", db + "-journal"]
        for format in ["case", "dfxml", "timesketch", "csv", "bodyfile"] {
            let out = dir.path("\(name).\(format)")
            let e = try Run.command(Fixture.exhibit, ["export", "--db", db, "--format", format, "--out", out])
            #expect(e.exitCode == 0, "export \(format): \(e.stderr)")
            output += e.stdout + e.stderr
            files.append(out)
        }
        let report = dir.path("\(name).html")
        let rep = try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", report])
        #expect(rep.exitCode == 0, "report: \(rep.stderr)")
        output += rep.stdout + rep.stderr
        files.append(report)
        for command in [["files", "--db", db], ["verify", "--db", db]] {
            let c = try Run.command(Fixture.exhibit, command)
            output += c.stdout + c.stderr
        }
        return (output, files, temp)
    }

    @Test func thePasswordIsInNoFileAndNoOutputWhetherGivenOrFromAFile() throws {
        let dir = try TestDirectory("ios-enc-secret")
        defer { dir.remove() }
        let enc = dir.path("backup")
        try IOSEncryptedBackupTests.make(enc, ["--encrypted", Self.password])
        let pwFile = dir.path("pw.txt")
        try Data((Self.password + "\n").utf8).write(to: URL(fileURLWithPath: pwFile))
        _ = chmod(pwFile, 0o600)

        let runs: [(String, [String], String)] = [
            ("argv", ["--password", "backup=\(Self.password)"], Self.password),
            ("file", ["--password-file", "backup=\(pwFile)"], Self.password),
            ("wrong", ["--password", "backup=\(Self.password)-wrong"], Self.password + "-wrong"),
        ]
        for (name, extra, secret) in runs {
            let got = try Self.ingestAndExport(enc, in: dir, name: name, extra: extra, exitCode: name == "wrong" ? 3 : 0)
            let present = got.files.filter { FileManager.default.fileExists(atPath: $0) }
            try #require(present.count >= 7, "\(name): \(present)")
            #expect(try Self.holders(of: secret, in: got.files) == [], "\(name): the password is in these files")
            #expect(!got.output.contains(secret), "\(name): the password is in the terminal output")
            // The decrypted files lived in the run's private temp folder, which is gone now.
            let left = (try? FileManager.default.contentsOfDirectory(atPath: got.temp)) ?? []
            #expect(left == [], "\(name): left in the temp folder: \(left)")
            // The recorded command line keeps the flag, not the secret.
            let command = try Fixture.open(dir.path("\(name).sqlite")).read {
                try String.fetchOne($0, sql: "SELECT command_line FROM ingest_runs")
            } ?? ""
            #expect(command.contains("backup=[redacted]") && !command.contains(pwFile), "\(command)")
        }
        // The right password decrypted (so the checks above saw the decrypted content's rows).
        let decrypted = try Fixture.open(dir.path("argv.sqlite")).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE path LIKE '%!/decrypted'")
        }
        #expect(decrypted == 5)
    }

    @Test func theRedactedCommandLineKeepsEveryOtherArgument() {
        // `CommandLineRedaction.redact` is what ingest_runs.command_line and the audit log record.
        let args = ["exhibit", "ingest", "a", "--password", "a=secret", "--password=b=other", "--item", "x", "--password", "lone",
                    "--password-file", "a=/keys/pw.txt"]
        #expect(CommandLineRedaction.redact(args) == ["exhibit", "ingest", "a", "--password", "a=[redacted]", "--password=b=[redacted]",
                                                        "--item", "x", "--password", "[redacted]", "--password-file", "a=[redacted]"])
    }
}
