import Testing
@testable import Timeline

/// `EventMapping.clip` counts scalars before characters (a fast path for the one description per
/// message); the result must stay the character-based clip: texts of more than `n` scalars but at
/// most `n` characters (combining marks, emoji sequences) are kept whole, longer ones are cut at
/// `n` characters with an ellipsis, and newlines become spaces.
@Suite("Timeline event description clip")
struct EventDescriptionClipTests {
    /// The clip as it was before the fast path.
    static func reference(_ s: String, _ n: Int) -> String {
        let flat = String(String.UnicodeScalarView(s.unicodeScalars.map { $0 == "\n" ? " " : $0 }))
        return flat.count <= n ? flat : String(flat.prefix(n)) + "…"
    }

    static let texts: [String] = [
        "", "short", "딥페이크 사진 보내줘", "line one\nline two\r\nthree",
        String(repeating: "가", count: 60), String(repeating: "가", count: 61),
        String(repeating: "e\u{301}", count: 60), String(repeating: "e\u{301}", count: 61),
        String(repeating: "👩‍👩‍👧", count: 20), String(repeating: "👩‍👩‍👧", count: 81),
        String(repeating: "🇰🇷", count: 80), String(repeating: "a", count: 80), String(repeating: "a", count: 81),
        String(repeating: "ab\n", count: 40),
    ]

    @Test(arguments: [1, 60, 80])
    func sameAsCharacterClip(n: Int) {
        for text in Self.texts {
            #expect(EventMapping.clip(text, n) == Self.reference(text, n), "n \(n), \(text.unicodeScalars.count) scalars")
        }
    }

    @Test func keepsWholeCharactersAndCuts() {
        #expect(EventMapping.clip(String(repeating: "e\u{301}", count: 60), 60) == String(repeating: "e\u{301}", count: 60))
        #expect(EventMapping.clip(String(repeating: "가", count: 61), 60) == String(repeating: "가", count: 60) + "…")
        #expect(EventMapping.clip("a\nb", 80) == "a b")
    }
}
