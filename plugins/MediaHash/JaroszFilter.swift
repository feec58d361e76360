import Foundation

/// PDQ's downscale: a Jarosz filter (box filter along rows, then columns, twice) over the whole
/// image, then the 64×64 pixel-centre samples.
///
/// The reference filters every pixel four times. Only 64×64 outputs are read, so here:
/// pass 1 (rows) runs over every row, four rows interleaved so the running sums do not wait on
/// each other; pass 2 (columns) runs row by row over a running row of sums (sequential memory:
/// widths that are powers of two do not alias in the cache as a strided column walk does), only
/// for the columns pass 3 reads, and is never stored; pass 3 (rows) and pass 4 (columns) are computed only at the
/// sampled columns/rows, each as the mean of its window. The windows are the reference's —
/// output `k` averages inputs `k−(w−h)…k+h−1` clipped to the image, `h = (w+2)/2` — so results
/// differ from a full four-pass filter only by float rounding (a test checks the bits).
extension PDQ {
    static func downscale64(_ image: LumaImage) -> [Float] {
        let w = image.width, h = image.height
        let wr = windowSize(w), wc = windowSize(h)
        let cols = (0..<64).map { Int((Double($0) + 0.5) * Double(w) / 64) }
        let rows = (0..<64).map { Int((Double($0) + 0.5) * Double(h) / 64) }
        // Columns pass 3 reads from pass 2.
        var needed = [Bool](repeating: false, count: w)
        for c in cols { let (lo, hi) = window(c, wr, w); for j in lo...hi { needed[j] = true } }
        var ranges: [Range<Int>] = []
        var j = 0
        while j < w {
            if needed[j] { let start = j; while j < w && needed[j] { j += 1 }; ranges.append(start..<j) } else { j += 1 }
        }
        var p1 = [Float](repeating: 0, count: w * h)
        image.pixels.withUnsafeBufferPointer { src in
            p1.withUnsafeMutableBufferPointer { dst in
                guard let S = src.baseAddress, let D = dst.baseAddress else { return }
                var r = 0
                while r + 4 <= h { boxRows4(S + r * w, D + r * w, w, wr); r += 4 }
                while r < h { box1D(S + r * w, D + r * w, w, wr); r += 1 }
            }
        }
        // Pass 2 (columns) row by row; each finished row goes straight into pass 3 at the
        // sampled columns (h × 64), so pass 2's output is never stored.
        var p3 = [Float](repeating: 0, count: h * 64)
        let colWindows = cols.map { window($0, wr, w) }
        p1.withUnsafeBufferPointer { src in
            guard let S = src.baseAddress else { return }
            boxColumns(S, w, h, wc, ranges) { r, sums, inv in
                for (k, (lo, hi)) in colWindows.enumerated() {
                    var acc: Float = 0
                    for x in lo...hi { acc += sums[x] }
                    p3[r * 64 + k] = acc * inv / Float(hi - lo + 1)
                }
            }
        }
        var out = [Float](repeating: 0, count: 4096)
        for (i, r) in rows.enumerated() {
            let (lo, hi) = window(r, wc, h)
            for k in 0..<64 {
                var s: Float = 0
                for y in lo...hi { s += p3[y * 64 + k] }
                out[i * 64 + k] = s / Float(hi - lo + 1)
            }
        }
        return out
    }

    /// The inputs the reference's box filter averages for output `k` of `n` with window `window`.
    static func window(_ k: Int, _ window: Int, _ n: Int) -> (Int, Int) {
        let half = (window + 2) / 2
        return (max(0, k - (window - half)), min(n - 1, k + half - 1))
    }

    /// The reference's 1-D box filter with its running float sum (phases: fill, grow, slide, shrink).
    static func box1D(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ n: Int, _ window: Int) {
        let half = (window + 2) / 2
        var sum: Float = 0, size: Float = 0
        var li = 0, ri = 0, oi = 0
        for _ in 0..<max(0, half - 1) { sum += input[ri]; size += 1; ri += 1 }
        for _ in 0..<max(0, window - half + 1) { sum += input[ri]; size += 1; output[oi] = sum / size; ri += 1; oi += 1 }
        for _ in 0..<max(0, n - window) { sum += input[ri]; sum -= input[li]; output[oi] = sum / size; li += 1; ri += 1; oi += 1 }
        for _ in 0..<max(0, half - 1) { sum -= input[li]; size -= 1; output[oi] = sum / size; li += 1; oi += 1 }
    }

