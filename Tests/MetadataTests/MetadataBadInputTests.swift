import Foundation
import Testing
import ExhibitKit
@testable import Metadata

/// Truncated, empty and odd-length inputs for the parsers the JPEG/PNG/HEIC/MP4 truncation test
/// does not cover (TIFF, PDF, OOXML/ODF) and the shared text decoders.
@Suite struct MetadataBadInputTests {
    /// Every prefix (about 200 cuts) of a real TIFF, PDF, DOCX and ODT parses without a crash, and
    /// every entry with an offset points inside the bytes that were there.
    @Test(arguments: ["tiff/camera-be.tif", "tiff/plain-le.tif", "docs/report.pdf", "docs/contract.docx", "docs/minutes.odt"])
    func truncatedAnywhere(_ name: String) throws {
        let bytes = [UInt8](try MetadataFixtures.bytes(name))
        let container = try #require(Container.detect(bytes))
        let step = max(1, bytes.count / 200)
        for cut in stride(from: 0, to: bytes.count, by: step) {
            let prefix = Array(bytes[..<cut])
            guard Container.detect(prefix) == container else { continue }
            let out = MetadataAnalyzer.extract(prefix, container: container, zone: nil)
            #expect(out.entries.allSatisfy { $0.location.offset.map { $0 >= 0 && $0 < Int64(cut) } ?? true }, "cut at \(cut)")
        }
    }

    /// Nothing but the signature, or nothing at all, for each container: no entries, no crash.
    /// A JUMBF box shorter than its own label offset (33 bytes): found by the libFuzzer smoke run
    /// of `make test` as a PNG `caBX` chunk of 20 bytes; slicing the label trapped.
    @Test func jumbfShorterThanItsLabel() {
        for n in 16..<34 {
            var box = [UInt8](repeating: 0x41, count: n)
            box.replaceSubrange(4..<8, with: Array("jumb".utf8))
            box.replaceSubrange(12..<16, with: Array("jumd".utf8))
            let out = MetadataCollector(zone: nil)
            #expect(!C2PA.inspect(box, offset: 0, path: "PNG/caBX", out: out), "length \(n)")
        }
        // The same box as a PNG chunk, through the analyzer.
        var png: [UInt8] = PNGParser.signature
        func chunk(_ type: String, _ body: [UInt8]) {
            let n = UInt32(body.count)
            png += [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + Array(type.utf8) + body + [0, 0, 0, 0]
        }
        chunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0])
        var box = [UInt8](repeating: 0, count: 20)
        box.replaceSubrange(4..<8, with: Array("jumb".utf8))
        box.replaceSubrange(12..<16, with: Array("jumd".utf8))
        chunk("caBX", box)
        chunk("IEND", [])
        let found = MetadataAnalyzer.extract(png, container: .png, zone: nil)
        #expect(found.indicators.isEmpty, "\(found.indicators)")
    }

    @Test func signatureOnlyAndEmpty() {
        let signatures: [(Container, [UInt8])] = [
            (.jpeg, [0xff, 0xd8, 0xff]), (.tiff, [0x49, 0x49, 0x2a, 0x00]), (.tiff, [0x4d, 0x4d, 0x00, 0x2a]),
            (.png, PNGParser.signature), (.webp, Array("RIFF\0\0\0\0WEBP".utf8)), (.pdf, Array("%PDF-".utf8)),
            (.zip, [0x50, 0x4b, 0x03, 0x04]), (.bmff, [0, 0, 0, 0] + Array("ftyp".utf8)),
        ]
        for (c, sig) in signatures {
            #expect(MetadataAnalyzer.extract(sig, container: c, zone: nil).entries.isEmpty, "\(c)")
            #expect(MetadataAnalyzer.extract([], container: c, zone: nil).entries.isEmpty, "\(c) empty")
        }
    }

    /// UTF-16 text (EXIF UserComment `UNICODE`, PDF strings with a BOM) of odd length drops the
    /// stray byte; an unpaired surrogate becomes U+FFFD; Latin-1 maps every byte.
    @Test func textDecodersOnOddInput() {
        #expect(MetadataText.utf16([0x00, 0x41, 0x00, 0x42, 0x00], bigEndian: true) == [0x41, 0x42])
        #expect(MetadataText.utf16([0x41, 0x00, 0x42], bigEndian: false) == [0x41])
        #expect(MetadataText.utf16([UInt8](), bigEndian: true).isEmpty)
        #expect(PDFText.decode([0xfe, 0xff, 0x00, 0x41, 0xd8]).text == "A")
        #expect(PDFText.decode([0xfe, 0xff, 0xd8, 0x00, 0x00, 0x41]).text == "\u{FFFD}A")
        #expect(MetadataText.latin1([0x63, 0x61, 0x66, 0xe9]) == "café")
        #expect(MetadataText.decode([0xff, 0xfe]).encoding == "latin-1 (guessed)")
    }
}
