import Foundation
import Testing
import ExhibitKit
@testable import Metadata

/// Our values equal ExifTool's (`-j -n -G1`) for every tag we claim, on every fixture that has it.
@Suite struct ExifToolAgreementTests {
    /// ExifTool group:tag → our namespace and tag. The issue's must-agree set is DateTimeOriginal,
    /// OffsetTimeOriginal, GPSLatitude, GPSLongitude (Composite, signed), Make, Model, Software.
    static let claimed: [String: (MetadataNamespace, String)] = [
        "IFD0:Make": (.exif, "Make"), "IFD0:Model": (.exif, "Model"), "IFD0:Software": (.exif, "Software"),
        "IFD0:ModifyDate": (.exif, "ModifyDate"), "IFD0:Orientation": (.exif, "Orientation"),
        "ExifIFD:DateTimeOriginal": (.exif, "DateTimeOriginal"), "ExifIFD:CreateDate": (.exif, "CreateDate"),
        "ExifIFD:OffsetTimeOriginal": (.exif, "OffsetTimeOriginal"), "ExifIFD:OffsetTime": (.exif, "OffsetTime"),
        "ExifIFD:OffsetTimeDigitized": (.exif, "OffsetTimeDigitized"),
        "ExifIFD:SubSecTimeOriginal": (.exif, "SubSecTimeOriginal"), "ExifIFD:SerialNumber": (.exif, "SerialNumber"),
        "ExifIFD:LensModel": (.exif, "LensModel"), "ExifIFD:ImageUniqueID": (.exif, "ImageUniqueID"),
        "ExifIFD:UserComment": (.exif, "UserComment"), "ExifIFD:ExifVersion": (.exif, "ExifVersion"),
        "ExifIFD:ComponentsConfiguration": (.exif, "ComponentsConfiguration"),
        "IFD1:ThumbnailLength": (.exif, "ThumbnailLength"), "IFD1:ThumbnailImage": (.exif, "ThumbnailImage"),
        "GPS:GPSLatitudeRef": (.gps, "GPSLatitudeRef"), "GPS:GPSLongitudeRef": (.gps, "GPSLongitudeRef"),
        "GPS:GPSAltitude": (.gps, "GPSAltitude"), "GPS:GPSAltitudeRef": (.gps, "GPSAltitudeRef"),
        "GPS:GPSDateStamp": (.gps, "GPSDateStamp"), "GPS:GPSTimeStamp": (.gps, "GPSTimeStamp"),
        "GPS:GPSVersionID": (.gps, "GPSVersionID"),
        "Composite:GPSLatitude": (.gps, "GPSLatitude"), "Composite:GPSLongitude": (.gps, "GPSLongitude"),
        "Composite:GPSDateTime": (.gps, "GPSDateTime"),
        "QuickTime:CreateDate": (.quicktime, "CreateDate"), "QuickTime:ModifyDate": (.quicktime, "ModifyDate"),
        "QuickTime:TimeScale": (.quicktime, "TimeScale"), "QuickTime:Duration": (.quicktime, "Duration"),
        "Track1:TrackCreateDate": (.quicktime, "TrackCreateDate"), "Track1:MediaCreateDate": (.quicktime, "MediaCreateDate"),
        "Track1:ImageWidth": (.quicktime, "ImageWidth"), "Track1:ImageHeight": (.quicktime, "ImageHeight"),
        "Track1:CompressorID": (.quicktime, "CompressorID"),
        "Keys:CreationDate": (.quicktime, "CreationDate"), "Keys:Make": (.quicktime, "Make"),
        "Keys:Model": (.quicktime, "Model"), "Keys:Software": (.quicktime, "Software"),
        "Keys:GPSCoordinates": (.quicktime, "GPSCoordinates"), "UserData:GPSCoordinates": (.quicktime, "GPSCoordinates"),
        "PNG:Parameters": (.png, "Parameters"), "PNG:Prompt": (.png, "Prompt"), "PNG:Workflow": (.png, "Workflow"),
        "PNG:Description": (.png, "Description"), "PNG:Description-ko": (.png, "Description-ko"),
        "IFD1:ThumbnailOffset": (.exif, "ThumbnailOffset"), "QuickTime:MajorBrand": (.file, "MajorBrand"),
        "RIFF:ImageWidth": (.file, "ImageWidth"), "RIFF:ImageHeight": (.file, "ImageHeight"),
        "XMP-iptcExt:DigitalSourceType": (.xmp, "Iptc4xmpExt:DigitalSourceType"),
        "XMP-xmp:CreatorTool": (.xmp, "xmp:CreatorTool"),
        "XMP-exif:DateTimeOriginal": (.xmp, "exif:DateTimeOriginal"), "XMP-tiff:Make": (.xmp, "tiff:Make"),
        "XMP-tiff:Model": (.xmp, "tiff:Model"), "FLIR:DateTimeOriginal": (.flir, "DateTimeOriginal"),
        "UserData:DateTimeOriginal": (.quicktime, "DateTimeOriginal"),
        "File:ImageWidth": (.file, "ImageWidth"), "File:ImageHeight": (.file, "ImageHeight"),
        "PNG:ImageWidth": (.file, "ImageWidth"), "PNG:ImageHeight": (.file, "ImageHeight"),
        "XMP-photoshop:DateCreated": (.xmp, "photoshop:DateCreated"), "XMP-xmp:CreateDate": (.xmp, "xmp:CreateDate"),
        "PDF:Author": (.pdf, "Author"), "PDF:Creator": (.pdf, "Creator"), "PDF:Producer": (.pdf, "Producer"),
        "PDF:CreateDate": (.pdf, "CreateDate"), "PDF:ModifyDate": (.pdf, "ModifyDate"), "PDF:Title": (.pdf, "Title"),
        "PDF:Subject": (.pdf, "Subject"),
        "XML:LastModifiedBy": (.ooxml, "LastModifiedBy"), "XML:CreateDate": (.ooxml, "CreateDate"),
        "XML:ModifyDate": (.ooxml, "ModifyDate"), "XML:RevisionNumber": (.ooxml, "RevisionNumber"),
        "XML:Application": (.ooxml, "Application"), "XML:AppVersion": (.ooxml, "AppVersion"),
        "XML:Company": (.ooxml, "Company"), "XML:TotalEditTime": (.ooxml, "TotalEditTime"),
        "XML:Pages": (.ooxml, "Pages"), "XML:Words": (.ooxml, "Words"), "XML:Template": (.ooxml, "Template"),
        "XMP-meta:Generator": (.odf, "Generator"), "XMP-meta:Initial-creator": (.odf, "Initial-creator"),
        "XMP-meta:Creation-date": (.odf, "Creation-date"), "XMP-meta:Editing-cycles": (.odf, "Editing-cycles"),
        "XMP-meta:Editing-duration": (.odf, "Editing-duration"),
    ]

