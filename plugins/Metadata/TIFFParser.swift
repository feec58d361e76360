import Foundation
import ExhibitKit

/// Reads a TIFF structure (a TIFF file, or the EXIF block inside JPEG/PNG/WebP/HEIC): IFD0 and the
/// chain after it (IFD1 = thumbnail), the Exif, GPS and Interop sub-IFDs, both byte orders.
///
/// Hostile-input rules: every offset is checked against the TIFF window; an IFD visited twice (a
/// loop) is skipped; at most ``maxIFDs`` IFDs and ``maxEntries`` entries per IFD are read; a value
/// whose declared size would reach outside the data is skipped with a warning — nothing is
/// allocated from a declared count, only from bytes that exist.
struct TIFFParser {
    let view: ByteView
    /// Absolute offset of the TIFF header (`II*\0`/`MM\0*`); IFD offsets are relative to it.
    let start: Int
    /// End of the TIFF window (exclusive).
    let end: Int
    /// Structural prefix for locations (`APP1`, `eXIf`, `Exif item 1`).
    let container: String
    let out: MetadataCollector

    static let maxIFDs = 64
    static let maxEntries = 4096

    /// Parses the structure; returns `false` when there is no valid TIFF header.
    @discardableResult
    func parse() -> Bool {
        guard let bo = view.u16(start, bigEndian: true), bo == 0x4949 || bo == 0x4d4d else {
            out.warn("tiff-header", "no TIFF byte-order mark at the start of the EXIF data", offset: start, path: container)
            return false
        }
        let be = bo == 0x4d4d
        guard view.u16(start + 2, bigEndian: be) == 42, let first = view.u32(start + 4, bigEndian: be) else {
            out.warn("tiff-header", "TIFF magic number is not 42 (BigTIFF and damaged headers are not read)",
                     offset: start, path: container)
            return false
        }
        var walker = Walker(parser: self, be: be)
        walker.run(firstIFD: Int(first))
        return true
    }

    /// The mutable state of one walk: which IFDs were seen, which are queued.
    private struct Walker {
        let parser: TIFFParser
        let be: Bool
        var visited: Set<Int> = []
        var queue: [(offset: Int, kind: IFDKind, name: String)] = []

        init(parser: TIFFParser, be: Bool) { self.parser = parser; self.be = be }

        var out: MetadataCollector { parser.out }
        var view: ByteView { parser.view }

        mutating func run(firstIFD: Int) {
            queue.append((firstIFD, .image, "IFD0"))
            var mainIndex = 0
            var count = 0
            while !queue.isEmpty {
                let (rel, kind, name) = queue.removeFirst()
                count += 1
                guard count <= TIFFParser.maxIFDs else {
                    out.warn("tiff-too-many-ifds", "more than \(TIFFParser.maxIFDs) IFDs; the rest were not read",
                             offset: parser.start + rel, path: parser.container)
                    return
                }
                let next = readIFD(rel: rel, kind: kind, name: name)
                if kind == .image, let next, next != 0 {
                    mainIndex += 1
                    queue.append((next, .image, "IFD\(mainIndex)"))
                }
            }
        }

