import Foundation
internal import CFFmpeg

/// One sampled frame's PDQ (vPDQ style).
public struct FrameHash: Sendable, Hashable {
    /// Index of the frame in presentation order of the video stream (0-based).
    public var frameIndex: Int
    /// Presentation time from the stream start, microseconds.
    public var timeMicros: Int64
    /// 64 lower-case hex digits.
    public var hash: String
    /// PDQ quality 0…100.
    public var quality: Int
}

/// Per-frame PDQ of a video through the ffmpeg libraries: frames of the best video stream are
/// sampled at `framesPerSecond`, scaled to 8-bit grey (libswscale) and hashed.
///
/// Two passes over the input: the first demuxes every packet without decoding (timestamps and
/// keyframe flags, ``VideoPlan``), the second decodes only the packet ranges the sampled frames
/// need — a keyframe near each sampling instant where there is one. Packets decoded only as
/// references of a later sampled frame skip their non-reference frames (`AVDISCARD_NONREF`):
/// nothing depends on them. When no plan can be made (a packet without a timestamp, or more
/// than ``VideoPlan/maxPackets``), every frame is decoded and the first at or after each
/// instant is hashed. Damaged streams: what decodes is hashed, the rest is counted into a warning.
enum VideoHasher {
    struct Output { var frames: [FrameHash]; var warnings: [DecodeFailure]; var decoded: Int }

    /// Hashes a video given as a file path, or as bytes in memory (read through a custom AVIO
    /// context, so nothing is written to disk).
    /// `planned: false` skips the plan and decodes every frame (the benchmark's baseline).
    static func hash(path: String?, bytes: UnsafeRawBufferPointer?, framesPerSecond: Double, maxFrames: Int,
                     limits: DecodeLimits, planned: Bool = true) throws -> Output {
        var plan: VideoPlan? = nil
        if planned {
            let scan = try VideoDemuxer(path: path, bytes: bytes, limits: limits)
            plan = listPackets(scan).flatMap { VideoPlan(packets: $0, fps: framesPerSecond, maxFrames: maxFrames, seconds: scan.seconds) }
        }
        let video = try VideoDemuxer(path: path, bytes: bytes, limits: limits)
        var hasher = FrameHasher(limits: limits)
        defer { sws_freeContext(hasher.sws) }
        var pkt: UnsafeMutablePointer<AVPacket>? = av_packet_alloc()
        var frame: UnsafeMutablePointer<AVFrame>? = av_frame_alloc()
        defer { av_packet_free(&pkt); av_frame_free(&frame) }
        guard let pkt, let frame, let c = video.codec, let fmt = video.fmt else { throw DecodeFailure(code: "decoder", message: "allocation failed") }
        var badPackets = 0
        var full = false
        if let plan {
            // Sampled frames by pts; each is hashed once, in presentation order at the end.
            var wanted: [Int64: VideoPlan.Target] = [:]
            for t in plan.targets where wanted[t.pts] == nil { wanted[t.pts] = t }
            let targetPackets = Set(plan.targets.map(\.packet))
            var found: [FrameHash] = []
            func drain() {
                while avcodec_receive_frame(c, frame) == 0 {
                    hasher.count(frame)
                    let pts = frame.pointee.pts
                    if let t = wanted.removeValue(forKey: pts), let s = video.seconds(pts) {
                        if let h = hasher.hash(frame, index: t.frameIndex, seconds: s) { found.append(h) }
                    }
                    av_frame_unref(frame)
                }
            }
            var n = -1, r = 0
            while r < plan.ranges.count, av_read_frame(fmt, pkt) >= 0 {
                if pkt.pointee.stream_index == video.index {
                    n += 1
                    if plan.ranges[r].contains(n) {
                        c.pointee.skip_frame = targetPackets.contains(n) ? AVDISCARD_DEFAULT : AVDISCARD_NONREF
                        if avcodec_send_packet(c, pkt) < 0 { badPackets += 1 }
                        drain()
                        if n == plan.ranges[r].upperBound {
                            // End of a run: take out the frames still held for reordering, then
                            // start clean at the next run's keyframe.
                            _ = avcodec_send_packet(c, nil)
                            drain()
                            avcodec_flush_buffers(c)
                            r += 1
                        }
                    }
                }
                av_packet_unref(pkt)
            }
            _ = avcodec_send_packet(c, nil)
            drain()
            if !wanted.isEmpty {
                hasher.warnings.append(DecodeFailure(code: "video-damaged", message: "\(wanted.count) of \(plan.targets.count) sampled frame(s) could not be decoded"))
            }
            hasher.hashes = found.sorted { $0.frameIndex < $1.frameIndex }
            full = plan.full
        } else {
            var clock = SampleClock(fps: framesPerSecond)
            var index = 0
            func drain() {
                while avcodec_receive_frame(c, frame) == 0 {
                    hasher.count(frame)
                    let s = video.seconds(frame.pointee.best_effort_timestamp) ?? video.seconds(frameIndex: index)
                    if clock.due(s), !full {
                        if hasher.hashes.count >= maxFrames { full = true } else {
                            clock.served(s)
                            if let h = hasher.hash(frame, index: index, seconds: s) { hasher.hashes.append(h) }
                        }
                    }
                    index += 1
                    av_frame_unref(frame)
                }
            }
            while !full, av_read_frame(fmt, pkt) >= 0 {
                if pkt.pointee.stream_index == video.index {
                    if avcodec_send_packet(c, pkt) < 0 { badPackets += 1 }
                    drain()
                }
                av_packet_unref(pkt)
            }
            _ = avcodec_send_packet(c, nil)
            drain()
        }
        var warnings = hasher.warnings
        if hasher.damaged > 0 {
            warnings.append(DecodeFailure(code: "video-damaged", message: "\(hasher.damaged) of \(hasher.decoded) decoded frame(s) were flagged as damaged by the decoder"))
        }
        if badPackets > 0 { warnings.append(DecodeFailure(code: "video-damaged", message: "\(badPackets) packet(s) could not be decoded; frames that decoded were hashed")) }
        if hasher.decoded == 0 { throw DecodeFailure(code: "video-decode", message: "no frame could be decoded") }
        if full { warnings.append(DecodeFailure(code: "frame-limit", message: "stopped after \(maxFrames) sampled frames")) }
        return Output(frames: hasher.hashes, warnings: warnings, decoded: hasher.decoded)
    }

