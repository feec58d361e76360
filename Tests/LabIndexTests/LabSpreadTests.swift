import ExhibitTesting
import Foundation
import GRDB
import LabIndex
import Testing

/// The seed's question across cases: two cases published to one lab index — a PC export (LAB-A)
/// and an Android extraction (LAB-B) — and the concert picture traced through both, exactly
/// (Telegram's copy has the same bytes in both) and re-encoded (the camera original in LAB-B is
/// found as Telegram's and WhatsApp's re-encodings by PDQ). Expected rows come from the case
/// databases themselves, read with SQLite.
@Suite("Lab index: cross-case spread, search, known")
struct LabSpreadTests {
    /// (case, table, row, sha256) of every appearance of `shas` in one case database, read directly.
    static func expected(_ db: String, caseName: String, _ shas: [String]) throws -> [String] {
        let q = try LabFixture.open(db)
        let marks = shas.map { _ in "?" }.joined(separator: ",")
        return try q.read { c in
            try String.fetchAll(c, sql: "SELECT 'messages ' || message_id || ' ' || sha256 FROM attachments WHERE sha256 IN (\(marks))",
                                arguments: StatementArguments(shas))
            + String.fetchAll(c, sql: "SELECT 'files ' || id || ' ' || sha256 FROM files WHERE kind = 'file' AND sha256 IN (\(marks))",
                              arguments: StatementArguments(shas))
        }.map { "\(caseName) \($0)" }
    }

    static func keys(_ s: LabSpread) -> [String] {
        s.appearances.map { "\($0.caseName) \($0.table) \($0.row) \($0.sha256)" }.sorted()
    }

