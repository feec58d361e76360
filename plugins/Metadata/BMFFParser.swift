import Foundation
import ExhibitKit

/// The top level of an ISO BMFF / QuickTime file: `ftyp` brand, then `meta` (HEIF items),
/// `moov` (movie) and `uuid` (XMP, C2PA) boxes.
struct BMFFParser {
    let view: ByteView
    let out: MetadataCollector

    func parse() {
        for box in BMFFBoxes.list(view, from: 0, to: view.count, parent: "", out: out) {
            switch box.type {
            case "ftyp":
                if let brand = view.fourCC(box.content) { out.add(.file, "MajorBrand", brand, offset: box.content, path: "ftyp") }
            case "meta": HEICParser(view: view, out: out).parse(meta: box)
            case "moov": QuickTimeParser(view: view, out: out).parse(moov: box)
            case "uuid": Self.uuidBox(box, view: view, out: out)
            default: break
            }
        }
    }

    /// XMP (Adobe's UUID) or a C2PA manifest store (C2PA's UUID) in a `uuid` box.
    static func uuidBox(_ box: BMFFBox, view: ByteView, out: MetadataCollector) {
        switch box.uuid {
        case BMFFBoxes.xmpUUID?:
            XMPParser.parse(view.bytes[box.content..<box.end], offset: box.content, path: box.path + "/XMP", into: out)
        case BMFFBoxes.c2paUUID?:
            // C2PA uuid box: version/flags (4), purpose string NUL, offset (8), then the JUMBF box.
            let purposeEnd = view.firstIndex(of: 0, from: box.content + 4, to: box.end) ?? box.end
            let jumbf = purposeEnd + 1 + 8
            if jumbf < box.end { C2PA.inspect(view.bytes[jumbf..<box.end], offset: jumbf, path: box.path + "/c2pa", out: out) }
        default: break
        }
    }
}
