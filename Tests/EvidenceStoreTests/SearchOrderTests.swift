import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// The two ways `exhibit search` finds its first page in thread order — sorting every hit, or
/// walking export files and sequences — must agree, whatever order rows were inserted in.
@Suite("Search hits in thread order")
struct SearchOrderTests {
    @Test func walkingFilesAgreesWithSortingEveryHit() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir)
        // Three exports, committed out of thread order, messages emitted with shuffled sequences.
        var outcomes: [FileOutcome] = []
        var rng = SystemRandomNumberGenerator()
        for (key, path) in [("2", "c/export.txt"), ("0", "a/export.txt"), ("1", "b/export.txt")] {
            let chat = ChatInfo(chatKey: "chat", platform: .whatsapp, format: .whatsAppAndroid, title: "room \(key)")
            let sequences = Array(0..<400).shuffled(using: &rng)
            let messages = sequences.map { i in
                MessageRecord(chatKey: "chat", sequence: i, senderName: "s\(i % 7)",
                              sent: .unixSeconds(1_724_825_523 + Int64(i)), text: i % 3 == 0 ? "콘서트 \(i)" : "other \(i)")
            }
            outcomes.append(ChatStoreTimeTests.export(key, path: path, chat: chat, messages: messages))
        }
        try db.commit(outcomes)
        try db.queue.read { c in
            let hits = "SELECT rowid FROM chat_fts WHERE chat_fts MATCH ?"
            for limit in [1, 50, 134, 400, 1000] {
                let sorted = try SearchOrder.firstHits(c, hitsSQL: hits, hitArgs: ["\"콘서트\""], includeCopies: false,
                                                       limit: limit, sortAllLimit: .max)
                let walked = try SearchOrder.firstHits(c, hitsSQL: hits, hitArgs: ["\"콘서트\""], includeCopies: false,
                                                       limit: limit, sortAllLimit: 0)
                #expect(walked == sorted, "limit \(limit)")
                #expect(sorted.count == min(limit, 3 * 134))
            }
        }
        let page = try db.searchChats("콘서트", limit: 140)
        #expect(page.hits.map(\.message.exportPath).first == "seized.zip!/a/export.txt")
        #expect(page.hits.prefix(134).map(\.message.sequence) == Array(stride(from: 0, to: 400, by: 3)))
        #expect(page.hits.dropFirst(134).first?.message.exportPath == "seized.zip!/b/export.txt")
    }
}
