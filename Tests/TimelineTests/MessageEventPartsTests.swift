import ExhibitKit
import ExhibitTesting
import Testing
@testable import Timeline

/// The events of consecutive messages share their place text and provenance
/// (`EventMapping.MessageParts`): over a stream that changes chat title, platform, file and
/// recovered flag in every combination, the events built with the shared parts are exactly those
/// built message by message from scratch.
@Suite("Timeline message events with shared parts")
struct MessageEventPartsTests {
    static func message(_ i: Int, rng: inout SplitMix) -> CaseMessage {
        let r = rng.next()
        let chats: [String?] = ["가족", "Work", nil, "가족 "]
        let files = [CaseFileRef(id: 1, path: "a.zip!/chat.txt", sha256: "aa", mime: "text/plain"),
                     CaseFileRef(id: 2, path: "b.tar!/msgstore.db", sha256: "bb", mime: "application/x-sqlite3")]
        let kinds = ["message", "service", "system", "message"]
        let sent = TimeValue.unixSeconds(1_700_000_000 + Int64(i))
        var m = CaseMessage(id: Int64(i), chatID: Int64(r % 4), chat: chats[Int(r % 4)], platform: ["whatsapp", "telegram", "other"][Int(r >> 8 % 3)],
                            kind: kinds[Int(r >> 16 % 4)], sender: r >> 20 % 5 == 0 ? nil : "Kim \(r >> 20 % 5)",
                            text: r >> 24 % 3 == 0 ? "" : "text \(i)\nline", serviceAction: r >> 28 % 2 == 0 ? "invite_members" : nil,
                            serviceActor: nil, sent: r >> 30 % 5 == 0 ? nil : sent,
                            touched: r >> 32 % 4 == 0 ? TimeValue.unixSeconds(1_700_000_100 + Int64(i)) : nil,
                            attachmentCount: Int(r >> 36 % 3), deleted: r >> 40 % 7 == 0, exportFile: files[Int(r >> 44 % 2)],
                            analyzerID: "test")
        m.recovered = r >> 48 % 3 == 0
        return m
    }

    @Test func sharedPartsGiveTheEventsOfFreshOnes() throws {
        var rng = SplitMix(seed: 0xE7E7)
        print("sharedPartsGiveTheEventsOfFreshOnes: seed 0xE7E7")
        // Runs of one message repeated, so both a kept and a changed key are met often.
        var messages: [CaseMessage] = []
        for i in 0..<2_000 {
            let m = Self.message(i, rng: &rng)
            messages.append(m)
            if rng.next() % 2 == 0 { var again = m; again.id += 10_000; messages.append(again) }
        }
        var parts = EventMapping.MessageParts()
        var shared: [TimelineEvent] = []
        for m in messages { EventMapping.messageEvents(m, parts: &parts) { shared.append($0) } }
        let fresh = messages.flatMap { EventMapping.messageEvents($0) }
        try #require(fresh.count >= messages.count)
        #expect(shared == fresh)
        #expect(Set(fresh.map(\.kind)).isSuperset(of: ["message.sent", "chat.action", "chat.system", "message.touched"]))
        #expect(fresh.contains { $0.provenance["recovered"] == .bool(true) } && fresh.contains { $0.provenance["recovered"] == nil })
    }
}
