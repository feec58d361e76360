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
/// Speed: only the samples the decimation reads are computed in the second pass, and the
/// column box filter runs row by row with a running row sum (sequential memory, so widths that are
/// powers of two do not alias in the cache the way a strided column walk does).
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

    // MARK: - Jarosz filter and decimation

    /// Two box-filter passes per axis, then the 64×64 pixel-centre samples.
    static func downscale64(_ image: LumaImage) -> [Float] {
        let w = image.width, h = image.height
        let wr = windowSize(w), wc = windowSize(h)
        // Pass 1 (rows) and pass 2 (columns) over the whole image.
        var a = image.pixels
        var b = [Float](repeating: 0, count: w * h)
        a.withUnsafeMutableBufferPointer { ap in
            b.withUnsafeMutableBufferPointer { bp in
                guard let A = ap.baseAddress, let B = bp.baseAddress else { return }
                for r in 0..<h { box1D(A + r * w, B + r * w, w, wr) }
                boxColumns(B, A, w, h, wc)
            }
        }
        // Pass 3 (rows) only at the 64 sampled columns, pass 4 (columns) only at the sampled rows.
        let cols = (0..<64).map { Int((Double($0) + 0.5) * Double(w) / 64) }
        let rows = (0..<64).map { Int((Double($0) + 0.5) * Double(h) / 64) }
        var c = [Float](repeating: 0, count: h * 64) // pass-3 output: h rows × 64 sampled columns
        a.withUnsafeBufferPointer { ap in
            c.withUnsafeMutableBufferPointer { cp in
                guard let A = ap.baseAddress, let C = cp.baseAddress else { return }
                var rowOut = [Float](repeating: 0, count: w)
                rowOut.withUnsafeMutableBufferPointer { rp in
                    guard let R = rp.baseAddress else { return }
                    for r in 0..<h {
                        box1D(A + r * w, R, w, wr)
                        for (k, col) in cols.enumerated() { C[r * 64 + k] = R[col] }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: 64 * 64)
        var column = [Float](repeating: 0, count: h), filtered = [Float](repeating: 0, count: h)
        for k in 0..<64 {
            for r in 0..<h { column[r] = c[r * 64 + k] }
            column.withUnsafeMutableBufferPointer { ip in
                filtered.withUnsafeMutableBufferPointer { op in
                    guard let I = ip.baseAddress, let O = op.baseAddress else { return }
                    box1D(I, O, h, wc)
                }
            }
            for (i, row) in rows.enumerated() { out[i * 64 + k] = filtered[row] }
        }
        return out
    }

    /// The reference's 1-D box filter: a window centred on each output, shrunk at both ends,
    /// with a running float sum (kept so rounding matches the reference closely).
    static func box1D(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ n: Int, _ window: Int) {
        let half = (window + 2) / 2
        var sum: Float = 0, size: Float = 0
        var li = 0, ri = 0, oi = 0
        for _ in 0..<max(0, half - 1) { sum += input[ri]; size += 1; ri += 1 }
        for _ in 0..<max(0, window - half + 1) { sum += input[ri]; size += 1; output[oi] = sum / size; ri += 1; oi += 1 }
        for _ in 0..<max(0, n - window) { sum += input[ri]; sum -= input[li]; output[oi] = sum / size; li += 1; ri += 1; oi += 1 }
        for _ in 0..<max(0, half - 1) { sum -= input[li]; size -= 1; output[oi] = sum / size; li += 1; oi += 1 }
    }

    /// The same filter down every column at once, walking rows in order with a running row of
    /// sums (the same arithmetic per column as ``box1D``, in the same order).
    static func boxColumns(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ w: Int, _ h: Int, _ window: Int) {
        let half = (window + 2) / 2
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: w)
        defer { sums.deallocate() }
        sums.initialize(repeating: 0, count: w)
        var size: Float = 0
        var li = 0, ri = 0, oi = 0
        func add(_ r: Int) { let p = input + r * w; for j in 0..<w { sums[j] += p[j] } }
        func sub(_ r: Int) { let p = input + r * w; for j in 0..<w { sums[j] -= p[j] } }
        func emit(_ r: Int) { let o = output + r * w; let s = size; for j in 0..<w { o[j] = sums[j] / s } }
        for _ in 0..<max(0, half - 1) { add(ri); size += 1; ri += 1 }
        for _ in 0..<max(0, window - half + 1) { add(ri); size += 1; emit(oi); ri += 1; oi += 1 }
        for _ in 0..<max(0, h - window) { add(ri); sub(li); emit(oi); li += 1; ri += 1; oi += 1 }
        for _ in 0..<max(0, half - 1) { sub(li); size -= 1; emit(oi); li += 1; oi += 1 }
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
