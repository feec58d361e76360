import ExhibitTesting
import Foundation
import Testing
import ExhibitKit
@testable import Metadata

/// Every date gets the right basis; nothing depends on the machine's zone (run under TZ=UTC,
/// Asia/Seoul and America/New_York).
@Suite(.tags(.timeZone)) struct MetadataTimeTests {
    @Test func offsetTimeOriginalGivesBasisOffset() async throws {
        let found = try await MetadataFixtures.run("jpeg/camera-le.jpg", zone: "America/New_York")
        let t = try #require(found.entry(.exif, "DateTimeOriginal")?.time)
        #expect(t == TimeValue(raw: "2024:08:28 15:12:03", utcMicros: try #require(UTCFormat.parseUserInstant("2024-08-28T06:12:03.25Z")?.micros),
                               basis: .offset, precision: .millisecond))
        let gps = try #require(found.entry(.gps, "GPSDateTime")?.time)
        #expect(gps.basis == .utc)
        #expect(gps.utcString == "2024-08-28T06:12:04Z")
        #expect(found.indicators.isEmpty)  // 1 s apart: within tolerance
    }

    @Test func naiveCameraTimeUsesDeclaredZoneOnly() async throws {
        let seoul = try await MetadataFixtures.run("jpeg/camera-be.jpg", zone: "Asia/Seoul")
        let t = try #require(seoul.entry(.exif, "DateTimeOriginal")?.time)
        #expect(t.basis == .assumedZone)
        #expect(t.utcString == "2023-01-15T00:30:00Z")
        #expect(t.localWallClock == "2023-01-15T09:30:00")
        let none = try await MetadataFixtures.run("jpeg/camera-be.jpg", zone: nil)
        let u = try #require(none.entry(.exif, "DateTimeOriginal")?.time)
        #expect(u.basis == .unknown && u.utcMicros == nil)
        #expect(none.indicators.isEmpty)  // no instant for the camera: no comparison
    }

    @Test func cameraAndGPSClocksDisagree() async throws {
        let found = try await MetadataFixtures.run("jpeg/clock-skew.jpg")
        let ind = try #require(found.indicators.first)
        #expect(ind.kind == .clockDiscrepancy)
        #expect(ind.times["camera"]?.utcString == "2024-08-28T08:17:00Z")
        #expect(ind.times["camera"]?.basis == .offset)
        #expect(ind.times["gps"]?.utcString == "2024-08-28T06:12:00Z")
        guard case .object(let d) = ind.details else { Issue.record("details not an object"); return }
        #expect(d["differenceSeconds"] == .number(7500))
    }

    @Test func quickTimeHeaderTimesAreUTCWithNote() async throws {
        let found = try await MetadataFixtures.run("video/apple-keys.mov")
        let c = try #require(found.entry(.quicktime, "CreateDate"))
        #expect(c.value == "2024:08:28 06:12:03")
        #expect(c.time?.basis == .utc && c.time?.utcString == "2024-08-28T06:12:03Z")
        #expect(c.time?.note == QuickTimeParser.timeNote)
        let k = try #require(found.entry(.quicktime, "CreationDate")?.time)
        #expect(k.basis == .offset && k.utcString == "2024-08-28T06:12:03Z" && k.raw == "2024-08-28T15:12:03+0900")
    }

    @Test func xmpDateWithOffset() async throws {
        let found = try await MetadataFixtures.run("jpeg/ai-xmp.jpg")
        let d = try #require(found.entry(.xmp, "photoshop:DateCreated"))
        #expect(d.value == "2024:08:28 15:12:03+09:00")
        #expect(d.time?.basis == .offset && d.time?.utcString == "2024-08-28T06:12:03Z" && d.time?.raw == "2024-08-28T15:12:03+09:00")
        let h = try #require(found.entry(.xmp, "xmpMM:History"))
        #expect(h.value.contains("\"stEvt:action\":\"created\""))
    }

    @Test(arguments: [("2024:08:28 15:12:03", nil as Int?, TimePrecision.second), ("2024-08-28T15:12:03.5+09:00", 32400, .millisecond),
                      ("2024-08-28", nil, .day), ("2024-08-28T15:12Z", 0, .minute)])
    func parsesDateForms(_ text: String, _ offset: Int?, _ precision: TimePrecision) throws {
        let p = try #require(MetadataTime.parse(text))
        #expect(p.offset == offset && p.precision == precision)
    }

    @Test func rejectsZeroDates() {
        #expect(MetadataTime.parse("0000:00:00 00:00:00") == nil)
        #expect(MetadataTime.parse("    :  :     :  :  ") == nil)
    }

    @Test func documentDatesKeepTheirBasis() async throws {
        let pdf = try await MetadataFixtures.run("docs/report.pdf")
        let mod = try #require(pdf.entry(.pdf, "ModifyDate")?.time)
        #expect(mod.basis == .offset && mod.utcString == "2024-08-29T01:00:00Z" && mod.raw == "D:20240829100000+09'00'")
        let odt = try await MetadataFixtures.run("docs/minutes.odt", zone: "Asia/Seoul")
        let created = try #require(odt.entry(.odf, "Creation-date")?.time)
        #expect(created.basis == .assumedZone && created.utcString == "2024-08-28T06:12:03Z")
        let docx = try await MetadataFixtures.run("docs/contract.docx", zone: nil)
        let c = try #require(docx.entry(.ooxml, "CreateDate"))
        #expect(c.value == "2024:08:28 06:12:03Z" && c.time?.basis == .offset && c.time?.utcString == "2024-08-28T06:12:03Z")
    }
}
