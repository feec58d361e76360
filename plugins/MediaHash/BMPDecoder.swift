import ExhibitSupport
import Foundation

/// Windows BMP, uncompressed (`BI_RGB`) or with the standard 32-bit bit fields: 1/4/8-bit
/// palette, 24-bit BGR and 32-bit BGRA, bottom-up or top-down. No library is needed for this;
/// RLE and embedded JPEG/PNG variants are refused with a warning.
enum BMPDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits) throws -> LumaImage {
        let b = bytes
        // Header fields through ExhibitSupport's bounds-checked reads: a field past the end is a
        // named failure, never a silent 0.
        let short = DecodeFailure(code: "bmp-header", message: "file shorter than a BMP header")
        guard b.count >= 54, let offset32 = ByteOrder.le32(b, 10), let header32 = ByteOrder.le32(b, 14),
              let width32 = ByteOrder.le32(b, 18), let height32 = ByteOrder.le32(b, 22), let bpp16 = ByteOrder.le16(b, 28),
              let compression = ByteOrder.le32(b, 30), let colours32 = ByteOrder.le32(b, 46) else { throw short }
        let dataOffset = Int(offset32), headerSize = Int(header32)
        guard headerSize >= 40 else { throw DecodeFailure(code: "bmp-header", message: "OS/2 BMP headers are not supported") }
        let w = Int(Int32(bitPattern: width32)), rawH = Int(Int32(bitPattern: height32))
        let bpp = Int(bpp16)
        let h = abs(rawH), topDown = rawH < 0
        guard w > 0, h > 0, w <= 1 << 16, h <= 1 << 16 else { throw DecodeFailure(code: "bmp-header", message: "bad size \(w)×\(rawH)") }
        guard w * h <= limits.maxPixels else {
            throw DecodeFailure(code: "pixel-limit", message: "\(w)×\(h) BMP exceeds the \(limits.maxPixels)-pixel limit")
        }
        guard compression == 0 || (compression == 3 && bpp == 32) else {
            throw DecodeFailure(code: "bmp-unsupported", message: "compression \(compression) is not supported")
        }
        guard [1, 4, 8, 24, 32].contains(bpp) else { throw DecodeFailure(code: "bmp-unsupported", message: "\(bpp) bits per pixel") }
        let stride = (bpp * w + 31) / 32 * 4
        guard dataOffset > 0, dataOffset + stride * h <= b.count else {
            throw DecodeFailure(code: "bmp-truncated", message: "pixel data runs past the end of the file")
        }
        var palette: [Float] = []
        if bpp <= 8 {
            let colours = colours32 == 0 ? 1 << bpp : min(Int(colours32), 256)
            let start = 14 + headerSize
            for i in 0..<colours {
                let o = start + i * 4
                guard o + 3 <= b.count else { palette.append(0); continue }
                palette.append(0.299 * Float(b[o + 2]) + 0.587 * Float(b[o + 1]) + 0.114 * Float(b[o]))
            }
        }
        var px = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            let row = dataOffset + (topDown ? y : h - 1 - y) * stride
            for x in 0..<w {
                let v: Float
                switch bpp {
                case 24, 32:
                    let o = row + x * (bpp / 8)
                    v = 0.299 * Float(b[o + 2]) + 0.587 * Float(b[o + 1]) + 0.114 * Float(b[o])
                default:
                    let bit = x * bpp
                    let byte = b[row + bit / 8]
                    let index = Int(byte >> UInt8(8 - bpp - bit % 8)) & ((1 << bpp) - 1)
                    v = index < palette.count ? palette[index] : 0
                }
                px[y * w + x] = v
            }
        }
        return LumaImage(width: w, height: h, pixels: px)
    }
}