        /// Reads one IFD; returns the offset of the next IFD in the chain (image IFDs only).
        mutating func readIFD(rel: Int, kind: IFDKind, name: String) -> Int? {
            let abs = parser.start + rel
            let path = "\(parser.container)/\(name)"
            guard rel >= 0, abs + 2 <= parser.end, let n = view.u16(abs, bigEndian: be) else {
                out.warn("tiff-offset-outside", "\(name) offset \(rel) points outside the EXIF data", offset: abs, path: path)
                return nil
            }
            guard visited.insert(abs).inserted else {
                out.warn("tiff-ifd-loop", "\(name) at offset \(rel) was already read (IFD loop); not read again",
                         offset: abs, path: path)
                return nil
            }
            var entries = Int(n)
            if entries > TIFFParser.maxEntries {
                out.warn("tiff-too-many-entries", "\(name) declares \(entries) entries; the first \(TIFFParser.maxEntries) were read",
                         offset: abs, path: path)
                entries = TIFFParser.maxEntries
            }
            let available = (parser.end - abs - 2) / 12
            if entries > available {
                out.warn("tiff-truncated-ifd", "\(name) declares \(entries) entries but only \(max(0, available)) fit in the data",
                         offset: abs, path: path)
                entries = max(0, available)
            }
            var thumb: (offset: Int?, length: Int?) = (nil, nil)
            for i in 0..<entries {
                let e = abs + 2 + i * 12
                guard let tag = view.u16(e, bigEndian: be), let rawType = view.u16(e + 2, bigEndian: be),
                      let count32 = view.u32(e + 4, bigEndian: be) else { break }
                let tagName = ExifTags.name(tag, in: kind)
                let where_ = "\(path)/0x\(String(tag, radix: 16).leftPadded(to: 4))"
                guard let type = TIFFType(rawValue: rawType) else {
                    out.warn("tiff-bad-type", "\(tagName) has unknown field type \(rawType); skipped", offset: e, path: where_)
                    continue
                }
                let count = Int(count32)
                let (size, overflow) = count.multipliedReportingOverflow(by: type.size)
                var at = e + 8
                if overflow || size > 4 {
                    let off = Int(view.u32(e + 8, bigEndian: be) ?? 0)
                    at = parser.start + off
                    if overflow || at < parser.start || at.addingReportingOverflow(size).overflow || at + size > parser.end {
                        out.warn("tiff-offset-outside",
                                 "\(tagName): \(count) values of type \(rawType) at offset \(off) reach outside the EXIF data; skipped",
                                 offset: e, path: where_)
                        continue
                    }
                }
                if let sub = subIFD(tag: tag, kind: kind) {
                    if let v = view.u32(at, bigEndian: be) { queue.append((Int(v), sub.kind, sub.name)) }
                    continue
                }
                if kind == .image, name != "IFD0", tag == 0x0201 { thumb.offset = view.u32(at, bigEndian: be).map(Int.init) }
                if kind == .image, name != "IFD0", tag == 0x0202 { thumb.length = view.u32(at, bigEndian: be).map(Int.init) }
                if kind == .image, name != "IFD0", tag == 0x0201, let v = view.u32(at, bigEndian: be) {
                    // ExifTool prints the thumbnail offset as a position in the file, not in the TIFF.
                    out.add(.exif, tagName, String(parser.start + Int(v)), offset: at, path: where_)
                    continue
                }
                record(tag: tag, name: tagName, kind: kind, type: type, count: count, at: at, path: where_)
            }
            if let o = thumb.offset, let l = thumb.length { recordThumbnail(rel: o, length: l, path: path) }
            let nextAt = abs + 2 + entries * 12
            return view.contains(nextAt, 4) && nextAt + 4 <= parser.end ? view.u32(nextAt, bigEndian: be).map(Int.init) : nil
        }

        func subIFD(tag: UInt16, kind: IFDKind) -> (kind: IFDKind, name: String)? {
            switch (tag, kind) {
            case (0x8769, .image): return (.exif, "ExifIFD")
            case (0x8825, .image), (0x8825, .exif): return (.gps, "GPS")
            case (0xa005, .exif): return (.interop, "InteropIFD")
            default: return nil
            }
        }

        func recordThumbnail(rel: Int, length: Int, path: String) {
            let abs = parser.start + rel
            if rel >= 0, length >= 0, view.contains(abs, length), abs + length <= parser.end {
                out.add(.exif, "ThumbnailImage", TIFFValue.binary(length), offset: abs, path: path)
            } else {
                out.warn("thumbnail-outside", "thumbnail of \(length) bytes at offset \(rel) lies outside the data",
                         offset: abs, path: path)
            }
        }

