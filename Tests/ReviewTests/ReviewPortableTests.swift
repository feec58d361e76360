import ExhibitTesting
import Foundation
import Testing

/// `exhibit export --format portable --tagged`: what a reviewer tagged in `exhibit serve`, as a
/// folder that opens from disk in Chromium with no server running.
@Suite("ReviewPortable", .serialized)
struct ReviewPortableTests {
    @Test func taggedMessagesGroupAndFileOpenFromDiskWithAVerifiedManifest() async throws {
        let (dir, db) = try SharedCase.get()
        let reviewDB = dir.path("portable.review.sqlite")
        let out = dir.path("portable-out")
        try? FileManager.default.removeItem(atPath: out)
        let untagged = try Run.command(ReviewFixture.exhibit, ["export", "--db", db, "--format", "portable", "--tagged", "--out", out,
                                                               "--review-db", dir.path("none.review.sqlite")])
        #expect(untagged.exitCode == 1 && untagged.stderr.contains("nothing is tagged"), "\(untagged.stderr)")
        let noFlag = try Run.command(ReviewFixture.exhibit, ["export", "--db", db, "--format", "portable", "--out", out])
        #expect(noFlag.exitCode == 2)

        let server = try ServeProcess(db: db, dir: dir, extra: ["--review-db", reviewDB], name: "portable")
        defer { server.stop() }
        let chats = try #require(try await HTTP.object(server.base + "/api/chats")["rows"] as? [[String: Any]])
        let kakao = try #require(chats.first { $0["platform"] as? String == "kakaotalk" })
        let messages = try #require(try await HTTP.object(server.base + "/api/chats/\(kakao["id"] ?? 0)/messages")["rows"] as? [[String: Any]])
        let photo = try #require(messages.first { $0["text"] as? String == "사진" }?["id"] as? Int)
        let deleted = try #require(messages.first { $0["deleted"] as? Bool == true }?["id"] as? Int)
        let wa = try #require(chats.first { $0["platform"] as? String == "whatsapp" && ($0["title"] as? String ?? "").contains("Minji") })
        let waMessages = try #require(try await HTTP.object(server.base + "/api/chats/\(wa["id"] ?? 0)/messages")["rows"] as? [[String: Any]])
        let withPicture = try #require(waMessages.first { !(($0["attachments"] as? [Any]) ?? []).isEmpty }?["id"] as? Int)
        for id in [photo, deleted, withPicture] {
            let r = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "message", "id": String(id), "tag": "relevant"])
            try #require(r.status == 200, "\(r.text)")
        }
        _ = try await HTTP.post(server.base + "/api/review/note", json: ["target": "message", "id": String(photo), "text": "<b>not bold</b> 메모"])
        let group = try #require(try await HTTP.array(server.base + "/api/known").first?["content"] as? String)
        _ = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "group", "id": group, "tag": "cat-1"])
        let images = try #require(try await HTTP.object(server.base + "/api/files?mime=image/jpeg")["rows"] as? [[String: Any]])
        let park = try #require(images.first { ($0["path"] as? String ?? "").hasSuffix("IMG_20240829_190541.jpg") })
        let parkID = try #require(park["id"] as? Int)
        _ = try await HTTP.post(server.base + "/api/review/tag", json: ["target": "file", "id": String(parkID), "tag": "relevant"])
        let knownSHAs = Set(images.filter { $0["knownBad"] as? Bool == true }.compactMap { $0["sha256"] as? String })
        try #require(!knownSHAs.isEmpty)
        // The pages' export button: the same package, beside the case, recorded in the log.
        let button = try await HTTP.post(server.base + "/api/export/portable", json: [:])
        try #require(button.status == 200, "\(button.text)")
        let folder = try #require((try button.json() as? [String: Any])?["folder"] as? String)
        #expect(folder.hasPrefix(dir.path("case-portable-")), "\(folder)")
        let buttonCheck = try Run.shell("cd '\(folder)' && sha256sum -c MANIFEST.sha256")
        #expect(buttonCheck.exitCode == 0, "\(buttonCheck.stdout)")
        try? FileManager.default.removeItem(atPath: folder)
        let log = try #require(try await HTTP.object(server.base + "/api/review/log")["rows"] as? [[String: Any]])
        #expect(log.last?["action"] as? String == "export.portable")
        server.stop()

        let r = try Run.command(ReviewFixture.exhibit, ["export", "--db", db, "--format", "portable", "--tagged", "--out", out,
                                                        "--review-db", reviewDB, "--json"])
        try #require(r.exitCode == 0, "\(r.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(summary["messages"] as? Int == 3 && summary["groups"] as? Int == 1 && summary["files"] as? Int == 1, "\(summary)")
        #expect(summary["outputs"] as? [String] == ["index.html", "media/\(parkID).jpg", "MANIFEST.sha256"], "\(summary)")
        let check = try Run.shell("cd '\(out)' && sha256sum -c MANIFEST.sha256")
        #expect(check.exitCode == 0 && check.stdout.contains("index.html: OK"), "\(check.stdout) \(check.stderr)")
        // No known-bad picture is ever copied into the package.
        let media = try FileManager.default.contentsOfDirectory(atPath: out + "/media")
        for name in media { #expect(!knownSHAs.contains(try ReviewFixture.sha256(out + "/media/" + name)), "\(name)") }
        let again = try Run.command(ReviewFixture.exhibit, ["export", "--db", db, "--format", "portable", "--tagged", "--out", out, "--review-db", reviewDB])
        #expect(again.exitCode == 4)

        // Opened from disk, with no server running.
        let page = try ReviewBrowserTests.dom("file://" + out + "/index.html", dir: dir)
        #expect(page.contains("data-ready=\"1\""), "\(page.suffix(3000))")
        #expect(page.contains("Known-bad picture") && page.contains("cat-1"))
        #expect(page.contains(">사진<") && page.contains("메시지가 삭제되었습니다."))
        #expect(page.contains("Note (Test Reviewer): &lt;b&gt;not bold&lt;/b&gt; 메모"), "\(page.suffix(3000))")
        #expect(page.contains("Known-bad picture — not included"))
        #expect(page.contains("src=\"media/\(parkID).jpg\""))
        #expect(page.contains("verified"))
    }
}
