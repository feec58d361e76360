import ExhibitTesting
import Foundation
import Testing

/// The served case, built once for the API suites (ingest takes a few seconds).
enum SharedCase {
    static let built: Result<(dir: TestDirectory, db: String), any Error> = Result {
        let dir = try TestDirectory("review-api")
        return (dir, try ReviewFixture.caseDB(dir))
    }

    static func get() throws -> (dir: TestDirectory, db: String) { try built.get() }
}

/// `exhibit serve`'s JSON API over real HTTP on loopback, against the ingested sample case.
@Suite("ReviewAPI", .serialized)
struct ReviewAPITests {
    @Test func overviewShowsCaseCustodyAndKnownGroupsAsSpreadCounts() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "overview")
        defer { server.stop() }
        #expect(server.url.hasPrefix("http://127.0.0.1:"), "\(server.url)")
        let o = try await HTTP.object(server.base + "/api/overview")
        #expect(o["caseName"] as? String == "REVIEW-1")
        #expect(o["zone"] as? String == "Asia/Seoul")
        #expect(o["reviewer"] as? String == "Test Reviewer")
        let evidence = try #require(o["evidence"] as? [[String: Any]])
        try #require(!evidence.isEmpty)
        #expect(evidence.map { $0["label"] as? String ?? "" } == ["hostile-chat.zip", "pc-export.tar.gz", "phone-dump.zip"])
        let phone = try #require(evidence.first { $0["label"] as? String == "phone-dump.zip" })
        #expect(phone["item"] as? String == "ITEM-1")
        #expect(phone["sha256"] as? String == (try ReviewFixture.sha256(Corpus.url("sample-case/phone-dump.zip").path)))
        // Known-bad groups: the same numbers as `exhibit spread --known --json`.
        let spread = try Run.command(ReviewFixture.exhibit, ["spread", "--db", db, "--known", "--json"])
        let cli = try #require(try JSONSerialization.jsonObject(with: Data(spread.stdout.utf8)) as? [[String: Any]])
        let known = try #require(o["known"] as? [[String: Any]])
        try #require(!known.isEmpty)
        #expect(known.count == cli.count)
        for (k, c) in zip(known, cli) {
            #expect(k["content"] as? String == c["content"] as? String)
            #expect(k["rooms"] as? Int == c["rooms"] as? Int)
            #expect(k["senders"] as? Int == c["senders"] as? Int)
            #expect(k["copies"] as? Int == (c["files"] as? [Any])?.count)
        }
        let line = try #require(known.first?["courtLine"] as? String)
        #expect(line.contains("shared in") && line.contains("+09:00"), "\(line)")
        let first = try #require((known.first?["first"] as? [String: Any])?["time"] as? [String: Any])
        #expect((first["local"] as? String)?.hasSuffix("+09:00") == true && (first["utc"] as? String)?.hasSuffix("Z") == true, "\(first)")
        let integrity = try await HTTP.object(server.base + "/api/integrity")
        #expect(integrity["verified"] as? Bool == true, "\(integrity)")
    }

    @Test func timelinePagesByCursorAndFiltersByParticipantAndSeoulDay() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "timeline")
        defer { server.stop() }
        let first = try await HTTP.object(server.base + "/api/timeline?limit=5")
        let rows = try #require(first["rows"] as? [[String: Any]])
        try #require(rows.count == 5)
        let next = try #require(first["next"] as? String)
        let second = try await HTTP.object(server.base + "/api/timeline?limit=5&after=\(next)")
        let rows2 = try #require(second["rows"] as? [[String: Any]])
        try #require(!rows2.isEmpty)
        let ids1 = rows.compactMap { $0["id"] as? Int }, ids2 = rows2.compactMap { $0["id"] as? Int }
        #expect(Set(ids1).isDisjoint(with: ids2), "pages overlap: \(ids1) \(ids2)")
        // 2024-08-28 in Seoul is 2024-08-27T15:00Z ..< 2024-08-28T15:00Z.
        let day = try await HTTP.object(server.base + "/api/timeline?participant=Minji&from=2024-08-28&to=2024-08-28&limit=500")
        let events = try #require(day["rows"] as? [[String: Any]])
        try #require(!events.isEmpty)
        for e in events {
            let t = try #require(e["time"] as? [String: Any])
            let utc = try #require(t["utc"] as? String), local = try #require(t["local"] as? String)
            #expect(utc >= "2024-08-27T15:00:00Z" && utc < "2024-08-28T15:00:00Z", "\(utc)")
            #expect(local.hasPrefix("2024-08-28 ") && local.hasSuffix(" +09:00"), "\(local)")
            #expect((e["sender"] as? String)?.lowercased().contains("minji") == true, "\(e)")
        }
        // An event tagged: the timeline page shows the tag; an event that does not exist is refused.
        let eventID = try #require(events.first?["id"] as? Int)
        let tagged = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "event", "id": String(eventID), "tag": "relevant"])
        #expect(tagged.status == 200, "\(tagged.text)")
        let again = try #require(try await HTTP.object(server.base + "/api/timeline?participant=Minji&from=2024-08-28&to=2024-08-28&limit=1")["rows"] as? [[String: Any]])
        #expect(again.first?["tags"] as? [String] == ["relevant"])
        let noEvent = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "event", "id": "999999999", "tag": "relevant"])
        #expect(noEvent.status == 404)
        let capped = try await HTTP.object(server.base + "/api/timeline?limit=100000")
        #expect((capped["rows"] as? [Any])?.count ?? 0 <= 500)
        let bad = try await HTTP.get(server.base + "/api/timeline?from=yesterday")
        #expect(bad.status == 400 && bad.text.contains("from"), "\(bad.status) \(bad.text)")
        let badCursor = try await HTTP.get(server.base + "/api/timeline?after=zzz")
        #expect(badCursor.status == 400)
    }

    @Test func chatsThreadSearchAndAPictureRevealIsLogged() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "chats")
        defer { server.stop() }
        let chats = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        try #require(!chats.isEmpty)
        let kakao = try #require(chats.first { $0["platform"] as? String == "kakaotalk" }, "\(chats)")
        let id = try #require(kakao["id"] as? Int)
        let thread = try await HTTP.object(server.base + "/api/chats/\(id)/messages?limit=200")
        let messages = try #require(thread["rows"] as? [[String: Any]])
        try #require(!messages.isEmpty)
        #expect(messages.contains { ($0["text"] as? String) == "사진" }, "\(messages.map { $0["text"] ?? "" })")
        #expect(messages.contains { $0["deleted"] as? Bool == true })
        let t = try #require(messages.first?["time"] as? [String: Any])
        #expect(t["basis"] as? String == "assumed-zone" && (t["local"] as? String)?.hasSuffix("+09:00") == true, "\(t)")
        // Korean search through the API.
        let hits = try #require(try await HTTP.object(server.base + "/api/search?q=%EC%82%AC%EC%A7%84")["rows"] as? [[String: Any]])
        try #require(!hits.isEmpty)
        // A picture attached in a chat: blurred load is not logged, a reveal is.
        let wa = try #require(chats.first { $0["platform"] as? String == "whatsapp" && ($0["title"] as? String ?? "").contains("Minji") }, "\(chats)")
        let waID = try #require(wa["id"] as? Int)
        let waMessages = try #require(try await HTTP.object(server.base + "/api/chats/\(waID)/messages")["rows"] as? [[String: Any]])
        let withFiles = waMessages.compactMap { m in (m["attachments"] as? [[String: Any]])?.first { $0["fileID"] is Int } }
        let attachment = try #require(withFiles.first, "\(waMessages)")
        let fileID = try #require(attachment["fileID"] as? Int)
        let known = attachment["knownBad"] as? Bool ?? false
        let before = try await HTTP.object(server.base + "/api/review/log")
        let plain = try await HTTP.get(server.base + "/api/media/\(fileID)")
        if known {
            #expect(plain.status == 403, "known-bad picture sent without confirmation")
            let confirmed = try await HTTP.get(server.base + "/api/media/\(fileID)?view=reveal&confirm=known-bad")
            #expect(confirmed.status == 200 && confirmed.body.prefix(2) == Data([0xFF, 0xD8]))
        } else {
            #expect(plain.status == 200 && plain.body.prefix(2) == Data([0xFF, 0xD8]), "\(plain.status) \(plain.text.prefix(200))")
            let revealed = try await HTTP.get(server.base + "/api/media/\(fileID)?view=reveal")
            #expect(revealed.status == 200)
        }
        // A picture that matched nothing: sent blurred without a log entry; a reveal is logged.
        let images = try #require(try await HTTP.object(server.base + "/api/files?mime=image/&limit=100")["rows"] as? [[String: Any]])
        let plainPicture = try #require(images.first { $0["knownBad"] as? Bool == false && ($0["path"] as? String ?? "").hasSuffix(".jpg") })
        let plainID = try #require(plainPicture["id"] as? Int)
        let blurred = try await HTTP.get(server.base + "/api/media/\(plainID)")
        #expect(blurred.status == 200 && blurred.body.prefix(2) == Data([0xFF, 0xD8]))
        let after = try await HTTP.object(server.base + "/api/review/log")
        let newRows = (after["rows"] as? [[String: Any]] ?? []).count - (before["rows"] as? [[String: Any]] ?? []).count
        #expect(newRows == 1)
        let last = try #require((after["rows"] as? [[String: Any]])?.last)
        #expect(last["action"] as? String == "media.reveal" && last["reviewer"] as? String == "Test Reviewer")
        #expect((last["details"] as? String)?.contains("\"file_id\":\"\(fileID)\"") == true, "\(last)")
        #expect(after["chainOK"] as? Bool == true)
        let revealed = try await HTTP.get(server.base + "/api/media/\(plainID)?view=reveal")
        #expect(revealed.status == 200 && revealed.headers["content-type"] == "image/jpeg")
        let last2 = try #require((try await HTTP.object(server.base + "/api/review/log")["rows"] as? [[String: Any]])?.last)
        #expect(last2["action"] as? String == "media.reveal")
        #expect((last2["details"] as? String)?.contains("\"file_id\":\"\(plainID)\",\"known_bad\":false") == true, "\(last2)")
    }

    @Test func filesFilterAndPageWithACap() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "files")
        defer { server.stop() }
        let jpgs = try #require(try await HTTP.object(server.base + "/api/files?path=*.jpg&limit=500")["rows"] as? [[String: Any]])
        try #require(!jpgs.isEmpty)
        #expect(jpgs.allSatisfy { ($0["path"] as? String)?.hasSuffix(".jpg") == true })
        #expect(jpgs.contains { $0["knownBad"] as? Bool == true })
        let page1 = try await HTTP.object(server.base + "/api/files?limit=3")
        let page2 = try await HTTP.object(server.base + "/api/files?limit=3&offset=3")
        let a = (page1["rows"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        let b = (page2["rows"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        #expect(a.count == 3 && b.count == 3 && Set(a).isDisjoint(with: b))
        #expect(page1["next"] as? String == "3")
        let sha = try #require(jpgs.first?["sha256"] as? String)
        let bySHA = try #require(try await HTTP.object(server.base + "/api/files?sha256=\(sha.uppercased())")["rows"] as? [[String: Any]])
        #expect(!bySHA.isEmpty && bySHA.allSatisfy { $0["sha256"] as? String == sha })
        let badLimit = try await HTTP.get(server.base + "/api/files?limit=-1")
        #expect(badLimit.status == 400)
        // Status and kind are closed vocabularies, parsed once: a typo is refused, not an empty list.
        let okFiles = try #require(try await HTTP.object(server.base + "/api/files?kind=file&status=ok&limit=500")["rows"] as? [[String: Any]])
        try #require(!okFiles.isEmpty)
        #expect(okFiles.allSatisfy { $0["kind"] as? String == "file" && $0["status"] as? String == "ok" })
        let badStatus = try await HTTP.get(server.base + "/api/files?status=okay")
        #expect(badStatus.status == 400 && badStatus.text.contains("status: one of ok, encrypted"), "\(badStatus.status) \(badStatus.text)")
        let badKind = try await HTTP.get(server.base + "/api/files?kind=folder")
        #expect(badKind.status == 400 && badKind.text.contains("kind: one of file, directory"), "\(badKind.status) \(badKind.text)")
        let missing = try await HTTP.get(server.base + "/api/media/999999999")
        #expect(missing.status == 404)
    }

    @Test func everyDocumentedPathAnswersWithoutAServerError() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "openapi")
        defer { server.stop() }
        let doc = try await HTTP.object(server.base + "/openapi.json")
        #expect(doc["openapi"] as? String == "3.0.3")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        try #require(paths.count >= 14)
        for (path, ops) in paths where ops["get"] != nil {
            let concrete = path.replacingOccurrences(of: "{id}", with: "1") + (path == "/api/search" ? "?q=abc" : "")
            let r = try await HTTP.get(server.base + concrete)
            #expect(r.status < 500, "\(path): \(r.status) \(r.text)")
            #expect(r.headers["access-control-allow-origin"] == nil)
        }
    }

    /// The overview's counts and the chat list are reused while the case is unchanged, and
    /// counted again when an ingest adds an item to the case while the server runs.
    @Test func overviewCountsFollowAnIngestBesideTheServer() async throws {
        let dir = try TestDirectory("review-counts")
        defer { dir.remove() }
        let db = dir.path("case.sqlite")
        let first = try Run.command(ReviewFixture.exhibit, ["ingest", Corpus.url("sample-case/pc-export.tar.gz").path, "--db", db,
                                                            "--case", "COUNTS-1", "--assume-tz", "Asia/Seoul"])
        try #require(first.exitCode == 0, "\(first.stderr)")
        let server = try ServeProcess(db: db, dir: dir, name: "counts")
        defer { server.stop() }
        let counts = { () async throws -> [String: Any] in
            try #require(try await HTTP.object(server.base + "/api/overview")["counts"] as? [String: Any])
        }
        let before = try await counts()
        let roomsBefore = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        #expect(NSDictionary(dictionary: try await counts()).isEqual(to: before), "unchanged case, same counts")
        let second = try Run.command(ReviewFixture.exhibit, ["ingest", Corpus.url("sample-case/phone-dump.zip").path, "--db", db, "--case", "COUNTS-1", "--assume-tz", "Asia/Seoul"])
        try #require(second.exitCode == 0, "\(second.stderr)")
        let after = try await counts()
        let roomsAfter = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        #expect(roomsAfter.count > roomsBefore.count, "the chat list is counted again too: \(roomsBefore.count) → \(roomsAfter.count)")
        let direct = try Run.command("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            print(*[c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("files", "chats", "messages", "events")])
            """, db])
        let want = direct.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(want.count == 4, "\(direct.stdout) \(direct.stderr)")
        #expect([after["files"], after["chats"], after["messages"], after["events"]].map { $0 as? Int ?? -1 } == want, "\(after)")
        #expect((after["files"] as? Int ?? 0) > (before["files"] as? Int ?? 0) && (after["messages"] as? Int ?? 0) > (before["messages"] as? Int ?? 0))
    }
}
