import Foundation
import ExhibitKit

/// Walks the RIFF chunks of a WebP file: `VP8X` (canvas size), `EXIF`, `XMP `.
struct WebPParser {
    let view: ByteView
    let out: MetadataCollector

    func parse() {
        var p = 12
        var chunks = 0
        while p + 8 <= view.count, chunks < 100_000 {
            guard let type = view.fourCC(p), let len32 = view.u32(p + 4, bigEndian: false) else { break }
            chunks += 1
            let len = Int(len32), start = p + 8
            guard view.contains(start, len) else {
                out.warn("webp-truncated", "WebP chunk \(type) at offset \(p) declares \(len) bytes past the end of the file",
                         offset: p, path: "RIFF/\(type)")
                break
            }
            switch type {
            case "VP8X":
                if let w = view.slice(start + 4, 3), let h = view.slice(start + 7, 3) {
                    func u24(_ s: ArraySlice<UInt8>) -> Int { s.reversed().reduce(0) { $0 << 8 | Int($1) } + 1 }
                    out.add(.file, "ImageWidth", String(u24(w)), offset: start + 4, path: "RIFF/VP8X")
                    out.add(.file, "ImageHeight", String(u24(h)), offset: start + 7, path: "RIFF/VP8X")
                }
            case "EXIF":
                let tiff = view.matches(start, JPEGParser.exifHeader) ? start + 6 : start
                TIFFParser(view: view, start: tiff, end: start + len, container: "RIFF/EXIF", out: out).parse()
            case "XMP ":
                XMPParser.parse(view.bytes[start..<start + len], offset: start, path: "RIFF/XMP", into: out)
            default: break
            }
            p = start + len + (len & 1)
        }
    }
}
