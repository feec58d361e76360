import ExhibitTesting
import Foundation
import GRDB
import Testing

/// What `exhibit serve` refuses, and that serving and tagging never write the case database.
@Suite("ReviewSecurity", .serialized)
struct ReviewSecurityTests {
    /// One statement outside a transaction, as an examiner's sqlite3 session would run it.
    static func sql(_ path: String, _ statement: String) throws {
        try DatabaseQueue(path: path).writeWithoutTransaction { try $0.execute(sql: statement) }
    }

    @Test func servingAndTaggingLeaveTheCaseBytesUnchangedAndChainTheReviewLog() async throws {
        let dir = try TestDirectory("review-readonly")
        defer { dir.remove() }
        let db = try ReviewFixture.caseDB(dir)
        // Checkpoint the WAL first so the whole case is in the main file, then hash it.
        try Self.sql(db, "PRAGMA wal_checkpoint(TRUNCATE)")
        let before = try ReviewFixture.sha256(db)
        let server = try ServeProcess(db: db, dir: dir, ownReview: false)
        defer { server.stop() }
        let base = server.base
        _ = try await HTTP.object(base + "/api/overview")
        _ = try await HTTP.object(base + "/api/integrity")
        _ = try await HTTP.object(base + "/api/timeline?text=%EC%82%AC%EC%A7%84")
        let thread = try await HTTP.object(base + "/api/chats")
        let chatID = try #require((thread["rows"] as? [[String: Any]])?.first?["id"] as? Int)
        let messages = try #require(try await HTTP.object(base + "/api/chats/\(chatID)/messages")["rows"] as? [[String: Any]])
        let ids = messages.prefix(3).compactMap { $0["id"] as? Int }
        try #require(ids.count == 3)
        for id in ids {
            let r = try await HTTP.post(base + "/api/review/tag", json: ["target": "message", "id": String(id), "tag": "relevant"])
            #expect(r.status == 200, "\(r.text)")
        }
        let note = try await HTTP.post(base + "/api/review/note", json: ["target": "message", "id": String(ids[0]), "text": "사진 — see chat"])
        #expect(note.status == 200, "\(note.text)")
        let removed = try await HTTP.post(base + "/api/review/tag", json: ["target": "message", "id": String(ids[2]), "tag": "relevant", "on": false])
        #expect(removed.status == 200 && removed.text == "[]", "\(removed.text)")
        let known = try await HTTP.array(base + "/api/known")
        let group = try #require(known.first?["content"] as? String)
        _ = try await HTTP.post(base + "/api/review/tag", json: ["target": "group", "id": group, "tag": "cat-1"])
        let tags = try await HTTP.array(base + "/api/review/tags")
        #expect(tags.map { "\($0["target"] ?? "")/\($0["targetID"] ?? "")/\($0["tag"] ?? "")/\($0["reviewer"] ?? "")" } == [
            "group/\(group)/cat-1/Test Reviewer",
            "message/\(ids[0])/relevant/Test Reviewer", "message/\(ids[1])/relevant/Test Reviewer",
        ])
        let thread2 = try #require(try await HTTP.object(base + "/api/chats/\(chatID)/messages")["rows"] as? [[String: Any]])
        #expect(thread2.first?["tags"] as? [String] == ["relevant"])
        #expect(((thread2.first?["notes"] as? [[String: Any]])?.first?["text"] as? String) == "사진 — see chat")
        let log = try await HTTP.object(base + "/api/review/log")
        let actions = (log["rows"] as? [[String: Any]] ?? []).map { $0["action"] as? String ?? "" }
        #expect(actions == ["review.open", "tag.add", "tag.add", "tag.add", "note.set", "tag.remove", "tag.add"], "\(actions)")
        #expect(log["chainOK"] as? Bool == true)
        server.stop()
        #expect(try ReviewFixture.sha256(db) == before, "the case database changed while serving")
        // The review database sits beside the case, and its chain detects an edited entry.
        let review = dir.path("case.review.sqlite")
        #expect(FileManager.default.fileExists(atPath: review))
        try Self.sql(review, "UPDATE review_log SET details = replace(details, 'relevant', 'irrelevant') WHERE seq = 2")
        let again = try ServeProcess(db: db, dir: dir, name: "again", ownReview: false)
        defer { again.stop() }
        let broken = try await HTTP.object(again.base + "/api/review/log")
        #expect(broken["chainOK"] as? Bool == false && broken["firstBadSeq"] as? Int == 2, "\(broken)")
    }

    @Test func writesMustBeJSONAndForeignHostsAndOriginsGetNothing() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, name: "guard")
        defer { server.stop() }
        let form = try await HTTP.request(server.base + "/api/review/tag", method: "POST", body: Data("target=message&id=1&tag=x".utf8),
                                          headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(form.status == 415)
        let rebinding = try await HTTP.get(server.base + "/api/overview", headers: ["Host": "evil.example:80"])
        #expect(rebinding.status == 421)
        let cross = try await HTTP.get(server.base + "/api/overview", headers: ["Origin": "http://evil.example"])
        #expect(cross.status == 200 && cross.headers["access-control-allow-origin"] == nil)
        #expect(cross.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        let badTarget = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "case", "id": "1", "tag": "x"])
        #expect(badTarget.status == 400)
        let control = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "message", "id": "1", "tag": "a\u{202E}b"])
        #expect(control.status >= 400 && control.status < 500, "\(control.status)")
        let nowhere = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "message", "id": "999999", "tag": "relevant"])
        #expect(nowhere.status == 404 && nowhere.text.contains("no message 999999"), "\(nowhere.text)")
        let garbage = try await HTTP.request(server.base + "/api/review/note", method: "POST", body: Data("{not json".utf8),
                                             headers: ["Content-Type": "application/json"])
        #expect(garbage.status == 400)
    }

    @Test func anotherAddressWarnsAndRequiresTheToken() async throws {
        let (dir, db) = try SharedCase.get()
        let server = try ServeProcess(db: db, dir: dir, extra: ["--listen", "0.0.0.0"], name: "listen")
        defer { server.stop() }
        #expect(server.stderr.contains("WARNING"), "\(server.stderr)")
        let token = try #require(server.url.components(separatedBy: "token=").last)
        #expect(token.count == 32)
        let port = try #require(server.base.split(separator: ":").last)
        let local = "http://127.0.0.1:\(port)"
        let without = try await HTTP.get(local + "/api/overview")
        #expect(without.status == 401)
        let wrong = try await HTTP.get(local + "/api/overview", headers: ["Authorization": "Bearer " + String(repeating: "0", count: 32)])
        #expect(wrong.status == 401)
        let with = try await HTTP.get(local + "/api/overview", headers: ["Authorization": "Bearer \(token)"])
        #expect(with.status == 200)
        let query = try await HTTP.get(local + "/openapi.json?token=\(token)")
        #expect(query.status == 200)
        let short = try Run.command(ReviewFixture.exhibit, ["serve", "--db", db, "--listen", "0.0.0.0", "--token", "abc"])
        #expect(short.exitCode == 2 && short.stderr.contains("--token"))
    }

    @Test func aFileThatIsNotACaseIsRefused() throws {
        let dir = try TestDirectory("review-notcase")
        defer { dir.remove() }
        let other = dir.path("other.sqlite")
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        let r = try Run.command(ReviewFixture.exhibit, ["serve", "--db", other, "--port", "0"])
        #expect(r.exitCode == 1 && r.stderr.contains("another application"), "\(r.stderr)")
        let unwritable = try Run.command(ReviewFixture.exhibit, ["serve", "--db", try SharedCase.get().db, "--port", "0",
                                                                 "--review-db", "/proc/no-such-dir/r.sqlite"])
        #expect(unwritable.exitCode == 1 && unwritable.stderr.contains("pass --review-db FILE in a writable folder"), "\(unwritable.stderr)")
        let missing = try Run.command(ReviewFixture.exhibit, ["serve", "--db", dir.path("nope.sqlite"), "--port", "0"])
        #expect(missing.exitCode == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.path("nope.sqlite")))
    }
}
