import Foundation
import ExhibitKit

/// Perceptual hashes of pictures and videos for known-content matching: PDQ (with its 8
/// dihedral variants) of JPEG, PNG, WebP, GIF (first frame), BMP, TIFF and HEIC/HEIF stills,
/// and per-frame PDQ (vPDQ style) of MP4/MOV/3GP/MKV/WebM/AVI videos.
///
/// The format is chosen from the content's magic bytes, never the name. Decoding runs on the
/// bytes in memory (custom I/O callbacks) or on intake's private temp file; nothing else is
/// written. Pixel-count limits stop decompression bombs; damage becomes warnings next to
/// whatever could be hashed. Matching against hash sets is done by the store afterwards.
public struct MediaHashAnalyzer: Analyzer {
    /// The analyzer id recorded on every finding.
    public static let id = "media-hash"
    /// Video frames sampled per second when nothing else is configured.
    public static let defaultFramesPerSecond = 1.0
    /// Images (and videos held in memory) larger than this are not read.
    public static let readLimit = 512 << 20

    /// Video frames sampled per second.
    public let framesPerSecond: Double
    /// Most frames hashed per video (10 hours at 1 fps).
    public let maxFrames: Int
    /// Decompression-bomb limits.
    public let limits: DecodeLimits

    /// The analyzer's decode limits: 100 MP, and JPEGs whose shorter side is at least 3000 px
    /// decoded by libjpeg-turbo's DCT scaling to a shorter side of at least 1500 px (half size for
    /// a 12 MP photo). Measured on 500 camera-sized JPEGs: at most 6 bits from pdqhash's
    /// full-size hash (mean 1.3), against 0–2 bits for a full decode, at 2.7× the speed
    /// (docs/BENCHMARKS.md); smaller images are decoded at full size.
    public static let defaultLimits = DecodeLimits(jpegMinSide: 1500)

    /// Creates the analyzer; `framesPerSecond` is clamped to 0.01…60.
    public init(framesPerSecond: Double = MediaHashAnalyzer.defaultFramesPerSecond, maxFrames: Int = 36_000,
                limits: DecodeLimits = MediaHashAnalyzer.defaultLimits) {
        self.framesPerSecond = min(60, max(0.01, framesPerSecond.isFinite ? framesPerSecond : 1))
        self.maxFrames = max(1, maxFrames)
        self.limits = limits
    }

    /// Accepts images and videos by MIME type; anything else (octet streams included) only when the
    /// sniff finds an image or video container's magic bytes, so random blobs are turned away from
    /// their first 32 bytes.
    public var descriptor: AnalyzerDescriptor {
        // A non-default sampling rate changes the findings, so it is part of the recorded version.
        let version = framesPerSecond == Self.defaultFramesPerSecond ? "0.2.0" : "0.2.0+fps=\(framesPerSecond)"
        return AnalyzerDescriptor(
            id: Self.id, version: version,
            summary: "PDQ perceptual hashes of images (8 dihedral variants) and per-frame PDQ of videos, for hash-set matching",
            accepts: Acceptance(mimeTypes: ["image/*", "video/*"], sniff: true),
            produces: [.mediaHash],
            timeoutSeconds: 900)
    }

    /// Says yes to files whose first bytes are a supported image or video container.
    public func sniff(prefix: Data, file: EvidenceFile) -> Bool {
        MediaFormat.detect([UInt8](prefix.prefix(32))) != nil
    }