    /// ExifTool files Dublin Core elements under XMP-dc whatever the container: our entry is in the
    /// namespace of the part it came from.
    static let alternatives: [String: [(MetadataNamespace, String)]] = [
        "XMP-dc:Creator": [(.ooxml, "Creator"), (.odf, "Creator"), (.xmp, "dc:creator")],
        "XMP-dc:Title": [(.ooxml, "Title"), (.odf, "Title"), (.xmp, "dc:title")],
        "XMP-dc:Date": [(.odf, "Date")],
    ]

    /// Deliberate differences (corpora/metadata/README.md): we refuse a packet with a DOCTYPE,
    /// ExifTool reads it without expanding the entity.
    static let exceptions: Set<String> = ["hostile/xmp-bomb.jpg XMP-dc:Title"]

    /// The issue's must-agree tags; at least one fixture must carry each (guards a stale corpus).
    static let required = ["ExifIFD:DateTimeOriginal", "ExifIFD:OffsetTimeOriginal", "Composite:GPSLatitude",
                           "Composite:GPSLongitude", "IFD0:Make", "IFD0:Model", "IFD0:Software"]

    @Test(arguments: MetadataFixtures.names)
    func agreesWithExifTool(_ name: String) async throws {
        let golden = try MetadataFixtures.golden(name)
        let found = try await MetadataFixtures.run(name)
        for (key, want) in golden.sorted(by: { $0.key < $1.key }) {
            guard !Self.exceptions.contains("\(name) \(key)"),
                  let candidates = Self.claimed[key].map({ [$0] }) ?? Self.alternatives[key] else { continue }
            let got = candidates.lazy.compactMap { found.entry($0.0, $0.1) }.first
            switch want {
            case .number(let n):
                let value = got.flatMap { Double($0.value) }
                #expect(value.map { abs($0 - n) <= 1e-9 * max(1, abs(n)) } == true,
                        "\(name) \(key): ExifTool \(n), ours \(got?.value ?? "missing")")
            case .string(let s):
                #expect(got?.value == s, "\(name) \(key): ExifTool \(s), ours \(got?.value ?? "missing")")
            default:
                Issue.record("\(name) \(key): unexpected golden value \(want)")
            }
        }
    }

    @Test func corpusCoversTheRequiredTags() throws {
        for key in Self.required {
            let carriers = try MetadataFixtures.names.filter { try MetadataFixtures.golden($0)[key] != nil }
            #expect(carriers.count >= 3, "\(key) is in \(carriers)")
        }
    }
}
