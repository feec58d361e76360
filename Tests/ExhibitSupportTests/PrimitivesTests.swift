import ExhibitSupport
import Foundation
import Testing

@Suite("SupportPrimitives")
struct PrimitivesTests {
    @Test func hex() {
        #expect(Hex.encode([0x00, 0x0a, 0xff, 0x7f]) == "000aff7f")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.prefixed(0x1cb5_c415, width: 8) == "0x1cb5c415")
        #expect(Hex.prefixed(0xab, width: 8) == "0x000000ab")
        #expect(Hex.decode("00Aaff") == [0x00, 0xaa, 0xff])
        #expect(Hex.decode("abc") == nil && Hex.decode("zz") == nil)
        // Full-width digits (U+FF10, U+FF21) pass `Character.isHexDigit` but are not hex here.
        #expect("\u{FF10}\u{FF21}".allSatisfy { $0.isHexDigit })
        #expect(!Hex.isHex("\u{FF10}\u{FF21}") && !Hex.isHex("0g") && !Hex.isHex(""))
        #expect(Hex.isHex(String(repeating: "aF09", count: 16), lengths: [64]))
        #expect(!Hex.isHex(String(repeating: "a", count: 63), lengths: [64]))
        #expect(Hex.isHex("abc123", lowercaseOnly: true) && !Hex.isHex("ABC123", lowercaseOnly: true))
    }

    @Test func byteReaders() {
        let v = ByteView([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08])
        #expect(v.u16(0, bigEndian: true) == 0x0102 && v.u16(0, bigEndian: false) == 0x0201)
        #expect(v.u32(4, bigEndian: true) == 0x0506_0708 && v.u32(4, bigEndian: false) == 0x0807_0605)
        #expect(v.u64(0, bigEndian: false) == 0x0807_0605_0403_0201)
        #expect(v.uint(5, width: 3, bigEndian: true) == 0x060708 && v.uint(0, width: 0, bigEndian: true) == 0)
        // Out of bounds is nil, never 0 and never a trap.
        #expect(v.u32(5, bigEndian: true) == nil && v.u16(-1, bigEndian: true) == nil && v.u64(1, bigEndian: true) == nil)
        #expect(v.u8(Int.max) == nil && v.slice(Int.max, 2) == nil && v.uint(0, width: 9, bigEndian: true) == nil)
        #expect(v.slice(6, 2) == [0x07, 0x08] && v.matches(2, [3, 4]) && !v.matches(7, [8, 9]))
        #expect(v.firstIndex(of: 4, from: 1, to: 100) == 3 && v.firstIndex(of: 4, from: 4, to: 8) == nil)
        let raw: [UInt8] = [0x42, 0x4D, 0x36, 0x00]
        raw.withUnsafeBytes { b in
            #expect(ByteOrder.le16(b, 0) == 0x4D42 && ByteOrder.le32(b, 0) == 0x0036_4D42 && ByteOrder.le32(b, 1) == nil)
        }
    }

    @Test func lineBuffer() {
        var lines = LineBuffer()
        lines.append(Array("one\ntw".utf8))
        #expect(lines.next() == Array("one".utf8) && lines.next() == nil && lines.pendingCount == 2)
        lines.append(Array("o\n\nthree".utf8))
        #expect(lines.next() == Array("two".utf8) && lines.next() == [] && lines.next() == nil)
        #expect(lines.take(3) == Array("thr".utf8) && lines.pendingCount == 2)
    }

    /// Lines through a real pipe: short writes, an unended last line, an overlong line in pieces.
    @Test func pipeRoundTrip() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let long = String(repeating: "x", count: 10)
        #expect(FileDescriptorIO.writeAll(fds[1], Array("a\nbb\n\(long)\nend".utf8)))
        close(fds[1])
        var got: [String] = []
        FileDescriptorIO.forEachLine(fds[0], maxLine: 4, chunkSize: 3) { got.append(String(decoding: $0, as: UTF8.self)) }
        close(fds[0])
        #expect(got == ["a", "bb", "xxxx", "xxxx", "xx", "end"])
        // A writer that died mid-line: the unended last line is dropped when asked.
        #expect(pipe(&fds) == 0)
        #expect(FileDescriptorIO.writeAll(fds[1], Array("B 1|2|x\nB 1|3".utf8)))
        close(fds[1])
        got = []
        FileDescriptorIO.forEachLine(fds[0], dropUnended: true) { got.append(String(decoding: $0, as: UTF8.self)) }
        close(fds[0])
        #expect(got == ["B 1|2|x"])
    }

    @Test func temporaryDirectoryDefault() {
        #expect(TemporaryDirectory.root(environment: [:]) == "/tmp")
        #expect(TemporaryDirectory.root(environment: ["TMPDIR": ""]) == "/tmp")
        #expect(TemporaryDirectory.root(environment: ["TMPDIR": "/scratch/x/"]) == "/scratch/x")
        #expect(TemporaryDirectory.root(environment: ["TMPDIR": "/"]) == "/")
    }
}
