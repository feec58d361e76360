import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// The store's hand-written hot paths against the general code they short-cut: a message's
/// location text, canonical JSON of event provenance, and typed binding into a prepared
/// statement must give exactly what the general path gives (the findings digest depends on it).
@Suite("Store fast paths")
struct StoreFastPathTests {
    /// Records of every shape the analyzers write, and some hostile ones.
    static let records: [String?] = [
        nil, "", "line 3", "message 1234567890", "messages_v2 rowid 7", "chat_logs/_id=12", "a\"b", "back\\slash",
        "tab\there", "new\nline", "\u{1}control", "딥페이크 12", "e\u{301}", "emoji 😀", "DEL \u{7F}", "\u{2028}",
    ]

    @Test("location text equals the canonical stored text for every record and offset")
    func locationText() {
        for record in Self.records {
            for offset: Int64? in [nil, 0, 42, Int64.max, -1] {
                let location = SourceLocation(offset: offset, record: record)
                #expect(FileRowWriter.locationText(location) == location.storedText, "offset \(String(describing: offset)) record \(String(describing: record))")
            }
        }
        #expect(FileRowWriter.locationText(nil) == nil)
        #expect(FileRowWriter.locationText(SourceLocation(offset: 7, record: "line 3")) == #"{"offset":7,"record":"line 3"}"#)
    }

    @Test("canonical JSON of plain and escaped strings")
    func compactJSON() {
        let object: [String: JSONValue] = [
            "table": .string("messages"), "export": .string("/data/media/0/WhatsApp Chat.txt"), "recovered": .bool(true),
            "quote": .string("a\"b\\c"), "control": .string("x\ny\t\u{1}"), "korean": .string("사진 딥페이크"),
        ]
        #expect(JSONValue.object(object).canonicalText == #"{"control":"x\ny\t\u0001","export":"/data/media/0/WhatsApp Chat.txt","korean":"사진 딥페이크","quote":"a\"b\\c","recovered":true,"table":"messages"}"#)
    }

    @Test("stored JSON equals canonicalText for plain and non-plain values")
    func storedJSON() {
        let strings = Self.records.compactMap { $0 } + ["a\u{8}b", "form\u{C}feed", "\u{0}"]
        var values: [JSONValue] = [.null, .bool(true), .bool(false)]
        values += [0, -0.0, 1, -1, 12, 0.5, -2.25, 1e16, 9_007_199_254_740_992, 9_007_199_254_740_993, 123456789012, .infinity]
            .map { JSONValue.number($0) }
        values += strings.map { JSONValue.string($0) }
        values.append(.array(values))
        values.append(.object(["dialog_id": .string("-100123"), "undecoded": .string("data blob not decoded: no text read"),
                               "message_type": .number(7), "status": .number(13), "B": .null, "_a": .bool(true),
                               "a10": .number(1), "a9": .number(2), "a_": .string("x"), "ab": .array([.number(1), .string("/")])]))
        values.append(.object(["é": .number(1), "e": .number(2)]))
        values.append(.object(["nested": .object(["z": .string("tab\there"), "a": .number(1)])]))
        for value in values {
            #expect(StoredJSON.text(value) == value.canonicalText, "\(value)")
        }
    }

    @Test("Hangul and Han fast path agrees with the Unicode properties on every scalar of both ranges")
    func hangulHan() throws {
        var checked = 0
        for range in [0xAC00...0xD7A3, 0x4E00...0x9FFF] {
            for v in range {
                let s = try #require(Unicode.Scalar(UInt32(v)))
                #expect(SearchText.isHangulOrHan(s))
                #expect(s.properties.isAlphabetic || s.properties.numericType != nil)
                #expect(!s.properties.changesWhenLowercased)
                checked += 1
            }
        }
        #expect(checked == 11_172 + 20_992)
    }

    @Test("typed binding stores every value kind and replaces the previous bindings")
    func typedBinding() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a, b, c, d, e)")
            let insert = try db.cachedStatement(sql: "INSERT INTO t (a, b, c, d, e) VALUES (?, ?, ?, ?, ?)")
            try insert.execute(binding: [Int64(1).databaseValue, "사진".databaseValue, 2.5.databaseValue,
                                         Data([0, 1, 2]).databaseValue, .null])
            try insert.execute(binding: [Int64(2).databaseValue, .null, .null, .null, "x".databaseValue])
            let rows = try Row.fetchAll(db, sql: "SELECT a, b, c, d, e FROM t ORDER BY a")
            #expect(rows == [
                ["a": 1, "b": "사진", "c": 2.5, "d": Data([0, 1, 2]), "e": nil],
                ["a": 2, "b": nil, "c": nil, "d": nil, "e": "x"],
            ])
        }
    }
}
