import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// A seeded generator, so a failing shuffle can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state ^ (state >> 29)
    }
}

@Suite("Findings digest")
struct DigestTests {
    static let labels = ["seized.zip", "phone.tar"]

    /// Findings for two evidence items: nested files, times of every basis, artifacts (two
    /// differing only in their times), warnings and errors. Keyed by evidence label.
    static func findings() -> [(String, InventoryRecord, [ProducedFinding], [AnalysisErrorInput])] {
        let seoul = TimeZone(identifier: "Asia/Seoul")
        var out: [(String, InventoryRecord, [ProducedFinding], [AnalysisErrorInput])] = []
        for label in labels {
            for i in 0..<12 {
                let key = i < 8 ? "\(i)" : "7/\(i - 8)"
                var r = StoreInputs.record(key, path: "\(label)-\(i).bin", size: Int64(i * 10),
                                       container: i == 7, mime: i % 2 == 0 ? "image/jpeg" : "text/plain")
                r.times.created = NaiveDateTime(year: 2024, month: 3, day: 10, hour: i, minute: 30).resolve(in: seoul, raw: "dos \(i)")
                r.flags = i % 3 == 0 ? ["path-sanitized"] : []
                var found: [ProducedFinding] = []
                var errors: [AnalysisErrorInput] = []
                if i % 4 == 1 {
                    for t in [1_700_000_000, 1_700_000_100] as [Int64] {
                        found.append(ProducedFinding(analyzerID: "sms", analyzerVersion: "1", finding: .artifact(Artifact(
                            type: "sms.message", properties: .object(["body": .string("안녕"), "n": .number(1)]),
                            times: ["sent": .unixSeconds(t), "read": .unixSeconds(t + 5)], location: SourceLocation(record: "row 1")))))
                    }
                    errors.append(AnalysisErrorInput(analyzerID: "sms", analyzerVersion: "1", status: .warning,
                                                     code: "odd-row", message: "row 2 has no date"))
                }
                if i % 5 == 2 {
                    errors.append(AnalysisErrorInput(analyzerID: "metadata", analyzerVersion: "2", code: "bad-exif", message: "no IFD0"))
                    errors.append(AnalysisErrorInput(analyzerID: "chat", analyzerVersion: "1", code: "not-an-export", message: "no"))
                }
                out.append((label, r, found, errors))
            }
        }
        return out
    }

    /// Builds a database with `findings()`, registering the items in `labelOrder`, committing in
    /// a shuffled order with the given batch size, optionally committing a stale version of some
    /// files first (a redo after a crash).
    static func build(_ dir: TempDir, name: String, labelOrder: [String], seed: UInt64, batch: Int,
                      redo: Bool) throws -> EvidenceDatabase {
        let db = try EvidenceDatabase(path: dir.path(name))
        try db.ensureCase(name: "C", examiner: nil, assumedZone: "Asia/Seoul", toolVersion: "0.1.0")
        var ids: [String: Int64] = [:]
        for label in labelOrder {
            ids[label] = try db.registerEvidence(EvidenceInput(label: label, path: "/\(name)/\(label)", kind: .file,
                                                               size: 10, hashes: StoreInputs.hashes(label)))
        }
        var rng = SeededGenerator(state: seed)
        var outcomes = findings().map { FileOutcome(evidenceID: ids[$0.0]!, record: $0.1, findings: $0.2, errors: $0.3) }
        outcomes.shuffle(using: &rng)
        if redo {
            let stale = outcomes.prefix(5).map { o -> FileOutcome in
                var s = o
                s.record.size += 1
                s.record.times.modified = .unixSeconds(1)
                s.errors.append(AnalysisErrorInput(analyzerID: "x", analyzerVersion: "0", status: .warning, code: "stale", message: "stale"))
                return s
            }
            try db.commit(stale)
        }
        // The supervisor's record for a pair that crashed, before the file's own commit.
        let crashLabel = "phone.tar"
        try db.recordCrash(evidenceID: ids[crashLabel]!, entryKey: EntryKey([3]), path: "phone.tar!/x", analyzerID: "decoder",
                           analyzerVersion: "1", status: .crashed, message: "SIGSEGV")
        var start = 0
        while start < outcomes.count {
            try db.commit(Array(outcomes[start..<min(start + batch, outcomes.count)]))
            start += batch
        }
        return db
    }

