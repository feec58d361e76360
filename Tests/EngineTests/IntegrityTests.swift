import EvidenceStore
import CaseOutputs
import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 15, "Integrity": `exhibit verify` checks the findings, the evidence and the chain against
/// what the hash-chained audit log recorded, and trusts nothing a tamperer can edit in the case.
@Suite("Integrity", .serialized)
struct IntegrityTests {
    /// Item 1: every ingest, set-tz, rebuild, match and hash-set import ends by recording the
    /// findings digest, printed with the chain head; it equals `exhibit digest`.
    @Test func everyWritingCommandRecordsTheFindingsDigest() throws {
        let dir = try TestDirectory("integrity-record"); defer { dir.remove() }
        let (db, _) = try Integrity.sampleCase(dir)
        var expected: [[String]] = [["ingest", try Fixture.digest(db)]]
        let sha = Corpus.url("sample-case/known-bad/sha256.txt").path, pdq = Corpus.url("sample-case/known-bad/pdq.txt").path
        let commands: [(String, [String])] = [
            ("case.set-tz", ["case", "set-tz", "--db", db, "America/New_York"]),
            ("case.rebuild", ["case", "rebuild", "--db", db]),
            ("hashset.match", ["hashset", "import", "--db", db, "--name", "bad-sha", "--kind", "known-bad", "--algorithm", "sha256", sha]),
            ("hashset.import", ["hashset", "import", "--db", db, "--name", "bad-pdq", "--kind", "known-bad", "--algorithm", "pdq", "--no-match", pdq]),
            ("hashset.match", ["match", "--db", db]),
        ]
        for (after, args) in commands {
            let r = try Run.command(Fixture.exhibit, args)
            #expect(r.exitCode == 0, "\(args): \(r.stderr)")
            let digest = try Fixture.digest(db)
            expected.append([after, digest])
            #expect(Integrity.printed("Findings digest", in: r.stdout) == digest, "\(args): \(r.stdout)")
            #expect(Integrity.printed("Audit chain head", in: r.stdout) == (try Integrity.head(db)), "\(args)")
        }
        #expect(try Integrity.recordedDigests(db) == expected)
        #expect(Set(expected.map { $0[1] }).count >= 3, "set-tz and the matches change the findings")
        let ok = try Integrity.verify(db)
        #expect(ok.exitCode == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("ok   findings digest \(expected.last?[1] ?? "?")"))
    }

    /// Item 1: an edited finding fails `verify` (exit 6), which names the part that changed;
    /// `--findings-only` needs no evidence.
    @Test func verifyNamesTheTamperedPart() throws {
        let dir = try TestDirectory("integrity-tamper"); defer { dir.remove() }
        let (db, zip) = try Integrity.sampleCase(dir)
        try FileManager.default.moveItem(atPath: zip, toPath: dir.path("elsewhere.zip"))
        let clean = try Integrity.verify(db, ["--findings-only"])
        #expect(clean.exitCode == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("matches the audit chain (not re-read: --findings-only)"))
        let cases: [(String, String)] = [
            ("UPDATE messages SET text = '(edited)' WHERE id = (SELECT min(id) FROM messages WHERE text IS NOT NULL)", "chats/messages (messages)"),
            ("UPDATE files SET sha256 = lower(hex(randomblob(32))) WHERE id = (SELECT max(id) FROM files WHERE kind = 'file')", "files (files)"),
            ("UPDATE metadata SET value = 'Edited' WHERE id = (SELECT min(id) FROM metadata)", "metadata (metadata)"),
            ("DELETE FROM events WHERE id = (SELECT min(id) FROM events)", "timeline (events)"),
            ("UPDATE media_hashes SET hash = (CASE WHEN substr(hash, 1, 1) = '0' THEN '1' ELSE '0' END) || substr(hash, 2) WHERE id = (SELECT min(id) FROM media_hashes)", "media hashes (media_hashes)"),
        ]
        for (i, (sql, part)) in cases.enumerated() {
            let copy = try Integrity.copy(db, to: dir.path("t\(i).sqlite"))
            try Integrity.tamper(copy, sql)
            let r = try Integrity.verify(copy, ["--findings-only"])
            #expect(r.exitCode == 6, "\(sql): \(r.stdout)")
            #expect(r.stdout.contains("FAIL findings: ") && r.stdout.contains("changed: \(part)"), "\(sql): \(r.stdout)")
            #expect(r.stderr.contains("the findings are not those recorded in the audit log"))
        }
    }

