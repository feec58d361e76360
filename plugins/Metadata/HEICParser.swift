import Foundation
import ExhibitKit

/// HEIC/HEIF/AVIF (ISO BMFF items): the `meta` box's `iinf` (item types) and `iloc` (where each
/// item's bytes are) locate the `Exif` item — 4-byte big-endian offset, then a TIFF header — and
/// the XMP `mime` item (`application/rdf+xml`).
struct HEICParser {
    let view: ByteView
    let out: MetadataCollector

    struct Item { var type: String; var contentType: String? }
    struct Extent { var offset: Int; var length: Int }
    struct Location { var construction: Int; var extents: [Extent] }

    static let maxItems = 100_000
    static let maxExtents = 1_000

    /// Reads the items of a top-level `meta` box.
    func parse(meta: BMFFBox) {
        let kids = BMFFBoxes.children(view, of: meta, skip: 4, depth: 1, out: out)
        var items: [Int: Item] = [:]
        var locations: [Int: Location] = [:]
        var idat: BMFFBox?
        var primary: Int?
        for box in kids {
            switch box.type {
            case "pitm":
                let v = view.u8(box.content) ?? 0
                primary = v == 0 ? view.u16(box.content + 4, bigEndian: true).map(Int.init) : view.u32(box.content + 4, bigEndian: true).map(Int.init)
            case "iprp": if let primary { primarySize(box, item: primary) }
            case "iinf": items = readIinf(box)
            case "iloc": locations = readIloc(box)
            case "idat": idat = box
            default: break
            }
        }
        for (id, item) in items.sorted(by: { $0.key < $1.key }) {
            let isXMP = item.type == "mime" && (item.contentType ?? "").lowercased().contains("rdf+xml")
            guard item.type == "Exif" || isXMP else { continue }
            let path = "meta/item \(id) (\(item.type))"
            guard let loc = locations[id], let (start, bytes) = assemble(loc, idat: idat, path: path) else {
                out.warn("heic-item-missing", "item \(id) (\(item.type)) has no readable location", offset: meta.start, path: path)
                continue
            }
            if isXMP {
                XMPParser.parse(bytes, offset: start, path: path, into: out)
                continue
            }
            // Exif item: 4-byte offset to the TIFF header, counted from the end of those 4 bytes.
            let v = ByteView(bytes)
            guard let skip = v.u32(0, bigEndian: true), Int(skip) <= bytes.count - 4 else {
                out.warn("heic-exif-offset", "Exif item \(id): TIFF header offset outside the item", offset: start, path: path)
                continue
            }
            let inPlace = loc.extents.count == 1 && loc.construction == 0
            if inPlace {
                TIFFParser(view: view, start: start + 4 + Int(skip), end: start + bytes.count, container: path, out: out).parse()
            } else {
                // Several extents: parsed from the assembled copy; offsets are within the item.
                TIFFParser(view: v, start: 4 + Int(skip), end: bytes.count, container: path + " (assembled)", out: out).parse()
            }
        }
    }

    /// The primary item's `ispe` (image spatial extents) via `ipma`: ExifTool's File:ImageWidth/Height.
    func primarySize(_ iprp: BMFFBox, item: Int) {
        let kids = BMFFBoxes.children(view, of: iprp, depth: 2, out: out)
        guard let ipco = kids.first(where: { $0.type == "ipco" }), let ipma = kids.first(where: { $0.type == "ipma" }),
              let version = view.u8(ipma.content), let flags = view.u8(ipma.content + 3),
              let count = view.u32(ipma.content + 4, bigEndian: true) else { return }
        let props = BMFFBoxes.children(view, of: ipco, depth: 3, out: out)
        var p = ipma.content + 8
        for _ in 0..<min(Int(count), Self.maxItems) {
            let id: Int
            if version < 1 { id = Int(view.u16(p, bigEndian: true) ?? 0); p += 2 } else { id = Int(view.u32(p, bigEndian: true) ?? 0); p += 4 }
            guard let n = view.u8(p) else { return }
            p += 1
            for _ in 0..<Int(n) {
                let wide = flags & 1 == 1
                guard let raw = wide ? view.u16(p, bigEndian: true) : view.u8(p).map(UInt16.init) else { return }
                p += wide ? 2 : 1
                let index = Int(raw & (wide ? 0x7fff : 0x7f))
                guard id == item, index >= 1, index <= props.count, props[index - 1].type == "ispe" else { continue }
                let b = props[index - 1]
                if let w = view.u32(b.content + 4, bigEndian: true), let h = view.u32(b.content + 8, bigEndian: true) {
                    out.add(.file, "ImageWidth", String(w), offset: b.content + 4, path: b.path)
                    out.add(.file, "ImageHeight", String(h), offset: b.content + 8, path: b.path)
                }
                return
            }
        }
    }

