import Foundation

/// Text as the search indexes see it: Unicode NFC (iOS and macOS hand out NFD, so `사진` typed
/// on a PC must match `사진` decomposed into jamo), and the bigram "document" that lets two-
/// character queries use an index even though SQLite 3.40's trigram tokenizer cannot.
enum SearchText {
    /// `text` in NFC. Text whose every scalar is NFC-stable on its own (``isStableNFC(_:)``:
    /// ASCII, Latin-1, precomposed Hangul, CJK, kana, emoji…) is NFC already and is returned
    /// without work — the common case, measured at a few µs per message when Foundation is
    /// asked instead, several times per message on a million-message export.
    static func nfc(_ text: String) -> String {
        if isStableNFC(text) { return text }
        return text.precomposedStringWithCanonicalMapping
    }

    /// Whether `text` is certainly in NFC: every scalar is one that NFC neither decomposes,
    /// reorders nor composes with a neighbour (NFC_Quick_Check = Yes and canonical combining
    /// class 0), from a conservative list of ranges. `false` only means "ask Foundation".
    static func isStableNFC(_ text: String) -> Bool {
        for s in text.unicodeScalars where s.value >= 0x300 {
            let v = s.value
            switch v {
            case 0xAC00...0xD7A3,      // precomposed Hangul syllables (never followed by a trailing jamo here: 11A8–11C2 is not listed)
                 0x3040...0x3098,      // hiragana (3099/309A are combining marks)
                 0x309D...0x309E, 0x30A0...0x30FF,  // hiragana iteration marks, katakana
                 0x4E00...0x9FFF,      // CJK unified ideographs
                 0x3000...0x3029,      // CJK symbols and punctuation (302A–302F are combining)
                 0x2010...0x2027,      // dashes, quotes, bullets, ellipsis
                 0x2030...0x205E,      // per-mille … punctuation
                 0x20A0...0x20C0,      // currency signs
                 0x2190...0x21FF,      // arrows
                 0x2500...0x27BF,      // box drawing, shapes, dingbats
                 0x200B...0x200F,      // zero-width space/joiners, direction marks
                 0xFE00...0xFE0F,      // variation selectors
                 0xFF01...0xFF60,      // full-width forms
                 0x1F000...0x1FAFF:    // emoji and pictographs
                continue
            default:
                return false
            }
        }
        return true
    }

    /// The NFC form when it differs from `text`, else `nil` (the column stays empty: most text
    /// is NFC already).
    static func nfcIfDifferent(_ text: String) -> String? {
        if isStableNFC(text) { return nil }
        let n = text.precomposedStringWithCanonicalMapping
        // Compared by bytes: Swift's `==` treats canonically equivalent strings (NFC and NFD)
        // as equal, which is exactly the difference to keep here.
        return n.utf8.elementsEqual(text.utf8) ? nil : n
    }

    /// Whether a scalar is a word character for the bigram index: letters and digits, as the
    /// `unicode61` tokenizer that indexes the bigrams sees them.
    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            let v = s.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
        }
        // Precomposed Hangul syllables and CJK unified ideographs are all Alphabetic (Lo): the
        // commonest non-ASCII text here, answered without a Unicode property lookup.
        if Self.isHangulOrHan(s) { return true }
        return s.properties.isAlphabetic || s.properties.numericType != nil
    }

    /// U+AC00–U+D7A3 (Hangul syllables) or U+4E00–U+9FFF (CJK unified ideographs): letters
    /// without case.
    static func isHangulOrHan(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (v >= 0xAC00 && v <= 0xD7A3) || (v >= 0x4E00 && v <= 0x9FFF)
    }

    /// Every pair of adjacent word characters of the NFC texts, lower-cased, separated by
    /// spaces (a run of one character contributes itself). Indexed by `chat_bigrams`: a
    /// 2-character query is one token there.
    static func bigrams(_ texts: [String]) -> String {
        var builder = BigramBuilder()
        return builder.document(texts.map(nfc))
    }

    /// How a query is answered: `trigram` (3+ characters), `bigram` (exactly two word
    /// characters), or `scan` (one character, or two with a space or punctuation).
    enum Path: String, Sendable { case trigram, bigram, scan }

    /// The path for an NFC query.
    static func path(for query: String) -> Path {
        let scalars = Array(query.unicodeScalars)
        if scalars.count >= 3 { return .trigram }
        if scalars.count == 2, scalars.allSatisfy(isWordScalar) { return .bigram }
        return .scan
    }

    /// `text` as one FTS5 phrase (`"…"`, inner quotes doubled): matched literally, never parsed
    /// as FTS5 query syntax (a query is data, not a program).
    static func phrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
