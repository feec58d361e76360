import Foundation
import ExhibitKit

/// Walks PNG chunks: `IHDR` (size), `eXIf` (TIFF), `tEXt`/`zTXt`/`iTXt` (keywords, XMP in
/// `XML:com.adobe.xmp`, Stable Diffusion `parameters`, ComfyUI `prompt`/`workflow`), `caBX` (C2PA).
struct PNGParser {
    let view: ByteView
    let out: MetadataCollector

    static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

    func parse() {
        var p = 8
        var chunks = 0
        while p + 8 <= view.count {
            guard let len32 = view.u32(p, bigEndian: true), let type = view.fourCC(p + 4) else { break }
            chunks += 1
            let len = Int(len32), start = p + 8
            guard chunks <= 100_000 else {
                out.warn("png-too-many-chunks", "more than 100,000 PNG chunks; the rest were not read", offset: p, path: "PNG")
                break
            }
            guard view.contains(start, len) else {
                out.warn("png-truncated", "PNG chunk \(type) at offset \(p) declares \(len) bytes past the end of the file",
                         offset: p, path: "PNG/\(type)")
                break
            }
            let body = view.bytes[start..<start + len]
            switch type {
            case "IHDR":
                if let w = view.u32(start, bigEndian: true), let h = view.u32(start + 4, bigEndian: true) {
                    out.add(.file, "ImageWidth", String(w), offset: start, path: "PNG/IHDR")
                    out.add(.file, "ImageHeight", String(h), offset: start + 4, path: "PNG/IHDR")
                }
            case "eXIf":
                // Some writers keep the JPEG "Exif\0\0" prefix; the TIFF header follows it.
                let tiff = view.matches(start, JPEGParser.exifHeader) ? start + 6 : start
                TIFFParser(view: view, start: tiff, end: start + len, container: "PNG/eXIf", out: out).parse()
            case "tEXt": text(body, at: start, compressed: false, international: false)
            case "zTXt": text(body, at: start, compressed: true, international: false)
            case "iTXt": text(body, at: start, compressed: false, international: true)
            case "caBX": C2PA.inspect(body, offset: start, path: "PNG/caBX", out: out)
            case "IEND": return
            default: break
            }
            p = start + len + 4
        }
    }

    /// A text chunk: keyword NUL [iTXt: flag, method, language NUL, translated NUL] text.
    func text(_ body: ArraySlice<UInt8>, at start: Int, compressed: Bool, international: Bool) {
        let path = "PNG/\(international ? "iTXt" : compressed ? "zTXt" : "tEXt")"
        guard let nul = body.firstIndex(of: 0) else {
            out.warn("png-bad-text", "text chunk without a keyword terminator", offset: start, path: path)
            return
        }
        let keyword = String(decoding: body[body.startIndex..<nul].map { $0 }, as: UTF8.self)
        var p = nul + 1
        var isCompressed = compressed
        var tag = Self.tagName(keyword)
        if international {
            guard p + 2 <= body.endIndex else { return }
            isCompressed = body[p] == 1
            p += 2
            guard let langEnd = body[p...].firstIndex(of: 0) else { return }
            // ExifTool appends the iTXt language to the tag name (`Description-ko`).
            let lang = String(decoding: body[p..<langEnd].map { $0 }, as: UTF8.self)
            if !lang.isEmpty { tag += "-" + lang }
            guard let n = body[(langEnd + 1)...].firstIndex(of: 0) else { return }  // translated keyword
            p = n + 1
        } else if compressed {
            p += 1  // compression method byte
        }
        guard p <= body.endIndex else { return }
        var bytes = Array(body[p...])
        if isCompressed {
            let r = Inflate.zlib(bytes)
            if !r.complete {
                out.warn("png-inflate", "compressed text \(keyword) is damaged or larger than \(Inflate.maxOutput) bytes; kept \(r.bytes.count) bytes",
                         offset: start, path: path)
            }
            bytes = r.bytes
        }
        if keyword == "XML:com.adobe.xmp" {
            XMPParser.parse(bytes, offset: p, path: path + "/XMP", into: out)
            return
        }
        // tEXt/zTXt are Latin-1 by the PNG spec; iTXt is UTF-8.
        if international || bytes.allSatisfy({ $0 < 0x80 }) {
            out.addText(.png, tag, bytes: bytes, offset: p, path: path)
        } else {
            out.add(.png, tag, MetadataText.latin1(bytes), offset: p, path: path,
                    raw: Data(bytes), encoding: "latin-1")
        }
    }

    /// ExifTool's tag name for a PNG keyword: first letter upper-cased, characters other than
    /// letters, digits, `-` and `_` removed (`parameters` → `Parameters`).
    static func tagName(_ keyword: String) -> String {
        let kept = keyword.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        guard let f = kept.first else { return "Unknown" }
        return f.uppercased() + kept.dropFirst()
    }
}
