/// Builds the `chat_bigrams` document of a message (``SearchText/bigrams(_:)``) without a
/// `String` per token: the writer keeps one builder for a whole commit and reuses its buffers,
/// so a million messages cost no per-token allocation.
///
/// The document is exactly what the first, string-based version produced (SearchTextTests
/// compares them on mixed scripts, NFD input and scalars whose lower case is longer): every
/// pair of adjacent word scalars, lower-cased (`String.lowercased()` maps scalar by scalar),
/// each distinct token once in first-seen order, separated by spaces; a run of one word scalar
/// is a token of its own. Tokens are told apart by their lower-cased scalars, which is what
/// comparing their text did.
struct BigramBuilder {
    private var out: [UInt8] = []
    /// Tokens of at most two lower-case scalars, as `first << 32 | (second or 0xFFFF_FFFF)`.
    private var seen = TokenKeySet()
    /// Longer tokens (a scalar whose lower case is several, such as İ → i̇), by text.
    private var seenLong = Set<String>()
    private var run: [Unicode.Scalar] = []

    init() {}

    /// The document for texts already in NFC (`nil` entries are skipped).
    mutating func document(_ nfcTexts: [String?]) -> String {
        out.removeAll(keepingCapacity: true)
        seen.removeAll()
        seenLong.removeAll(keepingCapacity: true)
        for case let text? in nfcTexts {
            run.removeAll(keepingCapacity: true)
            for s in text.unicodeScalars {
                if SearchText.isWordScalar(s) { run.append(s) } else { flush() }
            }
            flush()
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func flush() {
        switch run.count {
        case 0: return
        case 1: emit(run[0], nil)
        default: for i in 0..<(run.count - 1) { emit(run[i], run[i + 1]) }
        }
        run.removeAll(keepingCapacity: true)
    }

    /// The lower case of `s` when it is one scalar and does not depend on context, else `nil`
    /// (then the token goes through `String.lowercased()` as before). Capital sigma is left to
    /// the string path: its lower case may depend on the position in the word.
    private static func lower(_ s: Unicode.Scalar) -> Unicode.Scalar? {
        let v = s.value
        if v < 0x80 { return v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 0x20)) : s }
        if SearchText.isHangulOrHan(s) || !s.properties.changesWhenLowercased { return s }
        if v == 0x03A3 { return nil }
        let mapped = s.properties.lowercaseMapping.unicodeScalars
        return mapped.count == 1 ? mapped.first : nil
    }

    private mutating func emit(_ a: Unicode.Scalar, _ b: Unicode.Scalar?) {
        guard let la = Self.lower(a) else { return emitString(a, b) }
        var lb: Unicode.Scalar?
        if let b {
            guard let l = Self.lower(b) else { return emitString(a, b) }
            lb = l
        }
        add(la, lb)
    }

    /// Adds a token of one or two lower-case scalars, unless it was seen.
    private mutating func add(_ a: Unicode.Scalar, _ b: Unicode.Scalar?) {
        let key = UInt64(a.value) << 32 | UInt64(b?.value ?? 0xFFFF_FFFF)
        guard seen.insert(key) else { return }
        if !out.isEmpty { out.append(0x20) }
        Self.appendUTF8(a, to: &out)
        if let b { Self.appendUTF8(b, to: &out) }
    }

    /// A token lower-cased as a string (the rare scalars ``lower(_:)`` leaves out). A result of
    /// one or two scalars shares the seen-set of the fast path, so equal texts stay one token.
    private mutating func emitString(_ a: Unicode.Scalar, _ b: Unicode.Scalar?) {
        var token = String.UnicodeScalarView()
        token.append(a)
        if let b { token.append(b) }
        let t = String(token).lowercased()
        let scalars = Array(t.unicodeScalars)
        switch scalars.count {
        case 1: add(scalars[0], nil)
        case 2: add(scalars[0], scalars[1])
        default:
            guard seenLong.insert(t).inserted else { return }
            if !out.isEmpty { out.append(0x20) }
            out.append(contentsOf: t.utf8)
        }
    }

    private static func appendUTF8(_ s: Unicode.Scalar, to out: inout [UInt8]) {
        let v = s.value
        switch v {
        case ..<0x80: out.append(UInt8(v))
        case ..<0x800:
            out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        case ..<0x10000:
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
