import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// The metadata tables on real SQLite files: commit, redo, query, digest order and zone
/// recomputation. Tagged `.timeZone`: `make test` re-runs it under several TZ values.
@Suite("Metadata store (Time)", .tags(.timeZone))
struct MetadataStoreTimeTests {
    static let seoul = TimeZone(identifier: "Asia/Seoul")

    /// A naive EXIF DateTimeOriginal resolved in `zone` (basis `assumed-zone`).
    static func original(zone: TimeZone?) -> TimeValue {
        var t = NaiveDateTime(year: 2024, month: 8, day: 28, hour: 15, minute: 12, second: 3)
            .resolve(in: zone, raw: "2024:08:28 15:12:03", precision: .second)
        t.localWallClock = "2024-08-28T15:12:03"
        return t
    }

    static func findings(zone: TimeZone?, model: String = "EX-100") -> [Finding] {
        [
            .metadata(MetadataEntry(namespace: .exif, tag: "Make", value: "Exhibit Optics",
                                    location: SourceLocation(offset: 200, record: "APP1/IFD0/0x010f"))),
            .metadata(MetadataEntry(namespace: .exif, tag: "Model", value: model,
                                    location: SourceLocation(offset: 220, record: "APP1/IFD0/0x0110"))),
            .metadata(MetadataEntry(namespace: .exif, tag: "DateTimeOriginal", value: "2024:08:28 15:12:03",
                                    time: original(zone: zone),
                                    location: SourceLocation(offset: 300, record: "APP1/ExifIFD/0x9003"))),
            .metadata(MetadataEntry(namespace: .gps, tag: "GPSLatitude", value: "37.5665",
                                    location: SourceLocation(offset: 400, record: "APP1/GPS/0x0002"))),
            .metadata(MetadataEntry(namespace: .exif, tag: "Artist", value: "김민지", rawBytes: Data("김민지".utf8),
                                    encoding: "utf-8", location: SourceLocation(offset: 500, record: "APP1/IFD0/0x013b"))),
            .indicator(Indicator(kind: .clockDiscrepancy, summary: "Camera clock is 2 hours off the GPS clock.",
                                 evidenceTag: "DateTimeOriginal vs GPSDateTime",
                                 location: SourceLocation(offset: 300, record: "APP1/ExifIFD/0x9003"),
                                 details: .object(["seconds": .number(7200)]),
                                 times: ["camera": original(zone: zone), "gps": .unixSeconds(1_724_832_723)])),
        ]
    }

    static func outcome(_ findings: [Finding]) -> FileOutcome {
        FileOutcome(evidenceID: 1, record: StoreInputs.record("0", path: "DCIM/a.jpg", mime: "image/jpeg"),
                    findings: findings.map { ProducedFinding(analyzerID: "metadata", analyzerVersion: "1.0.0", finding: $0) })
    }

    @Test func commitsQueriesAndReplacesOnRedo() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir, zone: "Asia/Seoul")
        try db.commit([Self.outcome(Self.findings(zone: Self.seoul))])
        try db.commit([Self.outcome(Self.findings(zone: Self.seoul, model: "EX-200"))]) // a redo replaces
        let files = try db.fileMetadata("seized.zip!/DCIM/a.jpg")
        try #require(files.count == 1)
        let f = files[0]
        #expect(f.entries.map { "\($0.namespace)/\($0.tag)=\($0.value)" } == [
            "exif/Artist=김민지", "exif/DateTimeOriginal=2024:08:28 15:12:03", "exif/Make=Exhibit Optics",
            "exif/Model=EX-200", "gps/GPSLatitude=37.5665",
        ])
        let dto = try #require(f.entries.first { $0.tag == "DateTimeOriginal" })
        #expect(dto.time?.utcMicros == 1_724_825_523_000_000)
        #expect(dto.time?.basis == .assumedZone)
        #expect(dto.location == #"{"offset":300,"record":"APP1/ExifIFD/0x9003"}"#)
        #expect(f.entries.first { $0.tag == "Artist" }?.encoding == "utf-8")
        try #require(f.indicators.count == 1)
        #expect(f.indicators[0].kind == "clock-discrepancy")
        #expect(f.indicators[0].details == #"{"seconds":7200}"#)
        #expect(f.indicators[0].times.map(\.name) == ["camera", "gps"])
        #expect(f.indicators[0].times[1].time.utcMicros == 1_724_832_723_000_000)
        let counts = try db.queue.read { c in
            [try Int.fetchOne(c, sql: "SELECT count(*) FROM metadata") ?? -1,
             try Int.fetchOne(c, sql: "SELECT count(*) FROM indicators") ?? -1,
             try Int.fetchOne(c, sql: "SELECT count(*) FROM indicator_times") ?? -1,
             try Int.fetchOne(c, sql: "SELECT count(*) FROM metadata WHERE raw_bytes IS NOT NULL") ?? -1]
        }
        #expect(counts == [5, 1, 2, 1])
        // By SHA-256 as well; nothing for an unknown path.
        #expect(try db.fileMetadata(f.sha256 ?? "").map(\.path) == ["seized.zip!/DCIM/a.jpg"])
        #expect(try db.fileMetadata("seized.zip!/nope.jpg").isEmpty)
    }

    @Test func digestIsOrderIndependentAndSeesMetadata() throws {
        let dir = try TempDir()
        var digests: [String] = []
        for (n, findings) in [Self.findings(zone: Self.seoul), Self.findings(zone: Self.seoul).reversed(), []].enumerated() {
            let (db, _) = try StoreInputs.database(in: dir, name: "c\(n).sqlite", zone: "Asia/Seoul")
            try db.commit([Self.outcome(findings)])
            digests.append(try db.digest())
        }
        #expect(digests[0] == digests[1])
        #expect(digests[0] != digests[2])
        let (db, _) = try StoreInputs.database(in: dir, name: "other.sqlite", zone: "Asia/Seoul")
        try db.commit([Self.outcome(Self.findings(zone: Self.seoul, model: "EX-200"))])
        #expect(try db.digest() != digests[0])
    }

    @Test func zoneChangeRecomputesMetadataAndIndicatorTimes() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir, zone: "Asia/Seoul")
        try db.commit([Self.outcome(Self.findings(zone: Self.seoul))])
        try db.recomputeAssumedZone(TimeZone(identifier: "UTC"), name: "UTC")   // the zone's name is in the digest (zones)
        let f = try #require(try db.fileMetadata("seized.zip!/DCIM/a.jpg").first)
        #expect(f.entries.first { $0.tag == "DateTimeOriginal" }?.time?.utcMicros == 1_724_857_923_000_000)
        #expect(f.indicators.first?.times.first?.time.utcMicros == 1_724_857_923_000_000)
        // A database built with UTC from the start has the same digest.
        let (direct, _) = try StoreInputs.database(in: dir, name: "utc.sqlite", zone: "UTC")
        try direct.commit([Self.outcome(Self.findings(zone: TimeZone(identifier: "UTC")))])
        #expect(try direct.digest() == db.digest())
    }
}
