import Foundation
internal import CTurboJPEG
internal import CPNG
internal import CWebP

/// Why an image gave no hash (becomes a warning finding, never a crash).
struct DecodeFailure: Error, Sendable {
    var code: String
    var message: String
}

/// Limits that keep a hostile file from exhausting memory (decompression bombs).
public struct DecodeLimits: Sendable, Hashable {
    /// Most pixels an image may decode to (width × height); larger images are refused with a
    /// warning — JPEGs are instead decoded at the largest DCT scale that fits.
    public var maxPixels: Int
    /// When set, JPEGs are decoded at the smallest DCT scale (1/8…1) whose shorter side stays at
    /// least this long — much faster for camera photos; see docs/BENCHMARKS.md for the measured
    /// cost in bits. `nil` decodes at full size.
    public var jpegMinSide: Int?
    /// Creates limits; the default (100 MP) covers every camera sensor sold today.
    public init(maxPixels: Int = 100_000_000, jpegMinSide: Int? = nil) { self.maxPixels = maxPixels; self.jpegMinSide = jpegMinSide }
}

/// Interleaved 8-bit pixels → PDQ luminance, in the reference's float arithmetic.
enum Luma {
    /// `channels` bytes per pixel starting with R, G, B (any alpha is ignored, as Pillow's
    /// `convert("RGB")` does); rows `stride` bytes apart.
    static func fromRGB(_ buf: UnsafeBufferPointer<UInt8>, width: Int, height: Int, channels: Int, stride: Int) -> LumaImage {
        var px = [Float](repeating: 0, count: width * height)
        guard buf.count >= (height - 1) * stride + width * channels else { return LumaImage(width: width, height: height, pixels: px) }
        px.withUnsafeMutableBufferPointer { out in
            for r in 0..<height {
                let row = r * stride
                for c in 0..<width {
                    let p = row + c * channels
                    out[r * width + c] = 0.299 * Float(buf[p]) + 0.587 * Float(buf[p + 1]) + 0.114 * Float(buf[p + 2])
                }
            }
        }
        return LumaImage(width: width, height: height, pixels: px)
    }

    /// 8-bit grey (a JPEG's Y plane) as floats.
    static func fromGray(_ buf: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> LumaImage {
        let n = min(width * height, buf.count)
        var px = [Float](repeating: 0, count: width * height)
        px.withUnsafeMutableBufferPointer { out in for i in 0..<n { out[i] = Float(buf[i]) } }
        return LumaImage(width: width, height: height, pixels: px)
    }
}

/// JPEG through libjpeg-turbo. The luminance is the decoded Y plane (the JPEG's own
/// 0.299/0.587/0.114 luma): no chroma upsampling or colour conversion is needed for PDQ.
enum JPEGDecoder {
    /// Decodes at full size, or at the largest DCT scale that fits `limits` (with a note).
    static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits) throws -> (LumaImage, [DecodeFailure]) {
        let minSide = limits.jpegMinSide
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
            throw DecodeFailure(code: "empty", message: "no bytes")
        }
        guard let h = tjInitDecompress() else { throw DecodeFailure(code: "decoder", message: "tjInitDecompress failed") }
        defer { tjDestroy(h) }
        var w: Int32 = 0, ht: Int32 = 0, sub: Int32 = 0, cs: Int32 = 0
        guard tjDecompressHeader3(h, base, UInt(bytes.count), &w, &ht, &sub, &cs) == 0, w > 0, ht > 0 else {
            throw DecodeFailure(code: "jpeg-header", message: String(cString: tjGetErrorStr2(h)))
        }
        var notes: [DecodeFailure] = []
        var (dw, dh) = (Int(w), Int(ht))
        if dw * dh > limits.maxPixels || minSide != nil {
            // Pick the smallest reduction (from libjpeg's list) that fits the cap / keeps minSide.
            var n: Int32 = 0
            guard let factors = tjGetScalingFactors(&n) else { throw DecodeFailure(code: "decoder", message: "no scaling factors") }
            var best: (Int, Int)? = nil
            for i in 0..<Int(n) {
                let f = factors[i]
                guard f.num <= f.denom else { continue }
                let sw = (Int(w) * Int(f.num) + Int(f.denom) - 1) / Int(f.denom)
                let sh = (Int(ht) * Int(f.num) + Int(f.denom) - 1) / Int(f.denom)
                guard sw * sh <= limits.maxPixels else { continue }
                if let m = minSide, min(sw, sh) < m { continue }
                if let b = best, b.0 * b.1 <= sw * sh { continue }
                best = (sw, sh)
            }
            guard let chosen = best ?? (dw * dh <= limits.maxPixels ? (dw, dh) : nil) else {
                throw DecodeFailure(code: "pixel-limit", message: "\(w)×\(ht) JPEG exceeds the \(limits.maxPixels)-pixel limit even at 1/8 scale")
            }
            if Int(w) * Int(ht) > limits.maxPixels {
                notes.append(DecodeFailure(code: "pixel-limit", message: "\(w)×\(ht) JPEG decoded at \(chosen.0)×\(chosen.1) (DCT scaling) to stay under the \(limits.maxPixels)-pixel limit; the hash may differ from a full-size decode"))
            }
            (dw, dh) = chosen
        }
        // CMYK and YCCK JPEGs (print workflows, Photoshop) cannot be converted to grey by
        // libjpeg: they are decoded to CMYK (libjpeg undoes YCCK) and converted here.
        let cmyk = cs == Int32(TJCS_CMYK.rawValue) || cs == Int32(TJCS_YCCK.rawValue)
        let channels = cmyk ? 4 : 1
        var out = [UInt8](repeating: 0, count: dw * dh * channels)
        let format = cmyk ? TJPF_CMYK : TJPF_GRAY
        let rc = out.withUnsafeMutableBufferPointer { o in
            tjDecompress2(h, base, UInt(bytes.count), o.baseAddress, Int32(dw), 0, Int32(dh), Int32(format.rawValue), 0)
        }
        if rc != 0 {
            let msg = String(cString: tjGetErrorStr2(h))
            // Warnings (truncated or damaged data) still leave a decoded image behind.
            guard tjGetErrorCode(h) == Int32(TJERR_WARNING.rawValue) else { throw DecodeFailure(code: "jpeg-decode", message: msg) }
            notes.append(DecodeFailure(code: "jpeg-damaged", message: "decoded with a libjpeg warning: \(msg)"))
        }
        let img = out.withUnsafeBufferPointer { o in
            cmyk ? Luma.fromCMYK(o, width: dw, height: dh)
                 : Luma.fromGray(o, width: dw, height: dh)
        }
        return (img, notes)
    }
}

