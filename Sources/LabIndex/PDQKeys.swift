/// The keys of the lab's near-duplicate probe (migration `v6-pdq-keys`; docs/scale.md, *Spread
/// latency*): a PDQ hash's 256 bits cut into eleven keys — three of 24 bits, then eight of 23 —
/// each indexed as an expression over the stored 16-bit chunks `c0`…`c15`.
///
/// Why eleven: two hashes within distance *d* differ by at most ⌊*d*/11⌋ bits in at least one key
/// (pigeonhole: were every key 3 bits apart or more, the distance would be 33 or more > 31). So at
/// the lab's threshold 31 a probe asks, per key, the query's value and every value within 2 bit
/// flips — 301 values for a 24-bit key, 277 for a 23-bit one, 3,119 in all — and each value is
/// shared by N / 2²³ or N / 2²⁴ of N random hashes: about **N / 3,100 candidates** (3,180 at 10
/// million), against N / 241 (41,500) for sixteen 16-bit chunks within 1 flip. Shorter keys go the
/// other way: 32 keys of 8 bits within 0 flips read 32 · N / 256 = N / 8 rows. The candidates are
/// then checked by their full Hamming distance (`bit_count`), so the answer is exact.
public struct PDQKeys: Sendable, Hashable {
    /// Bits per key, most significant key first; they add up to 256.
    public static let widths = [24, 24, 24, 23, 23, 23, 23, 23, 23, 23, 23]
    /// First bit of each key (bit 0 = the hash's most significant bit).
    static let starts: [Int] = widths.indices.map { widths[..<$0].reduce(0, +) }

    /// The eleven key values of one hash.
    public var keys: [Int]

    /// The keys of a hash given as its sixteen 16-bit chunks.
    public init(_ c: PDQChunks) {
        keys = zip(Self.starts, Self.widths).map { start, width in
            var v = 0
            for b in start..<(start + width) { v = v << 1 | (c.chunks[b / 16] >> (15 - b % 16) & 1) }
            return v
        }
    }

    /// Bit flips per key that a probe within `distance` must cover (the pigeonhole bound).
    public static func flips(forDistance distance: Int) -> Int { max(0, distance) / widths.count }

    /// Every `width`-bit value within `flips` bit flips of `v`, `v` first.
    public static func neighbours(_ v: Int, width: Int, flips: Int) -> [Int] {
        var out = [v]
        var frontier: [(value: Int, lowest: Int)] = [(v, -1)]
        for _ in 0..<max(0, min(flips, width)) {
            var next: [(Int, Int)] = []
            for (x, last) in frontier {
                for b in (last + 1)..<width {
                    out.append(x ^ (1 << b))
                    next.append((x ^ (1 << b), b))
                }
            }
            frontier = next
        }
        return out
    }

    /// Key `k` as an SQL integer expression over the chunk columns (`prefix` = `p.` in a query,
    /// empty in an index): the index and the probe must spell it identically for PostgreSQL to
    /// match them, so both come from here.
    static func expression(_ k: Int, prefix: String = "") -> String {
        let start = starts[k], end = starts[k] + widths[k]
        var pieces: [String] = []
        for column in (start / 16)...((end - 1) / 16) {
            let lo = max(start, 16 * column), hi = min(end, 16 * column + 16)
            var piece = "\(prefix)c\(column)"
            if hi < 16 * column + 16 { piece = "(\(piece) >> \(16 * column + 16 - hi))" }
            if lo > 16 * column { piece = "(\(piece) & \((1 << (hi - lo)) - 1))" }
            if end > hi { piece = "(\(piece) << \(end - hi))" }
            pieces.append(piece)
        }
        return "(" + pieces.joined(separator: " | ") + ")"
    }
}