        func record(tag: UInt16, name: String, kind: IFDKind, type: TIFFType, count: Int, at: Int, path: String) {
            let ns: MetadataNamespace = kind == .gps ? .gps : .exif
            let size = count * type.size
            switch type {
            case .ascii:
                guard let bytes = view.slice(at, size) else { return }
                out.addText(ns, name, bytes: MetadataText.cString(bytes), offset: at, path: path)
            case .undefined, .byte:
                guard let bytes = view.slice(at, size) else { return }
                if (kind == .exif && tag == 0x9286) || (kind == .gps && (tag == 0x1b || tag == 0x1c)) {
                    recordEncodedText(ns: ns, name: name, bytes: bytes, at: at, path: path)
                } else if kind == .image, tag == 0x02bc {
                    XMPParser.parse(bytes, offset: at, path: path, into: out)
                } else if size > 64 || tag == 0x927c {
                    // MakerNotes and other blobs: kept raw with their offset, not interpreted.
                    out.add(ns, name, TIFFValue.binary(size), offset: at, path: path, raw: Data(bytes))
                } else if type == .undefined, case let trimmed = bytes.reversed().drop(while: { $0 == 0 }).reversed(),
                          !trimmed.isEmpty, trimmed.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
                    out.add(ns, name, String(decoding: trimmed, as: UTF8.self), offset: at, path: path)
                } else {
                    out.add(ns, name, TIFFValue.format(view, at: at, type: .byte, count: count, bigEndian: be),
                            offset: at, path: path, raw: type == .undefined ? Data(bytes) : nil)
                }
            default:
                if kind == .gps, tag == 0x02 || tag == 0x04 {
                    recordCoordinate(tag: tag, name: name, type: type, count: count, at: at, path: path)
                } else if kind == .gps, tag == 0x07, let hms = TIFFValue.doubles(view, at: at, type: type, count: count, bigEndian: be),
                          hms.count == 3 {
                    out.add(.gps, name, GPSFormat.timeStamp(hms), offset: at, path: path)
                } else {
                    out.add(ns, name, TIFFValue.format(view, at: at, type: type, count: count, bigEndian: be), offset: at, path: path)
                }
            }
        }

        /// Unsigned degrees as ExifTool's GPS group has them; made signed like ExifTool's Composite
        /// value once the whole IFD is read (the Ref tag may come later), see ``ExifDerived``.
        func recordCoordinate(tag: UInt16, name: String, type: TIFFType, count: Int, at: Int, path: String) {
            guard let dms = TIFFValue.doubles(view, at: at, type: type, count: count, bigEndian: be), !dms.isEmpty else {
                out.add(.gps, name + "Raw", TIFFValue.format(view, at: at, type: type, count: count, bigEndian: be), offset: at, path: path)
                return
            }
            out.add(.gps, name, GPSFormat.degrees(dms), offset: at, path: path)
        }

        /// EXIF UserComment / GPSProcessingMethod: an 8-byte character-code prefix, then the text.
        func recordEncodedText(ns: MetadataNamespace, name: String, bytes: ArraySlice<UInt8>, at: Int, path: String) {
            let head = Array(bytes.prefix(8))
            let body = bytes.dropFirst(min(8, bytes.count))
            if head.starts(with: Array("UNICODE".utf8)) {
                var units = MetadataText.utf16(body, bigEndian: be)
                while units.last == 0 { units.removeLast() }
                out.add(ns, name, String(decoding: units, as: UTF16.self), offset: at, path: path, raw: Data(bytes),
                        encoding: be ? "utf-16be" : "utf-16le")
            } else {
                let text = MetadataText.cString(head.starts(with: Array("ASCII".utf8)) || head.allSatisfy({ $0 == 0 }) ? body : bytes[...])
                let trimmed = text.reversed().drop { $0 == 0x20 }.reversed()
                let d = MetadataText.decode(trimmed)
                out.add(ns, name, d.text, offset: at, path: path, raw: Data(bytes), encoding: d.encoding ?? "ascii")
            }
        }
    }
}
