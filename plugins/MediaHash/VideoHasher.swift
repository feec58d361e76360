import Foundation
internal import CFFmpeg

/// One sampled frame's PDQ (vPDQ style).
public struct FrameHash: Sendable, Hashable {
    /// Index of the frame in decode order of the video stream (0-based).
    public var frameIndex: Int
    /// Presentation time from the stream start, microseconds.
    public var timeMicros: Int64
    /// 64 lower-case hex digits.
    public var hash: String
    /// PDQ quality 0…100.
    public var quality: Int
}

/// Per-frame PDQ of a video through the ffmpeg libraries: the best video stream is decoded,
/// frames are sampled at `framesPerSecond` (the first frame at or after each sample time), scaled
/// to 8-bit grey (libswscale) and hashed. Damaged streams: what decodes is hashed, the rest is
/// counted into a warning.
enum VideoHasher {
    private static let quiet: Void = { av_log_set_level(-8) }() // AV_LOG_QUIET: damage becomes findings, not stderr

    struct Output { var frames: [FrameHash]; var warnings: [DecodeFailure]; var decoded: Int }

    /// Hashes a video given as a file path, or as bytes in memory (read through a custom AVIO
    /// context, so nothing is written to disk).
    static func hash(path: String?, bytes: UnsafeRawBufferPointer?, framesPerSecond: Double, maxFrames: Int,
                     limits: DecodeLimits) throws -> Output {
        _ = quiet
        guard var fmt = avformat_alloc_context() else { throw DecodeFailure(code: "decoder", message: "avformat_alloc_context failed") }
        var reader: MemoryReader? = nil
        var avio: UnsafeMutablePointer<AVIOContext>? = nil
        defer {
            if let a = avio { av_freep(&a.pointee.buffer); avio_context_free(&avio) }
            withExtendedLifetime(reader) {}
        }
        if let bytes {
            let r = MemoryReader(bytes)
            reader = r
            let size: Int32 = 1 << 16
            guard let buf = av_malloc(Int(size)) else { throw DecodeFailure(code: "decoder", message: "av_malloc failed") }
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
            guard avio != nil else { av_free(buf); throw DecodeFailure(code: "decoder", message: "avio_alloc_context failed") }
            fmt.pointee.pb = avio
            fmt.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        }
        var opened: UnsafeMutablePointer<AVFormatContext>? = fmt
        // Only the demuxers MediaFormat sniffs for, and no protocol but local files: whatever the
        // bytes say, ffmpeg cannot pick a playlist/concat/image-sequence demuxer that opens
        // other files or URLs.
        var options: OpaquePointer? = nil
        av_dict_set(&options, "format_whitelist", "mov,matroska,avi", 0)
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        defer { av_dict_free(&options) }
        guard avformat_open_input(&opened, path ?? "", nil, &options) == 0, let f = opened else {
            // avformat_open_input frees the context on failure.
            throw DecodeFailure(code: "video-open", message: "not a video container ffmpeg can read")
        }
        fmt = f
        defer { var p: UnsafeMutablePointer<AVFormatContext>? = fmt; avformat_close_input(&p) }
        _ = avformat_find_stream_info(fmt, nil)
        var codec: UnsafePointer<AVCodec>? = nil
        let index = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        guard index >= 0, let codec, let stream = fmt.pointee.streams[Int(index)] else {
            throw DecodeFailure(code: "video-no-stream", message: "no decodable video stream")
        }
        var ctx: UnsafeMutablePointer<AVCodecContext>? = avcodec_alloc_context3(codec)
        guard let c = ctx else { throw DecodeFailure(code: "decoder", message: "avcodec_alloc_context3 failed") }
        defer { avcodec_free_context(&ctx) }
        guard avcodec_parameters_to_context(c, stream.pointee.codecpar) >= 0, avcodec_open2(c, codec, nil) >= 0 else {
            throw DecodeFailure(code: "video-codec", message: "cannot open the video decoder")
        }
        guard Int(c.pointee.width) * Int(c.pointee.height) <= limits.maxPixels else {
            throw DecodeFailure(code: "pixel-limit", message: "\(c.pointee.width)×\(c.pointee.height) video exceeds the \(limits.maxPixels)-pixel limit")
        }
        var sampler = FrameSampler(timeBase: stream.pointee.time_base, start: stream.pointee.start_time,
                                   rate: stream.pointee.avg_frame_rate, fps: framesPerSecond, maxFrames: maxFrames, limits: limits)
        defer { sws_freeContext(sampler.sws) }
        var pkt: UnsafeMutablePointer<AVPacket>? = av_packet_alloc()
        var frame: UnsafeMutablePointer<AVFrame>? = av_frame_alloc()
        defer { av_packet_free(&pkt); av_frame_free(&frame) }
        guard let pkt, let frame else { throw DecodeFailure(code: "decoder", message: "allocation failed") }
        var badPackets = 0
        func drain() {
            while avcodec_receive_frame(c, frame) == 0 {
                sampler.offer(frame)
                av_frame_unref(frame)
            }
        }
        while !sampler.full, av_read_frame(fmt, pkt) >= 0 {
            if pkt.pointee.stream_index == index {
                if avcodec_send_packet(c, pkt) < 0 { badPackets += 1 }
                drain()
            }
            av_packet_unref(pkt)
        }
        _ = avcodec_send_packet(c, nil)
        drain()
        var warnings = sampler.warnings
        if sampler.damaged > 0 {
            warnings.append(DecodeFailure(code: "video-damaged", message: "\(sampler.damaged) of \(sampler.decoded) decoded frame(s) were flagged as damaged by the decoder"))
        }
        if badPackets > 0 { warnings.append(DecodeFailure(code: "video-damaged", message: "\(badPackets) packet(s) could not be decoded; frames that decoded were hashed")) }
        if sampler.decoded == 0 { throw DecodeFailure(code: "video-decode", message: "no frame could be decoded") }
        if sampler.full { warnings.append(DecodeFailure(code: "frame-limit", message: "stopped after \(maxFrames) sampled frames")) }
        return Output(frames: sampler.hashes, warnings: warnings, decoded: sampler.decoded)
    }
}