    @Test func equalForAnyOrderBatchingAndRedo() throws {
        let dir = try TempDir()
        let a = try Self.build(dir, name: "a.sqlite", labelOrder: Self.labels, seed: 1, batch: 24, redo: false)
        let b = try Self.build(dir, name: "b.sqlite", labelOrder: Self.labels.reversed(), seed: 99, batch: 5, redo: true)
        let c = try Self.build(dir, name: "c.sqlite", labelOrder: Self.labels, seed: 7, batch: 1, redo: true)
        let digest = try a.digest()
        #expect(digest.count == 64)
        #expect(try b.digest() == digest)
        #expect(try c.digest() == digest)
        // Row ids really differ between the databases, so equality is not an accident of ids.
        let idsA = try a.evidenceList().map(\.id), idsB = try b.evidenceList().map(\.id)
        #expect(idsA != idsB)
        // Audit entries and run bookkeeping are not findings.
        try b.appendAudit(action: "verify", details: .null)
        let run = try b.beginRun(toolVersion: "9", commandLine: ["x"], options: .null, jobs: 8)
        try b.finishRun(id: run, status: "completed", filesCommitted: 3, chainHead: try b.auditHead(), signature: nil, publicKey: nil)
        #expect(try b.digest() == digest)
    }

    /// The digest runs with a small page cache (so SQLite's sorter, sized like the cache, stays
    /// small): the same digest as with the store's large cache, and the connection's cache size
    /// is what it was before.
    @Test func smallCacheDigestIsTheSameAndTheCacheIsRestored() throws {
        let dir = try TempDir()
        let a = try Self.build(dir, name: "a.sqlite", labelOrder: Self.labels, seed: 3, batch: 7, redo: true)
        let (before, small, large, after) = try a.queue.read { db in
            let before = try Int.fetchOne(db, sql: "PRAGMA cache_size")
            let small = try FindingsDigest.computeWithSections(db, cacheSize: -64)
            let large = try FindingsDigest.computeWithSections(db, cacheSize: -65536)
            return (before, small, large, try Int.fetchOne(db, sql: "PRAGMA cache_size"))
        }
        #expect(before == -65536)
        #expect(after == before)
        #expect(small.digest == large.digest)
        #expect(small.sections == large.sections)
        #expect(!small.sections.isEmpty)
        #expect(try a.digest() == small.digest)
    }

    @Test(arguments: [
        "UPDATE file_times SET raw = 'dos 99' WHERE kind = 'created' AND file_id = (SELECT min(file_id) FROM file_times)",
        "UPDATE artifact_times SET utc_us = utc_us + 1 WHERE name = 'sent' AND artifact_id = (SELECT min(artifact_id) FROM artifact_times)",
        "UPDATE files SET mime = 'image/png' WHERE id = (SELECT min(id) FROM files)",
        "UPDATE files SET raw_name = x'ff' WHERE id = (SELECT min(id) FROM files)",
        "DELETE FROM analysis_errors WHERE id = (SELECT max(id) FROM analysis_errors)",
        "UPDATE evidence SET format = 'zip' WHERE id = 1",
        "UPDATE artifacts SET properties = '{}' WHERE id = (SELECT min(id) FROM artifacts)",
    ])
    func changesWhenAFindingChanges(sql: String) throws {
        let dir = try TempDir()
        let db = try Self.build(dir, name: "a.sqlite", labelOrder: Self.labels, seed: 3, batch: 10, redo: false)
        let before = try db.digest()
        try db.queue.write { try $0.execute(sql: sql) }
        #expect(try db.digest() != before)
    }

    @Test func emptyDatabaseDigestIsStable() throws {
        let dir = try TempDir()
        let a = try EvidenceDatabase(path: dir.path("a.sqlite"))
        let b = try EvidenceDatabase(path: dir.path("b.sqlite"))
        #expect(try a.digest() == b.digest())
        // Read-only query commands can compute it too.
        let ro = try EvidenceDatabase.openExisting(path: dir.path("a.sqlite"), readOnly: true)
        #expect(try ro.digest() == a.digest())
    }

    @Test func encodingIsUnambiguous() {
        let one = DigestHasher.encode([.init(value: "ab"), .init(value: "c")])
        let two = DigestHasher.encode([.init(value: "a"), .init(value: "bc")])
        #expect(one != two)
        #expect(DigestHasher.encode([.null]) != DigestHasher.encode([.init(value: "")]))
        #expect(DigestHasher.encode([.init(value: 1)]) != DigestHasher.encode([.init(value: "1")]))
        #expect(String(decoding: DigestHasher.encode([.init(value: "사"), .null, .init(value: -5)]), as: UTF8.self) == "R3:T3:사NI-5;")
    }
}

extension DatabaseValue {
    init(value: some DatabaseValueConvertible) { self = value.databaseValue }
}
