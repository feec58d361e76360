import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Same evidence → byte-identical exports, whatever the thread count and however often the run was
/// interrupted (docs/architecture.md, "Determinism"): row ids (files, messages, events, …) follow
/// the walk, not the order in which the analysis threads happen to finish, so every export that
/// names them — and every export ordered by them — is the same.
///
/// The only bytes left out of the comparison are facts about the runs themselves (see
/// ``PerRun``), never about the evidence.
@Suite("Exports are deterministic", .serialized)
struct ExportDeterminismTests {
    /// A zip whose entries interleave many small files with chat exports and pictures (so the
    /// analysis threads finish out of walk order), plus the sample case's phone dump.
    static func evidence(_ dir: TestDirectory) throws -> [String] {
        let src = dir.path("src")
        let chats = ["whatsapp/android-en-US", "whatsapp/ios-en", "kakaotalk/android-ko", "line/en", "telegram/full", "discord"]
        let pictures = ["scene1-orig.jpg", "scene1-conv.png", "scene1-q30.jpg", "scene2-cmyk.jpg", "scene11-orig.jpg"]
        var script = "set -e; mkdir -p '\(src)'; cd '\(src)';"
        for group in 0..<12 {
            script += "mkdir -p g\(group)/notes; for i in $(seq 1 120); do echo \"note $i of \(group)\" > g\(group)/notes/n$i.txt; done;"
            let chat = Corpus.url("chat/\(chats[group % chats.count])").path
            script += "mkdir -p g\(group)/chat && cp -r '\(chat)'/* g\(group)/chat/ && rm -f g\(group)/chat/*.expected.json;"
            let picture = Corpus.url("media/images/\(pictures[group % pictures.count])").path
            script += "cp '\(picture)' g\(group)/;"
        }
        script += "zip -q -r -X '\(dir.path("mixed.zip"))' g*"
        let r = try Run.shell(script)
        try #require(r.exitCode == 0, "fixture build failed: \(r.stderr)")
        return [dir.path("mixed.zip"), Corpus.url("sample-case/phone-dump.zip").path]
    }

    /// `streamAfter`: a small value makes every chat stream into its own transaction, which
    /// then waits for its turn behind files still being analysed.
    static func ingestArguments(_ evidence: [String], db: String, jobs: Int, streamAfter: Int = 4096) -> [String] {
        ["ingest"] + evidence + ["--db", db, "--case", "DET-1", "--examiner", "Tester", "--assume-tz", "Asia/Seoul",
                                 "--jobs", String(jobs), "--batch-size", "16", "--stream-after", String(streamAfter)]
    }