    /// The item's bytes (bounded by the file's real size) and the file offset of its first extent.
    func assemble(_ loc: Location, idat: BMFFBox?, path: String) -> (Int, [UInt8])? {
        var bytes: [UInt8] = []
        var first: Int?
        for e in loc.extents {
            let base: Int
            let limit: Int
            switch loc.construction {
            case 0: base = 0; limit = view.count
            case 1:
                guard let idat else { return nil }
                base = idat.content; limit = idat.end
            default:
                out.warn("heic-construction", "item construction method \(loc.construction) is not supported", path: path)
                return nil
            }
            let start = base + e.offset
            let length = e.length == 0 ? limit - start : e.length
            guard start >= base, length >= 0, start <= limit, length <= limit - start, let s = view.slice(start, length) else {
                out.warn("heic-extent-outside", "item extent at \(e.offset) (+\(e.length)) lies outside the data", offset: start, path: path)
                return nil
            }
            if first == nil { first = start }
            bytes += s
        }
        return first.map { ($0, bytes) }
    }

    func readIinf(_ box: BMFFBox) -> [Int: Item] {
        guard let version = view.u8(box.content) else { return [:] }
        let skip = version == 0 ? 6 : 8
        var items: [Int: Item] = [:]
        for infe in BMFFBoxes.children(view, of: box, skip: skip, depth: 2, out: out) where infe.type == "infe" {
            guard items.count < Self.maxItems, let v = view.u8(infe.content), v >= 2 else { continue }
            var p = infe.content + 4
            let id: Int
            if v == 2 { id = Int(view.u16(p, bigEndian: true) ?? 0); p += 2 } else { id = Int(view.u32(p, bigEndian: true) ?? 0); p += 4 }
            p += 2  // protection index
            guard let type = view.fourCC(p) else { continue }
            p += 4
            let nameEnd = view.firstIndex(of: 0, from: p, to: infe.end) ?? infe.end
            var item = Item(type: type, contentType: nil)
            if type == "mime", nameEnd + 1 < infe.end {
                let ctEnd = view.firstIndex(of: 0, from: nameEnd + 1, to: infe.end) ?? infe.end
                item.contentType = String(decoding: view.bytes[nameEnd + 1..<ctEnd], as: UTF8.self)
            }
            items[id] = item
        }
        return items
    }

    func readIloc(_ box: BMFFBox) -> [Int: Location] {
        guard let version = view.u8(box.content), let sizes = view.u8(box.content + 4),
              let sizes2 = view.u8(box.content + 5) else { return [:] }
        let offsetSize = Int(sizes >> 4), lengthSize = Int(sizes & 15), baseSize = Int(sizes2 >> 4)
        let indexSize = version == 1 || version == 2 ? Int(sizes2 & 15) : 0
        var p = box.content + 6
        let count: Int
        if version < 2 { count = Int(view.u16(p, bigEndian: true) ?? 0); p += 2 } else { count = Int(view.u32(p, bigEndian: true) ?? 0); p += 4 }
        var out: [Int: Location] = [:]
        for _ in 0..<min(count, Self.maxItems) {
            guard p < box.end else { break }
            let id: Int
            if version < 2 { id = Int(view.u16(p, bigEndian: true) ?? 0); p += 2 } else { id = Int(view.u32(p, bigEndian: true) ?? 0); p += 4 }
            var construction = 0
            if version == 1 || version == 2 { construction = Int((view.u16(p, bigEndian: true) ?? 0) & 15); p += 2 }
            p += 2  // data reference index
            guard let base = view.uintBE(p, size: baseSize) else { break }
            p += baseSize
            guard let n = view.u16(p, bigEndian: true) else { break }
            p += 2
            var extents: [Extent] = []
            for _ in 0..<min(Int(n), Self.maxExtents) {
                p += indexSize
                guard let off = view.uintBE(p, size: offsetSize), let len = view.uintBE(p + offsetSize, size: lengthSize) else { break }
                p += offsetSize + lengthSize
                let (sum, overflow) = base.addingReportingOverflow(off)
                guard !overflow, sum < UInt64(Int.max / 2), len < UInt64(Int.max / 2) else { continue }
                extents.append(Extent(offset: Int(sum), length: Int(len)))
            }
            out[id] = Location(construction: construction, extents: extents)
        }
        return out
    }
}
