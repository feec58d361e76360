import Foundation

/// Text as the search indexes see it: Unicode NFC (iOS and macOS hand out NFD, so `사진` typed
/// on a PC must match `사진` decomposed into jamo), and the bigram "document" that lets two-
/// character queries use an index even though SQLite 3.40's trigram tokenizer cannot.
enum SearchText {
    /// `text` in NFC. ASCII is NFC already and is returned without work (the common case).
    static func nfc(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        return text.precomposedStringWithCanonicalMapping
    }

    /// The NFC form when it differs from `text`, else `nil` (the column stays empty: most text
    /// is NFC already).
    static func nfcIfDifferent(_ text: String) -> String? {
        let n = nfc(text)
        // Compared by bytes: Swift's `==` treats canonically equivalent strings (NFC and NFD)
        // as equal, which is exactly the difference to keep here.
        return n.utf8.elementsEqual(text.utf8) ? nil : n
    }

    /// Whether a scalar is a word character for the bigram index: letters and digits, as the
    /// `unicode61` tokenizer that indexes the bigrams sees them.
    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil
    }

    /// Every pair of adjacent word characters of the NFC texts, lower-cased, separated by
    /// spaces (a run of one character contributes itself). Indexed by `chat_bigrams`: a
    /// 2-character query is one token there.
    static func bigrams(_ texts: [String]) -> String {
        var out = String.UnicodeScalarView()
        var seen = Set<String>()
        for text in texts {
            var run: [Unicode.Scalar] = []
            func flush() {
                if run.count == 1 { emit(run[0...0]) }
                if run.count > 1 { for i in 0..<(run.count - 1) { emit(run[i...(i + 1)]) } }
                run.removeAll(keepingCapacity: true)
            }
            func emit(_ slice: ArraySlice<Unicode.Scalar>) {
                var token = String.UnicodeScalarView()
                token.append(contentsOf: slice)
                let t = String(token).lowercased()
                // Each distinct bigram once: the index only answers "does the message contain it".
                guard seen.insert(t).inserted else { return }
                if !out.isEmpty { out.append(" ") }
                out.append(contentsOf: t.unicodeScalars)
            }
            for s in nfc(text).unicodeScalars {
                if isWordScalar(s) { run.append(s) } else { flush() }
            }
            flush()
        }
        return String(out)
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
