import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

@Suite("Opening and migrating case databases")
struct OpeningTests {
    @Test func freshDatabaseIsMigratedAndConfigured() throws {
        let dir = try TempDir()
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        #expect(try db.appliedMigrations() == ["v1-foundation", "v2-chat", "v3-metadata", "v4-media", "v5-timeline", "v6-phones", "v7-recovery", "v8-metadata-names", "v9-recovered-messages", "v10-file-owner"])
        #expect(EvidenceDatabase.migrationIdentifiers == ["v1-foundation", "v2-chat", "v3-metadata", "v4-media", "v5-timeline", "v6-phones", "v7-recovery", "v8-metadata-names", "v9-recovered-messages", "v10-file-owner"])
        #expect(EvidenceDatabase.schemaVersion == 10)
        #expect(try db.integrityCheck() == ["ok"])
        // The store's own connection: WAL, synchronous FULL (2), foreign keys on.
        let (journal, sync, fk, appID): (String?, Int?, Int?, Int32?) = try db.queue.read { c in
            (try String.fetchOne(c, sql: "PRAGMA journal_mode"), try Int.fetchOne(c, sql: "PRAGMA synchronous"),
             try Int.fetchOne(c, sql: "PRAGMA foreign_keys"), try Int32.fetchOne(c, sql: "PRAGMA application_id"))
        }
        #expect(journal == "wal")
        #expect(sync == 2)
        #expect(fk == 1)
        #expect(appID == 0x4558_4842)
        #expect(db.isReadOnly == false)
    }

    @Test func reopeningKeepsDataAndDoesNotRemigrate() throws {
        let dir = try TempDir()
        do {
            let (db, _) = try StoreInputs.database(in: dir)
            try db.commit([FileOutcome(evidenceID: 1, record: StoreInputs.record("0", path: "a.txt"))])
        }
        let again = try EvidenceDatabase(path: dir.path("case.sqlite"))
        #expect(try again.appliedMigrations() == ["v1-foundation", "v2-chat", "v3-metadata", "v4-media", "v5-timeline", "v6-phones", "v7-recovery", "v8-metadata-names", "v9-recovered-messages", "v10-file-owner"])
        #expect(try again.listFiles().map(\.virtualPath) == ["seized.zip!/a.txt"])
        let ro = try EvidenceDatabase.openExisting(path: dir.path("case.sqlite"), readOnly: true)
        #expect(ro.isReadOnly)
        #expect(try ro.listFiles().count == 1)
        #expect(throws: (any Error).self) { try ro.appendAudit(action: "x", details: .null) }
    }

    /// What a second process sees after the first one died mid-ingest: everything committed,
    /// nothing else, and the dead run marked interrupted.
    @Test func aSecondConnectionResumesWhatTheFirstCommitted() throws {
        let dir = try TempDir()
        let path = dir.path("case.sqlite")
        let (first, ev) = try StoreInputs.database(in: dir)
        let deadRun = try first.beginRun(toolVersion: "0.1.0", commandLine: [], options: .null, jobs: 2)
        try first.commit([FileOutcome(evidenceID: ev, record: StoreInputs.record("0", path: "a", size: 7))])
        // A transaction that never commits (the process is killed inside it).
        let raw = try StoreInputs.rawConnection(path)
        try raw.inDatabase { c in
            try c.beginTransaction()
            try c.execute(sql: "INSERT INTO files (evidence_id, entry_key, sort_key, depth, path, name, raw_name, name_encoding, kind, size, status) VALUES (?, '1', '0000000001', 0, 'x', 'x', x'78', 'utf-8', 'file', 1, 'ok')", arguments: [ev])
            try c.rollback()
        }
        let second = try EvidenceDatabase(path: path)
        #expect(try second.committedEntries(evidenceID: ev) == [EntryKey([0]): 7])
        let run = try second.beginRun(toolVersion: "0.1.0", commandLine: [], options: .null, jobs: 2)
        #expect(run == deadRun + 1)
        let statuses = try second.queue.read { try String.fetchAll($0, sql: "SELECT status FROM ingest_runs ORDER BY id") }
        #expect(statuses == ["interrupted", "running"])
        #expect(try second.integrityCheck() == ["ok"])
    }

    @Test func readOnlyOpenAfterEveryConnectionClosed() throws {
        let dir = try TempDir()
        let path = dir.path("case.sqlite")
        do {
            let (db, ev) = try StoreInputs.database(in: dir)
            try db.commit([FileOutcome(evidenceID: ev, record: StoreInputs.record("0", path: "a"))])
        }
        let ro = try EvidenceDatabase.openExisting(path: path, readOnly: true)
        #expect(try ro.listFiles().map(\.key.text) == ["0"])
        #expect(try ro.caseInfo()?.name == "2024-SEOUL-0042")
    }

