import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// Changing the case's zone recomputes naive local times from their stored wall clock. None of
/// this may depend on the machine's zone: run under TZ=UTC, Asia/Seoul and America/New_York.
@Suite("Recomputing times when the case zone changes")
struct ZoneTests {
    @Test(.tags(.timeZone)) func dosTimeMovesFromSeoulToNewYork() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir, zone: "Asia/Seoul")
        let seoul = try #require(TimeZone(identifier: "Asia/Seoul"))
        let naive = NaiveDateTime(year: 2024, month: 8, day: 28, hour: 15, minute: 12, second: 4)
        var r = StoreInputs.record("0", path: "DCIM/a.jpg")
        r.times = EntryTimes(modified: naive.resolve(in: seoul, raw: "0x591c7982", precision: .twoSeconds),
                             accessed: .unixSeconds(1_724_825_524))
        // A second item declared in its own zone, and an artifact time on the first.
        let phone = try db.registerEvidence(EvidenceInput(label: "phone.tar", path: "/e/phone.tar", kind: .file, size: 1,
                                                          hashes: StoreInputs.hashes("p"), assumedZone: "Europe/London"))
        let london = try #require(TimeZone(identifier: "Europe/London"))
        var p = StoreInputs.record("0", path: "x.jpg")
        p.times = EntryTimes(modified: naive.resolve(in: london, raw: "london wall"))
        let sent = NaiveDateTime(year: 2024, month: 8, day: 28, hour: 9, minute: 0)
            .resolve(in: seoul, raw: "28.08.2024 09:00", note: "WhatsApp export: device local time")
        try db.commit([
            FileOutcome(evidenceID: ev, record: r, findings: [ProducedFinding(analyzerID: "chat", analyzerVersion: "1",
                finding: .artifact(Artifact(type: "chat.line", properties: .object([:]), times: ["sent": sent])))]),
            FileOutcome(evidenceID: phone, record: p),
        ])
        #expect(try db.listFiles(FileFilter(evidenceLabel: "seized.zip")).first?.times.modified?.utcString == "2024-08-28T06:12:04Z")

        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        #expect(try db.recomputeAssumedZone(newYork) == 2)
        #expect(try db.caseInfo()?.assumedZone == "America/New_York")
        let times = try #require(try db.listFiles(FileFilter(evidenceLabel: "seized.zip")).first?.times)
        #expect(times.modified == TimeValue(raw: "0x591c7982", utcMicros: 1_724_872_324_000_000, basis: .assumedZone,
                                            precision: .twoSeconds, localWallClock: "2024-08-28T15:12:04"))
        #expect(times.modified?.utcString == "2024-08-28T19:12:04Z")
        #expect(times.accessed == .unixSeconds(1_724_825_524)) // basis utc: untouched
        // The item with its own zone keeps it.
        #expect(try db.listFiles(FileFilter(evidenceLabel: "phone.tar")).first?.times.modified?.utcString == "2024-08-28T14:12:04Z")
        let artifact = try db.queue.read { c in
            try #require(try Row.fetchOne(c, sql: "SELECT utc, raw, basis, note FROM artifact_times"))
        }
        #expect(artifact == ["utc": "2024-08-28T13:00:00Z", "raw": "28.08.2024 09:00", "basis": "assumed-zone",
                             "note": "WhatsApp export: device local time"])

        // Removing the zone: no instant, basis unknown, the wall clock still there to recompute.
        try db.recomputeAssumedZone(nil)
        let cleared = try #require(try db.listFiles(FileFilter(evidenceLabel: "seized.zip")).first?.times.modified)
        #expect(cleared == TimeValue(raw: "0x591c7982", utcMicros: nil, basis: .unknown, precision: .twoSeconds,
                                     note: "local time, no time zone declared", localWallClock: "2024-08-28T15:12:04"))
        try db.recomputeAssumedZone(seoul)
        #expect(try db.listFiles(FileFilter(evidenceLabel: "seized.zip")).first?.times.modified
                == naive.resolve(in: seoul, raw: "0x591c7982", precision: .twoSeconds))
    }

    @Test func dstFoldKeepsBothInstantsAfterRecompute() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        var r = StoreInputs.record("0", path: "a")
        // 2024-11-03 01:30 happens twice in New York.
        let naive = NaiveDateTime(year: 2024, month: 11, day: 3, hour: 1, minute: 30)
        r.times = EntryTimes(modified: naive.resolve(in: nil, raw: "fold"))
        try db.commit([FileOutcome(evidenceID: ev, record: r)])
        try db.recomputeAssumedZone(TimeZone(identifier: "America/New_York"))
        let t = try #require(try db.listFiles().first?.times.modified)
        #expect(t.utcString == "2024-11-03T05:30:00Z")
        #expect(t.alternateUTCMicros.map(UTCFormat.string(micros:)) == "2024-11-03T06:30:00Z")
        #expect(t.note == "interpreted in America/New_York; ambiguous local time (DST fold), two instants")
        let stored = try db.queue.read { try String.fetchOne($0, sql: "SELECT alternate_utc FROM file_times") }
        #expect(stored == "2024-11-03T06:30:00Z")
    }

    @Test func sourceNotesSurviveZoneNotes() {
        #expect(EvidenceDatabase.sourceNote("camera clock; interpreted in Asia/Seoul; local time does not exist (DST gap)") == "camera clock")
        #expect(EvidenceDatabase.sourceNote("local time, no time zone declared") == nil)
        #expect(EvidenceDatabase.sourceNote(nil) == nil)
    }
}
