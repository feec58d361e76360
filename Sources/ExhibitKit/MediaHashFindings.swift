import ExhibitSupport
import Foundation

/// Which perceptual hash a ``MediaHash`` holds. Stored in `media_hashes.algorithm`.
public enum MediaHashAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
    /// PDQ of a still image (or the first frame of an animation).
    case pdq
    /// PDQ of one sampled video frame (vPDQ style: frame index, time, quality, hash).
    case pdqFrame = "pdq-frame"
}

/// A perceptual hash of an image or of one video frame. Stored in `media_hashes`.
public struct MediaHash: Sendable, Hashable, Codable {
    public var algorithm: MediaHashAlgorithm
    /// 64 lower-case hex digits (256 bits), the first digit holding the most significant bits.
    public var hash: String
    /// PDQ quality, 0…100; hashes under 50 are kept but never matched.
    public var quality: Int
    /// Index of the sampled frame in presentation order (video only).
    public var frameIndex: Int?
    /// Presentation time of the frame from the start of the stream, in microseconds (video only).
    public var frameTimeMicros: Int64?
    /// For stills: the hash the known image would have if this image were it rotated or flipped,
    /// keyed by variant name (`rot90`, `rot180`, `rot270`, `flip-h`, `flip-v`, `transpose`,
    /// `antitranspose`), derived from the same DCT. Empty for video frames.
    public var variants: [String: String]
    public init(algorithm: MediaHashAlgorithm, hash: String, quality: Int,
                frameIndex: Int? = nil, frameTimeMicros: Int64? = nil, variants: [String: String] = [:]) {
        self.algorithm = algorithm; self.hash = hash; self.quality = quality
        self.frameIndex = frameIndex; self.frameTimeMicros = frameTimeMicros; self.variants = variants
    }
}

extension MediaHash: WireSendable {
    public static let wireForm = WireForm(
        "media_hash", mirror: "MediaHash", summary: "a perceptual hash. Stored in `media_hashes`.",
        fields: [
            WireField("algorithm", .string, required: true, example: #""pdq""#, helper: HelperParameter(pythonDefault: #""pdq""#),
                      "`pdq` or `pdq-frame`"),
            WireField("hash", .string, required: true, example: "\"\(String(repeating: "0f", count: 32))\"", "64 lower-case hex digits"),
            WireField("quality", .integer, required: true, example: "90", "0–100"),
            WireField("frameIndex", .integer),
            WireField("frameTimeMicros", .integer64, alias: "frame_time_us"),
        ],
        pythonParameters: ["hash", "quality", "algorithm", "frame_index", "frame_time_micros", "frame_time_us"])

    public static func finding(wire d: WireRecord, state: inout WireReplyState) throws -> Finding {
        let a = try d.requiredString("algorithm")
        guard let alg = MediaHashAlgorithm(rawValue: a) else { throw WireInvalid("media_hash.algorithm must be pdq or pdq-frame") }
        let hash = try d.requiredString("hash")
        guard Hex.isHex(hash, lengths: [64], lowercaseOnly: true) else { throw WireInvalid("media_hash.hash must be 64 lower-case hex digits") }
        guard let q = try d.integer("quality"), (0...100).contains(q) else { throw WireInvalid("media_hash.quality must be an integer 0…100") }
        _ = try d.value("frame_time_micros")  // both spellings agree, before any number is checked
        let frameIndex = try d.integer("frame_index")
        return .mediaHash(MediaHash(algorithm: alg, hash: hash, quality: q, frameIndex: frameIndex,
                                    frameTimeMicros: try d.integer("frame_time_micros").map(Int64.init)))
    }
}
