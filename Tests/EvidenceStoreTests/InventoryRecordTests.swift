import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

@Suite("Inventory record: written and read back as one type, by column name")
struct InventoryRecordTests {
    /// Every name a `Columns` enum reads must be a column of its table: a typo would read as NULL.
    @Test func columnEnumsNameRealColumns() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir)
        func columns(_ table: String) throws -> Set<String> {
            Set(try db.queue.read { try String.fetchAll($0, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]) })
        }
        let files = try columns("files")
        #expect(!files.isEmpty)
        for c in FileColumns.allCases where c != .evidenceLabel { #expect(files.contains(c.rawValue), "files.\(c.rawValue)") }
        #expect(Set(FileColumns.written.map(\.rawValue)) == files.subtracting(["id"]))
        let evidence = try columns("evidence")
        for c in [EvidenceColumns.id, .caseID, .label, .path, .kind, .size, .md5, .sha1, .sha256, .hashKind, .expectedSHA256,
                  .expectedMatch, .item, .itemDescription, .seizedBy, .seizedAtUTC, .seizedAtRaw, .seizedAtBasis,
                  .assumedZone, .status, .message, .format, .entryCount, .expandedBytes, .complete, .addedUTC] {
            #expect(evidence.contains(c.rawValue), "evidence.\(c.rawValue)")
        }
        let cases = try columns("cases")
        for c in [CaseColumns.id, .name, .examiner, .assumedZone, .createdUTC, .toolVersion] { #expect(cases.contains(c.rawValue)) }
        let errors = try columns("analysis_errors")
        for c in [ErrorColumns.id, .evidenceID, .entryKey, .path, .analyzerID, .analyzerVersion, .status, .code, .message,
                  .location, .runID] {
            #expect(errors.contains(c.rawValue), "analysis_errors.\(c.rawValue)")
        }
    }

    /// A nested container's record, with every optional field set, comes back equal.
    @Test func everyFieldRoundTrips() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        let record = InventoryRecord(
            key: EntryKey([2, 0]), virtualPath: "seized.zip!/in.zip!/data.tar", name: "data.tar", rawName: [0x64, 0xFF],
            nameEncoding: "undecodable", kind: .file, mode: 0o100600, linkTarget: nil, declaredSize: 7, size: 4096,
            hashes: StoreInputs.hashes("data.tar"), mime: "application/x-tar", status: .limitExceeded,
            message: "--max-depth reached", flags: ["sparse"], times: EntryTimes(changed: .unixSeconds(1_700_000_000)),
            isContainer: true, containerFormat: "GNU tar format", containerFlags: ["cd-count-mismatch"],
            expandedBytes: 123_456, devicePath: "/sdcard/data.tar")
        try db.commit([FileOutcome(evidenceID: ev, record: record)])
        let rows = try db.listFiles()
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.record == record)
        #expect(row.evidenceLabel == "seized.zip" && row.evidenceID == ev)
        #expect(row.key.text == "2/0" && row.parentKey?.text == "2")
        // The stored texts are what they were before the record type (digest unchanged).
        let stored = try db.queue.read {
            try Row.fetchOne($0, sql: "SELECT entry_key, parent_key, depth, sort_key, kind, status FROM files")
        }
        #expect(stored == ["entry_key": "2/0", "parent_key": "2", "depth": 1, "sort_key": "0000000002/0000000000",
                           "kind": "file", "status": "limit-exceeded"])
    }

    /// Values another tool wrote are read, not refused: the query still answers.
    @Test func oddStoredValuesAreTolerated() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        try db.commit([FileOutcome(evidenceID: ev, record: StoreInputs.record("0", path: "a.txt"))])
        let raw = try StoreInputs.rawConnection(dir.path("case.sqlite"))
        try raw.write { try $0.execute(sql: "UPDATE files SET status = 'weird', kind = 'socket', flags = ''") }
        let row = try #require(try db.listFiles().first)
        #expect(row.status == .corrupt)
        #expect(row.kind == .other)
        #expect(row.flags.isEmpty)
        #expect(try db.files().isEmpty)  // `files()` lists stored kind `file` only
        try raw.write { try $0.execute(sql: "UPDATE files SET kind = 'file'") }
        #expect(try db.files().first?.status == .corrupt)
        // A key that is not positions names no entry the walker could skip.
        try raw.write { try $0.execute(sql: "UPDATE files SET entry_key = '01'") }
        #expect(try db.committedEntries(evidenceID: ev).isEmpty)
    }

    /// The store's rules for the seizure-form hash and for changed evidence, which the engine asks.
    @Test func expectedMatchAndChangedEvidenceRules() throws {
        let h = StoreInputs.hashes("x")
        #expect(EvidenceDatabase.expectedMatch(expected: nil, hashes: h) == nil)
        #expect(EvidenceDatabase.expectedMatch(expected: h.sha256, hashes: nil) == nil)
        #expect(EvidenceDatabase.expectedMatch(expected: " " + h.sha256.uppercased() + " ", hashes: h) == true)
        #expect(EvidenceDatabase.expectedMatch(expected: StoreInputs.hashes("y").sha256, hashes: h) == false)

        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir)
        let row = try #require(try db.evidenceList().first)
        try row.checkUnchanged(nowSHA256: nil)
        try row.checkUnchanged(nowSHA256: row.hashes?.sha256.uppercased())
        let other = StoreInputs.hashes("other").sha256
        #expect(throws: EvidenceStoreError.evidenceHashChanged(label: row.label, recordedSHA256: row.hashes?.sha256 ?? "",
                                                               nowSHA256: other)) {
            try row.checkUnchanged(nowSHA256: other)
        }
        var manifest = row
        manifest.hashKind = .manifest
        try manifest.checkUnchanged(nowSHA256: other)  // a manifest hash is not the content's
    }

    /// Only the supervisor's two statuses reach `recordCrash`; the stored text is the status's.
    @Test func crashStatusesAreTyped() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        try db.recordCrash(evidenceID: ev, entryKey: EntryKey([1, 2]), path: "seized.zip!/x", analyzerID: "intake",
                           analyzerVersion: "1", status: .timeout, message: "stuck", code: "intake-guard")
        #expect(throws: EvidenceStoreError.invalidEntryKey("")) {
            try db.recordCrash(evidenceID: ev, entryKey: EntryKey([]), path: "seized.zip!/", analyzerID: "a",
                               analyzerVersion: "1", status: .crashed, message: "m")
        }
        #expect(try db.errorCounts() == ["timeout": 1])
        let stops = try db.intakeStops(analyzerIDs: ["intake"])
        #expect(stops.count == 1)
        #expect(stops.first?.entryKey == EntryKey([1, 2]) && stops.first?.message == "stuck")
        #expect(CrashStatus.allCases.map(\.analysisStatus) == [.crashed, .timeout])
        #expect(AnalysisStatus.allCases.filter(\.isSupervisorRecord) == [.crashed, .timeout])
    }
}