/// PNG through libpng's simplified API, read as 8-bit RGBA; alpha is ignored.
enum PNGDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits) throws -> LumaImage {
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw DecodeFailure(code: "empty", message: "no bytes") }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, base, bytes.count) != 0 else {
            let msg = Self.message(&image)
            png_image_free(&image)
            throw DecodeFailure(code: "png-header", message: msg)
        }
        let w = Int(image.width), h = Int(image.height)
        guard w > 0, h > 0, w * h <= limits.maxPixels else {
            png_image_free(&image)
            throw DecodeFailure(code: "pixel-limit", message: "\(w)×\(h) PNG exceeds the \(limits.maxPixels)-pixel limit")
        }
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        var buf = [UInt8](repeating: 0, count: w * h * 4)
        let ok = buf.withUnsafeMutableBytes { b in png_image_finish_read(&image, nil, b.baseAddress, 0, nil) }
        guard ok != 0 else {
            let msg = Self.message(&image)
            png_image_free(&image)
            throw DecodeFailure(code: "png-decode", message: msg)
        }
        return buf.withUnsafeBufferPointer { Luma.fromRGB($0, width: w, height: h, channels: 4, stride: w * 4) }
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}

/// WebP (lossy and lossless stills) through libwebp; animated WebP is refused with a warning.
enum WebPDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits) throws -> LumaImage {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
            throw DecodeFailure(code: "empty", message: "no bytes")
        }
        var w: Int32 = 0, h: Int32 = 0
        guard WebPGetInfo(base, bytes.count, &w, &h) != 0, w > 0, h > 0 else {
            throw DecodeFailure(code: "webp-header", message: "not a still WebP image (animated or damaged)")
        }
        guard Int(w) * Int(h) <= limits.maxPixels else {
            throw DecodeFailure(code: "pixel-limit", message: "\(w)×\(h) WebP exceeds the \(limits.maxPixels)-pixel limit")
        }
        let stride = Int(w) * 3
        var buf = [UInt8](repeating: 0, count: stride * Int(h))
        let ok = buf.withUnsafeMutableBufferPointer { b in WebPDecodeRGBInto(base, bytes.count, b.baseAddress, b.count, Int32(stride)) }
        guard ok != nil else { throw DecodeFailure(code: "webp-decode", message: "libwebp could not decode the image") }
        return buf.withUnsafeBufferPointer { Luma.fromRGB($0, width: Int(w), height: Int(h), channels: 3, stride: stride) }
    }
}
