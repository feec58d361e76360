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
