import EvidenceStore

/// Evidence text on a terminal: C0 and C1 control characters and DEL become U+FFFD, so a chat
/// message or file name cannot move the cursor, recolour or rewrite earlier lines, or retitle
/// the window (ESC and CSI sequences); bidi formatting characters become visible `<U+202E>`
/// tags (an FSI … PDI pair isolating evidence text, from ``ExportEscape/isolatedText(_:)``, is
/// kept), so an override cannot reverse a name or the words after it. Every table printer that
/// shows evidence text goes through it; JSON output is escaped by its encoder instead.
enum TerminalText {
    /// `text` with control characters replaced and bidi controls shown; tabs stay, newlines only
    /// with `keepNewlines` (for output whose lines we joined ourselves, such as an indented
    /// multi-line message, or a CSV cell).
    static func safe(_ text: String, keepNewlines: Bool = false) -> String {
        ExportEscape.terminal(text, keepNewlines: keepNewlines)
    }

    /// One piece of evidence text (a name, a label) inside a line of ours: isolated when it holds
    /// right-to-left letters, its bidi controls shown; pass the whole line through ``safe(_:keepNewlines:)``.
    static func field(_ text: String) -> String { ExportEscape.isolatedText(text) }

    /// ``field(_:)`` for an optional piece of evidence text.
    static func field(_ text: String?) -> String? { text.map { ExportEscape.isolatedText($0) } }

    /// Multi-line evidence text (a message body): each line isolated on its own, since a
    /// terminal line is a paragraph and an isolate cannot span two (its PDI would be unmatched).
    static func fieldLines(_ text: String) -> String {
        guard text.contains("\n") else { return field(text) }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { field(String($0)) }.joined(separator: "\n")
    }
}
