import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// Issue 18, part 2: the read side decodes rows by column name, so a SELECT that lists its
/// columns in another order reads the same values (a positional read would shift them).
@Suite("Named column reads")
struct NamedColumnsTests {
    @Test func aChatMessageRowReadsTheSameFromAnyColumnOrder() throws {
        let queue = try DatabaseQueue()
        let values: [(ChatMessageColumns, String)] = [
            (.messageID, "7"), (.chatID, "3"), (.roomID, "2"), (.platform, "'telegram'"), (.chat, "'Minji'"),
            (.evidence, "'seized.zip'"), (.exportPath, "'seized.zip!/result.json'"), (.sequence, "12"), (.kind, "'text'"),
            (.sender, "'민지'"), (.sentUTC, "'2024-08-28T06:12:04Z'"), (.sentBasis, "'offset'"), (.sentRaw, "'28.08.2024 15:12:04'"),
            (.text, "'hello'"), (.deleted, "1"),
        ]
        #expect(values.map(\.0) == ChatMessageColumns.allCases, "every column of the record is selected")
        func read(_ order: [(ChatMessageColumns, String)]) throws -> ChatMessageRow {
            let sql = "SELECT " + order.map { "\($0.1) AS \($0.0.rawValue)" }.joined(separator: ", ")
            return try queue.read { db in try ChatMessageRow(row: try #require(try Row.fetchOne(db, sql: sql))) }
        }
        let inOrder = try read(values)
        #expect(inOrder.messageID == 7 && inOrder.chatID == 3 && inOrder.roomID == 2 && inOrder.sequence == 12)
        #expect(inOrder.platform == "telegram" && inOrder.chat == "Minji" && inOrder.sender == "민지" && inOrder.text == "hello")
        #expect(inOrder.sentUTC == "2024-08-28T06:12:04Z" && inOrder.sentRaw == "28.08.2024 15:12:04" && inOrder.deleted)
        #expect(try read(values.reversed()) == inOrder)
        #expect(try read(values.sorted { $0.0.rawValue < $1.0.rawValue }) == inOrder)
    }

    @Test func aTimeReadsTheSameFromAnyColumnOrder() throws {
        let queue = try DatabaseQueue()
        let names = TimeColumns.names(prefix: "sent_")
        let literals = ["'2024-08-28T06:12:04Z'", "1724825524000000", "'28.08.2024 15:12:04'", "'offset'", "'second'", "'n'",
                        "NULL", "'2024-08-28 15:12:04'"]
        func read(_ pairs: [(String, String)]) throws -> TimeValue {
            let sql = "SELECT 1 AS id, " + pairs.map { "\($0.1) AS \($0.0)" }.joined(separator: ", ")
            return try queue.read { db in try TimeColumns.decode(try #require(try Row.fetchOne(db, sql: sql)), prefix: "sent_") }
        }
        let pairs = Array(zip(names, literals))
        let time = try read(pairs)
        #expect(time.utcMicros == 1_724_825_524_000_000 && time.raw == "28.08.2024 15:12:04" && time.basis == .offset)
        #expect(time.note == "n" && time.localWallClock == "2024-08-28 15:12:04")
        #expect(try read(pairs.reversed()) == time)
    }

    /// The timeline export reads its rows by position in place (its hot loop): the select list
    /// is made from ``TimelineField`` and each field's position must be its place in it.
    @Test func timelineFieldPositionsMatchTheSelectList() {
        let selected = TimelineColumns.select.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(selected + ["local"] == TimelineField.allCases.map(\.rawValue))
        for (offset, field) in TimelineField.allCases.enumerated() { #expect(field.index == offset, "\(field)") }
    }
}
