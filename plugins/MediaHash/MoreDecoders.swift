import Foundation
internal import CGIF
internal import CTIFF
internal import CHEIF

/// Bytes a C library reads through callbacks, with a cursor. Referenced from C only for the
/// duration of one decode call.
final class MemoryReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
    func read(into dst: UnsafeMutableRawPointer?, _ n: Int) -> Int {
        guard let dst, let src = bytes.baseAddress, n > 0 else { return 0 }
        let k = max(0, min(n, bytes.count - offset))
        if k > 0 { dst.copyMemory(from: src + offset, byteCount: k) }
        offset += k
        return k
    }
}

/// GIF through giflib: the first image only (never the whole animation), drawn on the logical
/// screen filled with the background colour, colours from the local or global palette.
enum GIFDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits) throws -> LumaImage {
        let reader = MemoryReader(bytes)
        var err: Int32 = 0
        let gif = withExtendedLifetime(reader) {
            DGifOpen(Unmanaged.passUnretained(reader).toOpaque(), { g, buf, n in
                guard let g, let user = g.pointee.UserData else { return 0 }
                return Int32(Unmanaged<MemoryReader>.fromOpaque(user).takeUnretainedValue().read(into: buf, Int(n)))
            }, &err)
        }
        guard let gif else { throw DecodeFailure(code: "gif-header", message: "giflib error \(err)") }
        defer { var e: Int32 = 0; DGifCloseFile(gif, &e) }
        return try withExtendedLifetime(reader) { try firstFrame(gif, limits: limits) }
    }

    private static func firstFrame(_ gif: UnsafeMutablePointer<GifFileType>, limits: DecodeLimits) throws -> LumaImage {
        let sw = Int(gif.pointee.SWidth), sh = Int(gif.pointee.SHeight)
        guard sw > 0, sh > 0, sw * sh <= limits.maxPixels else {
            throw DecodeFailure(code: "pixel-limit", message: "\(sw)×\(sh) GIF screen exceeds the \(limits.maxPixels)-pixel limit or is empty")
        }
        while true {
            var type = UNDEFINED_RECORD_TYPE
            guard DGifGetRecordType(gif, &type) == GIF_OK else { throw DecodeFailure(code: "gif-decode", message: "damaged record") }
            switch type {
            case EXTENSION_RECORD_TYPE:
                var code: Int32 = 0
                var ext: UnsafeMutablePointer<GifByteType>? = nil
                guard DGifGetExtension(gif, &code, &ext) == GIF_OK else { throw DecodeFailure(code: "gif-decode", message: "damaged extension") }
                while ext != nil {
                    guard DGifGetExtensionNext(gif, &ext) == GIF_OK else { throw DecodeFailure(code: "gif-decode", message: "damaged extension") }
                }
            case IMAGE_DESC_RECORD_TYPE:
                guard DGifGetImageDesc(gif) == GIF_OK else { throw DecodeFailure(code: "gif-decode", message: "damaged image descriptor") }
                return try draw(gif, sw, sh)
            default:
                throw DecodeFailure(code: "gif-decode", message: "no image in the file")
            }
        }
    }

    private static func draw(_ gif: UnsafeMutablePointer<GifFileType>, _ sw: Int, _ sh: Int) throws -> LumaImage {
        let desc = gif.pointee.Image
        let fl = Int(desc.Left), ft = Int(desc.Top), fw = Int(desc.Width), fh = Int(desc.Height)
        guard fw > 0, fh > 0, fw <= 65535, fh <= 65535 else { throw DecodeFailure(code: "gif-decode", message: "empty frame") }
        guard let map = desc.ColorMap ?? gif.pointee.SColorMap, let colors = map.pointee.Colors else {
            throw DecodeFailure(code: "gif-decode", message: "no palette")
        }
        let count = Int(map.pointee.ColorCount)
        func luma(_ i: Int) -> Float {
            guard i < count else { return 0 }
            let c = colors[i]
            return 0.299 * Float(c.Red) + 0.587 * Float(c.Green) + 0.114 * Float(c.Blue)
        }
        var px = [Float](repeating: luma(Int(gif.pointee.SBackGroundColor)), count: sw * sh)
        var line = [GifPixelType](repeating: 0, count: fw)
        // Interlaced frames arrive in four passes of rows.
        let order: [Int] = desc.Interlace
            ? [(0, 8), (4, 8), (2, 4), (1, 2)].flatMap { stride(from: $0.0, to: fh, by: $0.1).map { $0 } }
            : Array(0..<fh)
        var rows = 0
        for row in order {
            let ok = line.withUnsafeMutableBufferPointer { DGifGetLine(gif, $0.baseAddress, Int32(fw)) }
            if ok != GIF_OK { break }
            rows += 1
            let y = ft + row
            guard y < sh else { continue }
            for x in 0..<fw where fl + x < sw { px[y * sw + fl + x] = luma(Int(line[x])) }
        }
        // Not one row: the "image" would be the background colour alone, not the picture.
        if rows == 0 { throw DecodeFailure(code: "gif-decode", message: "no rows") }
        return LumaImage(width: sw, height: sh, pixels: px)
    }
}

/// TIFF through libtiff (first directory, any photometric libtiff's RGBA path handles) read
/// from memory via client callbacks, so nothing is written to disk.
enum TIFFDecoder {
    private static let silence: Void = {
        // libtiff prints to stderr by default; damage is reported as findings instead.
        TIFFSetErrorHandler(nil)
        TIFFSetWarningHandler(nil)
    }()

