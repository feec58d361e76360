/// The pieces of Exhibit's one canonical JSON form: how a string is escaped, how a number is
/// written, in which order object keys go. Every JSON text Exhibit stores in a digest-bearing
/// column (`JSONValue.canonicalText`), the timeline's provenance, `--json` output and the JSONL
/// exports is built from these, so two writers can never disagree on a byte.
///
/// The form is the one Foundation's `JSONEncoder` (`.sortedKeys`, `.withoutEscapingSlashes`)
/// produced when the stored columns were first written, kept byte for byte so the findings digest
/// of every existing case is unchanged (pinned by `CanonicalJSONTests`):
///
/// - strings: `"` and `\` escaped; U+0008 `\b`, U+0009 `\t`, U+000A `\n`, U+000C `\f`,
///   U+000D `\r`; every other scalar below U+0020 as `\u00xx` (lower-case hex); everything else,
///   `/`, DEL, U+2028/U+2029 and astral characters included, as UTF-8 unescaped;
/// - numbers (JSON numbers are doubles here): Swift's shortest round-trip `description` without a
///   trailing `.0` — `1`, `-0`, `0.1`, `1e-07`, `1e+300`, `1e+16`, `1000000000000000`; integers
///   stored as integers (`Int64.max`) in decimal; a non-finite double has no JSON form (`nil`);
/// - object keys: ascending by their UTF-8 bytes (= by Unicode scalar value; not UTF-16 order,
///   not Swift's `<`, which compares canonically equivalent strings equal).
///
/// ``Escapes/forReaders`` adds escapes for text meant for other programs rather than the
/// database: DEL (`\u007f`) and U+2028/U+2029 (`\u2028`, `\u2029`), which end a line for
/// JavaScript-based JSONL readers and can confuse terminals, and writes U+0008/U+000C as
/// `\u0008`/`\u000c` as those outputs always have. Stored columns never use it; the timeline's
/// `provenance` column uses ``Escapes/unicodeControls`` alone (its form since it was first written).
public enum CanonicalJSON {
    /// Escapes beyond the canonical set.
    public struct Escapes: OptionSet, Sendable {
        /// The raw value.
        public let rawValue: Int
        /// A set from its raw value.
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR as `\u2028`/`\u2029`.
        public static let lineSeparators = Escapes(rawValue: 1)
        /// U+007F DELETE as `\u007f`.
        public static let delete = Escapes(rawValue: 2)
        /// U+0008 and U+000C as `\u0008`/`\u000c` instead of `\b`/`\f`: the form the
        /// timeline's `provenance` column has had since it was first written (its digest).
        public static let unicodeControls = Escapes(rawValue: 4)
        /// For text read by other programs (CLI `--json`, JSONL exports): all of the above.
        public static let forReaders: Escapes = [.lineSeparators, .delete, .unicodeControls]
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string literal (quotes included) in UTF-8.
    public static func appendString(_ text: String, to out: inout [UInt8], escaping extra: Escapes = []) {
        var t = text
        t.withUTF8 { appendString(utf8: $0, to: &out, escaping: extra) }
    }

    /// Appends `text` as a JSON string literal (quotes included).
    public static func appendString(_ text: String, to out: inout String, escaping extra: Escapes = []) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        appendString(text, to: &bytes, escaping: extra)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// `text` as a JSON string literal.
    public static func string(_ text: String, escaping extra: Escapes = []) -> String {
        var bytes: [UInt8] = []
        appendString(text, to: &bytes, escaping: extra)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends valid UTF-8 `bytes` as a JSON string literal. Runs of bytes that need no escape
    /// are copied at once: exports of millions of rows spend most of their time here.
    public static func appendString(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], escaping extra: Escapes = []) {
        out.append(0x22)
        let separators = extra.contains(.lineSeparators), delete = extra.contains(.delete)
        let shortControls = !extra.contains(.unicodeControls)
        let n = bytes.count
        var i = 0, start = 0
        func flush(_ to: Int) { if to > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<to])) } }
        while i < n {
            let b = bytes[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0x7F && b != 0xE2 { i += 1; continue }
            if b == 0xE2 || b == 0x7F {
                if b == 0x7F, delete {
                    flush(i)
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, 0x37, 0x66])
                    i += 1; start = i
                } else if b == 0xE2, separators, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                    flush(i)
                    out.append(contentsOf: [0x5C, 0x75, 0x32, 0x30, 0x32, bytes[i + 2] == 0xA8 ? 0x38 : 0x39])
                    i += 3; start = i
                } else {
                    i += 1
                }
                continue
            }
            flush(i)
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08 where shortControls: out.append(contentsOf: [0x5C, 0x62])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0C where shortControls: out.append(contentsOf: [0x5C, 0x66])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            default: out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]])
            }
            i += 1
            start = i
        }
        flush(n)
        out.append(0x22)
    }

    /// A double as a JSON number, or `nil` when it is infinite or NaN (JSON has no form for them).
    public static func number(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        var s = value.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    /// An integer as a JSON number: exact decimal, whatever its size (`9223372036854775807`).
    public static func integer<I: BinaryInteger>(_ value: I) -> String { String(value) }

    /// Whether key `a` goes before key `b`: ascending UTF-8 bytes.
    public static func keyPrecedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// `keys` in canonical order.
    public static func sortedKeys<S: Sequence>(_ keys: S) -> [String] where S.Element == String { keys.sorted(by: keyPrecedes) }
}