    /// Every format `exhibit export` writes without a review database, into `folder`.
    static func exportAll(db: String, into folder: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for format in ["timesketch", "csv", "bodyfile", "case", "dfxml", "transcript"] {
            let path = folder + "/export." + format
            let r = try Run.command(Fixture.exhibit, ["export", "--db", db, "--format", format, "--out", path])
            try #require(r.exitCode == 0, "export \(format): \(r.stderr)")
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                try #require(!names.isEmpty, "the transcript export wrote nothing")
                for name in names { out["transcript/" + name] = try Data(contentsOf: URL(fileURLWithPath: path + "/" + name)) }
            } else {
                out[format] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return out
    }

    /// Fields that describe a run, not the evidence, and so legitimately differ between two
    /// ingests of the same evidence: DFXML's `execution_environment/start_time` (when the first
    /// ingest started), CASE's investigative actions (each ingest run and this export, with
    /// their times and run numbers), the investigation object listing them, and — for a case
    /// ingested in several runs — which run committed what (the provenance records per run);
    /// the transcripts' "generated" time. Everything else is compared byte for byte.
    enum PerRun {
        static func normalise(_ name: String, _ data: Data, runsDiffer: Bool) -> String {
            var text = String(decoding: data, as: UTF8.self)
            switch name {
            case "dfxml":
                text = text.replacingOccurrences(of: #"<start_time>[^<]*</start_time>"#, with: "<start_time/>",
                                                 options: .regularExpression)
            case "case":
                text = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                    if line.contains(#""@type":"case-investigation:InvestigativeAction""#) { return false }
                    if line.contains(#""@type":"case-investigation:Investigation""#) { return false }
                    if runsDiffer, line.contains("committed by ingest run") { return false }
                    return true
                }.joined(separator: "\n")
            case _ where name.hasPrefix("transcript/"):
                text = text.replacingOccurrences(of: #"transcript generated [^·]*·"#, with: "transcript generated ·",
                                                 options: .regularExpression)
            default:
                break
            }
            return text
        }
    }

    /// Row ids as the exports see them, for a readable failure before the byte comparison.
    static func ids(_ db: String) throws -> [String] {
        try Fixture.open(db).read { c in
            try String.fetchAll(c, sql: "SELECT id || ' ' || evidence_id || ' ' || entry_key FROM files ORDER BY id")
                + String.fetchAll(c, sql: "SELECT 'm' || m.id || ' ' || m.file_id || ' ' || m.chat_id FROM messages m ORDER BY m.id")
                + String.fetchAll(c, sql: "SELECT 'e' || id || ' ' || kind || ' ' || coalesce(message_id, '') || ' ' || coalesce(file_id, '') FROM events ORDER BY id")
        }
    }

    /// The first row id that differs, for a short failure message (nil when equal).
    static func firstDifference(_ a: [String], _ b: [String]) -> String? {
        guard a != b else { return nil }
        let i = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) ?? min(a.count, b.count)
        return "row \(i): \(i < a.count ? a[i] : "(none)") vs \(i < b.count ? b[i] : "(none)") (\(a.count) vs \(b.count) rows)"
    }

    static func compare(_ a: [String: Data], _ b: [String: Data], runsDiffer: Bool, _ what: String) {
        #expect(a.keys.sorted() == b.keys.sorted(), "\(what): different export files")
        for name in a.keys.sorted() {
            guard let x = a[name], let y = b[name] else { continue }
            let (p, q) = (PerRun.normalise(name, x, runsDiffer: runsDiffer), PerRun.normalise(name, y, runsDiffer: runsDiffer))
            guard p != q else { continue }
            let pl = p.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            let ql = q.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            let first = (0..<min(pl.count, ql.count)).first(where: { pl[$0] != ql[$0] }) ?? min(pl.count, ql.count)
            let l = first < pl.count ? String(pl[first].prefix(300)) : "(end)"
            let r = first < ql.count ? String(ql[first].prefix(300)) : "(end)"
            Issue.record("\(what): \(name) differs at line \(first + 1):\n  \(l)\n  \(r)")
        }
    }

    @Test func twoThreadCountsAndAnInterruptedRunGiveTheSameExports() throws {
        let dir = try TestDirectory("determinism"); defer { dir.remove() }
        let evidence = try Self.evidence(dir)
        var exports: [[String: Data]] = []
        var idLists: [[String]] = []
        var digests: [String] = []
        for jobs in [1, 4] {
            let folder = dir.path("jobs\(jobs)")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let db = folder + "/case.sqlite"
            let r = try Run.command(Fixture.exhibit, Self.ingestArguments(evidence, db: db, jobs: jobs, streamAfter: jobs == 1 ? 4096 : 5))
            try #require(r.exitCode == 0, "ingest --jobs \(jobs): \(r.stderr)")
            exports.append(try Self.exportAll(db: db, into: folder))
            idLists.append(try Self.ids(db))
            digests.append(try Fixture.digest(db))
        }
        // The fixture is what it claims: chats (several per platform), pictures, events.
        let messages = idLists[0].filter { $0.hasPrefix("m") }.count
        let events = idLists[0].filter { $0.hasPrefix("e") }.count
        #expect(messages > 50 && events > messages, "messages \(messages), events \(events)")
        #expect(digests[0] == digests[1])
        let jobsDiffer = Self.firstDifference(idLists[0], idLists[1])
        #expect(jobsDiffer == nil, "row ids differ between --jobs 1 and --jobs 4")
        Self.compare(exports[0], exports[1], runsDiffer: false, "--jobs 1 vs --jobs 4 (streaming)")

        // Interrupted (Ctrl-C once files are committed) and resumed with a third thread count.
        let folder = dir.path("resumed")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let db = folder + "/case.sqlite"
        let args = Self.ingestArguments(evidence, db: db, jobs: 3, streamAfter: 5)
        _ = try InterruptProgressTests.ctrlCAfterFirstCommit(args, db: db, stderrPath: folder + "/stderr.txt")
        let interrupted = try InterruptProgressTests.count(db, "SELECT count(*) FROM ingest_runs WHERE status = 'interrupted'")
        try #require(interrupted == 1, "the ingest finished before Ctrl-C: make the evidence larger")
        let resumed = try Run.command(Fixture.exhibit, args)
        try #require(resumed.exitCode == 0, "resume: \(resumed.stderr)")
        #expect(try Fixture.digest(db) == digests[0])
        let resumeDiffers = Self.firstDifference(idLists[0], try Self.ids(db))
        #expect(resumeDiffers == nil, "row ids differ after an interrupted and resumed run")
        Self.compare(exports[0], try Self.exportAll(db: db, into: folder), runsDiffer: true, "--jobs 1 vs interrupted --jobs 3")
    }
}