    /// ``box1D`` over four consecutive rows at once: four independent running sums keep the
    /// floating-point units busy. Same arithmetic per row as ``box1D``.
    static func boxRows4(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ n: Int, _ window: Int) {
        let half = (window + 2) / 2
        let i0 = input, i1 = input + n, i2 = input + 2 * n, i3 = input + 3 * n
        let o0 = output, o1 = output + n, o2 = output + 2 * n, o3 = output + 3 * n
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0, size: Float = 0
        var li = 0, ri = 0, oi = 0
        for _ in 0..<max(0, half - 1) { s0 += i0[ri]; s1 += i1[ri]; s2 += i2[ri]; s3 += i3[ri]; size += 1; ri += 1 }
        for _ in 0..<max(0, window - half + 1) {
            s0 += i0[ri]; s1 += i1[ri]; s2 += i2[ri]; s3 += i3[ri]; size += 1
            o0[oi] = s0 / size; o1[oi] = s1 / size; o2[oi] = s2 / size; o3[oi] = s3 / size
            ri += 1; oi += 1
        }
        // Full windows: one reciprocal instead of four divisions per step (≤ 1 ulp from dividing).
        let inv = 1 / size
        for _ in 0..<max(0, n - window) {
            s0 += i0[ri]; s1 += i1[ri]; s2 += i2[ri]; s3 += i3[ri]
            s0 -= i0[li]; s1 -= i1[li]; s2 -= i2[li]; s3 -= i3[li]
            o0[oi] = s0 * inv; o1[oi] = s1 * inv; o2[oi] = s2 * inv; o3[oi] = s3 * inv
            li += 1; ri += 1; oi += 1
        }
        for _ in 0..<max(0, half - 1) {
            s0 -= i0[li]; s1 -= i1[li]; s2 -= i2[li]; s3 -= i3[li]; size -= 1
            o0[oi] = s0 / size; o1[oi] = s1 / size; o2[oi] = s2 / size; o3[oi] = s3 / size
            li += 1; oi += 1
        }
    }

    /// ``box1D`` down every column in `ranges` at once, walking rows in order with a running row
    /// of sums (same arithmetic per column as ``box1D``). For each output row `r`, `row(r, sums,
    /// scale)` receives the running sums; the filtered value of column `j` is `sums[j] * scale`.
    static func boxColumns(_ input: UnsafePointer<Float>, _ w: Int, _ h: Int, _ window: Int, _ ranges: [Range<Int>],
                           _ row: (Int, UnsafeMutablePointer<Float>, Float) -> Void) {
        let half = (window + 2) / 2
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: w)
        defer { sums.deallocate() }
        sums.initialize(repeating: 0, count: w)
        var size: Float = 0
        var li = 0, ri = 0, oi = 0
        func add(_ r: Int) { let p = input + r * w; for rg in ranges { for j in rg { sums[j] += p[j] } } }
        func sub(_ r: Int) { let p = input + r * w; for rg in ranges { for j in rg { sums[j] -= p[j] } } }
        for _ in 0..<max(0, half - 1) { add(ri); size += 1; ri += 1 }
        for _ in 0..<max(0, window - half + 1) { add(ri); size += 1; row(oi, sums, 1 / size); ri += 1; oi += 1 }
        for _ in 0..<max(0, h - window) { add(ri); sub(li); row(oi, sums, 1 / size); li += 1; ri += 1; oi += 1 }
        for _ in 0..<max(0, half - 1) { sub(li); size -= 1; row(oi, sums, 1 / size); li += 1; oi += 1 }
    }

    /// The reference's order of work, kept for tests: all four passes over every pixel with
    /// ``box1D``, then the samples.
    static func downscale64Reference(_ image: LumaImage) -> [Float] {
        let w = image.width, h = image.height
        let wr = windowSize(w), wc = windowSize(h)
        var a = image.pixels
        var t = [Float](repeating: 0, count: w * h)
        var colIn = [Float](repeating: 0, count: h), colOut = [Float](repeating: 0, count: h)
        for _ in 0..<2 {
            a.withUnsafeBufferPointer { ap in t.withUnsafeMutableBufferPointer { tp in
                guard let A = ap.baseAddress, let T = tp.baseAddress else { return }
                for r in 0..<h { box1D(A + r * w, T + r * w, w, wr) }
            } }
            for c in 0..<w {
                for r in 0..<h { colIn[r] = t[r * w + c] }
                colIn.withUnsafeBufferPointer { ip in colOut.withUnsafeMutableBufferPointer { op in
                    guard let I = ip.baseAddress, let O = op.baseAddress else { return }
                    box1D(I, O, h, wc)
                } }
                for r in 0..<h { a[r * w + c] = colOut[r] }
            }
        }
        var out = [Float](repeating: 0, count: 4096)
        for i in 0..<64 {
            let r = Int((Double(i) + 0.5) * Double(h) / 64)
            for k in 0..<64 { out[i * 64 + k] = a[r * w + Int((Double(k) + 0.5) * Double(w) / 64)] }
        }
        return out
    }
}
