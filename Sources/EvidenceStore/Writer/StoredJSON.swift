import ExhibitKit
import Foundation

/// The canonical JSON of the per-message columns that hold JSON (`service_details`, `extra`).
/// It was a hand-written fast path beside `JSONEncoder` (the encoder was 5 % of a Telegram
/// database's ingest CPU); since issue 18 `canonicalText` itself is the one hand-written writer
/// (ExhibitSupport `CanonicalJSON`), so this only names the use. `StoreFastPathTests` pins it.
enum StoredJSON {
    /// The canonical JSON text of `value`.
    static func text(_ value: JSONValue) -> String { value.canonicalText }

    /// Whether `a` and `b` have the same canonical JSON text, decided without writing it: the
    /// same shape, numbers with the same bits, strings and keys equal byte for byte (Swift's `==`
    /// takes NFC and NFD text for equal, and 0 for -0, whose texts differ).
    static func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x.bitPattern == y.bitPattern
        case (.string(let x), .string(let y)): return sameBytes(x, y)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(identical)
        case (.object(let x), .object(let y)): return identical(x, y)
        default: return false
        }
    }

    /// ``identical(_:_:)`` for two objects.
    static func identical(_ x: [String: JSONValue], _ y: [String: JSONValue]) -> Bool {
        guard x.count == y.count else { return false }
        for (key, value) in x {
            guard let i = y.index(forKey: key), sameBytes(y[i].key, key), identical(value, y[i].value) else { return false }
        }
        return true
    }

    /// Byte equality of two strings' UTF-8, compared in place when both are contiguous.
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                guard let p = x.baseAddress, let q = y.baseAddress else { return true }  // both empty
                return memcmp(p, q, x.count) == 0
            }
        }
    }
}

/// The texts of the last few JSON values written, so a run of messages carrying the same
/// `extra` (a WhatsApp database's `{"message_type":0}`) writes its JSON once: looking a value up
/// costs a comparison of a few small values, writing it a sorted, escaped encoding
/// (3 % of a WhatsApp database's ingest CPU). Exact: a hit is a value with the same text.
struct StoredJSONMemo {
    private var entries: [(value: JSONValue, text: String)] = []
    private var next = 0
    private static let capacity = 8

    /// The canonical JSON text of `value`.
    mutating func text(_ value: JSONValue) -> String {
        for entry in entries where StoredJSON.identical(entry.value, value) { return entry.text }
        let text = StoredJSON.text(value)
        if entries.count < Self.capacity { entries.append((value, text)) } else {
            entries[next] = (value, text)
            next = (next + 1) % Self.capacity
        }
        return text
    }
}
