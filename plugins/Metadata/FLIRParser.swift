import Foundation
import ExhibitKit

/// FLIR thermal-camera JPEGs: the APP1 `FLIR\0` segments carry one FFF block split into chunks
/// (byte 6 = chunk number, byte 7 = last chunk number). Layout as ExifTool documents it
/// (Image::ExifTool::FLIR): a 64-byte header ("FFF\0" or "AFF\0", creator, int32u version
/// 100…199 — its byte order is the block's —, record-directory offset and count), 32-byte
/// directory entries (int16u type, int32u offset at +0x0c and length at +0x10), and the
/// `CameraInfo` record (type 0x20) whose first int16u is 2 in its own byte order and whose
/// DateTimeOriginal at 0x384 is int32u Unix time, int32u milliseconds (low 16 bits) and
/// int16s minutes west of UTC. Only DateTimeOriginal is read.
enum FLIRParser {
    /// Most bytes of FFF data assembled from the chunks (thermal raw data included).
    static let maxBytes = 32 << 20
    static let header = Array("FLIR\0".utf8)

    /// Reads the assembled FFF block `fff`; `chunks` maps each chunk's first FFF offset to its
    /// file offset, so locations point at the bytes in the file.
    static func parse(_ fff: [UInt8], chunks: [(fff: Int, file: Int)], out: MetadataCollector) {
        let v = ByteView(fff)
        let offset = chunks.first?.file ?? 0
        let path = "APP1/FLIR"
        guard fff.count >= 0x40, v.matches(1, Array("FF\0".utf8)), fff[0] == 0x46 || fff[0] == 0x41 else {
            out.warn("flir-bad-header", "FLIR APP1 data is not an FFF block", offset: offset, path: path)
            return
        }
        let big: Bool
        if let ver = v.u32(0x14, bigEndian: true), (100..<200).contains(ver) { big = true }
        else if let ver = v.u32(0x14, bigEndian: false), (100..<200).contains(ver) { big = false }
        else {
            out.warn("flir-version", "unsupported FLIR FFF version", offset: offset + 0x14, path: path)
            return
        }
        guard let dir = v.u32(0x18, bigEndian: big).map(Int.init), let declared = v.u32(0x1c, bigEndian: big).map(Int.init) else { return }
        // The declared count is bounded by the bytes actually present.
        let room = dir <= fff.count ? (fff.count - dir) / 0x20 : 0
        if declared > room {
            out.warn("flir-truncated", "FLIR record directory declares \(declared) entries, \(room) present", offset: offset + 0x1c, path: path)
        }
        for i in 0..<min(declared, room) {
            let e = dir + i * 0x20
            guard v.u16(e, bigEndian: big) == 0x20, let at = v.u32(e + 0x0c, bigEndian: big).map(Int.init),
                  let length = v.u32(e + 0x10, bigEndian: big).map(Int.init) else { continue }
            guard v.contains(at, length) else {
                out.warn("flir-truncated", "FLIR CameraInfo record runs past the FLIR data", offset: fileOffset(e, chunks), path: path)
                continue
            }
            cameraInfo(v, at: at, length: length, big: big, chunks: chunks, out: out)
            return // one CameraInfo per image
        }
    }

    /// The file offset of FFF offset `at`.
    static func fileOffset(_ at: Int, _ chunks: [(fff: Int, file: Int)]) -> Int {
        guard let c = chunks.last(where: { $0.fff <= at }) else { return at }
        return c.file + (at - c.fff)
    }

    private static func cameraInfo(_ v: ByteView, at: Int, length: Int, big: Bool, chunks: [(fff: Int, file: Int)], out: MetadataCollector) {
        var order = big
        if let check = v.u16(at, bigEndian: order), check >= 0x100 { order.toggle() }
        let p = at + 0x384
        guard length >= 0x384 + 10, let unix = v.u32(p, bigEndian: order), let ms = v.u32(p + 4, bigEndian: order),
              let tzRaw = v.u16(p + 8, bigEndian: order) else { return }
        let west = Int(Int16(bitPattern: tzRaw))
        guard unix != 0, abs(west) <= 18 * 60 else { return } // unset clock, or no real zone
        let millis = Int(ms & 0xffff) % 1000
        // The wall clock at the camera's offset, printed as ExifTool prints it (-n).
        let wall = UTCFormat.string(micros: (Int64(unix) - Int64(west) * 60) * 1_000_000).prefix(19)
        let date = wall.replacingOccurrences(of: "-", with: ":").replacingOccurrences(of: "T", with: " ")
        let east = -west
        let printed = date + String(format: ".%03d%@%02d:%02d", millis, east < 0 ? "-" : "+", abs(east) / 60, abs(east) % 60)
        let time = MetadataTime.value(printed, zone: out.zone, note: "FLIR CameraInfo: Unix time with the camera's UTC offset")
        out.add(.flir, "DateTimeOriginal", printed, offset: fileOffset(p, chunks), path: "APP1/FLIR/CameraInfo/0x384", time: time)
    }
}
