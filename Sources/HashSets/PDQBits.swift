import Foundation

/// 256 bits as four words, for fast Hamming distance; `w0` holds the first 16 hex digits.
public struct PDQBits: Sendable, Hashable {
    /// The four 64-bit words, most significant first.
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64
    /// Parses 64 hex digits (either case); `nil` for anything else.
    public init?(hex: String) {
        let u = Array(hex.utf8)
        guard u.count == 64 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (i, c) in u.enumerated() {
            let v: UInt8
            switch c {
            case 48...57: v = c - 48
            case 97...102: v = c - 87
            case 65...70: v = c - 55
            default: return nil
            }
            words[i >> 4] = words[i >> 4] << 4 | UInt64(v)
        }
        w0 = words[0]; w1 = words[1]; w2 = words[2]; w3 = words[3]
    }
    /// Hamming distance.
    public func distance(_ o: PDQBits) -> Int {
        (w0 ^ o.w0).nonzeroBitCount + (w1 ^ o.w1).nonzeroBitCount + (w2 ^ o.w2).nonzeroBitCount + (w3 ^ o.w3).nonzeroBitCount
    }
    /// 16-bit chunk `k` (0…15) for multi-index hashing.
    public func chunk(_ k: Int) -> UInt16 {
        let w: UInt64 = k < 4 ? w0 : k < 8 ? w1 : k < 12 ? w2 : w3
        return UInt16(truncatingIfNeeded: w >> UInt64(48 - 16 * (k & 3)))
    }
}
