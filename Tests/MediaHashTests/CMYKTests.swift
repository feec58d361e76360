import ExhibitKit
import ExhibitTesting
import Foundation
@testable import MediaHash
import Testing

/// CMYK and YCCK JPEGs (issue 14 item 6) are decoded and hashed like any other JPEG, within 10
/// bits of PyPI pdqhash over a Pillow decode of the same file (golden.json, made by
/// make_fixtures.py --cmyk-only with ImageMagick, Pillow and ExifTool).
@Suite struct CMYKTests {
    /// The CMYK fixtures: ImageMagick's YCCK (Adobe transform 2), Pillow's plain CMYK (Adobe
    /// transform 0), the latter without its Adobe segment, and a second scene.
    static let names = ["scene1-cmyk.jpg", "scene1-cmyk-adobe0.jpg", "scene1-cmyk-noadobe.jpg", "scene2-cmyk.jpg"]

    @Test func cmykJPEGsHashWithinTenBitsOfTheReference() throws {
        let golden = try #require(Golden.shared)
        let goldens = Self.names.compactMap { n in golden.images[n].map { (n, $0) } }
        try #require(goldens.count == Self.names.count, "golden.json lacks the CMYK set")
        for (name, g) in goldens {
            let ours = try #require(try hashFile(name), "no hash for \(name)")
            #expect(distance(ours.hash, g.pdq) <= 10, "\(name): \(distance(ours.hash, g.pdq)) bits from pdqhash")
            #expect(abs(ours.quality - g.quality) <= 5, "\(name): quality \(ours.quality) vs \(g.quality)")
            #expect(ours.variants.count == 7)
            // The same picture as the RGB original it was converted from: it would match the same list entry.
            let orig = try #require(golden.images["scene\(g.source)-orig.jpg"])
            #expect(distance(ours.hash, orig.pdq) <= 10, "\(name): \(distance(ours.hash, orig.pdq)) bits from its RGB original")
        }
    }

    /// DCT scaling (camera-sized JPEGs) works on CMYK too, and a CMYK JPEG cut short still gives
    /// a hash with a damage warning instead of nothing.
    @Test func scaledAndTruncatedCMYK() throws {
        let data = try Data(contentsOf: Corpus.url("media/images/scene1-cmyk.jpg"))
        let golden = try #require(Golden.shared?.images["scene1-cmyk.jpg"])
        let scaled = data.withUnsafeBytes { MediaHashAnalyzer.image($0, format: .jpeg, limits: DecodeLimits(jpegMinSide: 300)) }
        let s = try #require(scaled.findings.compactMap { if case .mediaHash(let h) = $0 { h } else { nil } }.first)
        #expect(distance(s.hash, golden.pdq) <= 10, "half-size decode: \(distance(s.hash, golden.pdq)) bits")
        let cut = data.prefix(data.count * 3 / 4)
        let findings = cut.withUnsafeBytes { MediaHashAnalyzer.image($0, format: .jpeg) }
        let codes = findings.warnings.map(\.code) + findings.findings.map { f -> String in
            switch f {
            case .mediaHash: "hash"
            default: "other"
            }
        }
        #expect(codes == ["jpeg-damaged", "hash"])
    }
}
