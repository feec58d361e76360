import ExhibitKit
import ExhibitTesting
import Foundation
@testable import MediaHash
import Testing

/// Headers that lie about their size, images with no pixel data, and video timestamps far in
/// the future: warnings or bounded work, never a crash, a hang or a huge allocation.
@Suite struct MediaHostileInputTests {
    /// Warning codes, then `hash` for each hash found.
    func codes(_ bytes: [UInt8], _ format: MediaFormat) -> [String] {
        let f = bytes.withUnsafeBytes { MediaHashAnalyzer.image($0, format: format, limits: DecodeLimits(maxPixels: 50_000_000)) }
        return f.warnings.map(\.code) + f.findings.compactMap {
            if case .mediaHash = $0 { return "hash" }
            return nil
        }
    }

    func fixture(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: Corpus.url("media/images/\(name)"))) }

    /// Dimension fields patched to the format's maximum: refused by the pixel limit before any
    /// pixel buffer is allocated (the JPEG even at 1/8 DCT scale).
    @Test func hugeDimensionHeadersAreRefused() throws {
        var jpg = try fixture("scene1-orig.jpg")
        let sof = try #require((0..<(jpg.count - 9)).first { jpg[$0] == 0xFF && jpg[$0 + 1] == 0xC0 })
        for i in [5, 7] { jpg[sof + i] = 0xFF; jpg[sof + i + 1] = 0xDC } // 65500, libjpeg's largest
        #expect(codes(jpg, .jpeg) == ["pixel-limit"])

        var gif = try fixture("scene1-conv.gif")
        for i in 6...9 { gif[i] = 0xFF }
        #expect(codes(gif, .gif) == ["pixel-limit"])

        var bmp = try fixture("scene1-conv.bmp")
        for (o, v) in [(18, UInt32(60_000)), (22, UInt32(60_000))] { for k in 0..<4 { bmp[o + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) } }
        #expect(codes(bmp, .bmp) == ["pixel-limit"])

        var webp = try fixture("scene1-conv.webp") // lossy VP8: 14-bit width/height after the start code
        #expect(webp[23..<26].elementsEqual([0x9D, 0x01, 0x2A]))
        for i in 26...29 { webp[i] = i % 2 == 0 ? 0xFF : 0x3F }
        #expect(codes(webp, .webp) == ["pixel-limit"])

        // PNG: IHDR checked by CRC, so the CRC is recomputed for the lie.
        var png = try fixture("scene1-conv.png")
        for i in 16...23 { png[i] = i % 4 == 0 ? 0x00 : 0xFF } // 0x00FFFFFF × 0x00FFFFFF
        let crc = crc32(png[12..<29])
        for k in 0..<4 { png[29 + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * k)) }
        let p = codes(png, .png)
        #expect(p == ["pixel-limit"] || p == ["png-header"], "\(p)")
    }

    /// Text that happens to start with "BM" is not taken for a bitmap (the analyzer sniffs every
    /// file, so this would be a bogus warning on it); real BMPs still are.
    @Test func bmpNeedsItsDIBHeaderSize() throws {
        #expect(MediaFormat.detect(Array("BMW 320i service log, 2019-2024\n".utf8)) == nil)
        #expect(MediaFormat.detect(Array(try fixture("scene1-conv.bmp").prefix(32))) == .bmp)
    }

    /// An AAC audio file in an MP4 container (ffmpeg writes brand `M4A `) is not taken for a
    /// video: it has no frame to hash.
    @Test func m4aAudioIsNotAVideo() throws {
        let dir = try TestDirectory("m4a")
        defer { dir.remove() }
        let path = dir.path("a.m4a")
        let r = try Run.shell("ffmpeg -v error -y -f lavfi -i sine=duration=1 -c:a aac '\(path)'")
        #expect(r.exitCode == 0, "\(r.stderr)")
        let head = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(32))
        #expect(String(decoding: head[4..<12], as: UTF8.self) == "ftypM4A ")
        #expect(MediaFormat.detect(head) == nil)
    }

    /// A GIF that ends right after its image descriptor has no pixel rows: a warning, not the
    /// hash of a background-coloured rectangle.
    @Test func gifWithoutPixelRowsIsAWarning() throws {
        let gif = try fixture("scene1-conv.gif")
        var o = 13 + (gif[10] & 0x80 != 0 ? 3 << (Int(gif[10] & 7) + 1) : 0)
        while gif[o] == 0x21 { // extensions: label, then sub-blocks up to a zero length
            o += 2
            while gif[o] != 0 { o += Int(gif[o]) + 1 }
            o += 1
        }
        #expect(gif[o] == 0x2C)
        let flags = gif[o + 9]
        o += 10 + (flags & 0x80 != 0 ? 3 << (Int(flags & 7) + 1) : 0)
        let cut = Array(gif.prefix(o + 1)) // up to the LZW minimum code size
        #expect(codes(cut, .gif) == ["gif-decode"])
    }

    /// A timestamp jump of 2·10^13 s (made with ffmpeg's setpts): sampling goes on after the
    /// jump at once, and the time is clamped instead of trapping.
    @Test func videoTimestampJumpsAreSampledInOneStep() throws {
        let dir = try TestDirectory("vjump")
        defer { dir.remove() }
        let path = dir.path("jump.mkv")
        let r = try Run.shell("""
            ffmpeg -v error -y -f lavfi -i testsrc=size=64x48:rate=5 -frames:v 10 \
            -vf "setpts='if(gte(N,4),PTS+2e13/TB,PTS)'" -c:v mjpeg -fps_mode passthrough -f matroska '\(path)'
            """)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let frames = try MediaHashAnalyzer.videoFrames(path: path).get()
        #expect(frames.map(\.frameIndex) == [0, 4, 5])
        #expect(frames.first?.timeMicros == 0)
        #expect(frames.dropFirst().allSatisfy { $0.timeMicros == 9_000_000_000_000_000_000 })
    }

    /// Videos held in memory (read through the custom AVIO callbacks) give the frames the same
    /// file gives from disk; cut short, they give fewer frames or a warning.
    @Test func inMemoryVideosMatchTheFileAndSurviveTruncation() async throws {
        let analyzer = MediaHashAnalyzer()
        let context = AnalysisContext(assumedZone: nil, temporaryDirectory: FileManager.default.temporaryDirectory)
        for name in ["slideshow.mp4", "slideshow.mkv", "slideshow.avi"] {
            let url = Corpus.url("media/videos/\(name)")
            let data = try Data(contentsOf: url)
            func frames(_ d: Data) async throws -> [String] {
                let file = EvidenceFile(key: name, virtualPath: name, size: Int64(d.count), hashes: FileHashes(md5: "", sha1: "", sha256: ""),
                                        mime: "video/mp4", content: .memory(d))
                let out = try AnalyzerHarness.run(analyzer, on: file, context: context, requireAcceptance: false)
                return out.warnings.map { "warning " + $0.code } + out.findings.map {
                    if case .mediaHash(let h) = $0 { return h.hash }
                    return "other"
                }
            }
            let fromDisk = try MediaHashAnalyzer.videoFrames(path: url.path).get().map(\.hash)
            #expect(try await frames(data) == fromDisk, "\(name)")
            for cut in [64, data.count / 2] {
                let part = try await frames(data.prefix(cut))
                #expect(!part.isEmpty && part.count <= fromDisk.count + 2, "\(name) cut at \(cut): \(part)")
            }
        }
    }

    /// A playlist that names another video (ffconcat) is not followed, even when handed to the
    /// video hasher directly: only the MP4/QuickTime, Matroska and AVI demuxers are allowed.
    @Test func playlistsAreNotFollowed() throws {
        let dir = try TestDirectory("concat")
        defer { dir.remove() }
        let list = dir.path("list.ffconcat")
        // A relative name: ffconcat's own "safe" mode would refuse an absolute one anyway.
        try FileManager.default.copyItem(atPath: Corpus.url("media/videos/slideshow.mp4").path, toPath: dir.path("v.mp4"))
        try "ffconcat version 1.0\nfile 'v.mp4'\n".write(toFile: list, atomically: true, encoding: .utf8)
        if case .success(let f) = MediaHashAnalyzer.videoFrames(path: list) { Issue.record("followed the playlist: \(f.count) frames") }
        for name in ["slideshow.3gp", "slideshow.webm", "slideshow.mov"] {
            #expect(try MediaHashAnalyzer.videoFrames(path: Corpus.url("media/videos/\(name)").path).get().count == 8)
        }
    }

    private func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }
}
