import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 4's "done when", end to end with the real binary: a zip (made by Info-ZIP `zip` at
/// test time) of metadata fixtures is ingested; the `metadata` table must agree with the
/// fixtures' ExifTool goldens (`exiftool -j -n -G1`) on DateTimeOriginal, OffsetTimeOriginal,
/// GPSLatitude, GPSLongitude, Make, Model and Software, AI indicators must be flagged exactly on
/// the fixtures `expected.json` names, and `exhibit metadata` must print them. Tagged `.timeZone`:
/// re-run under several TZ values (the case zone, never the machine's, applies).
@Suite("Metadata through exhibit ingest (Time)", .serialized, .tags(.timeZone))
struct MetadataIngestTimeTests {
    static let fixtures = ["jpeg/camera-le.jpg", "jpeg/camera-be.jpg", "jpeg/clock-skew.jpg", "jpeg/ai-xmp.jpg",
                           "png/sd-parameters.png", "png/exif.png", "jpeg/plain.jpg"]
    /// ExifTool group:tag → (namespace, tag) in our table: the issue's must-agree set.
    static let claimed: [String: (String, String)] = [
        "ExifIFD:DateTimeOriginal": ("exif", "DateTimeOriginal"), "ExifIFD:OffsetTimeOriginal": ("exif", "OffsetTimeOriginal"),
        "Composite:GPSLatitude": ("gps", "GPSLatitude"), "Composite:GPSLongitude": ("gps", "GPSLongitude"),
        "IFD0:Make": ("exif", "Make"), "IFD0:Model": ("exif", "Model"), "IFD0:Software": ("exif", "Software"),
    ]

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Corpus.url("metadata/" + path))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// `2024:08:28 15:12:03` at `offset` (`+09:00`) as `2024-08-28T06:12:03` (UTC), computed
    /// with a fixed-offset calendar, never the machine zone.
    static func utc(_ exif: String, offset: String) -> String? {
        let d = exif.split(whereSeparator: { ": ".contains($0) }).compactMap { Int($0) }
        let o = offset.dropFirst().split(separator: ":").compactMap { Int($0) }
        guard d.count == 6, o.count == 2 else { return nil }
        let seconds = (offset.hasPrefix("-") ? -1 : 1) * (o[0] * 3600 + o[1] * 60)
        var cal = Calendar(identifier: .gregorian)
        guard let zone = TimeZone(secondsFromGMT: seconds), let utc = TimeZone(identifier: "UTC") else { return nil }
        cal.timeZone = zone
        guard let date = cal.date(from: DateComponents(year: d[0], month: d[1], day: d[2], hour: d[3], minute: d[4], second: d[5]))
        else { return nil }
        cal.timeZone = utc
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0,
                      c.minute ?? 0, c.second ?? 0)
    }

    @Test func metadataTableAgreesWithExifToolAndTheCLIPrintsIt() throws {
        let dir = try TestDirectory("metadata-ingest")
        defer { dir.remove() }
        let src = dir.path("src")
        var script = "set -e; mkdir -p '\(src)'; cd '\(src)';"
        for f in Self.fixtures {
            script += "mkdir -p \"$(dirname '\(f)')\"; cp '\(Corpus.url("metadata/" + f).path)' '\(f)';"
        }
        script += "zip -q -r '\(dir.path("case.zip"))' ."
        let built = try Run.shell(script)
        try #require(built.exitCode == 0, "fixture build failed: \(built.stderr)")
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([dir.path("case.zip")], db: db, extra: ["--assume-tz", "Asia/Seoul", "--jobs", "2"])
        try #require(r.exitCode == 0, "ingest failed: \(r.stderr)")
        let q = try Fixture.open(db)
        let expected = try Self.json("expected.json")

        for fixture in Self.fixtures {
            let path = "case.zip!/\(fixture)"
            let golden = try Self.json(fixture + ".exiftool.json")
            let rows: [String: (value: String, utc: String?, basis: String?)] = try q.read { c in
                var out: [String: (String, String?, String?)] = [:]
                for row in try Row.fetchAll(c, sql: """
                    SELECT m.namespace || '/' || m.tag, m.value, m.time_utc, m.time_basis FROM metadata m
                    JOIN files f ON f.id = m.file_id WHERE f.path = ?
                    """, arguments: [path]) {
                    out[try row.decode(String.self, atIndex: 0)] = (try row.decode(atIndex: 1), try row.decode(atIndex: 2),
                                                                     try row.decode(atIndex: 3))
                }
                return out
            }
            for (key, (ns, tag)) in Self.claimed.sorted(by: { $0.key < $1.key }) {
                guard let want = golden[key] else { continue }
                let got = rows["\(ns)/\(tag)"]
                if let n = want as? NSNumber, !(want is String) {
                    let value = got.flatMap { Double($0.value) }
                    #expect(value.map { abs($0 - n.doubleValue) <= 1e-9 * max(1, abs(n.doubleValue)) } == true,
                            "\(fixture) \(key): ExifTool \(n), stored \(got?.value ?? "missing")")
                } else {
                    #expect(got?.value == want as? String, "\(fixture) \(key): ExifTool \(want), stored \(got?.value ?? "missing")")
                }
            }
            // The instant: the file's own offset when it has one, else the case zone (Seoul, +09:00).
            if let dto = golden["ExifIFD:DateTimeOriginal"] as? String {
                let offset = golden["ExifIFD:OffsetTimeOriginal"] as? String
                let got = rows["exif/DateTimeOriginal"]
                let want = try #require(Self.utc(dto, offset: offset ?? "+09:00"))
                #expect(got?.utc?.hasPrefix(want) == true, "\(fixture): DateTimeOriginal UTC \(got?.utc ?? "nil"), want \(want)")
                #expect(got?.basis == (offset == nil ? "assumed-zone" : "offset"), "\(fixture): basis")
            }
            let kinds = try q.read { c in
                try String.fetchAll(c, sql: """
                    SELECT i.kind FROM indicators i JOIN files f ON f.id = i.file_id WHERE f.path = ? ORDER BY i.kind
                    """, arguments: [path])
            }
            let wantKinds = ((expected[fixture] as? [String: Any])?["indicators"] as? [String]) ?? []
            #expect(kinds == wantKinds.sorted(), "\(fixture): indicators")
        }

        // The CLI: grouped by namespace, times in the case's zone with UTC and the basis beside
        // them (issue 15, item 8), indicators after.
        let camera = try Run.command(Fixture.exhibit, ["metadata", "--db", db, "case.zip!/jpeg/camera-le.jpg"])
        #expect(camera.exitCode == 0)
        for line in ["[exif]", "  Make = Exhibit Optics", "  Model = EX-100", "  Software = Exhibit Firmware 1.2",
                     "  DateTimeOriginal = 2024:08:28 15:12:03  -> 2024-08-28 15:12:03 +09:00 (06:12:03", "[gps]",
                     "  GPSLatitude = 37.5665", "  GPSLongitude = 126.978"] {
            #expect(camera.stdout.contains(line), "missing \(line) in:\n\(camera.stdout)")
        }
        #expect(camera.stdout.contains("Z, offset)"), "the basis beside the UTC time")
        let ai = try Run.command(Fixture.exhibit, ["metadata", "--db", db, "case.zip!/jpeg/ai-xmp.jpg", "--json"])
        #expect(ai.exitCode == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(ai.stdout.utf8)) as? [[String: Any]]
        let indicatorKinds = ((parsed?.first?["indicators"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
        #expect(indicatorKinds == ["generator-software", "iptc-trained-algorithmic-media"])
        let missing = try Run.command(Fixture.exhibit, ["metadata", "--db", db, "case.zip!/nope.jpg"])
        #expect(missing.exitCode == 5)
        let unreadable = try Run.command(Fixture.exhibit, ["metadata", "--db", dir.path("absent.sqlite"), "x"])
        #expect(unreadable.exitCode == 1)
    }
}
