import Foundation

/// Evidence text next to Exhibit's own words, safe from bidirectional tricks (issue 19): a file
/// named `invoice<U+202E>fdp.exe` shows as `invoiceexe.pdf` and an override reverses whatever
/// follows it on the line, our annotations included. Bidi formatting characters in evidence are
/// shown as visible `<U+202E>` tags, and evidence text holding right-to-left letters is isolated
/// (`<bdi>` in HTML, FSI U+2068 … PDI U+2069 in text) so it cannot reorder the words around it.
extension ExportEscape {
    /// The Unicode bidirectional formatting characters: ALM, LRM, RLM, the embeddings and
    /// overrides U+202A–U+202E, the isolates U+2066–U+2069.
    public static func isBidiControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// `<U+202E>` for a bidi control.
    static func bidiTag(_ s: Unicode.Scalar) -> String { "<U+" + String(format: "%04X", s.value) + ">" }

    /// `text` with every bidi formatting character replaced by a visible `<U+XXXX>` tag.
    public static func visibleBidi(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isBidiControl) else { return text }
        var out = ""
        for s in text.unicodeScalars {
            if isBidiControl(s) { out += bidiTag(s) } else { out.unicodeScalars.append(s) }
        }
        return out
    }

    /// Whether `text` holds a strong right-to-left letter (Hebrew, Arabic, Syriac, Thaana, N'Ko,
    /// Samaritan, Mandaic, their presentation forms, and the RTL planes of the SMP).
    public static func hasRightToLeft(_ text: String) -> Bool {
        text.unicodeScalars.contains { s in
            switch s.value {
            case 0x0590...0x08FF, 0xFB1D...0xFDFF, 0xFE70...0xFEFF, 0x10800...0x10FFF, 0x1E800...0x1EFFF: return true
            default: return false
            }
        }
    }

    /// Evidence text for a text output: bidi controls visible, and wrapped in FSI … PDI when it
    /// holds right-to-left letters (plain left-to-right text is left as it is).
    public static func isolatedText(_ text: String) -> String {
        let visible = visibleBidi(text)
        return hasRightToLeft(visible) ? "\u{2068}" + visible + "\u{2069}" : visible
    }

    /// Evidence text for HTML element content: escaped, bidi controls visible, inside `<bdi>`.
    public static func htmlIsolated(_ text: String) -> String { "<bdi>" + html(visibleBidi(text)) + "</bdi>" }

    /// `text` for a terminal or text file: every bidi control becomes a visible tag except an
    /// FSI … PDI pair with no other bidi control between (what ``isolatedText(_:)`` makes): such
    /// a pair only confines its own content and cannot reorder anything outside it.
    public static func neutralizeBidi(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains(where: isBidiControl) else { return text }
        var keep = Set<Int>()
        var open: Int?
        for (i, s) in scalars.enumerated() where isBidiControl(s) {
            if s.value == 0x2068 { open = i; continue }
            if s.value == 0x2069, let o = open { keep.insert(o); keep.insert(i) }
            open = nil
        }
        var out = ""
        for (i, s) in scalars.enumerated() {
            if isBidiControl(s) && !keep.contains(i) { out += bidiTag(s) } else { out.unicodeScalars.append(s) }
        }
        return out
    }

    /// `text` for a terminal: C0/C1 controls and DEL become U+FFFD (tabs stay, newlines with
    /// `keepNewlines`), bidi controls are shown (``neutralizeBidi(_:)``). The CLI's
    /// `TerminalText` and the engine's progress line both use it.
    public static func terminal(_ text: String, keepNewlines: Bool = false) -> String {
        func bad(_ s: Unicode.Scalar) -> Bool {
            (s.value < 0x20 && s != "\t" && !(keepNewlines && s == "\n")) || (0x7F...0x9F).contains(s.value)
        }
        let shown = neutralizeBidi(text)
        guard shown.unicodeScalars.contains(where: bad) else { return shown }
        return String(String.UnicodeScalarView(shown.unicodeScalars.map { bad($0) ? "\u{FFFD}" : $0 }))
    }
}
