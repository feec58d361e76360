import ExhibitTesting
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// The fast search-text paths (NFC quick check, allocation-free bigram builder) against the
/// plain definitions they replace: same NFC text, same bigram documents, on every script the
/// exports carry, NFD input, and scalars whose lower case is longer than themselves.
@Suite("Search text")
struct SearchTextTests {
    /// The first, string-based bigram document (one `String` and one `lowercased()` per token):
    /// the definition the builder must reproduce byte for byte.
    static func referenceBigrams(_ texts: [String]) -> String {
        var out = String.UnicodeScalarView()
        var seen = Set<String>()
        for text in texts {
            var run: [Unicode.Scalar] = []
            func emit(_ slice: ArraySlice<Unicode.Scalar>) {
                var token = String.UnicodeScalarView()
                token.append(contentsOf: slice)
                let t = String(token).lowercased()
                guard seen.insert(t).inserted else { return }
                if !out.isEmpty { out.append(" ") }
                out.append(contentsOf: t.unicodeScalars)
            }
            func flush() {
                if run.count == 1 { emit(run[0...0]) }
                if run.count > 1 { for i in 0..<(run.count - 1) { emit(run[i...(i + 1)]) } }
                run.removeAll()
            }
            for s in text.precomposedStringWithCanonicalMapping.unicodeScalars {
                if s.properties.isAlphabetic || s.properties.numericType != nil { run.append(s) } else { flush() }
            }
            flush()
        }
        return String(out)
    }

    static let samples: [String] = [
        "사진 보내줘!", "딥페이크 영상 유포 7시 공원", "Concert TOMORROW, ok? see you",
        "\u{1109}\u{1161}\u{110C}\u{1175}\u{11AB}",            // 사진 in NFD (conjoining jamo)
        "Cafe\u{301} CAFÉ café", "İstanbul DİYARBAKIR ıi", "ΣΊΣΥΦΟΣ σοφός", "Straße STRASSE ß ẞ",
        "東京で写真を撮った 🎉👍🏽 ＡＢＣ１２３", "ﬁle ﬀ ǅ ǈ", "x", "a1 b2 ٣٤ ① Ⅻ", "", "!!! ?? …",
        "привет МИР", "שלום عالم مرحبا", "e\u{301}\u{323} ȩ\u{301}", "\u{1F1F0}\u{1F1F7} ❤️ 🧑‍🤝‍🧑",
        "Ǆemal ǅemal", "\u{0130}\u{0307}", "ᾼ ᾈ ῌ",
    ]

    @Test func builderMatchesTheStringDefinition() {
        var builder = BigramBuilder()
        for a in Self.samples {
            for b in [nil, "Minji", "İrem", "사진"] as [String?] {
                let texts = [a, b].compactMap { $0 }
                let expected = Self.referenceBigrams(texts)
                #expect(SearchText.bigrams(texts) == expected, "\(texts)")
                #expect(builder.document(texts.map(SearchText.nfc)) == expected, "\(texts)")
            }
        }
        #expect(builder.document(["사진 보내줘!", nil, "A"]) == "사진 보내 내줘 a")
    }

    /// The builder's seen-set against `Set<UInt64>`: same answers over growth (hundreds of keys
    /// in one document) and over clears (one per message), on random keys with a printed seed.
    @Test func tokenKeySetAgreesWithSet() {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("tokenKeySetAgreesWithSet seed \(seed)")
        var rng = SplitMix(seed: seed)
        var fast = TokenKeySet(capacity: 4)
        for round in 0..<200 {
            var plain = Set<UInt64>()
            fast.removeAll()
            let n = round % 7 == 0 ? 700 : Int(rng.next() % 40)
            for _ in 0..<n {
                // Few distinct values, so repeats are common; high bits set too.
                let k = (rng.next() % 97) << (rng.next() % 2 == 0 ? 0 : 40) | (round % 3 == 0 ? 0xFFFF_FFFF : 0)
                #expect(fast.insert(k) == plain.insert(k).inserted, "seed \(seed) round \(round) key \(k)")
            }
        }
        // A long document (more distinct tokens than the set's first capacity) is the same too.
        let long = (0..<400).map { String(UnicodeScalar(0xAC00 + $0 * 7)!) + String(UnicodeScalar(0x61 + $0 % 26)!) }.joined(separator: " ")
        var builder = BigramBuilder()
        #expect(builder.document([long]) == Self.referenceBigrams([long]))
    }

    @Test func nfcQuickCheckAgreesWithFoundation() {
        for s in Self.samples {
            let full = s.precomposedStringWithCanonicalMapping
            #expect(SearchText.nfc(s).utf8.elementsEqual(full.utf8), "\(s.unicodeScalars.map { String($0.value, radix: 16) })")
            let differs = !full.utf8.elementsEqual(s.utf8)
            #expect((SearchText.nfcIfDifferent(s) != nil) == differs)
            // The quick check may say "don't know", never "NFC" for text that is not.
            if SearchText.isStableNFC(s) { #expect(!differs) }
        }
        #expect(SearchText.isStableNFC("딥페이크 영상 concert 7시 🎉"))
        #expect(!SearchText.isStableNFC("\u{1109}\u{1161}"))
        #expect(!SearchText.isStableNFC("e\u{301}"))
    }

    /// A run sets the FTS5 term-buffer sizes of both search indexes (stored in their `_config`
    /// tables, so later writers of the file keep them); a second run writes nothing new.
    @Test func runStartSetsSearchIndexBufferSizes() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir)
        _ = try db.beginRun(toolVersion: "0.1.0", commandLine: [], options: .null, jobs: 1)
        let raw = try StoreInputs.rawConnection(dir.path("case.sqlite"))
        let sizes = try raw.read { db in
            try ["chat_fts", "chat_bigrams"].map { try Int.fetchOne(db, sql: "SELECT v FROM \($0)_config WHERE k = 'hashsize'") }
        }
        #expect(sizes == [48 << 20, 16 << 20])
        _ = try db.beginRun(toolVersion: "0.1.0", commandLine: [], options: .null, jobs: 1)
        let rows = try raw.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM chat_fts_config") }
        #expect(rows == 2)  // `version` and `hashsize`, once each
    }
}
