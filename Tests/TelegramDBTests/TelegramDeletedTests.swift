import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
@testable import TelegramDB

/// A Telegram message deleted with secure_delete on (as the app runs it) whose older page
/// version survives in the main file under the WAL (corpora/phone/telegram/deleted, made by
/// make_telegram_deleted.py) comes back as a message marked recovered, decoded from its TL blob
/// by the live decoder; the other rows of that old page (copies of live rows) are not repeated.
@Suite struct TelegramDeletedTests {
    static let t0: Int64 = 1_724_853_600

    @Test func aMessageDeletedInTheWALIsRecoveredFromTheOlderPage() async throws {
        let run = try await TelegramFixtures.run(fixture: "deleted/cache4.db")
        let messages = run.messages
        try #require(!messages.isEmpty)
        #expect(messages.map(\.nativeID) == ["1", "2", "4", "3"])
        #expect(messages.prefix(3).allSatisfy { $0.recovered == nil })
        let recovered = try #require(messages.last)
        let r = try #require(recovered.recovered)
        #expect(r.tableName == "messages_v2")
        #expect(r.source == .wal)
        #expect(r.walFrame == nil)  // the main file's page the WAL supersedes
        #expect(r.duplicateOfLive == false)
        let rowid = try #require(r.rowid)
        let live = messages[0]
        var expected = MessageRecord(
            chatKey: "dialog:100000002", sequence: 3, nativeID: "3", senderName: live.senderName,
            senderNativeID: live.senderNativeID, fromDeviceOwner: false, sent: TelegramFixtures.utc(Self.t0 + 120),
            text: "현금 챙겨와 — bring the cash",
            location: SourceLocation(record: "recovered messages_v2 rowid \(rowid) (wal, page \(r.page), cell offset \(r.cellOffset))"),
            recovered: r)
        expected.extra = recovered.extra
        #expect(recovered == expected)
        #expect(live.senderNativeID == "user100000002")
        // The extra fields are the live mapper's, as for the live message from the same sender.
        #expect(recovered.extra.flatMap { if case .object(let o) = $0 { return o["dialog_id"] } else { return nil } } == .string("100000002"))
        let counts = try #require(run.artifacts.first { $0.type == "telegram.recovered-messages" })
        #expect(counts.properties == .object(["messages_recovered": .number(1), "recovered_copies_of_live": .number(0),
                                              "recovered_too_damaged": .number(0)]))
        // Each participant once, though the recovered message revisits the chat.
        #expect(Set(run.participants.map { "\($0.chatKey)|\($0.nativeID ?? "")" }).count == run.participants.count)
    }

    /// Without the WAL the deletion never happened: four live messages, nothing recovered.
    @Test func withoutTheWALThereIsNothingToRecover() async throws {
        let run = try await TelegramFixtures.run(fixture: "deleted/cache4.db", withWAL: false)
        try #require(!run.messages.isEmpty)
        #expect(run.messages.map(\.nativeID) == ["1", "2", "3", "4"])
        #expect(run.messages.allSatisfy { $0.recovered == nil })
        #expect(run.artifacts.allSatisfy { $0.type != "telegram.recovered-messages" })
    }

    /// The committed main fixture gains no recovered message.
    @Test func theMainFixtureGainsNoRecoveredMessage() async throws {
        let run = try await TelegramFixtures.run(fixture: "cache4.db")
        try #require(!run.messages.isEmpty)
        #expect(run.messages.allSatisfy { $0.recovered == nil })
    }
}
