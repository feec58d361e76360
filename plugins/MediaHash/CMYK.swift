import Foundation

extension Luma {
    /// CMYK pixels (4 bytes each, as libjpeg decodes a CMYK or YCCK JPEG) → PDQ luminance of
    /// their RGB. The samples are read as *inverted* (255 = no ink), the convention of
    /// Photoshop's Adobe APP14 marker, which libjpeg writes into every CMYK/YCCK JPEG; Pillow
    /// assumes it even when the marker is missing, and so do we, so the picture hashed is the one
    /// the reference pipeline (Pillow + pdqhash) hashes. RGB follows Pillow's `convert("RGB")`
    /// on ink values: R = (255 − K) − C·(255 − K)/255, G from M, B from Y.
    static func fromCMYK(_ buf: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> LumaImage {
        var px = [Float](repeating: 0, count: width * height)
        guard buf.count >= width * height * 4 else { return LumaImage(width: width, height: height, pixels: px) }
        // Pillow's MULDIV255: (t + (t >> 8)) >> 8 with t = a·b + 128, a rounded a·b/255.
        @inline(__always) func muldiv255(_ a: Int, _ b: Int) -> Int { let t = a * b + 128; return (t + (t >> 8)) >> 8 }
        px.withUnsafeMutableBufferPointer { out in
            for i in 0..<(width * height) {
                let q = i * 4
                // Inverted storage: ink = 255 − stored, and 255 − K is the stored K itself.
                let c = 255 - Int(buf[q]), m = 255 - Int(buf[q + 1]), y = 255 - Int(buf[q + 2]), nk = Int(buf[q + 3])
                let r = max(0, nk - muldiv255(c, nk)), g = max(0, nk - muldiv255(m, nk)), b = max(0, nk - muldiv255(y, nk))
                out[i] = 0.299 * Float(r) + 0.587 * Float(g) + 0.114 * Float(b)
            }
        }
        return LumaImage(width: width, height: height, pixels: px)
    }
}
