import ExhibitKit
import ExhibitSupport
import Foundation
import Testing

/// Pins the one canonical JSON form (ExhibitSupport's `CanonicalJSON`, `JSONValue.canonicalText`)
/// byte for byte, and proves it equals what `JSONEncoder` wrote into the digest-bearing columns
/// before, so no stored text and no findings digest changes.
@Suite("CanonicalJSON")
struct CanonicalJSONTests {
    /// Every C0 control, DEL, U+2028/U+2029, `/`, quote, backslash, Korean, an emoji.
    static let hostile: String = {
        var s = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))
        return s + "\u{7F}\u{2028}\u{2029}/\"\\사진😀"
    }()

    @Test func controlsAndSeparators() {
        let c0 = #"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
            + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"#
        #expect(JSONValue.string(Self.hostile).canonicalText == "\"" + c0 + "\u{7F}\u{2028}\u{2029}/\\\"\\\\사진😀\"")
        // For readers: also DEL, U+2028/U+2029, and U+0008/U+000C as \u escapes (CLI, exports).
        let c0ForReaders = c0.replacingOccurrences(of: #"\b"#, with: #"\u0008"#).replacingOccurrences(of: #"\f"#, with: #"\u000c"#)
        #expect(c0ForReaders.contains(#"\u0007\u0008\t\n\u000b\u000c\r"#))
        #expect(CanonicalJSON.string(Self.hostile, escaping: .forReaders)
            == "\"" + c0ForReaders + #"\u007f\u2028\u2029/\"\\사진😀""#)
        // The timeline's provenance column: \u0008/\u000c, nothing else added.
        #expect(JSONValue.object(["p": .string("a\u{08}\u{0C}\u{7F}\u{2028}\n")]).canonicalJSON(escaping: .unicodeControls)
            == "{\"p\":\"a\\u0008\\u000c\u{7F}\u{2028}\\n\"}")
        // A lead byte 0xE2 that is not a separator (`€`, `…`), at the end too, is copied.
        #expect(CanonicalJSON.string("€…", escaping: .forReaders) == "\"€…\"")
        #expect(CanonicalJSON.string("") == "\"\"")
        // The reader form parses back to the same text.
        let parsed = try? JSONSerialization.jsonObject(with: Data(("[" + CanonicalJSON.string(Self.hostile, escaping: .forReaders) + "]").utf8)) as? [String]
        #expect(parsed == [Self.hostile])
    }

    @Test func numbers() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "-0"), (1, "1"), (-3.5, "-3.5"), (0.1, "0.1"), (1e-7, "1e-07"), (2.5e-5, "2.5e-05"),
            (1e300, "1e+300"), (1e15, "1000000000000000"), (1e16, "1e+16"), (12345678.9, "12345678.9"),
            // 2^53 + 1 is not a double: it is stored as 2^53.
            (Double(9_007_199_254_740_993 as Int64), "9007199254740992"), (Double(Int64.max), "9.223372036854776e+18"),
        ]
        for (value, text) in cases {
            #expect(CanonicalJSON.number(value) == text, "\(value)")
            #expect(JSONValue.number(value).canonicalText == text, "\(value)")
        }
        #expect(CanonicalJSON.number(.nan) == nil && CanonicalJSON.number(-.infinity) == nil)
        // A value holding a non-finite number is `null` as a whole (JSONEncoder threw).
        #expect(JSONValue.object(["a": .number(1), "b": .array([.number(.infinity)])]).canonicalText == "null")
        // Integers kept as integers are exact.
        #expect(CanonicalJSON.integer(Int64.max) == "9223372036854775807")
        #expect(CanonicalJSON.integer(9_007_199_254_740_993 as Int64) == "9007199254740993")
        #expect(CanonicalJSON.integer(UInt64.max) == "18446744073709551615")
    }

    /// Keys go by UTF-8 bytes: `A` < `_` < `a` < `a10` < `a9` < `é` < `～` (U+FF5E) < `😀`
    /// (U+1F600; UTF-16 order would put it before U+FF5E), and a decomposed `e\u{301}` before `é`
    /// (Swift's `<` compares them as equal text).
    @Test func keyOrder() {
        let o: [String: JSONValue] = [
            "b": .number(1), "a": .number(2), "B": .number(3), "a10": .number(4), "a9": .number(5), "é": .number(6),
            "z": .number(7), "😀": .number(8), "\u{FF5E}": .number(9), "_": .number(10), "A": .number(11), "e\u{301}x": .number(12),
        ]
        #expect(JSONValue.object(o).canonicalText
            == "{\"A\":11,\"B\":3,\"_\":10,\"a\":2,\"a10\":4,\"a9\":5,\"b\":1,\"e\u{301}x\":12,\"z\":7,\"é\":6,\"\u{FF5E}\":9,\"😀\":8}")
        #expect(JSONValue.object([:]).canonicalText == "{}" && JSONValue.array([]).canonicalText == "[]")
        #expect(JSONValue.array([.null, .bool(true), .bool(false), .string("x")]).canonicalText == #"[null,true,false,"x"]"#)
    }

    /// The stored form is what `JSONEncoder` (`.sortedKeys`, `.withoutEscapingSlashes`) wrote
    /// before this writer existed: 2,000 seeded random values compared byte for byte.
    @Test func equalsTheEncoderThatWroteTheStoredColumns() throws {
        var rng = SplitMix(seed: 0x5EED_2026)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for i in 0..<2000 {
            let v = Self.random(&rng, depth: 0)
            let expected = String(decoding: try enc.encode(v), as: UTF8.self)
            #expect(v.canonicalText == expected, "seed 0x5EED2026, value \(i)")
        }
    }

    static let alphabet: [Unicode.Scalar] = (0..<0x80).compactMap(Unicode.Scalar.init)
        + ["\u{2028}", "\u{2029}", "é", "\u{301}", "사", "😀", "\u{FF5E}", "\u{FEFF}", "\u{85}"]

    static func random(_ rng: inout SplitMix, depth: Int) -> JSONValue {
        switch rng.next() % (depth > 3 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(rng.next() & 1 == 0)
        case 2:
            let doubles: [Double] = [0, -0.0, 0.1, 1e-7, 1e300, 1e16, 1e15, Double(9_007_199_254_740_993 as Int64), -123.456, 5e-324]
            return rng.next() & 1 == 0 ? .number(doubles[Int(rng.next() % UInt64(doubles.count))])
                : .number(Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF))
        case 3: return .string(randomText(&rng))
        case 4: return .array((0..<Int(rng.next() % 4)).map { _ in random(&rng, depth: depth + 1) })
        default:
            var o: [String: JSONValue] = [:]
            for _ in 0..<Int(rng.next() % 5) { o[randomText(&rng)] = random(&rng, depth: depth + 1) }
            return .object(o)
        }
    }

    static func randomText(_ rng: inout SplitMix) -> String {
        String(String.UnicodeScalarView((0..<Int(rng.next() % 8)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }))
    }
}

/// A small seeded generator (SplitMix64), so every run of the property test sees the same values.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