/// Picks the first decoded frame at or after each sample time and hashes it.
private struct FrameSampler {
    let timeBase: AVRational, start: Int64, rate: AVRational, fps: Double, maxFrames: Int, limits: DecodeLimits
    var decoded = 0
    var next = 0.0
    var hashes: [FrameHash] = []
    var warnings: [DecodeFailure] = []
    var sws: OpaquePointer? = nil
    var full: Bool { hashes.count >= maxFrames }

    init(timeBase: AVRational, start: Int64, rate: AVRational, fps: Double, maxFrames: Int, limits: DecodeLimits) {
        self.timeBase = timeBase; self.start = start == Int64(bitPattern: 0x8000_0000_0000_0000) ? 0 : start
        self.rate = rate; self.fps = fps; self.maxFrames = maxFrames; self.limits = limits
    }

    /// Frames the decoder flagged as damaged (error concealment drew part of them).
    var damaged = 0

    mutating func offer(_ frame: UnsafeMutablePointer<AVFrame>) {
        let index = decoded
        decoded += 1
        if frame.pointee.decode_error_flags != 0 || frame.pointee.flags & 1 != 0 { damaged += 1 } // AV_FRAME_FLAG_CORRUPT
        let pts = frame.pointee.best_effort_timestamp
        var seconds: Double
        if pts != Int64(bitPattern: 0x8000_0000_0000_0000), timeBase.den != 0 {
            // In Double: a hostile pts/start pair would overflow Int64 subtraction (a trap).
            seconds = (Double(pts) - Double(start)) * Double(timeBase.num) / Double(timeBase.den)
        } else if rate.num > 0 {
            seconds = Double(index) * Double(rate.den) / Double(rate.num)
        } else { seconds = Double(index) }
        seconds = max(0, seconds)
        guard seconds + 1e-6 >= next, !full else { return }
        // The next sample is due one period after the one this frame satisfied. A timestamp
        // far ahead (a gap, or a damaged or hostile pts such as 2^62) is reached in one step:
        // adding one period at a time would take ~forever, and never arrive once a period is
        // below the Double's resolution at that magnitude.
        if seconds - next > 1_000 / fps {
            next = max((((seconds + 1e-6) * fps).rounded(.down) + 1) / fps, (seconds + 1e-6).nextUp)
        }
        while next <= seconds + 1e-6 { next += 1 / fps }
        let w = Int(frame.pointee.width), h = Int(frame.pointee.height)
        guard w > 0, h > 0, w * h <= limits.maxPixels else { return }
        sws = sws_getCachedContext(sws, Int32(w), Int32(h), AVPixelFormat(frame.pointee.format), Int32(w), Int32(h),
                                   AV_PIX_FMT_GRAY8, 2 /* SWS_BILINEAR */, nil, nil, nil)
        guard let sws else { warnings.append(DecodeFailure(code: "video-scale", message: "frame \(index): unsupported pixel format")); return }
        var gray = [UInt8](repeating: 0, count: w * h)
        let ok: Int32 = gray.withUnsafeMutableBufferPointer { g in
            var dst: [UnsafeMutablePointer<UInt8>?] = [g.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(w), 0, 0, 0]
            return withUnsafePointer(to: &frame.pointee.data) { dp in
                withUnsafePointer(to: &frame.pointee.linesize) { lp in
                    dp.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { d in
                        lp.withMemoryRebound(to: Int32.self, capacity: 8) { l in
                            sws_scale(sws, d, l, 0, Int32(h), &dst, &strides)
                        }
                    }
                }
            }
        }
        guard ok > 0 else { warnings.append(DecodeFailure(code: "video-scale", message: "frame \(index): scaling failed")); return }
        let image = gray.withUnsafeBufferPointer { Luma.fromGray($0, width: w, height: h) }
        let r = PDQ.hash(image, dihedral: false)
        // Clamped: Int64(Double) traps past ~292,000 years, which a hostile timestamp can claim.
        let micros = Int64(min((seconds * 1_000_000).rounded(), 9e18))
        hashes.append(FrameHash(frameIndex: index, timeMicros: micros, hash: r.hash, quality: r.quality))
    }
}
