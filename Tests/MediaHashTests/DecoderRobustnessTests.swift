import ExhibitKit
import ExhibitTesting
import Foundation
@testable import MediaHash
import Testing

/// Damaged and hostile inputs give warnings (or a partial hash), never a crash.
@Suite struct DecoderRobustnessTests {
    func findings(_ bytes: [UInt8]) -> FindingCollector {
        guard let format = MediaFormat.detect(Array(bytes.prefix(32))) else { return FindingCollector() }
        return bytes.withUnsafeBytes { MediaHashAnalyzer.image($0, format: format, limits: DecodeLimits(maxPixels: 50_000_000)) }
    }

    func warnings(_ f: FindingCollector) -> [String] {
        f.warnings.map(\.code)
    }

    func hashes(_ f: FindingCollector) -> [MediaHash] {
        f.findings.compactMap { if case .mediaHash(let h) = $0 { return h } else { return nil } }
    }

    @Test(arguments: ["scene1-orig.jpg", "scene1-conv.png", "scene1-conv.webp", "scene1-conv.gif", "scene1-conv.bmp",
                      "scene1-conv.tif", "scene1-conv.heic"])
    func truncatedAndCorruptFilesNeverCrash(name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Corpus.url("media/images/\(name)")))
        // Cut at several points, and overwrite the middle with a deterministic pattern.
        for cut in [8, 40, 200, bytes.count / 3, bytes.count / 2, bytes.count - 10] {
            let part = Array(bytes.prefix(cut))
            guard MediaFormat.detect(Array(part.prefix(32))) != nil else { continue } // too short to be recognised at all
            let f = findings(part)
            #expect(!warnings(f).isEmpty || hashes(f).count == 1, "\(name) cut at \(cut)")
        }
        var damaged = bytes
        var x: UInt32 = 7
        for i in (bytes.count / 2)..<min(bytes.count, bytes.count / 2 + 2048) {
            x = x &* 1_103_515_245 &+ 12_345
            damaged[i] = UInt8(truncatingIfNeeded: x >> 16)
        }
        _ = findings(damaged)
    }

    @Test func truncatedJPEGStillHashesWithAWarning() throws {
        let bytes = [UInt8](try Data(contentsOf: Corpus.url("media/images/scene1-orig.jpg")))
        let f = findings(Array(bytes.prefix(bytes.count * 2 / 3)))
        #expect(hashes(f).count == 1)
        #expect(warnings(f).contains("jpeg-damaged"))
    }

    /// An image over the pixel limit (a decompression bomb, scaled down here) is refused before
    /// any pixel memory is allocated.
    @Test func pixelBombsAreRefused() throws {
        let dir = try TestDirectory("bomb")
        defer { dir.remove() }
        let r = try Run.shell("cd '\(dir.url.path)' && convert -size 12000x1000 xc:gray bomb.png && convert -size 4000x3000 xc:gray bomb.jpg")
        #expect(r.exitCode == 0, "\(r.stderr)")
        let png = [UInt8](try Data(contentsOf: dir.url.appendingPathComponent("bomb.png")))
        let f = png.withUnsafeBytes { MediaHashAnalyzer.image($0, format: .png, limits: DecodeLimits(maxPixels: 10_000_000)) }
        #expect(warnings(f) == ["pixel-limit"] && hashes(f).isEmpty)
        // JPEG: decoded at a DCT scale that fits, with a note.
        let jpg = [UInt8](try Data(contentsOf: dir.url.appendingPathComponent("bomb.jpg")))
        let g = jpg.withUnsafeBytes { MediaHashAnalyzer.image($0, format: .jpeg, limits: DecodeLimits(maxPixels: 10_000_000)) }
        #expect(warnings(g) == ["pixel-limit"] && hashes(g).count == 1)
    }

    @Test func formatsAreDetectedFromContent() {
        #expect(MediaFormat.detect([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(MediaFormat.detect(Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == .webp)
        #expect(MediaFormat.detect(Array("RIFF\u{0}\u{0}\u{0}\u{0}AVI LIST".utf8)) == .avi)
        #expect(MediaFormat.detect(Array("\u{0}\u{0}\u{0}\u{18}ftypheic\u{0}\u{0}".utf8)) == .heif)
        #expect(MediaFormat.detect(Array("\u{0}\u{0}\u{0}\u{18}ftypisom\u{0}\u{0}".utf8)) == .isoVideo)
        #expect(MediaFormat.detect(Array("hello world".utf8)) == nil)
    }

    /// One frame per second: for each instant T the first keyframe in [T, T + 1 s), else the first
    /// frame at or after T (docs/hashsets.md). The slideshows' keyframes (ffprobe): every 2 s in
    /// the H.264 files (frames 0, 50, 100, 150), 0/50/128/150 in the VP9 WebM, every 12 frames
    /// plus 50/150 in the MPEG-4 AVI — so those two take the keyframes after some instants.
    @Test func everyVideoContainerIsHashedPerSecond() throws {
        let h264 = (frames: [0, 25, 50, 75, 100, 125, 150, 175], ms: [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000])
        let expected: [(String, (frames: [Int], ms: [Int]))] = [
            ("slideshow.mp4", h264), ("slideshow.mov", h264), ("slideshow.mkv", h264), ("slideshow.3gp", h264), ("round.mp4", h264),
            ("slideshow.webm", ([0, 25, 50, 75, 100, 128, 150, 175], [0, 1000, 2000, 3000, 4000, 5120, 6000, 7000])),
            ("slideshow.avi", ([0, 36, 50, 86, 110, 134, 150, 186], [0, 1440, 2000, 3440, 4400, 5360, 6000, 7440])),
        ]
        for (name, want) in expected {
            let frames = try MediaHashAnalyzer.videoFrames(path: Corpus.url("media/videos/\(name)").path).get()
            #expect(frames.map(\.frameIndex) == want.frames, "\(name)")
            #expect(frames.map(\.timeMicros) == want.ms.map { Int64($0) * 1000 }, "\(name)")
            // Each sampled frame lies in its own one-second period.
            #expect(frames.enumerated().allSatisfy { $0.element.timeMicros / 1_000_000 == Int64($0.offset) }, "\(name)")
            #expect(frames.allSatisfy { $0.quality >= 80 })
        }
        // Two frames per second when asked.
        let two = try MediaHashAnalyzer.videoFrames(path: Corpus.url("media/videos/slideshow.mp4").path, framesPerSecond: 2).get()
        #expect(two.count == 16)
    }

    /// Only the packets the sampled frames need are decoded: the AVI's samples are all keyframes
    /// (8 frames decoded of 200); the H.264 MP4 decodes each odd second from the keyframe before it.
    @Test func sampledVideosDecodeOnlyWhatTheyNeed() throws {
        let avi = try MediaHashAnalyzer.videoFramesDecoded(path: Corpus.url("media/videos/slideshow.avi").path).get()
        #expect(avi.frames.count == 8 && avi.decoded == 8, "avi: \(avi.decoded) decoded")
        let mp4 = try MediaHashAnalyzer.videoFramesDecoded(path: Corpus.url("media/videos/slideshow.mp4").path).get()
        #expect(mp4.frames.count == 8 && mp4.decoded < 200, "mp4: \(mp4.decoded) decoded")
    }

    @Test func videoFramesAreCloseToTheReferenceFrames() throws {
        let golden = try #require(Golden.shared?.videos["slideshow"])
        let frames = try MediaHashAnalyzer.videoFrames(path: Corpus.url("media/videos/slideshow.mkv").path).get()
        for (ours, ref) in zip(frames, golden) {
            #expect(ours.frameIndex == ref.frame)
            #expect(distance(ours.hash, ref.pdq) <= 16, "frame \(ref.frame): \(distance(ours.hash, ref.pdq))")
        }
    }

    @Test func notAVideoIsAWarningNotACrash() throws {
        let dir = try TestDirectory("notvideo")
        defer { dir.remove() }
        let path = dir.path("x.mp4")
        try Data("\u{0}\u{0}\u{0}\u{18}ftypisom garbage garbage".utf8).write(to: URL(fileURLWithPath: path))
        if case .success = MediaHashAnalyzer.videoFrames(path: path) { Issue.record("garbage decoded as a video") }
    }
}
