import EvidenceStore
import ExhibitTesting
import Foundation
import Testing

/// The escapes every export and the report go through, fed hostile text (every ASCII control,
/// line separators, `]]>`, markup, formula starts) and read back by real parsers: Foundation's
/// JSON parser and Python's expat.
@Suite("ExportEscape")
struct ExportEscapeTests {
    /// Every scalar below 0x80, U+2028/U+2029, U+FFFE/U+FFFF, a lone `€` (the 0xE2 lead byte that
    /// is not a line separator), Korean and an emoji.
    static let hostile: String = {
        var s = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init)))
        s += "\u{2028}\u{2029}€\u{FFFE}\u{FFFF} 사진 😀 ]]> </td><script>alert(1)</script> &amp;"
        return s
    }()

    /// JSON: one line, no raw control byte nor U+2028/U+2029, and the parser gives the text back.
    @Test func jsonRoundTripsEveryControl() throws {
        let literal = ExportEscape.json(Self.hostile)
        let bytes = Array(literal.utf8)
        #expect(!bytes.contains { $0 < 0x20 }, "a raw control byte in \(literal)")
        #expect(!literal.contains("\u{2028}") && !literal.contains("\u{2029}"))
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        #expect(parsed?.first == Self.hostile)
        // A lead byte 0xE2 at the very end (a truncated separator cannot occur in a String, but
        // `€` and `…` end texts all the time) is copied, not dropped.
        #expect(ExportEscape.json("a…") == "\"a…\"")
        #expect(ExportEscape.json("") == "\"\"")
    }

    /// XML: Python's expat parses element text and attribute values; controls XML 1.0 cannot
    /// carry become U+FFFD, tab/LF/CR survive (as character references), `]]>` is harmless.
    @Test func xmlParsesInExpat() throws {
        let dir = try TestDirectory("escape-xml")
        defer { dir.remove() }
        let path = dir.path("t.xml")
        let x = ExportEscape.xml(Self.hostile)
        try Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r a=\"\(x)\">\(x)</r>\n".utf8).write(to: URL(fileURLWithPath: path))
        let script = """
            import sys, json, xml.etree.ElementTree as E
            r = E.parse(sys.argv[1]).getroot()
            print(json.dumps([r.text, r.get("a")]))
            """
        let run = try Run.command("/usr/bin/env", ["python3", "-c", script, path])
        #expect(run.exitCode == 0, "expat: \(run.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String]
        let expected = String(String.UnicodeScalarView(Self.hostile.unicodeScalars.map { s in
            (s.value < 0x20 && s != "\t" && s != "\n" && s != "\r") || s.value == 0xFFFE || s.value == 0xFFFF ? "\u{FFFD}" : s
        }))
        #expect(parsed == [expected, expected])
        #expect(ExportEscape.isXMLClean("tab\tnew\nline\r") && !ExportEscape.isXMLClean("nul\u{0}") && !ExportEscape.isXMLClean("\u{FFFE}"))
    }

    /// HTML: no markup gets through, C0 controls but tab/LF are replaced, the rest is kept.
    @Test func htmlKeepsTextAndDropsMarkup() {
        let h = ExportEscape.html(Self.hostile)
        for markup in ["<script", "</td>", "<", ">", "\"", "'"] { #expect(!h.contains(markup), "\(markup)") }
        #expect(!h.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t" && $0 != "\n") || $0.value == 0x7F })
        #expect(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && h.contains("&amp;amp;") && h.contains("사진 😀 ]]&gt;"))
        #expect(ExportEscape.html("a\u{1B}[31mred") == "a\u{FFFD}[31mred")
    }

    /// CSV: RFC 4180 quoting, and no field a spreadsheet would run as a formula — including the
    /// tab and CR starts OWASP lists — while numbers stay numbers.
    @Test func csvQuotesAndDefusesFormulas() {
        let cases: [(String, String)] = [
            ("plain", "plain"), ("", ""), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("two\r\nlines", "\"two\r\nlines\""),
            ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""), ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"),
            ("+82 10", "'+82 10"), ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"), ("\t=1+1", "'\t=1+1"), ("\r=1+1", "\"'\r=1+1\""),
            ("-5", "-5"), ("+1.5", "+1.5"), ("-", "'-"), ("사진,=1", "\"사진,=1\""),
        ]
        for (text, expected) in cases { #expect(ExportEscape.csv(text) == expected, "\(text.debugDescription)") }
    }
}
