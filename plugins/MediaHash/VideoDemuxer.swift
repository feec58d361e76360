import Foundation
internal import CFFmpeg

/// One opened video: the demuxer (on a file path, or on bytes in memory through a custom AVIO
/// context, so nothing is written to disk), its best video stream and that stream's opened
/// decoder. The video hasher opens the same input twice — once to list the packets, once to
/// decode the planned ones — so both passes read the identical packet sequence without seeking.
final class VideoDemuxer {
    private static let quiet: Void = { av_log_set_level(-8) }() // AV_LOG_QUIET: damage becomes findings, not stderr

    private(set) var fmt: UnsafeMutablePointer<AVFormatContext>? = nil
    private(set) var codec: UnsafeMutablePointer<AVCodecContext>? = nil
    private var reader: MemoryReader? = nil
    private var avio: UnsafeMutablePointer<AVIOContext>? = nil
    /// Index of the video stream in the container.
    private(set) var index: Int32 = -1
    /// The stream's time base, start time (0 when unknown) and average frame rate.
    private(set) var timeBase = AVRational(num: 0, den: 1), start: Int64 = 0, rate = AVRational(num: 0, den: 1)

    /// Opens the input and the decoder of its best video stream; throws a `DecodeFailure`
    /// saying why not (not a container, no video stream, no decoder, too many pixels).
    init(path: String?, bytes: UnsafeRawBufferPointer?, limits: DecodeLimits) throws {
        _ = Self.quiet
        guard let ctx = avformat_alloc_context() else { throw DecodeFailure(code: "decoder", message: "avformat_alloc_context failed") }
        if let bytes {
            let r = MemoryReader(bytes)
            reader = r
            let size: Int32 = 1 << 16
            guard let buf = av_malloc(Int(size)) else {
                avformat_free_context(ctx)
                throw DecodeFailure(code: "decoder", message: "av_malloc failed")
            }
            avio = avio_alloc_context(buf.assumingMemoryBound(to: UInt8.self), size, 0, Unmanaged.passUnretained(r).toOpaque(),
                { op, dst, n in
                    guard let op else { return exhibit_averror_eof() }
                    let k = Unmanaged<MemoryReader>.fromOpaque(op).takeUnretainedValue().read(into: dst, Int(n))
                    return k == 0 ? exhibit_averror_eof() : Int32(k)
                }, nil,
                { op, off, whence in
                    guard let op else { return -1 }
                    let m = Unmanaged<MemoryReader>.fromOpaque(op).takeUnretainedValue()
                    if whence & 0x10000 != 0 { return Int64(m.bytes.count) } // AVSEEK_SIZE
                    let base = (whence & 3) == SEEK_CUR ? m.offset : (whence & 3) == SEEK_END ? m.bytes.count : 0
                    // The offset comes from the file: an overflowing sum is a failed seek, not a trap.
                    let (t, overflow) = base.addingReportingOverflow(Int(off))
                    guard !overflow, t >= 0, t <= m.bytes.count else { return -1 }
                    m.offset = t
                    return Int64(t)
                })
            guard avio != nil else {
                av_free(buf)
                avformat_free_context(ctx)
                throw DecodeFailure(code: "decoder", message: "avio_alloc_context failed")
            }
            ctx.pointee.pb = avio
            ctx.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        }
        var opened: UnsafeMutablePointer<AVFormatContext>? = ctx
        // Only the demuxers MediaFormat sniffs for, and no protocol but local files: whatever the
        // bytes say, ffmpeg cannot pick a playlist/concat/image-sequence demuxer that opens
        // other files or URLs.
        var options: OpaquePointer? = nil
        av_dict_set(&options, "format_whitelist", "mov,matroska,avi", 0)
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        defer { av_dict_free(&options) }
        guard avformat_open_input(&opened, path ?? "", nil, &options) == 0, let f = opened else {
            // avformat_open_input frees the context on failure; deinit frees the AVIO context.
            throw DecodeFailure(code: "video-open", message: "not a video container ffmpeg can read")
        }
        fmt = f
        _ = avformat_find_stream_info(f, nil)
        var decoder: UnsafePointer<AVCodec>? = nil
        let index = av_find_best_stream(f, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        guard index >= 0, let decoder, let stream = f.pointee.streams[Int(index)] else {
            throw DecodeFailure(code: "video-no-stream", message: "no decodable video stream")
        }
        self.index = index
        codec = avcodec_alloc_context3(decoder)
        guard let c = codec else { throw DecodeFailure(code: "decoder", message: "avcodec_alloc_context3 failed") }
        guard avcodec_parameters_to_context(c, stream.pointee.codecpar) >= 0, avcodec_open2(c, decoder, nil) >= 0 else {
            throw DecodeFailure(code: "video-codec", message: "cannot open the video decoder")
        }
        guard Int(c.pointee.width) * Int(c.pointee.height) <= limits.maxPixels else {
            throw DecodeFailure(code: "pixel-limit", message: "\(c.pointee.width)×\(c.pointee.height) video exceeds the \(limits.maxPixels)-pixel limit")
        }
        timeBase = stream.pointee.time_base
        start = stream.pointee.start_time == Int64(bitPattern: 0x8000_0000_0000_0000) ? 0 : stream.pointee.start_time
        rate = stream.pointee.avg_frame_rate
    }

    deinit {
        avcodec_free_context(&codec)
        if fmt != nil { avformat_close_input(&fmt) }
        if let a = avio { av_freep(&a.pointee.buffer); avio_context_free(&avio) }
        withExtendedLifetime(reader) {}
    }

    /// Seconds from the stream start of a presentation timestamp, or `nil` when it has none.
    /// In Double: a hostile pts/start pair would overflow Int64 subtraction (a trap).
    func seconds(_ pts: Int64) -> Double? {
        guard pts != Int64(bitPattern: 0x8000_0000_0000_0000), timeBase.den != 0 else { return nil }
        return max(0, (Double(pts) - Double(start)) * Double(timeBase.num) / Double(timeBase.den))
    }

    /// Seconds of the `index`-th frame from the average frame rate (frames without a timestamp).
    func seconds(frameIndex: Int) -> Double {
        rate.num > 0 ? Double(frameIndex) * Double(rate.den) / Double(rate.num) : Double(frameIndex)
    }
}
