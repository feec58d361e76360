import Foundation
import ExhibitKit

/// Walks JPEG marker segments up to the image data: APP1 Exif and XMP (standard and extended),
/// APP11 JUMBF (C2PA), COM, and the frame header for the image size.
struct JPEGParser {
    let view: ByteView
    let out: MetadataCollector

    static let exifHeader = Array("Exif\0\0".utf8)
    static let xmpHeader = Array("http://ns.adobe.com/xap/1.0/\0".utf8)
    static let extendedXMPHeader = Array("http://ns.adobe.com/xmp/extension/\0".utf8)
    /// Most bytes an extended XMP may claim before we stop assembling it.
    static let extendedXMPLimit = 16 << 20

    func parse() {
        var p = 2
        var extended: [String: (total: Int, parts: [Int: ArraySlice<UInt8>], offset: Int)] = [:]
        var jumbf: [UInt8] = []
        var jumbfOffset: Int?
        var segments = 0
        var flir: [Int: (bytes: ArraySlice<UInt8>, offset: Int)] = [:]
        var flirLast = -1, flirBytes = 0
        while p + 4 <= view.count {
            guard view.u8(p) == 0xff, let marker = view.u8(p + 1) else {
                out.warn("jpeg-bad-marker", "no JPEG marker at offset \(p); segments after it were not read", offset: p, path: "JPEG")
                break
            }
            if marker == 0xff { p += 1; continue }  // fill byte
            if marker == 0xd8 || (0xd0...0xd7).contains(marker) || marker == 0x01 { p += 2; continue }
            if marker == 0xd9 || marker == 0xda { break }  // EOI, start of scan: no metadata after
            segments += 1
            guard segments <= 10_000, let len16 = view.u16(p + 2, bigEndian: true), len16 >= 2 else {
                out.warn("jpeg-bad-segment", "bad JPEG segment length at offset \(p)", offset: p, path: "JPEG")
                break
            }
            let start = p + 4, len = Int(len16) - 2
            guard view.contains(start, len) else {
                out.warn("jpeg-truncated", "JPEG segment 0x\(String(marker, radix: 16)) at offset \(p) runs past the end of the file",
                         offset: p, path: "JPEG")
                break
            }
            let seg = "APP\(Int(marker) - 0xe0)"
            switch marker {
            case 0xe1 where len >= Self.exifHeader.count + 8 && view.matches(start, Self.exifHeader):
                TIFFParser(view: view, start: start + 6, end: start + len, container: seg, out: out).parse()
            case 0xe1 where len >= Self.xmpHeader.count && view.matches(start, Self.xmpHeader):
                let h = Self.xmpHeader.count
                XMPParser.parse(view.bytes[start + h..<start + len], offset: start + h, path: seg + "/XMP", into: out)
            case 0xe1 where len >= Self.extendedXMPHeader.count + 40 && view.matches(start, Self.extendedXMPHeader):
                let h = start + Self.extendedXMPHeader.count
                guard let guid = view.slice(h, 32), let total = view.u32(h + 32, bigEndian: true),
                      let off = view.u32(h + 36, bigEndian: true) else { break }
                let key = String(decoding: guid, as: UTF8.self)
                var entry = extended[key] ?? (Int(total), [:], start)
                if entry.parts.values.reduce(0, { $0 + $1.count }) + len <= Self.extendedXMPLimit {
                    entry.parts[Int(off)] = view.bytes[h + 40..<start + len]
                }
                extended[key] = entry
            case 0xe1 where len >= 8 && view.matches(start, FLIRParser.header):
                // FLIR FFF chunks: byte 6 = chunk number, byte 7 = last chunk number.
                let n = Int(view.u8(start + 6) ?? 0)
                flirLast = max(flirLast, Int(view.u8(start + 7) ?? 0))
                if flir[n] == nil, flirBytes + len <= FLIRParser.maxBytes {
                    flir[n] = (view.bytes[start + 8..<start + len], start + 8)
                    flirBytes += len
                }
            case 0xeb where view.matches(start, [0x4a, 0x50]):
                // APP11 JPEG XT: "JP", box instance (2), sequence number (4), then the JUMBF box;
                // continuation segments repeat the box header (8 bytes) which we skip.
                guard len > 8 else { break }
                let seq = view.u32(start + 4, bigEndian: true) ?? 0
                if jumbfOffset == nil { jumbfOffset = start + 8 }
                let body = seq <= 1 ? start + 8 : start + 16
                if body < start + len, jumbf.count + len <= C2PA.maxBytes { jumbf += view.bytes[body..<start + len] }
            case 0xfe:
                out.addText(.file, "Comment", bytes: view.bytes[start..<start + len], offset: start, path: "COM")
            case 0xc0...0xcf where marker != 0xc4 && marker != 0xc8 && marker != 0xcc:
                if let h = view.u16(start + 1, bigEndian: true), let w = view.u16(start + 3, bigEndian: true) {
                    out.add(.file, "ImageWidth", String(w), offset: start + 3, path: "SOF")
                    out.add(.file, "ImageHeight", String(h), offset: start + 1, path: "SOF")
                }
            default: break
            }
            p = start + len
        }
        for (guid, e) in extended.sorted(by: { $0.key < $1.key }) {
            var assembled: [UInt8] = []
            for (off, part) in e.parts.sorted(by: { $0.key < $1.key }) where off == assembled.count { assembled += part }
            if assembled.count != e.total {
                out.warn("xmp-extended-incomplete", "extended XMP \(guid): \(assembled.count) of \(e.total) bytes present",
                         offset: e.offset, path: "APP1/ExtendedXMP")
            }
            XMPParser.parse(assembled, offset: e.offset, path: "APP1/ExtendedXMP", into: out)
        }
        if let first = flir[0] {
            if flir.count != flirLast + 1 || (0...flirLast).contains(where: { flir[$0] == nil }) {
                out.warn("flir-incomplete", "\(flir.count) of \(flirLast + 1) FLIR chunks present; read what is contiguous from the first",
                         offset: first.offset, path: "APP1/FLIR")
            }
            var fff: [UInt8] = []
            var starts: [(fff: Int, file: Int)] = []
            var n = 0
            while let part = flir[n] { starts.append((fff.count, part.offset)); fff += part.bytes; n += 1 }
            FLIRParser.parse(fff, chunks: starts, out: out)
        }
        if let jo = jumbfOffset { C2PA.inspect(jumbf, offset: jo, path: "APP11/JUMBF", out: out) }
    }
}
