import EvidenceStore
import ExhibitKit
import ExhibitTesting
import Foundation
import GRDB
import Testing

/// The sidecar review database of `exhibit serve`: tags, notes and the hash-chained review log.
@Suite("ReviewDatabase")
struct ReviewDatabaseTests {
    /// CAT categories: one `cat-N` per medium; a new one replaces the old in one transaction,
    /// both changes logged and chained; the same one again changes nothing; out of 0–5 refused.
    @Test func categoriesAreOnePerMediumAndLogged() throws {
        let dir = try TestDirectory("review-cat")
        defer { dir.remove() }
        let review = try ReviewDatabase(path: dir.path("case.review.sqlite"))
        try review.setTag("relevant", on: true, target: .file, id: "7", reviewer: "Lee")
        try review.setCategory(2, target: .file, id: "7", reviewer: "Lee")
        try review.setCategory(2, target: .file, id: "7", reviewer: "Lee")
        try review.setCategory(4, target: .file, id: "7", reviewer: "Kim")
        #expect(throws: ReviewDatabaseError.self) { try review.setCategory(6, target: .file, id: "7", reviewer: "Lee") }
        #expect(throws: ReviewDatabaseError.self) { try review.setCategory(-1, target: .file, id: "7", reviewer: "Lee") }
        #expect(try review.tags(target: .file, id: "7").map(\.tag) == ["cat-4", "relevant"])
        try review.setCategory(nil, target: .file, id: "7", reviewer: "Kim")
        #expect(try review.tags(target: .file, id: "7").map(\.tag) == ["relevant"])
        let log = try review.log()
        try #require(!log.isEmpty)
        #expect(log.map { "\($0.action) \($0.reviewer)" } == ["tag.add Lee", "tag.add Lee", "tag.remove Kim", "tag.add Kim", "tag.remove Kim"])
        #expect(log[1].details == #"{"id":"7","reviewer":"Lee","tag":"cat-2","target":"file"}"#)
        #expect(log[3].details == #"{"id":"7","reviewer":"Kim","tag":"cat-4","target":"file"}"#)
        #expect(try review.verifyLog() == nil)
    }

    @Test func tagsNotesAndTheLogChainEveryChange() throws {
        let dir = try TestDirectory("review-db")
        defer { dir.remove() }
        #expect(ReviewDatabase.sidecarPath(forCase: dir.path("case.sqlite")) == dir.path("case.review.sqlite"))
        let review = try ReviewDatabase(path: dir.path("case.review.sqlite"))
        try review.setTag("relevant", on: true, target: .message, id: "12", reviewer: "Lee")
        try review.setTag("relevant", on: true, target: .message, id: "12", reviewer: "Lee")   // already set: no entry
        try review.setTag("cat-1", on: true, target: .group, id: "pdq:abc", reviewer: "Lee")
        try review.setNote("사진 — 원본", target: .message, id: "12", reviewer: "Lee")
        try review.setTag("relevant", on: false, target: .message, id: "12", reviewer: "Kim")
        try review.record(action: "media.reveal", reviewer: "Kim", details: ["file_id": .string("7")])
        #expect(try review.tags().map { "\($0.target.rawValue)/\($0.targetID)/\($0.tag)/\($0.reviewer)" } == ["group/pdq:abc/cat-1/Lee"])
        #expect(try review.notes(target: .message, id: "12").map(\.text) == ["사진 — 원본"])
        let log = try review.log()
        try #require(!log.isEmpty)
        #expect(log.map(\.action) == ["tag.add", "tag.add", "note.set", "tag.remove", "media.reveal"])
        #expect(log.map(\.reviewer) == ["Lee", "Lee", "Lee", "Kim", "Kim"])
        #expect(log[0].prevHash == AuditChain.genesis)
        #expect(log[0].details == #"{"id":"12","reviewer":"Lee","tag":"relevant","target":"message"}"#)
        #expect(log[0].hash == AuditChain.hash(prevHash: log[0].prevHash, seq: 1, utc: log[0].utc, action: "tag.add", details: log[0].details))
        #expect(zip(log.dropFirst(), log).allSatisfy { $0.prevHash == $1.hash })
        #expect(try review.verifyLog() == nil)
        // An edited entry, a deleted one: the first bad seq is named.
        let queue = try DatabaseQueue(path: review.path)
        try queue.write { try $0.execute(sql: "UPDATE review_log SET reviewer = 'Park' WHERE seq = 4") }
        #expect(try review.verifyLog() == 4)
        try queue.write { try $0.execute(sql: "UPDATE review_log SET details = replace(details, 'Kim', 'Park') WHERE seq = 4") }
        #expect(try review.verifyLog() == 4)
        try queue.write { try $0.execute(sql: "UPDATE review_log SET details = replace(details, 'Park', 'Kim'), reviewer = 'Kim' WHERE seq = 4") }
        #expect(try review.verifyLog() == nil)
        try queue.write { try $0.execute(sql: "DELETE FROM review_log WHERE seq = 2") }
        #expect(try review.verifyLog() == 3)
    }

    @Test func badNamesAndForeignDatabasesAreRefused() throws {
        let dir = try TestDirectory("review-db-bad")
        defer { dir.remove() }
        let review = try ReviewDatabase(path: dir.path("r.sqlite"))
        for bad in ["", "   ", "a\u{202E}b", "x\u{0}y", String(repeating: "t", count: 201)] {
            #expect(throws: ReviewDatabaseError.self) { try review.setTag(bad, on: true, target: .file, id: "1", reviewer: "Lee") }
        }
        #expect(throws: ReviewDatabaseError.self) { try review.setTag("ok", on: true, target: .file, id: "1", reviewer: "") }
        #expect(try review.log().isEmpty)
        let other = dir.path("other.sqlite")
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE evidence (x)") }
        #expect(throws: ReviewDatabaseError.self) { _ = try ReviewDatabase(path: other) }
    }
}
