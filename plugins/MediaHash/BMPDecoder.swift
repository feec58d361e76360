import Foundation

/// Windows BMP, uncompressed (`BI_RGB`) or with the standard 32-bit bit fields: 1/4/8-bit
/// palette, 24-bit BGR and 32-bit BGRA, bottom-up or top-down. No library is needed for this;
/// RLE and embedded JPEG/PNG variants are refused with a warning.
enum BMPDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits) throws -> LumaImage {
        let b = bytes
        func u16(_ o: Int) -> Int { o + 2 <= b.count ? Int(b[o]) | Int(b[o + 1]) << 8 : 0 }
        func u32(_ o: Int) -> UInt32 { o + 4 <= b.count ? UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24 : 0 }
        guard b.count >= 54 else { throw DecodeFailure(code: "bmp-header", message: "file shorter than a BMP header") }
        let dataOffset = Int(u32(10)), headerSize = Int(u32(14))
        guard headerSize >= 40 else { throw DecodeFailure(code: "bmp-header", message: "OS/2 BMP headers are not supported") }
        let w = Int(Int32(bitPattern: u32(18))), rawH = Int(Int32(bitPattern: u32(22)))
        let bpp = u16(28), compression = u32(30)
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
            let colours = u32(46) == 0 ? 1 << bpp : min(Int(u32(46)), 256)
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
