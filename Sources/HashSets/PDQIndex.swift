import Foundation

/// Multi-index hashing over 256-bit PDQ hashes: each hash is cut into 16 chunks of 16 bits and
/// listed in 16 tables (one per chunk position, 65,536 buckets each). Two hashes within distance
/// `d` agree within ⌊d/16⌋ bits on at least one chunk (pigeonhole), so a query probes, per chunk,
/// every value within that many bit flips (1 + 16 values for d ≤ 31) and verifies the candidates
/// with a full Hamming distance — never a scan of the whole set.
///
/// Built once (compressed bucket arrays, ~70 bytes per entry); read-only and `Sendable` after.
public struct PDQIndex: Sendable {
    /// The hashes, in insertion order; a result's `slot` indexes this array.
    public let hashes: [PDQBits]
    /// Per chunk position: bucket start offsets (65,537 each, concatenated).
    private let starts: [UInt32]
    /// Per chunk position: slots sorted by chunk value (`count` each, concatenated).
    private let slots: [UInt32]

    /// Indexes `hashes` (at most 4 294 967 295).
    public init(_ hashes: [PDQBits]) {
        self.hashes = hashes
        let n = hashes.count
        var starts = [UInt32](repeating: 0, count: 16 * 65_537)
        var slots = [UInt32](repeating: 0, count: 16 * n)
        for k in 0..<16 {
            let sb = k * 65_537, lb = k * n
            for h in hashes { starts[sb + Int(h.chunk(k)) + 1] += 1 }
            for v in 0..<65_536 { starts[sb + v + 1] += starts[sb + v] }
            var fill = Array(starts[sb..<(sb + 65_536)])
            for (i, h) in hashes.enumerated() {
                let c = Int(h.chunk(k))
                slots[lb + Int(fill[c])] = UInt32(i)
                fill[c] += 1
            }
        }
        self.starts = starts; self.slots = slots
    }

    /// Number of indexed hashes.
    public var count: Int { hashes.count }

    /// Every indexed hash within `maxDistance` of `query`, as (slot, distance), slots ascending.
    /// `maxDistance` above 255 is treated as 255; probing cost grows with ⌊maxDistance/16⌋.
    public func search(_ query: PDQBits, maxDistance: Int) -> [(slot: Int, distance: Int)] {
        let n = hashes.count
        guard n > 0, maxDistance >= 0 else { return [] }
        let probes = Self.neighbours(0, min(maxDistance, 255) / 16)
        var out: [(slot: Int, distance: Int)] = []
        // Candidates are verified without a visited set: a full distance costs four popcounts,
        // less than hashing the slot; a true match found through several chunks is deduplicated
        // at the end (there are few).
        hashes.withUnsafeBufferPointer { hp in
            starts.withUnsafeBufferPointer { sp in
                slots.withUnsafeBufferPointer { lp in
                    for k in 0..<16 {
                        let sb = k * 65_537, lb = k * n
                        let q = query.chunk(k)
                        for mask in probes {
                            let v = Int(q ^ mask)
                            let lo = Int(sp[sb + v]), hi = Int(sp[sb + v + 1])
                            var p = lo
                            while p < hi {
                                let s = Int(lp[lb + p])
                                let d = hp[s].distance(query)
                                if d <= maxDistance { out.append((s, d)) }
                                p += 1
                            }
                        }
                    }
                }
            }
        }
        guard out.count > 1 else { return out }
        out.sort { $0.slot < $1.slot }
        var unique: [(slot: Int, distance: Int)] = [out[0]]
        for r in out.dropFirst() where r.slot != unique[unique.count - 1].slot { unique.append(r) }
        return unique
    }

    /// Every 16-bit value within `flips` bits of `v` (itself first).
    static func neighbours(_ v: UInt16, _ flips: Int) -> [UInt16] {
        var out: [UInt16] = [v]
        guard flips > 0 else { return out }
        var frontier: [(UInt16, Int)] = [(v, -1)]
        for _ in 0..<min(flips, 16) {
            var next: [(UInt16, Int)] = []
            for (x, last) in frontier {
                for b in (last + 1)..<16 {
                    let y = x ^ (UInt16(1) << UInt16(b))
                    out.append(y); next.append((y, b))
                }
            }
            frontier = next
        }
        return out
    }
}
