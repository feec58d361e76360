import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

@Suite("Committing files, findings and errors")
struct CommitTests {
    @Test(.tags(.timeZone)) func storesTheFullRecordWithTimesAsText() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        let run = try db.beginRun(toolVersion: "0.1.0", commandLine: ["exhibit", "ingest", "seized.zip"],
                                  options: .object(["jobs": .number(2)]), jobs: 2)
        let seoul = try #require(TimeZone(identifier: "Asia/Seoul"))
        let dos = NaiveDateTime(year: 2024, month: 8, day: 28, hour: 15, minute: 12, second: 4)
            .resolve(in: seoul, raw: "0x591c7982", precision: .twoSeconds)
        let record = InventoryRecord(
            key: EntryKey([3, 17]), virtualPath: "seized.zip!/inner.zip!/사진/a.jpg", name: "a.jpg",
            rawName: [0xBB, 0xE7, 0xC1, 0xF8, 0x2F, 0x61], nameEncoding: "cp949", kind: .file, mode: 0o100644,
            linkTarget: nil, declaredSize: 999_999, size: 2048, hashes: StoreInputs.hashes("a.jpg"), mime: "image/jpeg",
            status: .truncated, message: "Truncated input file", flags: ["path-sanitized", "name-mismatch", "path-sanitized"],
            times: EntryTimes(modified: dos, accessed: .unixSeconds(1_724_825_524, nanoseconds: 120_000_000)),
            isContainer: false)
        try db.commit([FileOutcome(evidenceID: ev, record: record)])
        let row = try #require(try db.listFiles().first)
        var stored = record
        stored.flags = ["name-mismatch", "path-sanitized"]
        let expected = FileRow(id: row.id, evidenceID: ev, evidenceLabel: "seized.zip", record: stored, runID: run)
        #expect(row == expected)
        #expect(row.parentKey == EntryKey([3]) && row.depth == 1)
        let keys = try db.queue.read { try Row.fetchOne($0, sql: "SELECT entry_key, parent_key, depth, sort_key FROM files") }
        #expect(keys == ["entry_key": "3/17", "parent_key": "3", "depth": 1, "sort_key": "0000000003/0000000017"])
        // The text forms as any SQLite tool sees them.
        let texts = try db.queue.read { c in
            try Row.fetchAll(c, sql: "SELECT kind, utc, utc_us, raw, basis, precision, note, local_wallclock FROM file_times ORDER BY kind")
        }
        #expect(texts.count == 2)
        #expect(texts[0] == ["kind": "accessed", "utc": "2024-08-28T06:12:04.120000Z",
                             "utc_us": 1_724_825_524_120_000, "raw": "1724825524.120000000", "basis": "utc",
                             "precision": "microsecond", "note": nil, "local_wallclock": nil])
        #expect(texts[1] == ["kind": "modified", "utc": "2024-08-28T06:12:04Z", "utc_us": 1_724_825_524_000_000,
                             "raw": "0x591c7982", "basis": "assumed-zone", "precision": "2s", "note": nil,
                             "local_wallclock": "2024-08-28T15:12:04"])
        let flags = try db.queue.read { try String.fetchOne($0, sql: "SELECT flags || '|' || container_flags FROM files") }
        #expect(flags == "name-mismatch,path-sanitized|")
        #expect(try db.statusCounts() == ["truncated": 1])
    }

    @Test func redoReplacesTheRowAndFindingsButKeepsCrashRecords() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        let first = FileOutcome(
            evidenceID: ev, record: StoreInputs.record("0", path: "chat/result.json", mime: "application/json"),
            findings: [
                ProducedFinding(analyzerID: "chat-export", analyzerVersion: "1", finding: .artifact(Artifact(
                    type: "chat.stub", properties: .object(["n": .number(1)]),
                    times: ["sent": .unixSeconds(1_700_000_000)], location: SourceLocation(offset: 12)))),
            ],
            errors: [AnalysisErrorInput(analyzerID: "chat-export", analyzerVersion: "1", status: .warning, code: "truncated-json",
                                        message: "JSON ends early",
                                        location: SourceLocation(offset: 9_007_199_254_740_993, record: "line 3").storedText),
                     AnalysisErrorInput(analyzerID: "metadata", analyzerVersion: "2", code: "bad-exif", message: "no")])
        try db.commit([first])
        try db.recordCrash(evidenceID: ev, entryKey: EntryKey([0]), path: "seized.zip!/chat/result.json", analyzerID: "decoder",
                           analyzerVersion: "3", status: .crashed, message: "worker died with SIGSEGV twice")
        try db.recordCrash(evidenceID: ev, entryKey: EntryKey([0]), path: "seized.zip!/chat/result.json", analyzerID: "decoder",
                           analyzerVersion: "3", status: .crashed, message: "recorded again")
        let fileID = try #require(try db.listFiles().first?.id)
        let locations = try db.queue.read {
            try String.fetchAll($0, sql: "SELECT location FROM analysis_errors WHERE location IS NOT NULL")
        }
        #expect(locations == [#"{"offset":9007199254740993,"record":"line 3"}"#])
        #expect(try db.errorCounts() == ["warning": 1, "error": 1, "crashed": 1])
        #expect(try db.errorCount() == 2)
        #expect(try db.crashedPairs() == ["\(ev)|0|decoder"])

        // The redo: different size and one artifact without times, no warning, no error.
        var again = StoreInputs.record("0", path: "chat/result.json", size: 555, mime: "application/json")
        again.times = EntryTimes()
        try db.commit([FileOutcome(evidenceID: ev, record: again, findings: [
            ProducedFinding(analyzerID: "chat-export", analyzerVersion: "1", finding: .artifact(Artifact(
                type: "chat.stub", properties: .object(["n": .number(2)])))),
        ])])
        let rows = try db.listFiles()
        #expect(rows.count == 1)
        #expect(rows[0].id == fileID)
        #expect(rows[0].size == 555)
        #expect(rows[0].times == EntryTimes())
        let counts = try db.queue.read { c in
            [try Int.fetchOne(c, sql: "SELECT count(*) FROM artifacts"), try Int.fetchOne(c, sql: "SELECT count(*) FROM artifact_times"),
             try Int.fetchOne(c, sql: "SELECT count(*) FROM file_times")]
        }
        #expect(counts == [1, 0, 0])
        let props = try db.queue.read { try String.fetchOne($0, sql: "SELECT properties FROM artifacts") }
        #expect(props == #"{"n":2}"#)
        #expect(try db.errorCounts() == ["crashed": 1])
        #expect(try db.crashedPairs() == ["\(ev)|0|decoder"])
    }

    @Test func aFailedBatchCommitsNothing() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        let good = FileOutcome(evidenceID: ev, record: StoreInputs.record("0", path: "a.txt"))
        // A key that cannot be stored (a negative position, one past ten digits) fails the batch.
        let bad = FileOutcome(evidenceID: ev, record: StoreInputs.record("1/x", path: "b.txt"))
        #expect(throws: EvidenceStoreError.invalidEntryKey("1/-1")) {
            try db.commit([good, bad])
        }
        #expect(throws: EvidenceStoreError.invalidEntryKey("12345678901")) {
            try db.commit([FileOutcome(evidenceID: ev, record: StoreInputs.record("12345678901", path: "c.txt"))])
        }
        #expect(throws: DatabaseError.self) { // evidence 42 does not exist: foreign keys are on
            try db.commit([FileOutcome(evidenceID: 42, record: StoreInputs.record("0", path: "a.txt"))])
        }
        #expect(try db.listFiles().isEmpty)
    }

    @Test func committedEntriesAccountForNestedContainers() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        // seized.zip: 0 = a.txt (10), 1 = inner.zip (500) holding 1/0 = deep.tar (300) holding 1/0/0 (40)
        // and 1/0/1 (60), and 1/1 = b.txt (20); 2 = other.zip committed with expanded_bytes from intake
        // (the bytes intake charged for the entry and its subtree: that, not the size, is accounted).
        let outcomes = [
            StoreInputs.record("0", path: "a.txt", size: 10),
            StoreInputs.record("1/0/0", path: "inner.zip!/deep.tar!/x", size: 40),
            StoreInputs.record("1/0/1", path: "inner.zip!/deep.tar!/y", size: 60),
            StoreInputs.record("1/0", path: "inner.zip!/deep.tar", size: 300, container: true),
            StoreInputs.record("1/1", path: "inner.zip!/b.txt", size: 20),
            StoreInputs.record("1", path: "inner.zip", size: 500, container: true),
            StoreInputs.record("2", path: "other.zip", size: 70, container: true, expanded: 1234),
        ].map { FileOutcome(evidenceID: ev, record: $0) }
        try db.commit(Array(outcomes.prefix(3)))
        // Interrupted before the containers: their children are committed, they are not.
        #expect(try db.committedEntries(evidenceID: ev) == [EntryKey([0]): 10, EntryKey([1, 0, 0]): 40, EntryKey([1, 0, 1]): 60])
        try db.commit(Array(outcomes.dropFirst(3)))
        #expect(try db.committedEntries(evidenceID: ev) == [
            EntryKey([0]): 10, EntryKey([1, 0, 0]): 40, EntryKey([1, 0, 1]): 60, EntryKey([1, 0]): 400, EntryKey([1, 1]): 20,
            EntryKey([1]): 500 + 300 + 40 + 60 + 20, EntryKey([2]): 1234,
        ])
        #expect(try db.committedEntries(evidenceID: ev + 1).isEmpty)
        // Canonical order: numeric, element by element, container before its contents.
        #expect(try db.listFiles().map(\.key.text) == ["0", "1", "1/0", "1/0/0", "1/0/1", "1/1", "2"])
    }

    @Test func canonicalOrderIsNumericNotTextual() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        let keys = ["10", "9", "2/10", "2/9", "2", "100", "0"]
        try db.commit(keys.map { FileOutcome(evidenceID: ev, record: StoreInputs.record($0, path: "f\($0)")) })
        #expect(try db.listFiles().map(\.key.text) == ["0", "2", "2/9", "2/10", "9", "10", "100"])
        #expect(EntryKeyOrder.sortKey("2/10") == "0000000002/0000000010")
        for bad in ["", "1//2", "-1", "a", "1/", "01", "12345678901"] { #expect(EntryKeyOrder.sortKey(bad) == nil, "\(bad)") }
    }

    @Test func listFilesFilters() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        let second = try db.registerEvidence(EvidenceInput(label: "phone.tar", path: "/e/phone.tar", kind: .file,
                                                           size: 1, hashes: StoreInputs.hashes("phone.tar")))
        try db.commit([
            FileOutcome(evidenceID: ev, record: StoreInputs.record("0", path: "DCIM/a.jpg", mime: "image/jpeg")),
            FileOutcome(evidenceID: ev, record: StoreInputs.record("1", path: "DCIM/b.png", mime: "image/png")),
            FileOutcome(evidenceID: ev, record: StoreInputs.record("2", path: "notes.txt", status: .encrypted)),
            FileOutcome(evidenceID: second, record: StoreInputs.record("0", path: "c.jpg", mime: "image/jpeg", label: "phone.tar")),
        ])
        // Canonical order: by evidence label first.
        #expect(try db.listFiles(FileFilter(mimePrefix: "image/")).map(\.virtualPath)
                == ["phone.tar!/c.jpg", "seized.zip!/DCIM/a.jpg", "seized.zip!/DCIM/b.png"])
        #expect(try db.listFiles(FileFilter(evidenceLabel: "phone.tar")).map(\.evidenceLabel) == ["phone.tar"])
        #expect(try db.listFiles(FileFilter(status: .encrypted)).map(\.key.text) == ["2"])
        #expect(try db.listFiles(FileFilter(kind: .file)).count == 4)
        #expect(try db.listFiles(FileFilter(kind: .directory)).isEmpty)
        #expect(try db.listFiles(FileFilter(pathGlob: "*DCIM/*")).count == 2)
        #expect(try db.listFiles(FileFilter(sha256: StoreInputs.hashes("notes.txt").sha256.uppercased())).map(\.key.text) == ["2"])
        #expect(try db.listFiles(FileFilter(md5: StoreInputs.hashes("DCIM/b.png").md5)).map(\.key.text) == ["1"])
        #expect(try db.listFiles(FileFilter(sha1: StoreInputs.hashes("c.jpg").sha1)).map(\.evidenceLabel) == ["phone.tar"])
        #expect(try db.listFiles(FileFilter(limit: 2, offset: 1)).map(\.virtualPath) == ["seized.zip!/DCIM/a.jpg", "seized.zip!/DCIM/b.png"])
        #expect(try db.listFiles(FileFilter(mimePrefix: "image/", limit: 1, offset: 2)).map(\.virtualPath) == ["seized.zip!/DCIM/b.png"])
        #expect(try db.listFiles(FileFilter(offset: 3)).map(\.virtualPath) == ["seized.zip!/notes.txt"])
        // The CaseReader view: every regular file with content, with times.
        let files = try db.files()
        #expect(files.map(\.key) == ["phone.tar#0", "seized.zip#0", "seized.zip#1", "seized.zip#2"])
        #expect(files[0] == CaseFileSummary(key: "phone.tar#0", virtualPath: "phone.tar!/c.jpg", size: 100,
                                            sha256: StoreInputs.hashes("c.jpg").sha256, mime: "image/jpeg", status: .ok,
                                            times: EntryTimes(modified: .unixSeconds(1_724_825_524))))
    }

    @Test func runsRecordTheirLifecycle() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        let killed = try db.beginRun(toolVersion: "0.1.0", commandLine: ["exhibit", "ingest"], options: .object([:]), jobs: 2)
        try db.commit([FileOutcome(evidenceID: ev, record: StoreInputs.record("0", path: "a"))])
        // The process died here; the next run marks it interrupted and owns new commits.
        let resumed = try db.beginRun(toolVersion: "0.1.0", commandLine: ["exhibit", "ingest", "--jobs", "1"],
                                      options: .object(["jobs": .number(1)]), jobs: 1)
        try db.commit([FileOutcome(evidenceID: ev, record: StoreInputs.record("1", path: "b"))])
        try db.finishRun(id: resumed, status: "completed", filesCommitted: 1, chainHead: "ab", signature: nil, publicKey: nil)
        let runs = try db.queue.read { c in
            try Row.fetchAll(c, sql: "SELECT id, status, files_committed, command_line, options, finished_utc IS NOT NULL AS done FROM ingest_runs ORDER BY id")
        }
        #expect(runs == [
            ["id": killed, "status": "interrupted", "files_committed": 1, "command_line": #"["exhibit","ingest"]"#,
             "options": "{}", "done": 0],
            ["id": resumed, "status": "completed", "files_committed": 1,
             "command_line": #"["exhibit","ingest","--jobs","1"]"#, "options": #"{"jobs":1}"#, "done": 1],
        ])
        #expect(try db.listFiles().map(\.runID) == [killed, resumed])
        #expect(throws: EvidenceStoreError.invalidValue(field: "run status", value: "running")) {
            try db.finishRun(id: resumed, status: "running", filesCommitted: 0, chainHead: "", signature: nil, publicKey: nil)
        }
    }
}
