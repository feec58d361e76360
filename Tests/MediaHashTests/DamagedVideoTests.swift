import ExhibitKit
import ExhibitTesting
import Foundation
@testable import MediaHash
import Testing

/// Damaged videos under the planned decode: what decodes is hashed and the damage is a warning.
@Suite struct DamagedVideoTests {
    func run(_ name: String) throws -> (codes: [String], frames: Int) {
        let out = try VideoHasher.hash(path: Corpus.url("media/videos/\(name)").path, bytes: nil, framesPerSecond: 1, maxFrames: 100,
                                       limits: DecodeLimits())
        return (out.warnings.map(\.code), out.frames.count)
    }

    /// truncated.mp4 (first 55 %): the 4 seconds present are hashed, the cut packet and its
    /// damaged frame are warned about; corrupt.mp4 (4 KiB of noise mid-file): all 8 seconds
    /// hashed, one damage warning (the Engine's MediaMatchTests check the same through a case).
    @Test func truncatedAndCorruptVideosWarn() throws {
        let t = try run("truncated.mp4")
        #expect(t.frames == 4 && t.codes == ["video-damaged", "video-damaged"], "\(t)")
        let c = try run("corrupt.mp4")
        #expect(c.frames == 8 && c.codes == ["video-damaged"], "\(c)")
    }
}
