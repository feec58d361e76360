/// Evidence text on a terminal: C0 and C1 control characters and DEL become U+FFFD, so a chat
/// message or file name cannot move the cursor, recolour or rewrite earlier lines, or retitle
/// the window (ESC and CSI sequences). Every table printer that shows evidence text goes through
/// it; JSON output is escaped by its encoder instead.
enum TerminalText {
    /// `text` with control characters replaced; tabs stay, newlines only with `keepNewlines`
    /// (for output whose lines we joined ourselves, such as an indented multi-line message).
    static func safe(_ text: String, keepNewlines: Bool = false) -> String {
        func bad(_ s: Unicode.Scalar) -> Bool {
            (s.value < 0x20 && s != "\t" && !(keepNewlines && s == "\n")) || (0x7F...0x9F).contains(s.value)
        }
        guard text.unicodeScalars.contains(where: bad) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { bad($0) ? "\u{FFFD}" : $0 }))
    }
}