    @Test func openExistingRefusesWhatIsNotACaseDatabase() throws {
        let dir = try TempDir()
        #expect(throws: EvidenceStoreError.notFound(path: dir.path("missing.sqlite"))) {
            try EvidenceDatabase.openExisting(path: dir.path("missing.sqlite"), readOnly: true)
        }
        // A file that is not SQLite at all (say, an evidence zip given as --db) is not touched.
        let zipPath = dir.path("seized.zip")
        let zipBytes = Data("PK\u{3}\u{4}not really a zip but surely not sqlite".utf8)
        try zipBytes.write(to: URL(fileURLWithPath: zipPath))
        for readOnly in [true, false] {
            #expect(throws: EvidenceStoreError.notExhibitDatabase(path: zipPath, reason: "not a SQLite file")) {
                try EvidenceDatabase.openExisting(path: zipPath, readOnly: readOnly)
            }
        }
        #expect(throws: EvidenceStoreError.notExhibitDatabase(path: zipPath, reason: "not a SQLite file")) {
            try EvidenceDatabase(path: zipPath)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: zipPath)) == zipBytes)
        // Another application's SQLite database is refused, and not migrated into.
        let other = dir.path("other.sqlite")
        try StoreInputs.rawConnection(other).write { try $0.execute(sql: "CREATE TABLE notes (t TEXT)") }
        let reason = "SQLite database of another application"
        #expect(throws: EvidenceStoreError.notExhibitDatabase(path: other, reason: reason)) {
            try EvidenceDatabase.openExisting(path: other, readOnly: false)
        }
        #expect(throws: EvidenceStoreError.notExhibitDatabase(path: other, reason: reason)) {
            try EvidenceDatabase(path: other)
        }
        let tables = try StoreInputs.rawConnection(other).read {
            try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        #expect(tables == ["notes"])
    }

    @Test func hashIndexesAreDeferredDuringARunAndAlwaysComeBack() throws {
        let dir = try TempDir()
        let path = dir.path("case.sqlite")
        let fresh = try EvidenceDatabase(path: dir.path("fresh.sqlite"))
        func schema(_ db: EvidenceDatabase) throws -> [Row] {
            try db.queue.read { try Row.fetchAll($0, sql: "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name") }
        }
        let (db, ev) = try StoreInputs.database(in: dir)
        let run = try db.beginRun(toolVersion: "0.1.0", commandLine: [], options: .null, jobs: 1)
        #expect(try db.deferredIndexesMissing() == ["files_sha256", "files_md5", "files_sha1"])
        try db.commit([FileOutcome(evidenceID: ev, record: StoreInputs.record("0", path: "a"))])
        // Queries still answer without the indexes.
        #expect(try db.listFiles(FileFilter(sha256: StoreInputs.hashes("a").sha256)).count == 1)
        try db.finishRun(id: run, status: "completed", filesCommitted: 1, chainHead: AuditChain.genesis, signature: nil, publicKey: nil)
        #expect(try db.deferredIndexesMissing().isEmpty)
        #expect(try schema(db) == schema(fresh))
        // A run killed before finishing: the next writable open rebuilds them.
        _ = try db.beginRun(toolVersion: "0.1.0", commandLine: [], options: .null, jobs: 1)
        #expect(try db.deferredIndexesMissing().count == 3)
        let ro = try EvidenceDatabase.openExisting(path: path, readOnly: true)
        #expect(try ro.deferredIndexesMissing().count == 3)
        let reopened = try EvidenceDatabase.openExisting(path: path, readOnly: false)
        #expect(try reopened.deferredIndexesMissing().isEmpty)
        #expect(try schema(reopened) == schema(fresh))
        // A small addition to a large case can keep them.
        _ = try reopened.beginRun(toolVersion: "0.1.0", commandLine: [], options: .null, jobs: 1, deferHashIndexes: false)
        #expect(try reopened.deferredIndexesMissing().isEmpty)
    }

    @Test func newerSchemaIsRefused() throws {
        let dir = try TempDir()
        let path = dir.path("case.sqlite")
        _ = try EvidenceDatabase(path: path)
        try StoreInputs.rawConnection(path).write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
        }
        #expect(throws: EvidenceStoreError.newerSchema(path: path, unknownMigrations: ["v9-from-the-future"])) {
            try EvidenceDatabase.openExisting(path: path, readOnly: true)
        }
    }

    @Test func caseIsOnePerFileAndZoneChangesAreExplicit() throws {
        let dir = try TempDir()
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        #expect(try db.caseInfo() == nil)
        let id = try db.ensureCase(name: "2024-SEOUL-0042", examiner: nil, assumedZone: "Asia/Seoul", toolVersion: "0.1.0")
        #expect(try db.ensureCase(name: "2024-SEOUL-0042", examiner: "Kim J.", assumedZone: nil, toolVersion: "0.2.0") == id)
        let info = try #require(try db.caseInfo())
        #expect(info.id == id)
        #expect(info.name == "2024-SEOUL-0042")
        #expect(info.examiner == "Kim J.")
        #expect(info.assumedZone == "Asia/Seoul")
        #expect(info.toolVersion == "0.1.0")
        #expect(info.createdUTC.hasSuffix("Z"))
        #expect(throws: EvidenceStoreError.caseMismatch(recorded: "2024-SEOUL-0042", requested: "OTHER")) {
            try db.ensureCase(name: "OTHER", examiner: nil, assumedZone: nil, toolVersion: "0.1.0")
        }
        #expect(throws: EvidenceStoreError.caseZoneMismatch(recorded: "Asia/Seoul", requested: "UTC")) {
            try db.ensureCase(name: "2024-SEOUL-0042", examiner: nil, assumedZone: "UTC", toolVersion: "0.1.0")
        }
    }

    @Test func evidenceRegistrationIsAnUpsertThatGuardsTheHash() throws {
        let dir = try TempDir()
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        try db.ensureCase(name: "C", examiner: nil, assumedZone: nil, toolVersion: "0.1.0")
        let h = StoreInputs.hashes("seized.zip")
        let seized = NaiveDateTime(year: 2024, month: 8, day: 30, hour: 9, minute: 15).withOffset(seconds: 9 * 3600, raw: "2024-08-30T09:15+09:00")
        var input = EvidenceInput(label: "seized.zip", path: "/mnt/case/seized.zip", kind: .file, size: 4096, hashes: h,
                                  expectedSHA256: h.sha256.uppercased(), item: "EX-1", description: "phone dump",
                                  seizedBy: "Officer Park", seizedAt: seized)
        let id = try db.registerEvidence(input)
        let first = try #require(try db.evidenceList().first)
        #expect(first == EvidenceRow(
            id: id, label: "seized.zip", path: "/mnt/case/seized.zip", kind: .file, size: 4096, hashes: h,
            hashKind: .container, expectedSHA256: h.sha256, expectedMatch: true, item: "EX-1", description: "phone dump",
            seizedBy: "Officer Park",
            seizedAt: TimeValue(raw: "2024-08-30T09:15+09:00", utcMicros: seized.utcMicros, basis: .offset, precision: .second),
            assumedZone: nil, status: nil, message: nil, format: nil, entryCount: nil, expandedBytes: nil,
            complete: false, addedUTC: first.addedUTC))
        #expect(try db.evidenceList().first?.seizedAt?.utcString == "2024-08-30T00:15:00Z")
        // Resume from another mount point: same id, path updated, first add time kept.
        input.path = "/media/usb/seized.zip"
        input.expectedSHA256 = StoreInputs.hashes("other").sha256
        #expect(try db.registerEvidence(input) == id)
        let second = try #require(try db.evidenceList().first)
        #expect(second.path == "/media/usb/seized.zip")
        #expect(second.expectedMatch == false)
        #expect(second.addedUTC == first.addedUTC)
        // Different bytes under the same label must not be mixed in.
        input.hashes = StoreInputs.hashes("tampered")
        #expect(throws: EvidenceStoreError.evidenceHashChanged(label: "seized.zip", recordedSHA256: h.sha256,
                                                               nowSHA256: StoreInputs.hashes("tampered").sha256)) {
            try db.registerEvidence(input)
        }
        try db.finishEvidence(id: id, status: .truncated, message: "unexpected end of archive", format: "zip",
                              entryCount: 12, expandedBytes: 9000, manifest: nil)
        let done = try #require(try db.evidenceList().first)
        #expect(done.status == .truncated)
        #expect(done.message == "unexpected end of archive")
        #expect(done.format == "zip")
        #expect(done.entryCount == 12)
        #expect(done.expandedBytes == 9000)
        #expect(done.complete)
        #expect(done.hashes == h)
        #expect(throws: EvidenceStoreError.unknownEvidence(id: 99)) {
            try db.finishEvidence(id: 99, status: .ok, message: nil, format: nil, entryCount: 0, expandedBytes: 0, manifest: nil)
        }
    }

    @Test func directoryEvidenceTakesTheManifestHashes() throws {
        let dir = try TempDir()
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        try db.ensureCase(name: "C", examiner: nil, assumedZone: nil, toolVersion: "0.1.0")
        let id = try db.registerEvidence(EvidenceInput(label: "dump", path: "/mnt/dump", kind: .directory, size: 0,
                                                       hashes: nil, hashKind: .manifest))
        let manifest = StoreInputs.hashes("manifest")
        try db.finishEvidence(id: id, status: .ok, message: nil, format: "directory", entryCount: 3, expandedBytes: 300,
                              manifest: manifest)
        let row = try #require(try db.evidenceList().first)
        #expect(row.kind == .directory)
        #expect(row.hashKind == .manifest)
        #expect(row.hashes == manifest)
    }
}