    /// Item 1: relocated evidence is re-hashed from `--evidence-dir` or `--evidence ITEM=PATH`.
    @Test func relocatedEvidenceVerifies() throws {
        let dir = try TestDirectory("integrity-moved"); defer { dir.remove() }
        let (db, zip) = try Integrity.sampleCase(dir)
        let copyDir = dir.path("copy")
        try FileManager.default.createDirectory(atPath: copyDir, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: zip, toPath: copyDir + "/phone-dump.zip")
        let missing = try Integrity.verify(db)
        #expect(missing.exitCode == 3)
        #expect(missing.stdout.contains("FAIL evidence phone-dump.zip: not found at \(zip)"))
        for extra in [["--evidence-dir", copyDir], ["--evidence", "phone-dump.zip=\(copyDir)/phone-dump.zip"],
                      ["--evidence", "ITEM-1=\(copyDir)/phone-dump.zip"]] {
            let r = try Integrity.verify(db, extra)
            #expect(r.exitCode == 0, "\(extra): \(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("ok   evidence phone-dump.zip at \(copyDir)/phone-dump.zip: SHA-256 "))
        }
        #expect(try Integrity.verify(db, ["--evidence", "no-equals-sign"]).exitCode == 2)
    }

    /// Item 4a: swapping the evidence and updating `evidence.sha256` fails: the chain's
    /// `evidence.hashed` record still holds the seized hash. `report --verify` fails too.
    @Test func evidenceHashesAreCheckedAgainstTheChain() throws {
        let dir = try TestDirectory("integrity-swap"); defer { dir.remove() }
        let (db, zip) = try Integrity.sampleCase(dir)
        try Run.shell("printf x >> '\(zip)'")
        let sums = try Run.shell("md5sum '\(zip)' | cut -c1-32; sha1sum '\(zip)' | cut -c1-40; sha256sum '\(zip)' | cut -c1-64").stdout
            .split(separator: "\n").map(String.init)
        try #require(sums.count == 3)
        try Integrity.tamper(db, "UPDATE evidence SET md5 = '\(sums[0])', sha1 = '\(sums[1])', sha256 = '\(sums[2])'")
        let r = try Integrity.verify(db)
        #expect(r.exitCode == 3, "\(r.stdout)")
        #expect(r.stdout.contains("FAIL evidence phone-dump.zip: the evidence table says SHA-256 \(sums[2]), the audit chain recorded"))
        #expect(r.stdout.contains("the evidence at \(zip) is not what was ingested"))
        #expect(r.stdout.contains("FAIL findings: ") && r.stdout.contains("changed: evidence items (evidence)"), "\(r.stdout)")
        #expect(try Integrity.verify(db, ["--findings-only"]).exitCode == 3, "the edited row is caught without the evidence")

        let html = dir.path("report.html")
        let report = try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", html, "--verify"])
        #expect(report.exitCode == 3, "report --verify must not exit 0 when verification failed")
        let text = try CLIFixture.readText(html)
        #expect(text.components(separatedBy: "VERIFICATION FAILED").count - 1 == ReportSection.allCases.count, "a banner on every page")
    }

