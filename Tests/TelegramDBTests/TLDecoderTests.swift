import ExhibitKit
import Foundation
import Testing
@testable import TelegramDB

/// The TL walk on hand-built blobs: entity kinds the fixture does not carry, UTF-16 offsets after
/// astral characters, legacy peers, and the trailing path scan.
@Suite("Telegram TL decoder")
struct TLDecoderTests {
    /// A few TL writers, enough to build single blobs in a test.
    struct Blob {
        var b: [UInt8] = []
        mutating func u32(_ v: UInt32) { b += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        mutating func i64(_ v: Int64) { u32(UInt32(truncatingIfNeeded: v)); u32(UInt32(truncatingIfNeeded: v >> 32)) }
        mutating func string(_ s: String) {
            let d = Array(s.utf8)
            b.append(UInt8(d.count))
            b += d
            while b.count % 4 != 0 { b.append(0) }
        }
    }

    @Test func entitiesAfterAstralCharactersAndLinkKinds() throws {
        let text = "😀 see docs, ask @minjun"  // 😀 is two UTF-16 units, one scalar
        var w = Blob()
        w.u32(0x9434_5242); w.u32(1 << 7); w.u32(0); w.u32(77)
        w.u32(0x5951_1722); w.i64(100_000_002)
        w.u32(1_724_853_600); w.string(text)
        w.u32(TLReader.vector); w.u32(3)
        w.u32(0x76A6_D327); w.u32(7); w.u32(4); w.string("https://example.org/docs")  // "docs"
        w.u32(0xDC7B_1140); w.u32(17); w.u32(7); w.i64(100_000_002)               // "@minjun"
        w.u32(0x7392_4BE0); w.u32(0); w.u32(2); w.string("swift")                   // "😀"
        w.string(" ")
        let m = try #require(TLMessageDecoder.decode(w.b))
        #expect(m.stop == nil && m.attachPath == nil && m.text == text)
        #expect(TelegramMessageMapper.entities(m.entities, text: text) == [
            TextEntity(type: "text_link", text: "docs", offset: 6, length: 4, href: "https://example.org/docs"),
            TextEntity(type: "mention_name", text: "@minjun", offset: 16, length: 7, userID: "100000002"),
            TextEntity(type: "pre", text: "😀", offset: 0, length: 1, language: "swift"),
        ])
    }

    @Test func legacyPeersAndTheScanForTheTrailingPath() throws {
        var w = Blob()
        w.u32(0x58AE_39C9); w.u32(1 << 8 | 1 << 9); w.u32(5)
        w.u32(0x9DB1_BC6D); w.u32(55501)            // peerUser (int32)
        w.u32(0xBAD0_E5BB); w.u32(200_001)          // peerChat (int32)
        w.u32(1_724_853_600); w.string("later-layer media")
        w.u32(0xCAFE_F00D); w.u32(1); w.u32(2)      // media constructor not known
        w.string("/storage/emulated/0/Telegram/Telegram Video/1.mp4")
        let m = try #require(TLMessageDecoder.decode(w.b))
        #expect(m.from == .user(55501) && m.peer == .chat(200_001) && m.text == "later-layer media")
        #expect(m.stop == .unknownConstructor(0xCAFE_F00D, field: "media"))
        #expect(m.attachPath == "/storage/emulated/0/Telegram/Telegram Video/1.mp4" && m.attachPathByScan)
    }

    @Test func hugeDeclaredLengthsFailAtOnce() {
        var r = TLReader([0xFE, 0xFF, 0xFF, 0xFF, 0x41, 0x42, 0x43, 0x44])
        #expect(throws: TLFailure.lengthPastEnd(field: "s")) { _ = try r.string("s") }
        var v = TLReader([0x15, 0xC4, 0xB5, 0x1C, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0])
        #expect(throws: TLFailure.lengthPastEnd(field: "v")) { _ = try v.vectorCount("v") }
        #expect(TLReader.hex(0x0312_24C3) == "0x031224c3")
    }
}
