import ExhibitKit

/// `JSONValue.canonicalText` without a `JSONEncoder` per call, for the per-message columns that
/// hold JSON (`service_details`, `extra`): the encoder was 5 % of a Telegram database's ingest
/// CPU (one call per message).
///
/// Only values whose canonical text is known to be the same either way take the fast path:
/// ASCII object keys (both sort them by code point), strings without control characters (the
/// encoder writes `\b`, `\f` where hand-written escapes would write `\u0008`), and integral numbers
/// within ±2^53 other than -0. Anything else is written by `canonicalText` itself, so the stored
/// text never changes (`StoreFastPathTests` compares both on every kind of value).
enum StoredJSON {
    /// The canonical JSON text of `value`, identical to `value.canonicalText`.
    static func text(_ value: JSONValue) -> String {
        guard isPlain(value) else { return value.canonicalText }
        var out = ""
        CompactJSON.append(value, to: &out)
        return out
    }

    private static func isPlain(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool: return true
        case .number(let n):
            return n.rounded() == n && abs(n) <= 9_007_199_254_740_992 && !(n == 0 && n.sign == .minus)
        case .string(let s): return !s.utf8.contains(where: { $0 < 0x20 })
        case .array(let a): return a.allSatisfy(isPlain)
        case .object(let o):
            return o.allSatisfy { key, v in key.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x80 } && isPlain(v) }
        }
    }
}