    /// Item 4b: cutting the log's tail (a later set-tz, or a whole later run with its row) is
    /// caught by the head the examiner recorded; the set-tz cut also by the findings.
    @Test func aCutTailIsCaughtByTheRecordedHead() throws {
        let dir = try TestDirectory("integrity-cut"); defer { dir.remove() }
        let (db, _) = try Integrity.sampleCase(dir)
        let ingestSeq = try Fixture.open(db).read { try Int64.fetchOne($0, sql: "SELECT max(seq) FROM audit_log") } ?? 0
        let setTZ = try Run.command(Fixture.exhibit, ["case", "set-tz", "--db", db, "Europe/Berlin"])
        let recorded = try #require(Integrity.printed("Audit chain head", in: setTZ.stdout))
        #expect(try Integrity.verify(db, ["--head", recorded]).exitCode == 0)

        // Edited findings re-sealed by a later command: the head written down before it fails.
        let resealed = try Integrity.copy(db, to: dir.path("resealed.sqlite"))
        try Integrity.tamper(resealed, "UPDATE messages SET text = '(edited)' WHERE id = (SELECT min(id) FROM messages)")
        #expect(try Run.command(Fixture.exhibit, ["case", "rebuild", "--db", resealed]).exitCode == 0)
        let later = try Integrity.verify(resealed, ["--head", recorded, "--findings-only"])
        #expect(later.exitCode == 5, "\(later.stdout)")
        #expect(later.stdout.contains("entries were appended after it (case.analyze") && later.stdout.contains("findings.digest)"), "\(later.stdout)")

        let cut = try Integrity.copy(db, to: dir.path("cut.sqlite"))
        try Integrity.tamper(cut, "DELETE FROM audit_log WHERE seq > \(ingestSeq)")
        let r = try Integrity.verify(cut, ["--head", recorded, "--findings-only"])
        #expect(r.exitCode == 5, "\(r.stdout)")
        #expect(r.stdout.contains("FAIL audit chain: the recorded head \(recorded) is not in the log"))
        let noAnchor = try Integrity.verify(cut, ["--findings-only"])
        #expect(noAnchor.exitCode == 6 && noAnchor.stdout.contains("time zones (zones)"), "\(noAnchor.stdout)")

        // A whole later run, cut with its ingest_runs row.
        let second = try Fixture.sampleZip(in: dir, name: "second.zip", files: 2)
        #expect(try Fixture.ingest([second], db: db).exitCode == 0)
        let head2 = try Integrity.head(db)
        try Integrity.tamper(db, """
            DELETE FROM audit_log WHERE seq > (SELECT max(seq) FROM audit_log WHERE action = 'findings.digest'
                AND json_extract(details, '$.after') = 'case.set-tz');
            DELETE FROM ingest_runs WHERE id = (SELECT max(id) FROM ingest_runs)
            """)
        let runCut = try Integrity.verify(db, ["--head", head2, "--findings-only"])
        #expect(runCut.exitCode == 5, "\(runCut.stdout)")
    }

    /// Item 4c: a chain re-signed with another key verifies only with the key stored in the
    /// case, which `verify` never trusts: with the examiner's public key it fails.
    @Test func signaturesAreCheckedOnlyWithAnOutsideKey() throws {
        let dir = try TestDirectory("integrity-sign"); defer { dir.remove() }
        let key = dir.path("lab.key")
        let made = try Run.command(Fixture.exhibit, ["key", "new", key])
        #expect(made.exitCode == 0, "\(made.stderr)")
        let pub = try #require(Integrity.printed("public key", in: made.stdout))
        #expect(try Run.command(Fixture.exhibit, ["key", "public", key]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == pub)
        #expect(try Run.command(Fixture.exhibit, ["key", "new", key]).exitCode == 1, "an existing key is never overwritten")
        let (db, _) = try Integrity.sampleCase(dir, extra: ["--sign-key", key])
        #expect(try Integrity.verify(db, ["--public-key", pub]).exitCode == 0)
        let pubFile = dir.path("lab.pub")
        try (pub + "\n").write(toFile: pubFile, atomically: true, encoding: .utf8)
        #expect(try Integrity.verify(db, ["--public-key", pubFile]).exitCode == 0, "a lab's public key file")
        let unsigned = try Integrity.verify(db)
        #expect(unsigned.stdout.contains("note run 1 is signed; not checked without --public-key"))

        // The tamperer re-signs the (rewritten) head with their own key and stores it in the case.
        let other = dir.path("other.key")
        #expect(try Run.command(Fixture.exhibit, ["key", "new", other]).exitCode == 0)
        let head = try Integrity.head(db)
        let forged = try ChainSigner.sign(head: head, privateKeyFile: other)
        try Integrity.tamper(db, "UPDATE ingest_runs SET signature = '\(forged.signatureHex)', public_key = '\(forged.publicKeyHex)'")
        let r = try Integrity.verify(db, ["--public-key", pub])
        #expect(r.exitCode == 5, "\(r.stdout)")
        #expect(r.stdout.contains("FAIL run 1: its signature over chain head \(head) does not verify with the given public key(s)"))
        #expect(try Integrity.verify(db, ["--public-key", forged.publicKeyHex]).exitCode == 0, "the stored key is only a key")
        #expect(try Integrity.verify(db, ["--public-key", "zz"]).exitCode == 2)
    }

