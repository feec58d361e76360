import Foundation

/// A grey image as PDQ sees it: luminance per pixel as `Float`, row-major, no padding.
public struct LumaImage: Sendable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// `width * height` luminance values, 0…255 (Y = 0.299 R + 0.587 G + 0.114 B).
    public var pixels: [Float]
    /// Wraps a buffer; the caller guarantees `pixels.count == width * height`.
    public init(width: Int, height: Int, pixels: [Float]) {
        self.width = width; self.height = height; self.pixels = pixels
    }
}

/// The 8 dihedral transforms of a square image, named by how a found image relates to the image
/// whose hash it matched: `rot90` means the found image is the known one turned 90° clockwise.
public enum PDQVariant: String, Sendable, CaseIterable, Codable {
    case identity, rot90, rot180, rot270, flipH = "flip-h", flipV = "flip-v", transpose, antitranspose
}

/// One PDQ result: 256 bits as 64 hex digits, the quality score and — for stills — the hashes of
/// the 7 other dihedral transforms, each computed from the same DCT output.
public struct PDQResult: Sendable, Hashable {
    /// The hash of the image as decoded.
    public var hash: String
    /// 0…100; under 50 the hash is unreliable (flat or tiny images).
    public var quality: Int
    /// The hash the *known* image would have if this image were the known one transformed by the
    /// key (`rot90` → hash of this image turned back 90°), for every non-identity variant.
    public var variants: [PDQVariant: String]
}

/// PDQ, written from the published algorithm (facebook/ThreatExchange `pdq/`): float luminance,
/// Jarosz filter (two box passes per axis, window ⌈dim/128⌉) down to 64×64 by sampling pixel
/// centres, image-domain quality, a 16×16 DCT without the DC row/column, threshold at the median.
///
/// The filter and decimation live in ``JaroszFilter`` (which explains its shortcuts).
public enum PDQ {
    /// Images narrower or shorter than this hash to all zeros with quality 0 (as the reference).
    public static let minimumDimension = 5

    /// The reference window size: `(old + 2·64 − 1) / (2·64)`.
    static func windowSize(_ old: Int) -> Int { (old + 127) / 128 }

    /// Hash of a luma image; `dihedral` also derives the 7 transformed hashes.
    public static func hash(_ image: LumaImage, dihedral: Bool = true) -> PDQResult {
        guard image.width >= minimumDimension, image.height >= minimumDimension,
              image.pixels.count == image.width * image.height else {
            return PDQResult(hash: String(repeating: "0", count: 64), quality: 0, variants: [:])
        }
        let small = downscale64(image)
        let quality = self.quality(small)
        let dct = dct16(small)
        var variants: [PDQVariant: String] = [:]
        if dihedral {
            for v in PDQVariant.allCases where v != .identity {
                variants[v] = bits(inverse(v, dct))
            }
        }
        return PDQResult(hash: bits(dct), quality: quality, variants: variants)
    }

    // MARK: - Quality, DCT, bits

    /// Sum of truncated `|u − v|·100/255` over vertical and horizontal neighbours, /90, at most 100.
    static func quality(_ s: [Float]) -> Int {
        var total = 0
        for i in 0..<63 { for j in 0..<64 { total += abs(Int((s[i * 64 + j] - s[(i + 1) * 64 + j]) * 100 / 255)) } }
        for i in 0..<64 { for j in 0..<63 { total += abs(Int((s[i * 64 + j] - s[i * 64 + j + 1]) * 100 / 255)) } }
        return min(100, total / 90)
    }

    /// `D[i][j] = sqrt(2/64)·cos(π/128·(i+1)·(2j+1))`, 16×64 (the DC row left out).
    static let dctMatrix: [Float] = {
        var d = [Float](repeating: 0, count: 16 * 64)
        let scale = (2.0 / 64.0).squareRoot()
        for i in 0..<16 { for j in 0..<64 { d[i * 64 + j] = Float(scale * cos(Double.pi / 128 * Double(i + 1) * Double(2 * j + 1))) } }
        return d
    }()

    /// `B = D·A·Dᵀ` (16×16), `B[i][j]`: i vertical, j horizontal frequency.
    static func dct16(_ a: [Float]) -> [Float] {
        let d = dctMatrix
        var t = [Float](repeating: 0, count: 16 * 64)
        for i in 0..<16 { for j in 0..<64 {
            var s: Float = 0
            for k in 0..<64 { s += d[i * 64 + k] * a[k * 64 + j] }
            t[i * 64 + j] = s
        } }
        var b = [Float](repeating: 0, count: 256)
        for i in 0..<16 { for j in 0..<16 {
            var s: Float = 0
            for k in 0..<64 { s += t[i * 64 + k] * d[j * 64 + k] }
            b[i * 16 + j] = s
        } }
        return b
    }

    /// Bit `i·16+j` set when the coefficient exceeds the median (the 128th smallest, as Torben's
    /// method returns for 256 values); printed as 16-bit words from word 15 down to word 0.
    static func bits(_ b: [Float]) -> String {
        let median = b.sorted()[127]
        var words = [UInt16](repeating: 0, count: 16)
        for k in 0..<256 where b[k] > median { words[k >> 4] |= UInt16(1) << UInt16(k & 15) }
        var hex = ""
        hex.reserveCapacity(64)
        for w in words.reversed() { hex += String(format: "%04x", w) }
        return hex
    }

    /// The DCT the known image had if this image is the known one transformed by `v`: mirroring a
    /// 64-sample axis multiplies frequency index `i` (basis `i+1`) by `(-1)^(i+1)`; a quarter turn
    /// transposes the matrix and mirrors one axis.
    static func inverse(_ v: PDQVariant, _ b: [Float]) -> [Float] {
        func s(_ i: Int) -> Float { i & 1 == 0 ? -1 : 1 }
        var out = [Float](repeating: 0, count: 256)
        for i in 0..<16 { for j in 0..<16 {
            let x = b[i * 16 + j], y = b[j * 16 + i]
            // Undo: found = T(known) → known = T⁻¹(found).
            switch v {
            case .identity: out[i * 16 + j] = x
            case .flipH: out[i * 16 + j] = x * s(j)
            case .flipV: out[i * 16 + j] = x * s(i)
            case .rot180: out[i * 16 + j] = x * s(i) * s(j)
            case .transpose: out[i * 16 + j] = y
            case .antitranspose: out[i * 16 + j] = y * s(i) * s(j)
            // found = rot90cw(known) → known = rot270cw(found) = flipV(transpose(found)).
            case .rot90: out[i * 16 + j] = y * s(i)
            // found = rot270cw(known) → known = rot90cw(found) = flipH(transpose(found)).
            case .rot270: out[i * 16 + j] = y * s(j)
            }
        } }
        return out
    }
}
