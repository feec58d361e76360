import Foundation
import ExhibitKit

/// One ISO BMFF / QuickTime box: its type and byte range in the file.
struct BMFFBox {
    var type: String
    /// Offset of the box header.
    var start: Int
    /// Offset of the first content byte (after size, type, largesize and `uuid` extended type).
    var content: Int
    /// End of the box (exclusive), clamped to its parent.
    var end: Int
    /// The 16-byte extended type of a `uuid` box, as lower-case hex.
    var uuid: String?
    /// Where the box sits (`moov/trak[1]/mdia/mdhd`).
    var path: String
}

/// Lists the boxes of one level of an ISO BMFF structure. Sizes 0 (to the end of the parent) and
/// 1 (64-bit size) are handled; a box claiming more bytes than its parent holds is clamped and
/// reported; a size smaller than its header stops the level. Never allocates from declared sizes.
enum BMFFBoxes {
    static let maxDepth = 16
    static let maxBoxesPerLevel = 100_000

    static func list(_ view: ByteView, from: Int, to: Int, parent: String, out: MetadataCollector) -> [BMFFBox] {
        var boxes: [BMFFBox] = []
        var p = from
        var counts: [String: Int] = [:]
        while p + 8 <= to {
            guard boxes.count < maxBoxesPerLevel, let size32 = view.u32(p, bigEndian: true), let type = view.fourCC(p + 4) else {
                if boxes.count >= maxBoxesPerLevel {
                    out.warn("bmff-too-many-boxes", "more than \(maxBoxesPerLevel) boxes in \(parent); the rest were not read",
                             offset: p, path: parent)
                }
                break
            }
            var header = 8
            var size = Int(size32)
            if size32 == 1 {
                guard let large = view.u64(p + 8, bigEndian: true) else { break }
                header = 16
                size = large > UInt64(Int.max) ? Int.max : Int(large)
            } else if size32 == 0 {
                size = to - p
            }
            let path = (parent.isEmpty ? "" : parent + "/") + type
            guard size >= header else {
                out.warn("bmff-bad-size", "box \(type) at offset \(p) has size \(size) (smaller than its header); rest of \(parent.isEmpty ? "file" : parent) not read",
                         offset: p, path: path)
                break
            }
            var end = p.addingReportingOverflow(size).overflow ? Int.max : p + size
            if end > to {
                out.warn("bmff-truncated", "box \(type) at offset \(p) declares \(size) bytes but only \(to - p) remain; read what is there",
                         offset: p, path: path)
                end = to
            }
            var content = p + header
            var uuid: String?
            if type == "uuid", let u = view.slice(content, 16) {
                uuid = u.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
                content += 16
            }
            let n = counts[type, default: 0] + 1
            counts[type] = n
            let indexed = type == "trak" ? "\(path)[\(n)]" : path
            boxes.append(BMFFBox(type: type, start: p, content: min(content, end), end: end, uuid: uuid, path: indexed))
            p = end
        }
        return boxes
    }

    /// The children of a container box (`depth` guards against deeply nested hostile files).
    static func children(_ view: ByteView, of box: BMFFBox, skip: Int = 0, depth: Int, out: MetadataCollector) -> [BMFFBox] {
        guard depth < maxDepth else {
            out.warn("bmff-too-deep", "boxes nested deeper than \(maxDepth) levels at \(box.path); not read",
                     offset: box.start, path: box.path)
            return []
        }
        return list(view, from: box.content + skip, to: box.end, parent: box.path, out: out)
    }

    /// UUID of XMP in a `uuid` box (Adobe's XMP spec, part 3).
    static let xmpUUID = "be7acfcb97a942e89c71999491e3afac"
    /// UUID of a C2PA manifest store in a `uuid` box (C2PA spec, BMFF embedding).
    static let c2paUUID = "d8fec3d61b0e483c92975828877ec481"
}
