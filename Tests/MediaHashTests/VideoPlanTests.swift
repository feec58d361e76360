import Foundation
@testable import MediaHash
import Testing

/// The decode plan on synthetic packet lists (pts in ticks of 1/100 s): which frames are sampled
/// and which packet ranges get decoded.
@Suite struct VideoPlanTests {
    typealias P = VideoPlan.Packet
    static func seconds(_ pts: Int64) -> Double? { pts < 0 ? nil : Double(pts) / 100 }

    func plan(_ packets: [P], fps: Double = 1, maxFrames: Int = 100) throws -> VideoPlan {
        try #require(VideoPlan(packets: packets, fps: fps, maxFrames: maxFrames, seconds: Self.seconds))
    }

    /// 10 fps, keyframes every 12 frames: each second is served by the keyframe inside it, and
    /// only those keyframes are decoded.
    @Test func keyframesInsideEachPeriodAreTaken() throws {
        let packets = (0..<30).map { P(pts: Int64($0) * 10, key: $0 % 12 == 0) }
        let p = try plan(packets)
        #expect(p.targets.map(\.frameIndex) == [0, 12, 24])
        #expect(p.ranges == [0...0, 12...12, 24...24])
        #expect(!p.full)
    }

    /// One keyframe only: each instant takes the first frame at or after it, decoded from the
    /// keyframe; the runs merge into one.
    @Test func withoutKeyframesTheFirstFrameAtTheInstantIsDecodedFromTheKeyframe() throws {
        let packets = (0..<25).map { P(pts: Int64($0) * 10, key: $0 == 0) }
        let p = try plan(packets)
        #expect(p.targets.map(\.frameIndex) == [0, 10, 20])
        #expect(p.ranges == [0...20])
    }

    /// B-frames: decode order I0 P3 B1 B2 P6 B4 B5 P7 (frames 0.25 s apart). The frame shown at
    /// 1 s (pts 100, presentation index 4) is packet 5; decoding runs from the keyframe to it.
    @Test func reorderedFramesAreFoundByPresentationTime() throws {
        let order: [Int64] = [0, 3, 1, 2, 6, 4, 5, 7]
        let p = try plan(order.enumerated().map { P(pts: $0.element * 25, key: $0.offset == 0) })
        #expect(p.targets.map(\.packet) == [0, 5])
        #expect(p.targets.map(\.frameIndex) == [0, 4])
        #expect(p.ranges == [0...5])
    }

    /// A packet without a timestamp means no plan (every frame is decoded instead); the frame
    /// limit stops sampling and says so.
    @Test func missingTimestampsAndTheFrameLimit() throws {
        #expect(VideoPlan(packets: [P(pts: 0, key: true), P(pts: -1, key: false)], fps: 1, maxFrames: 10, seconds: Self.seconds) == nil)
        #expect(VideoPlan(packets: [], fps: 1, maxFrames: 10, seconds: Self.seconds) == nil)
        let p = try plan((0..<50).map { P(pts: Int64($0) * 10, key: true) }, maxFrames: 2)
        #expect(p.targets.map(\.frameIndex) == [0, 10])
        #expect(p.full)
    }

    /// An open GOP: the keyframe before the target in decode order is shown after it, so decoding
    /// starts at the keyframe before that one.
    @Test func openGOPLeadingFramesDecodeFromTheEarlierKeyframe() throws {
        // Decode order: K(0) P(50) K(210) B(100) — the B shown at 1 s follows the second keyframe.
        let packets = [P(pts: 0, key: true), P(pts: 50, key: false), P(pts: 210, key: true), P(pts: 100, key: false)]
        let p = try plan(packets)
        #expect(p.targets.map(\.packet) == [0, 3, 2])
        #expect(p.ranges == [0...3])
    }
}
