import Foundation

/// When the next sample is due: one instant every `1/fps` seconds from the stream start. Both
/// decode paths (planned and decode-everything) use it, so they pick frames by the same rule.
struct SampleClock {
    let fps: Double
    /// The pending sampling instant, seconds from the stream start.
    private(set) var next = 0.0

    init(fps: Double) { self.fps = fps }

    /// Whether a frame at `seconds` serves the pending instant (it is at or after it).
    func due(_ seconds: Double) -> Bool { seconds + 1e-6 >= next }

    /// Marks every instant up to `seconds` as served by the frame at `seconds`.
    mutating func served(_ seconds: Double) {
        // A timestamp far ahead (a gap, or a damaged or hostile pts such as 2^62) is reached in
        // one step: adding one period at a time would take ~forever, and never arrive once a
        // period is below the Double's resolution at that magnitude.
        if seconds - next > 1_000 / fps {
            next = max((((seconds + 1e-6) * fps).rounded(.down) + 1) / fps, (seconds + 1e-6).nextUp)
        }
        while next <= seconds + 1e-6 { next += 1 / fps }
    }
}

/// Which packets of a video to decode so that only the sampled frames (and what they depend
/// on) are decoded. Built from one demux pass that reads every packet's timestamp and keyframe
/// flag but decodes nothing.
///
/// The frame sampled for an instant T (T = 0, 1/fps, 2/fps, …) is the first **keyframe** whose
/// time lies in [T, T + 1/fps), when there is one; otherwise the first frame at or after T, as a
/// decode-everything pass would take it. A keyframe decodes alone; any other frame is decoded
/// from the keyframe before it. Runs of packets no sampled frame needs are read but never
/// handed to the decoder.
struct VideoPlan {
    /// One packet of the video stream, in decode (file) order.
    struct Packet { var pts: Int64; var key: Bool }
    /// A sampled frame: its packet's decode index, timestamp and presentation-order index.
    struct Target { var packet: Int; var pts: Int64; var frameIndex: Int }

    /// The sampled frames, in presentation order.
    var targets: [Target]
    /// Closed ranges of decode indices to decode; the decoder is flushed between ranges.
    var ranges: [ClosedRange<Int>]
    /// Whether sampling stopped at `maxFrames`.
    var full: Bool

    /// Packets listed at most (18.5 hours at 30 fps; the list and the planning arrays then take
    /// about 80 MB, whatever a hostile index declares); a longer stream is decoded end to end.
    static let maxPackets = 2_000_000

    /// The plan for `packets`, or `nil` when it cannot be made (no packets, or a packet with no
    /// timestamp): the caller then decodes every frame. `seconds` maps a pts to stream seconds.
    init?(packets: [Packet], fps: Double, maxFrames: Int, seconds: (Int64) -> Double?) {
        guard !packets.isEmpty else { return nil }
        var times: [Double] = []
        times.reserveCapacity(packets.count)
        for p in packets {
            guard let s = seconds(p.pts) else { return nil }
            times.append(s)
        }
        // Presentation order; ties keep decode order so the result is deterministic.
        let order = packets.indices.sorted { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
        var clock = SampleClock(fps: fps)
        var chosen: [Target] = []
        var full = false
        var i = 0
        while i < order.count {
            let p = order[i]
            guard clock.due(times[p]) else { i += 1; continue }
            if chosen.count >= maxFrames { full = true; break }
            var pick = i
            if !packets[p].key {
                // A keyframe within the period that starts at the pending instant serves it.
                let end = clock.next + 1 / fps - 1e-6
                var j = i + 1
                while j < order.count, times[order[j]] < end {
                    if packets[order[j]].key { pick = j; break }
                    j += 1
                }
            }
            let q = order[pick]
            chosen.append(Target(packet: q, pts: packets[q].pts, frameIndex: pick))
            clock.served(times[q])
            i = pick + 1
        }
        targets = chosen
        self.full = full
        // For each packet, the last keyframe at or before it in decode order.
        var lastKey = [Int](repeating: -1, count: packets.count)
        var k = -1
        for (n, p) in packets.enumerated() {
            if p.key { k = n }
            lastKey[n] = k
        }
        var spans: [ClosedRange<Int>] = chosen.map { t in
            // A keyframe shown after the target (an open GOP's leading frames) cannot start its
            // decode: go back to the keyframe before that one. Strictly decreasing, so it ends.
            var from = lastKey[t.packet]
            while from > 0, times[from] > times[t.packet] { from = lastKey[from - 1] }
            return max(0, from)...t.packet
        }
        spans.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<Int>] = []
        for s in spans {
            if let last = merged.last, s.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, s.upperBound)
            } else { merged.append(s) }
        }
        ranges = merged
    }
}
