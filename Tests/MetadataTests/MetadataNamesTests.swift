import ExhibitTesting
import Foundation
import Testing
import ExhibitKit
@testable import Metadata

/// Issue 14 item 7: dates read where they were missed — FLIR APP1 CameraInfo and MP4 UserData
/// `date` — and XMP-only files, whose properties keep their XMP names (the store's
/// `metadata.name` maps them to ExifTool's). Fixtures: make_fixtures.py `names()`, goldens by
/// ExifTool 12.57 (ExifToolAgreementTests compares every claimed tag too).
@Suite struct MetadataNamesTests {
    @Test(.tags(.timeZone)) func flirDateTimeOriginalIsReadAcrossChunks() async throws {
        let findings = try await MetadataFixtures.run("jpeg/flir.jpg")
        #expect(findings.warnings.isEmpty, "\(findings.warnings)")
        let e = try #require(findings.entry(.flir, "DateTimeOriginal"))
        #expect(e.value == "2024:08:28 15:12:03.123+09:00")
        #expect(e.time?.utcMicros == 1_724_825_523_123_000)
        #expect(e.time?.basis == .offset)
        #expect(e.time?.precision == .millisecond)
        #expect(e.time?.raw == "2024:08:28 15:12:03.123+09:00")
        #expect(e.location.record == "APP1/FLIR/CameraInfo/0x384")
        // The location is the Unix time's own bytes in the file (in the second chunk).
        let data = try MetadataFixtures.bytes("jpeg/flir.jpg")
        let at = Int(try #require(e.location.offset))
        #expect(Array(data[at..<at + 4]) == [0xB3, 0xBF, 0xCE, 0x66]) // 1724825523, little-endian
    }

    @Test(.tags(.timeZone)) func mp4UserDataDateIsDateTimeOriginal() async throws {
        let findings = try await MetadataFixtures.run("video/udta-date.mp4")
        let e = try #require(findings.entry(.quicktime, "DateTimeOriginal"))
        #expect(e.value == "2024:08:28 15:12:03+09:00")
        #expect(e.time?.utcMicros == 1_724_825_523_000_000)
        #expect(e.time?.basis == .offset)
        #expect(e.time?.raw == "2024-08-28T15:12:03+0900")
        #expect(findings.entry(.quicktime, "CreateDate")?.value == "2024:08:28 06:12:03")
    }

    @Test func xmpOnlyFileKeepsItsXMPNames() async throws {
        let findings = try await MetadataFixtures.run("jpeg/xmp-only.jpg")
        #expect(!findings.entries.contains { $0.namespace == .exif })
        let xmp = findings.entries.filter { $0.namespace == .xmp }.map { "\($0.tag)=\($0.value)" }.sorted()
        #expect(xmp == ["exif:DateTimeOriginal=2024:08:28 15:12:00+09:00", "tiff:Make=Exhibit Optics", "tiff:Model=EX-100",
                        "xmp:CreateDate=2024:08:28 15:12:03+09:00", "xmp:CreatorTool=Exhibit Editor 2"])
        #expect(findings.entry(.xmp, "exif:DateTimeOriginal")?.time?.utcMicros == 1_724_825_520_000_000)
    }

    /// The FLIR fixture edited: a chunk missing, a directory count of 2^32−1, an unknown version,
    /// a record offset outside the data — warnings, no crash, nothing invented.
    @Test func damagedFLIRBlocksGiveWarnings() throws {
        let data = [UInt8](try MetadataFixtures.bytes("jpeg/flir.jpg"))
        let seg = try #require((0..<data.count - 5).first { data[$0..<$0 + 5].elementsEqual(Array("FLIR\0".utf8)) })
        let fff = seg + 8
        func run(_ bytes: [UInt8]) -> (codes: [String], date: String?) {
            let f = MetadataAnalyzer.findings(in: bytes, zone: nil)
            return (f.warnings.map(\.code).sorted(), f.entry(.flir, "DateTimeOriginal")?.value)
        }
        // Second chunk removed (its APP1 segment cut out): the record runs past the data.
        let len1 = Int(data[seg - 2]) << 8 | Int(data[seg - 1])
        let second = seg - 2 + len1
        let len2 = Int(data[second + 2]) << 8 | Int(data[second + 3])
        let oneChunk = Array(data[..<second] + data[(second + 2 + len2)...])
        #expect(run(oneChunk) == (["flir-incomplete", "flir-truncated"], nil))
        var huge = data
        for i in 0..<4 { huge[fff + 0x1c + i] = 0xFF }
        #expect(run(huge) == (["flir-truncated"], "2024:08:28 15:12:03.123+09:00"))
        var version = data
        version[fff + 0x14] = 0x7F
        #expect(run(version) == (["flir-version"], nil))
        var outside = data
        for i in 0..<4 { outside[fff + 0x40 + 0x0c + i] = 0x7F }
        #expect(run(outside) == (["flir-truncated"], nil))
        var notFFF = data
        notFFF[fff] = 0x58
        #expect(run(notFFF) == (["flir-bad-header"], nil))
    }
}