    /// Hashes one image or video; other files give no findings.
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        guard let format = MediaFormat.detect([UInt8](file.prefix(32))) else { return }
        if format.isVideo { return video(file, into: sink) }
        let data: Data
        do { data = try file.readAll(limit: Self.readLimit) } catch {
            return sink.warn(AnalysisWarning(code: "too-large", message: "\(error); not hashed"))
        }
        data.withUnsafeBytes { Self.image($0, format: format, limits: limits, into: sink) }
    }

    /// Hashes an image held in memory: its decode notes as warnings, then its hash.
    public static func image(_ bytes: UnsafeRawBufferPointer, format: MediaFormat, limits: DecodeLimits = DecodeLimits(),
                             into sink: any FindingSink) {
        do {
            let (image, notes) = try decode(bytes, format: format, limits: limits)
            let r = PDQ.hash(image)
            let variants = Dictionary(uniqueKeysWithValues: r.variants.map { ($0.key.rawValue, $0.value) })
            notes.forEach { sink.warn(Self.warning($0)) }
            sink.emit(.mediaHash(MediaHash(algorithm: .pdq, hash: r.hash, quality: r.quality, variants: variants)))
        } catch let f as DecodeFailure {
            sink.warn(warning(f))
        } catch {
            sink.warn(AnalysisWarning(code: "decode", message: "\(error)"))
        }
    }

    /// Hashes an image held in memory and returns what it emitted (tests, benchmarks, `exhibit lab`).
    public static func image(_ bytes: UnsafeRawBufferPointer, format: MediaFormat, limits: DecodeLimits = DecodeLimits()) -> FindingCollector {
        let out = FindingCollector()
        image(bytes, format: format, limits: limits, into: out)
        return out
    }

    /// Decodes an image to PDQ luminance with the library made for its format.
    public static func luma(_ bytes: UnsafeRawBufferPointer, format: MediaFormat, limits: DecodeLimits = DecodeLimits()) -> LumaImage? {
        try? decode(bytes, format: format, limits: limits).0
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, format: MediaFormat, limits: DecodeLimits) throws -> (LumaImage, [DecodeFailure]) {
        switch format {
        case .jpeg: return try JPEGDecoder.decode(bytes, limits: limits)
        case .png: return (try PNGDecoder.decode(bytes, limits: limits), [])
        case .webp: return (try WebPDecoder.decode(bytes, limits: limits), [])
        case .gif: return (try GIFDecoder.decode(bytes, limits: limits), [])
        case .bmp: return (try BMPDecoder.decode(bytes, limits: limits), [])
        case .tiff: return (try TIFFDecoder.decode(bytes, limits: limits), [])
        case .heif: return (try HEIFDecoder.decode(bytes, limits: limits), [])
        case .isoVideo, .matroska, .avi: throw DecodeFailure(code: "not-image", message: "a video")
        }
    }

    private func video(_ file: EvidenceFile, into sink: any FindingSink) {
        let out: VideoHasher.Output
        do {
            switch file.content {
            case .temporaryFile(let url):
                out = try VideoHasher.hash(path: url.path, bytes: nil, framesPerSecond: framesPerSecond, maxFrames: maxFrames, limits: limits)
            case .memory(let data):
                out = try data.withUnsafeBytes {
                    try VideoHasher.hash(path: nil, bytes: $0, framesPerSecond: framesPerSecond, maxFrames: maxFrames, limits: limits)
                }
            case .none:
                return
            }
        } catch let f as DecodeFailure {
            return sink.warn(Self.warning(f))
        } catch {
            return sink.warn(AnalysisWarning(code: "decode", message: "\(error)"))
        }
        out.warnings.forEach { sink.warn(Self.warning($0)) }
        for frame in out.frames {
            sink.emit(.mediaHash(MediaHash(algorithm: .pdqFrame, hash: frame.hash, quality: frame.quality,
                                           frameIndex: frame.frameIndex, frameTimeMicros: frame.timeMicros)))
        }
    }

    /// Hashes a video file on disk (tests, benchmarks): the sampled frames, or the failure.
    public static func videoFrames(path: String, framesPerSecond: Double = 1) -> Result<[FrameHash], AnalyzerError> {
        videoFramesDecoded(path: path, framesPerSecond: framesPerSecond).map(\.frames)
    }

    /// Like ``videoFrames(path:framesPerSecond:)``, plus how many frames were decoded in all.
    /// `decodeAll` decodes every frame and takes the first at or after each instant instead of
    /// planning (the benchmark's baseline; docs/hashsets.md).
    public static func videoFramesDecoded(path: String, framesPerSecond: Double = 1,
                                          decodeAll: Bool = false) -> Result<(frames: [FrameHash], decoded: Int), AnalyzerError> {
        do {
            let out = try VideoHasher.hash(path: path, bytes: nil, framesPerSecond: framesPerSecond, maxFrames: 36_000, limits: DecodeLimits(),
                                           planned: !decodeAll)
            return .success((out.frames, out.decoded))
        } catch let f as DecodeFailure {
            return .failure(AnalyzerError(code: f.code, message: f.message))
        } catch { return .failure(AnalyzerError(code: "decode", message: "\(error)")) }
    }

    private static func warning(_ f: DecodeFailure) -> AnalysisWarning {
        AnalysisWarning(code: f.code, message: f.message)
    }
}

/// Containers the media hasher reads, recognised by their first bytes.
public enum MediaFormat: String, Sendable, CaseIterable {
    case jpeg, png, webp, gif, bmp, tiff, heif, isoVideo = "iso-video", matroska, avi

    /// Whether frames are sampled (video) rather than one picture hashed.
    public var isVideo: Bool { self == .isoVideo || self == .matroska || self == .avi }

    /// The format of a file from its first (up to 32) bytes, or `nil`.
    public static func detect(_ b: [UInt8]) -> MediaFormat? {
        func at(_ o: Int, _ s: String) -> Bool {
            let u = Array(s.utf8)
            return b.count >= o + u.count && Array(b[o..<o + u.count]) == u
        }
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return .jpeg }
        if b.count >= 8, b[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if at(0, "RIFF"), at(8, "WEBP") { return .webp }
        if at(0, "RIFF"), at(8, "AVI ") { return .avi }
        if at(0, "GIF87a") || at(0, "GIF89a") { return .gif }
        // "BM" alone starts plenty of text; the DIB header size (12 for OS/2, 40…124 for
        // Windows) must follow the 14-byte file header too.
        if at(0, "BM"), b.count >= 18, [12, 40, 52, 56, 64, 108, 124].contains(Int(b[14]) | Int(b[15]) << 8 | Int(b[16]) << 16 | Int(b[17]) << 24) {
            return .bmp
        }
        if at(0, "II*\u{0}") || at(0, "MM\u{0}*") { return .tiff }
        if b.count >= 4, b[0..<4].elementsEqual([0x1A, 0x45, 0xDF, 0xA3]) { return .matroska }
        if at(4, "ftyp"), b.count >= 12 {
            let brand = String(decoding: b[8..<12], as: UTF8.self)
            if ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif"].contains(brand) { return .heif }
            // iTunes/Flash audio brands: no picture to hash (else a bogus video-no-stream warning).
            if ["M4A ", "M4B ", "M4P ", "F4A ", "F4B "].contains(brand) { return nil }
            return .isoVideo
        }
        // Old QuickTime files may start with other atoms.
        if at(4, "moov") || at(4, "mdat") || at(4, "wide") || at(4, "free") { return .isoVideo }
        return nil
    }
}
