import Foundation
import Testing
@testable import TelegramIOSDB

/// The Postbox decoder on hand-made bytes: the hash matches the generator's, values decode, and
/// lengths, counts and nesting from the input never make it read past the end.
@Suite struct PostboxCodingTests {
    @Test func typeHashMatchesTheGeneratorsMurmur() {
        #expect(PostboxType.user == -1_637_309_141)
        #expect(PostboxType.image == -1_951_522_668)
    }

    @Test func decodesEveryDocumentedValueType() {
        var b: [UInt8] = []
        func key(_ k: String, _ t: UInt8) { b.append(UInt8(k.utf8.count)); b += Array(k.utf8); b.append(t) }
        func le<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
        key("a", 0); le(Int32(-5))
        key("b", 1); le(Int64(1 << 40))
        key("c", 2); b.append(1)
        key("d", 3); le((2.5).bitPattern)
        key("e", 4); le(Int32(6)); b += Array("한글".utf8)
        key("f", 6); le(Int32(2)); le(Int32(1)); le(Int32(2))
        key("g", 11)
        key("h", 12); le(Int32(1)); le(Int32(2)); b += Array("ok".utf8)
        key("i", 13); le(Int32(1)); le(Int32(1)); b.append(9)
        var d = PostboxDecoder()
        let o = d.object(typeHash: 7, ByteCursor(b), depth: 0)
        #expect(d.errors == [])
        #expect(o == PostboxObject(typeHash: 7, fields: [
            ("a", .int32(-5)), ("b", .int64(1 << 40)), ("c", .bool(true)), ("d", .double(2.5)), ("e", .string("한글")),
            ("f", .int32Array([1, 2])), ("g", .null), ("h", .stringArray(["ok"])), ("i", .bytesArray([[9]])),
        ]))
    }

    @Test func hugeCountsAndLengthsStopAtTheEnd() {
        // An Int32Array declaring 2^31-1 items in 4 bytes of data.
        var d = PostboxDecoder()
        let o = d.object(typeHash: 0, ByteCursor([1, 0x78, 6, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3, 4]), depth: 0)
        #expect(o.fields.isEmpty)
        #expect(d.errors == [.lengthPastEnd(offset: 3, declared: Int64(Int32.max))])
        // A negative string length.
        var d2 = PostboxDecoder()
        _ = d2.object(typeHash: 0, ByteCursor([1, 0x78, 4, 0xFF, 0xFF, 0xFF, 0xFF]), depth: 0)
        #expect(d2.errors == [.lengthPastEnd(offset: 3, declared: -1)])
    }

    @Test func messageKeyIsBigEndian() {
        let bytes: [UInt8] = [0, 0, 0, 1, 0, 0x0B, 0xDB, 0x29, 0, 0, 0, 0, 0x66, 0xCE, 0xB6, 0x38, 0, 0, 0, 0xCB]
        #expect(MessageKey(bytes) == MessageKey(peerID: (1 << 32) | 777_001, namespace: 0, timestamp: 1_724_823_096, id: 203))
        #expect(MessageKey(Array(bytes.prefix(19))) == nil)
    }
}