    /// Every packet of the video stream (timestamp, keyframe flag), demuxed without decoding;
    /// `nil` when one has no timestamp or there are more than ``VideoPlan/maxPackets``.
    private static func listPackets(_ d: VideoDemuxer) -> [VideoPlan.Packet]? {
        guard let fmt = d.fmt else { return nil }
        var pkt: UnsafeMutablePointer<AVPacket>? = av_packet_alloc()
        defer { av_packet_free(&pkt) }
        guard let pkt else { return nil }
        var list: [VideoPlan.Packet] = []
        while av_read_frame(fmt, pkt) >= 0 {
            defer { av_packet_unref(pkt) }
            guard pkt.pointee.stream_index == d.index else { continue }
            let pts = pkt.pointee.pts
            guard pts != Int64(bitPattern: 0x8000_0000_0000_0000), list.count < VideoPlan.maxPackets else { return nil }
            list.append(VideoPlan.Packet(pts: pts, key: pkt.pointee.flags & AV_PKT_FLAG_KEY != 0))
        }
        return list
    }
}

/// Counts decoded frames (and damaged ones) and hashes the frames it is given.
private struct FrameHasher {
    let limits: DecodeLimits
    var decoded = 0
    /// Frames the decoder flagged as damaged (error concealment drew part of them).
    var damaged = 0
    var hashes: [FrameHash] = []
    var warnings: [DecodeFailure] = []
    var sws: OpaquePointer? = nil

    init(limits: DecodeLimits) { self.limits = limits }

    mutating func count(_ frame: UnsafeMutablePointer<AVFrame>) {
        decoded += 1
        if frame.pointee.decode_error_flags != 0 || frame.pointee.flags & 1 != 0 { damaged += 1 } // AV_FRAME_FLAG_CORRUPT
    }

    /// The frame's PDQ, or `nil` (with a warning) when it cannot be scaled.
    mutating func hash(_ frame: UnsafeMutablePointer<AVFrame>, index: Int, seconds: Double) -> FrameHash? {
        let w = Int(frame.pointee.width), h = Int(frame.pointee.height)
        guard w > 0, h > 0, w * h <= limits.maxPixels else { return nil }
        sws = sws_getCachedContext(sws, Int32(w), Int32(h), AVPixelFormat(frame.pointee.format), Int32(w), Int32(h),
                                   AV_PIX_FMT_GRAY8, 2 /* SWS_BILINEAR */, nil, nil, nil)
        guard let sws else { warnings.append(DecodeFailure(code: "video-scale", message: "frame \(index): unsupported pixel format")); return nil }
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
        guard ok > 0 else { warnings.append(DecodeFailure(code: "video-scale", message: "frame \(index): scaling failed")); return nil }
        let image = gray.withUnsafeBufferPointer { Luma.fromGray($0, width: w, height: h) }
        let r = PDQ.hash(image, dihedral: false)
        // Clamped: Int64(Double) traps past ~292,000 years, which a hostile timestamp can claim.
        let micros = Int64(min((seconds * 1_000_000).rounded(), 9e18))
        return FrameHash(frameIndex: index, timeMicros: micros, hash: r.hash, quality: r.quality)
    }
}