    static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits) throws -> LumaImage {
        _ = silence
        let reader = MemoryReader(bytes)
        return try withExtendedLifetime(reader) {
            let tif = TIFFClientOpen("evidence", "rm", Unmanaged.passUnretained(reader).toOpaque(),
                { h, buf, n in
                    guard let h else { return -1 }
                    return tmsize_t(Unmanaged<MemoryReader>.fromOpaque(h).takeUnretainedValue().read(into: buf, Int(n)))
                },
                { _, _, _ in -1 },
                { h, off, whence in
                    guard let h else { return UInt64.max }
                    let r = Unmanaged<MemoryReader>.fromOpaque(h).takeUnretainedValue()
                    let base: Int = whence == SEEK_CUR ? r.offset : whence == SEEK_END ? r.bytes.count : 0
                    // The offset comes from the file: an overflowing sum is a failed seek, not a trap.
                    let (target, overflow) = base.addingReportingOverflow(Int(truncatingIfNeeded: Int64(bitPattern: off)))
                    guard !overflow, target >= 0 else { return UInt64.max }
                    r.offset = target
                    return UInt64(target)
                },
                { _ in 0 },
                { h in
                    guard let h else { return 0 }
                    return UInt64(Unmanaged<MemoryReader>.fromOpaque(h).takeUnretainedValue().bytes.count)
                },
                { _, _, _ in 0 }, { _, _, _ in })
            guard let tif else { throw DecodeFailure(code: "tiff-header", message: "libtiff could not open the file") }
            defer { TIFFClose(tif) }
            var w: UInt32 = 0, h: UInt32 = 0
            guard tiffGet(tif, UInt32(TIFFTAG_IMAGEWIDTH), &w), tiffGet(tif, UInt32(TIFFTAG_IMAGELENGTH), &h), w > 0, h > 0 else {
                throw DecodeFailure(code: "tiff-header", message: "no image size")
            }
            guard Int(w) * Int(h) <= limits.maxPixels else {
                throw DecodeFailure(code: "pixel-limit", message: "\(w)×\(h) TIFF exceeds the \(limits.maxPixels)-pixel limit")
            }
            var raster = [UInt32](repeating: 0, count: Int(w) * Int(h))
            let ok = raster.withUnsafeMutableBufferPointer { TIFFReadRGBAImageOriented(tif, w, h, $0.baseAddress, Int32(ORIENTATION_TOPLEFT), 0) }
            guard ok != 0 else { throw DecodeFailure(code: "tiff-decode", message: "libtiff could not decode the image") }
            var px = [Float](repeating: 0, count: raster.count)
            for i in 0..<raster.count {
                let p = raster[i]
                px[i] = 0.299 * Float(p & 0xff) + 0.587 * Float((p >> 8) & 0xff) + 0.114 * Float((p >> 16) & 0xff)
            }
            return LumaImage(width: Int(w), height: Int(h), pixels: px)
        }
    }

    /// `TIFFGetField` for a 32-bit tag (the C function is variadic, which Swift cannot call).
    private static func tiffGet(_ tif: OpaquePointer, _ tag: UInt32, _ out: inout UInt32) -> Bool {
        withUnsafeMutablePointer(to: &out) { p in
            withVaList([p]) { TIFFVGetField(tif, tag, $0) } == 1
        }
    }
}

/// HEIC/HEIF (and AVIF, when libheif has a decoder) primary image through libheif, with the
/// container's rotation/mirror transforms ignored as the reference ignores EXIF orientation.
enum HEIFDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits) throws -> LumaImage {
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw DecodeFailure(code: "empty", message: "no bytes") }
        guard let ctx = heif_context_alloc() else { throw DecodeFailure(code: "decoder", message: "heif_context_alloc failed") }
        defer { heif_context_free(ctx) }
        var e = heif_context_read_from_memory_without_copy(ctx, base, bytes.count, nil)
        guard e.code == heif_error_Ok else { throw DecodeFailure(code: "heif-header", message: message(e)) }
        var handle: OpaquePointer? = nil
        e = heif_context_get_primary_image_handle(ctx, &handle)
        guard e.code == heif_error_Ok, let handle else { throw DecodeFailure(code: "heif-header", message: message(e)) }
        defer { heif_image_handle_release(handle) }
        let w = Int(heif_image_handle_get_width(handle)), h = Int(heif_image_handle_get_height(handle))
        guard w > 0, h > 0, w * h <= limits.maxPixels else {
            throw DecodeFailure(code: "pixel-limit", message: "\(w)×\(h) HEIF exceeds the \(limits.maxPixels)-pixel limit or is empty")
        }
        guard let options = heif_decoding_options_alloc() else { throw DecodeFailure(code: "decoder", message: "no options") }
        defer { heif_decoding_options_free(options) }
        options.pointee.ignore_transformations = 1
        var img: OpaquePointer? = nil
        e = heif_decode_image(handle, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, options)
        guard e.code == heif_error_Ok, let img else { throw DecodeFailure(code: "heif-decode", message: message(e)) }
        defer { heif_image_release(img) }
        var stride: Int32 = 0
        let iw = Int(heif_image_get_width(img, heif_channel_interleaved)), ih = Int(heif_image_get_height(img, heif_channel_interleaved))
        guard let plane = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride), iw > 0, ih > 0, stride > 0 else {
            throw DecodeFailure(code: "heif-decode", message: "no interleaved RGB plane")
        }
        let buf = UnsafeBufferPointer(start: plane, count: Int(stride) * ih)
        return Luma.fromRGB(buf, width: iw, height: ih, channels: 3, stride: Int(stride))
    }

    private static func message(_ e: heif_error) -> String {
        e.message.map { String(cString: $0) } ?? "libheif error \(e.code.rawValue)"
    }
}
