import Foundation
import ExhibitKit

/// Reads a large ISO BMFF file (a video of gigabytes) without loading it: walks the top-level box
/// headers through a file handle and loads only `ftyp`, `moov`, `meta` and `uuid` boxes (each up
/// to ``boxLimit``), parsing each on its own with offsets shifted back to file positions.
enum LargeBMFF {
    static let boxLimit = 256 << 20
    static let wanted: Set<String> = ["ftyp", "moov", "meta", "uuid"]

    static func read(_ file: EvidenceFile, temporaryDirectory: URL, into out: MetadataCollector) throws {
        try file.withFileHandle(temporaryDirectory: temporaryDirectory) { h in
            let size = UInt64(max(0, file.size))
            var pos: UInt64 = 0
            var boxes = 0
            while pos + 8 <= size, boxes < BMFFBoxes.maxBoxesPerLevel {
                boxes += 1
                try h.seek(toOffset: pos)
                guard let head = try h.read(upToCount: 16), head.count >= 8 else { break }
                let v = ByteView([UInt8](head))
                guard let size32 = v.u32(0, bigEndian: true), let type = v.fourCC(4) else { break }
                var boxSize = UInt64(size32)
                if size32 == 1 {
                    guard let large = v.u64(8, bigEndian: true) else { break }
                    boxSize = large
                } else if size32 == 0 {
                    boxSize = size - pos
                }
                guard boxSize >= 8 else {
                    out.warn("bmff-bad-size", "top-level box \(type) at offset \(pos) has size \(boxSize); rest of file not read",
                             offset: Int(pos), path: type)
                    break
                }
                if boxSize > size - pos {
                    out.warn("bmff-truncated", "box \(type) at offset \(pos) declares \(boxSize) bytes but only \(size - pos) remain",
                             offset: Int(pos), path: type)
                    boxSize = size - pos
                }
                if wanted.contains(type) {
                    if boxSize <= UInt64(boxLimit) {
                        try h.seek(toOffset: pos)
                        let bytes = [UInt8](try h.read(upToCount: Int(boxSize)) ?? Data())
                        out.offsetShift = Int(pos)
                        BMFFParser(view: ByteView(bytes), out: out).parse()
                        out.offsetShift = 0
                    } else {
                        out.warn("box-too-large", "\(type) box of \(boxSize) bytes exceeds \(boxLimit); not read",
                                 offset: Int(pos), path: type)
                    }
                }
                pos += boxSize
            }
        }
    }
}
