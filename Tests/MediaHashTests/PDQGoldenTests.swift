import ExhibitKit
import ExhibitTesting
import Foundation
import HashSets
@testable import MediaHash
import Testing

/// Golden values written by corpora/media/make_fixtures.py with PyPI pdqhash.
struct Golden: Decodable {
    struct Image: Decodable { var pdq: String; var quality: Int; var source: Int; var transform: String }
    struct Frame: Decodable { var frame: Int; var quality: Int; var pdq: String; var time: Double }
    var images: [String: Image]
    var dihedral: [String: [String]]
    var videos: [String: [Frame]]

    static let shared: Golden? = {
        guard let data = try? Data(contentsOf: Corpus.url("media/golden.json")) else { return nil }
        return try? JSONDecoder().decode(Golden.self, from: data)
    }()
}

func distance(_ a: String, _ b: String) -> Int {
    guard let x = PDQBits(hex: a), let y = PDQBits(hex: b) else { return 256 }
    return x.distance(y)
}

/// Our PDQ of a fixture file (the analyzer's own entry point, bytes in memory).
func hashFile(_ name: String) throws -> MediaHash? {
    let data = try Data(contentsOf: Corpus.url("media/images/\(name)"))
    let format = MediaFormat.detect([UInt8](data.prefix(32)))
    guard let format else { return nil }
    let findings = data.withUnsafeBytes { MediaHashAnalyzer.image($0, format: format) }
    for f in findings.findings { if case .mediaHash(let h) = f { return h } }
    return nil
}

@Suite struct PDQGoldenTests {
    @Test func everyImageIsWithinTenBitsOfTheReference() throws {
        let golden = try #require(Golden.shared)
        #expect(golden.images.count >= 30)
        for (name, g) in golden.images.sorted(by: { $0.key < $1.key }) {
            let ours = try #require(try hashFile(name), "no hash for \(name)")
            #expect(ours.hash.count == 64 && ours.hash == ours.hash.lowercased())
            if g.quality >= 80 {
                let d = distance(ours.hash, g.pdq)
                #expect(d <= 10, "\(name): \(d) bits from the reference")
            }
            #expect(abs(ours.quality - g.quality) <= 5, "\(name): quality \(ours.quality) vs \(g.quality)")
        }
    }

    @Test func dihedralVariantsAgreeWithTheReferenceSet() throws {
        let golden = try #require(Golden.shared)
        for (name, ref) in golden.dihedral.sorted(by: { $0.key < $1.key }) {
            let ours = try #require(try hashFile(name))
            let all = [ours.hash] + ours.variants.values.sorted()
            #expect(ours.variants.count == 7)
            // The reference's 8 hashes and ours are the same set (each within 10 bits of one of ours).
            for r in ref { #expect(all.map { distance($0, r) }.min() ?? 256 <= 10, "\(name): \(r) has no counterpart") }
        }
    }

    /// A real rotated/flipped copy matches the original through the named variant.
    @Test func transformedCopiesMatchThroughTheirVariant() throws {
        let orig = try #require(try hashFile("scene1-orig.jpg"))
        for v in ["rot90", "rot180", "rot270", "flip-h", "flip-v", "transpose"] {
            let copy = try #require(try hashFile("scene1-\(v).jpg"))
            let via = try #require(copy.variants[v])
            #expect(distance(via, orig.hash) <= 10, "\(v): \(distance(via, orig.hash))")
            #expect(distance(copy.hash, orig.hash) > 31, "\(v) must not match without its variant")
        }
    }

    /// The DCT-domain shortcuts equal hashing the transformed 64×64 image directly.
    @Test func variantsEqualTransformingThePixels() throws {
        let data = try Data(contentsOf: Corpus.url("media/images/scene2-orig.jpg"))
        let luma = try #require(data.withUnsafeBytes { MediaHashAnalyzer.luma($0, format: .jpeg) })
        let small = PDQ.downscale64(luma)
        func px(_ f: (Int, Int) -> (Int, Int)) -> [Float] {
            var out = [Float](repeating: 0, count: 4096)
            for r in 0..<64 { for c in 0..<64 { let (sr, sc) = f(r, c); out[r * 64 + c] = small[sr * 64 + sc] } }
            return out
        }
        // found = T(known): these are the found images; inverse(v, dct(found)) must give dct(known).
        let found: [PDQVariant: [Float]] = [
            .rot90: px { r, c in (63 - c, r) }, .rot180: px { r, c in (63 - r, 63 - c) }, .rot270: px { r, c in (c, 63 - r) },
            .flipH: px { r, c in (r, 63 - c) }, .flipV: px { r, c in (63 - r, c) }, .transpose: px { r, c in (c, r) },
            .antitranspose: px { r, c in (63 - c, 63 - r) },
        ]
        let known = PDQ.bits(PDQ.dct16(small))
        for (v, image) in found {
            #expect(PDQ.bits(PDQ.inverse(v, PDQ.dct16(image))) == known, "\(v)")
            #expect(PDQ.bits(PDQ.dct16(image)) != known, "\(v) is a real transform")
        }
    }

    /// The shortcut filter (windows only where sampled) equals the full four-pass filter up to
    /// float rounding, at sizes whose windows differ (odd, even, power-of-two widths).
    @Test func shortcutFilterEqualsTheFullFilter() throws {
        for name in ["scene1-orig.jpg", "scene1-resize25.jpg", "scene1-rot90.jpg"] {
            let data = try Data(contentsOf: Corpus.url("media/images/\(name)"))
            let luma = try #require(data.withUnsafeBytes { MediaHashAnalyzer.luma($0, format: .jpeg) })
            let fast = PDQ.downscale64(luma), slow = PDQ.downscale64Reference(luma)
            let worst = zip(fast, slow).map { abs($0 - $1) }.max() ?? 1
            #expect(worst < 0.01, "\(name): \(worst)")
            #expect(distance(PDQ.bits(PDQ.dct16(fast)), PDQ.bits(PDQ.dct16(slow))) <= 2)
        }
        var rng = SplitMix(seed: 9)
        let odd = LumaImage(width: 1031, height: 517, pixels: (0..<(1031 * 517)).map { _ in Float(rng.next() % 256) })
        let worst = zip(PDQ.downscale64(odd), PDQ.downscale64Reference(odd)).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 0.01)
    }

    @Test func tinyAndFlatImagesGiveZeroQuality() {
        let tiny = PDQ.hash(LumaImage(width: 4, height: 100, pixels: [Float](repeating: 9, count: 400)))
        #expect(tiny.quality == 0 && tiny.hash == String(repeating: "0", count: 64))
        let flat = PDQ.hash(LumaImage(width: 300, height: 200, pixels: [Float](repeating: 128, count: 60_000)))
        #expect(flat.quality == 0)
    }
}
