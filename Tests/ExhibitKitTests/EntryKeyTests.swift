import ExhibitKit
import Foundation
import Testing

@Suite("Entry keys: one text form, one parser, one order")
struct EntryKeyTests {
    @Test func textFormIsPositionsJoinedBySlash() throws {
        let key = EntryKey([3, 17])
        #expect(key.text == "3/17")
        #expect(key.parent == EntryKey([3]))
        #expect(key.container == EntryKey([3]))
        #expect(key.depth == 1)
        #expect(EntryKey([3]).parent == nil)
        #expect(EntryKey([3]).container == EntryKey([]))
        #expect(EntryKey([3]).depth == 0)
        #expect(EntryKey([1, 2, 3]).ancestors == [EntryKey([1]), EntryKey([1, 2])])
        #expect(EntryKey([5]).ancestors.isEmpty)
        #expect(EntryKey([3]).child(0) == EntryKey([3, 0]))
        #expect(EntryKey([]).text == "")
    }

    @Test func parsingIsStrictAndRoundTrips() throws {
        for text in ["0", "3/17", "1/0/0", "9999999999", "2/10/100"] {
            let key = try #require(EntryKey(text: text), "\(text)")
            #expect(key.text == text)
        }
        for bad in ["", "/", "1//2", "-1", "a", "1/", "/1", "01", "1/02", "12345678901", " 1", "1 ", "１", "1/٣"] {
            #expect(EntryKey(text: bad) == nil, "\(bad)")
        }
        #expect(EntryKey(text: "2/10")?.positions == [2, 10])
    }

    @Test func sortKeyIsZeroPaddedAndStorableOnly() throws {
        #expect(EntryKey([2, 10]).sortKey == "0000000002/0000000010")
        #expect(EntryKey([0]).sortKey == "0000000000")
        #expect(EntryKey([]).sortKey == nil)
        #expect(EntryKey([-1]).sortKey == nil)
        #expect(EntryKey([10_000_000_000]).sortKey == nil)
        #expect(EntryKey([9_999_999_999]).sortKey == "9999999999")
    }

    /// The type's order is the order `ORDER BY sort_key` gives (byte order of the sort keys).
    @Test func orderEqualsSortKeyOrder() throws {
        let texts = ["10", "9", "2/10", "2/9", "2", "100", "0", "2/9/0", "1/0", "1"]
        let keys = try texts.map { try #require(EntryKey(text: $0)) }
        let byType = keys.sorted().map(\.text)
        let bySortKey = keys.sorted { Array(($0.sortKey ?? "").utf8).lexicographicallyPrecedes(Array(($1.sortKey ?? "").utf8)) }
            .map(\.text)
        #expect(byType == ["0", "1", "1/0", "2", "2/9", "2/9/0", "2/10", "9", "10", "100"])
        #expect(byType == bySortKey)
    }

    @Test func codesAsItsText() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = try encoder.encode([EntryKey([3, 17])])
        #expect(String(decoding: data, as: UTF8.self) == #"["3/17"]"#)
        #expect(try JSONDecoder().decode([EntryKey].self, from: data) == [EntryKey([3, 17])])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([EntryKey].self, from: Data(#"["3//17"]"#.utf8)) }
    }

    @Test func recordDerivesParentAndDepthFromItsKey() {
        let r = InventoryRecord(key: EntryKey([4, 0, 2]), virtualPath: "x.zip!/a.zip!/b.tar!/c", name: "c")
        #expect(r.parentKey == EntryKey([4, 0]))
        #expect(r.depth == 2)
        #expect(r.rawName == Array("c".utf8))
        #expect(r.status == .ok && r.kind == .file && r.expandedBytes == nil)
    }
}