    @Test func spreadFindsThePictureExactAndReEncodedInBothCases() async throws {
        let (a, b, _) = try LabFixture.cases.get()
        let telegram = try LabFixture.sha256(in: b, pathSuffix: "Telegram Images/5402285916542734721_121.jpg")
        let original = try LabFixture.sha256(in: b, pathSuffix: "DCIM/Camera/IMG_20240828_151203.jpg")
        let whatsapp = try LabFixture.sha256(in: b, pathSuffix: "WhatsApp Images/IMG-20240828-WA0001.jpg")
        #expect(try LabFixture.sha256(in: a, pathSuffix: "photos/photo_1@28-08-2024_15-12-03.jpg") == telegram, "same bytes in both cases")
        #expect(Set([telegram, original, whatsapp]).count == 3)
        let exactExpected = (try Self.expected(a, caseName: "LAB-A", [telegram]) + Self.expected(b, caseName: "LAB-B", [telegram])).sorted()
        let allThree = [telegram, original, whatsapp]
        let nearExpected = (try Self.expected(a, caseName: "LAB-A", allThree) + Self.expected(b, caseName: "LAB-B", allThree)).sorted()
        try #require(!exactExpected.isEmpty)

        let (exact, near, byPDQ, fromOriginal) = try await LabFixture.withLab { _, url in
            try await LabFixture.session(url) { lab in
                _ = try await lab.publish(caseDatabase: a)
                _ = try await lab.publish(caseDatabase: b)
                return (try await lab.spread(sha256: telegram, pdq: [], exactOnly: true),
                        try await lab.spread(sha256: telegram, pdq: []),
                        try await lab.spread(sha256: nil, pdq: ["64d69b2966d69939b36b66d69929666664d699296656a52b912964761b2b5ad4"]),
                        try await lab.spread(sha256: original, pdq: []))
            }
        }
        // Exact: Telegram's copy in both cases — files and the messages that sent it.
        #expect(Self.keys(exact) == exactExpected)
        #expect(exact.cases == 2 && exact.contents == [LabContent(sha256: telegram, match: "exact", distance: 0)])
        // The LAB-A Telegram message, in full: it names the case database and the row to open.
        let sent = try #require(exact.appearances.first { $0.caseName == "LAB-A" && $0.table == "messages" })
        #expect(sent == LabAppearance(caseName: "LAB-A", database: a, evidence: "pc-export.tar.gz", appearance: "message", table: "messages",
                                      row: 2, attachmentID: 1, sha256: telegram,
                                      path: "pc-export.tar.gz!/Telegram Desktop/ChatExport_2024-08-30/photos/photo_1@28-08-2024_15-12-03.jpg",
                                      devicePath: nil, platform: "telegram", chat: "Minji", roomID: 1, sender: "Jun-ho",
                                      utc: "2024-08-28T06:12:03Z", utcUS: 1_724_825_523_000_000, basis: "utc"))

        // Near-duplicates: from Telegram's copy, from the known PDQ, from the camera original —
        // the same three contents and the same appearances in both cases.
        for s in [near, byPDQ, fromOriginal] {
            #expect(Set(s.contents.map(\.sha256)) == Set(allThree), "\(s.contents)")
            #expect(Self.keys(s) == nearExpected)
            #expect(s.cases == 2)
        }
        #expect(fromOriginal.contents.first == LabContent(sha256: original, match: "exact", distance: 0))
        #expect(fromOriginal.contents.dropFirst().allSatisfy { $0.match == "pdq" && $0.distance > 0 && $0.distance <= 31 }, "\(fromOriginal.contents)")
        // First appearance lab-wide: the earliest instant of all (WhatsApp group, LAB-B).
        let earliest = try #require(nearExpected.isEmpty ? nil : near.appearances.compactMap(\.utcUS).min())
        #expect(near.first?.utcUS == earliest)
        #expect(near.appearances.map(\.utcUS).compactMap { $0 } == near.appearances.compactMap(\.utcUS).sorted(), "earliest first")
        // The rooms it was sent in: every chat (per case) with an appearance.
        let roomsExpected = Set(near.appearances.compactMap { a in a.roomID.map { "\(a.caseName)/\($0)" } })
        #expect(near.rooms == roomsExpected.count && near.rooms >= 4, "\(roomsExpected)")
    }

    @Test func searchAndKnownAnswerAcrossCases() async throws {
        let (a, b, _) = try LabFixture.cases.get()
        let (hits, known, none) = try await LabFixture.withLab { _, url in
            try await LabFixture.session(url) { lab in
                _ = try await lab.publish(caseDatabase: a)
                _ = try await lab.publish(caseDatabase: b)
                return (try await lab.search("콘서트 사진"), try await lab.known(), try await lab.search("no such words anywhere"))
            }
        }
        #expect(hits.map { "\($0.caseName) \($0.messageID) \($0.utc ?? "-")" } ==
                ["LAB-A 1 2024-08-28T06:10:00Z", "LAB-B 16 2024-08-28T06:10:00Z", "LAB-B 18 2024-08-28T06:12:30.500000Z"])
        #expect(hits.first == LabMessageHit(caseName: "LAB-A", database: a, messageID: 1, chat: "Minji", platform: "telegram", roomID: 1,
                                            sender: "Minji", utc: "2024-08-28T06:10:00Z", basis: "utc", text: "어제 콘서트 사진 여기로도 보내줘"))
        #expect(none.isEmpty)

        // Known-bad: each listed picture, with its files in both cases (as each case matched them).
        let expected: [String] = try [(a, "LAB-A"), (b, "LAB-B")].flatMap { db, name in
            try LabFixture.open(db).read { c in
                try String.fetchAll(c, sql: """
                    SELECT h.name || ' ' || e.hash || ' ' || ? || ' ' || m.file_id || ' ' || m.algorithm || ' ' || m.distance
                    FROM hashset_matches m JOIN hashsets h ON h.id = m.hashset_id JOIN hashset_entries e ON e.id = m.entry_id
                    """, arguments: [name])
            }
        }.sorted()
        try #require(!expected.isEmpty)
        let got = known.flatMap { p in p.hits.map { "\(p.hashset) \(p.matchedHash) \($0.caseName) \($0.fileID) \($0.algorithm ?? "-") \($0.distance ?? -1)" } }
        #expect(got.sorted() == expected)
        #expect(known.map(\.hashset) == ["demo-known-pdq", "demo-known-sha256"])
        #expect(known.allSatisfy { $0.cases == 2 }, "both pictures known in both cases")
        #expect(known.first?.label == "concert-stage-original")
    }
}