    /// Item 4d: the directory manifest covers every entry kind, link target and name.
    @Test func directoryManifestCoversEveryEntry() throws {
        let dir = try TestDirectory("integrity-dir"); defer { dir.remove() }
        let dump = dir.path("dump")
        #expect(try Run.shell("""
            set -e; mkdir -p '\(dump)/DCIM/Camera'; printf a > '\(dump)/DCIM/Camera/1.jpg'; printf bb > '\(dump)/notes.txt'
            ln -s notes.txt '\(dump)/link'
            """).exitCode == 0)
        let db = dir.path("case.sqlite")
        #expect(try Fixture.ingest([dump], db: db).exitCode == 0)
        #expect(try Integrity.verify(db).exitCode == 0)
        let changes: [(String, String)] = [
            ("ln -sfn DCIM '\(dump)/link'", "ln -sfn notes.txt '\(dump)/link'"),
            ("mkfifo '\(dump)/pipe'", "rm '\(dump)/pipe'"),
            ("mkdir '\(dump)/empty'", "rmdir '\(dump)/empty'"),
            ("ln -s nowhere '\(dump)/DCIM/dangling'", "rm '\(dump)/DCIM/dangling'"),
            ("mv '\(dump)/DCIM/Camera' '\(dump)/DCIM/Kamera'", "mv '\(dump)/DCIM/Kamera' '\(dump)/DCIM/Camera'"),
        ]
        for (change, undo) in changes {
            #expect(try Run.shell(change).exitCode == 0)
            let r = try Integrity.verify(db)
            #expect(r.exitCode == 3, "\(change): \(r.stdout)")
            #expect(r.stdout.contains("FAIL evidence dump: SHA-256 now"), "\(change)")
            #expect(try Run.shell(undo).exitCode == 0)
            #expect(try Integrity.verify(db).exitCode == 0, "\(undo)")
        }
    }

    /// Item 3: an interrupted directory ingest is reported as incomplete (exit 7), not as changed
    /// evidence; the report says so on every page; re-running the ingest completes the case.
    @Test func interruptedIsNotTampered() throws {
        let dir = try TestDirectory("integrity-interrupted"); defer { dir.remove() }
        let dump = dir.path("dump")
        try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
        for i in 0..<20 { try "line \(i)\n".write(toFile: "\(dump)/a\(i).txt", atomically: true, encoding: .utf8) }
        // Item 6 after a resume: a truncated .gz committed by the interrupted run still counts.
        #expect(try Run.shell("cd '\(dump)' && seq 1 40000 | gzip > f.gz && head -c 20000 f.gz > a-half.gz && rm f.gz").exitCode == 0)
        try "HANG\n".write(toFile: "\(dump)/m-hang.txt", atomically: true, encoding: .utf8)
        for i in 0..<20 { try "line \(i)\n".write(toFile: "\(dump)/z\(i).txt", atomically: true, encoding: .utf8) }
        let db = dir.path("case.sqlite")
        let args = ["ingest", dump, "--db", db, "--case", "I", "--jobs", "1", "--batch-size", "1"]
        let group = try ProcessGroup(Fixture.testbed, args + ["--no-supervise"])
        var committed = 0
        for _ in 0..<600 where committed < 120 {
            usleep(100_000)
            committed = (try? Fixture.open(db).read {
                try Int.fetchOne($0, sql: "SELECT count(*) + 100 * (SELECT count(*) FROM files WHERE name = 'a-half.gz') FROM files WHERE name LIKE 'a%.txt'") ?? 0
            }) ?? 0
        }
        usleep(500_000)
        group.killGroup()
        #expect(committed >= 120, "the worker hangs on m-hang.txt after committing a-half.gz and the a*.txt files")

        let r = try Integrity.verify(db)
        #expect(r.exitCode == 7, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("incomplete: ingest was interrupted (run 1 is running) — re-run the same command to finish"))
        #expect(!r.stdout.contains("is not what was ingested") && !r.stdout.contains("FAIL"), "\(r.stdout)")
        let html = dir.path("report.html")
        #expect(try Run.command(Fixture.exhibit, ["report", "--db", db, "--out", html]).exitCode == 0)
        let text = try CLIFixture.readText(html)
        #expect(text.components(separatedBy: "INCOMPLETE CASE: ingest was interrupted").count - 1 == ReportSection.allCases.count)

        let resumed = try Run.command(Fixture.testbed, args + ["--json"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        let done = try Integrity.verify(db)
        #expect(done.exitCode == 0, "\(done.stdout)\(done.stderr)")
        let status = try Fixture.open(db).read { try Row.fetchOne($0, sql: "SELECT status, message FROM evidence") }
        #expect(status?["status"] as String? == "truncated", "a-half.gz was committed by the killed run; the resumed walk skipped it")
        #expect(status?["message"] as String? == "entries not fully read: 1 truncated")
    }

    /// Item 6: an item's status is the worst of its direct entries — also a nested archive that
    /// turns out truncated only once opened — and the ingest summary shows it.
    @Test func anItemIsAsBadAsItsWorstDirectEntry() throws {
        let dir = try TestDirectory("integrity-status"); defer { dir.remove() }
        #expect(try Run.shell("""
            set -e; cd '\(dir.path(""))'; mkdir src; cd src
            seq 1 40000 > log.txt; gzip -c log.txt > full.gz; head -c $(( $(stat -c %s full.gz) / 2 )) full.gz > half.gz
            printf 'hi\\n' > a.txt; zip -q ../item.zip a.txt half.gz; cd ..; mkdir dump; cp src/half.gz src/a.txt dump/
            """).exitCode == 0)
        for (evidence, label) in [(dir.path("item.zip"), "item.zip"), (dir.path("dump"), "dump")] {
            let db = dir.path("\(label).sqlite")
            let r = try Run.command(Fixture.exhibit, ["ingest", evidence, "--db", db, "--no-analyzers"])
            #expect(r.exitCode == 0, "\(r.stderr)")
            #expect(r.stdout.contains("\(label): ingested, status truncated — entries not fully read: 1 truncated"), "\(r.stdout)")
            let rows = try Fixture.open(db).read {
                try Row.fetchAll($0, sql: """
                    SELECT 'evidence' AS what, status, message FROM evidence
                    UNION ALL SELECT path, status, message FROM files WHERE name = 'half.gz'
                    """).map { [$0["what"] as String? ?? "", $0["status"] as String? ?? "", $0["message"] as String? ?? ""] }
            }
            #expect(rows == [["evidence", "truncated", "entries not fully read: 1 truncated"],
                             ["\(label)!/half.gz", "truncated", "truncated gzip input"]])
        }
    }
}
