@testable import Engine
import ExhibitTesting
import Foundation
import Testing

/// The pieces of encrypted-backup reading on their own: chunked AES-256-CBC against Python's
/// `cryptography` (a real encoder), and the keybag parser on damaged TLV records.
@Suite("iOS backups: CBC chunks and keybag records")
struct BackupCipherTests {
    /// `plain` encrypted by Python's `cryptography` with `key` (AES-256-CBC, zero IV, PKCS#7).
    static func encrypt(_ plain: Data, key: Data) throws -> Data {
        let dir = try TestDirectory("cbc")
        defer { dir.remove() }
        let input = dir.path("plain"), output = dir.path("sealed")
        try plain.write(to: URL(fileURLWithPath: input))
        let script = """
            import sys
            from cryptography.hazmat.primitives import padding
            from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
            key = bytes.fromhex(sys.argv[1]); data = open(sys.argv[2], 'rb').read()
            p = padding.PKCS7(128).padder(); padded = p.update(data) + p.finalize()
            e = Cipher(algorithms.AES(key), modes.CBC(b'\\0' * 16)).encryptor()
            open(sys.argv[3], 'wb').write(e.update(padded) + e.finalize())
            """
        let hex = key.map { String(format: "%02x", $0) }.joined()
        let r = try Run.command("/usr/bin/env", ["python3", "-c", script, hex, input, output])
        try #require(r.exitCode == 0, "python: \(r.stderr)")
        return try Data(contentsOf: URL(fileURLWithPath: output))
    }

    /// Decrypts `sealed` handing it over in pieces of the given sizes (cycled).
    static func decrypt(_ sealed: Data, key: Data, pieces: [Int], size: Int64? = nil) throws -> Data? {
        var offset = 0, turn = 0
        var out = Data()
        let ok = try BackupCipher.decrypt(next: {
            guard offset < sealed.count else { return nil }
            let n = min(pieces[turn % pieces.count], sealed.count - offset)
            turn += 1
            defer { offset += n }
            return sealed.subdata(in: offset..<offset + n)
        }, write: { out.append($0) }, key: .init(data: key), size: size)
        return ok ? out : nil
    }

    static let key = Data((0..<32).map { UInt8($0 * 7 & 0xFF) })
    static let plain = Data((0..<100_003).map { UInt8(truncatingIfNeeded: $0 * 31 + $0 / 251) })

    @Test func chunksOfAnySizeGiveThePlaintextBack() throws {
        let sealed = try Self.encrypt(Self.plain, key: Self.key)
        try #require(sealed.count == 100_016)
        for pieces in [[1 << 20], [16], [7], [1, 15, 16, 17, 4093], [100_016]] {
            #expect(try Self.decrypt(sealed, key: Self.key, pieces: pieces) == Self.plain, "pieces \(pieces)")
        }
        // The manifest's Size cuts inside the last block only (a larger or smaller Size does not).
        #expect(try Self.decrypt(sealed, key: Self.key, pieces: [4096], size: 100_000) == Self.plain.prefix(100_000))
        #expect(try Self.decrypt(sealed, key: Self.key, pieces: [4096], size: 5) == Self.plain)
    }

    @Test func aWrongKeyCutBytesOrAShortKeyDoNotDecrypt() throws {
        let sealed = try Self.encrypt(Self.plain, key: Self.key)
        var other = Self.key
        other[0] ^= 1
        #expect(try Self.decrypt(sealed, key: other, pieces: [4096]) == nil)
        #expect(try Self.decrypt(sealed.prefix(sealed.count - 5), key: Self.key, pieces: [4096]) == nil)
        #expect(try Self.decrypt(sealed, key: Self.key.prefix(16), pieces: [4096]) == nil)
        #expect(try Self.decrypt(Data(), key: Self.key, pieces: [4096]) == Data())
    }

    static func tlv(_ tag: String, _ value: Data) -> Data {
        var out = Data(tag.utf8)
        withUnsafeBytes(of: UInt32(value.count).bigEndian) { out.append(contentsOf: $0) }
        return out + value
    }

    static func tlv(_ tag: String, _ n: UInt32) -> Data { tlv(tag, withUnsafeBytes(of: n.bigEndian) { Data($0) }) }

    static var header: Data {
        var h = tlv("VERS", 4)
        h += tlv("UUID", Data(count: 16))
        h += tlv("SALT", Data(count: 20))
        h += tlv("ITER", 100)
        h += tlv("DPIC", 1000)
        h += tlv("DPSL", Data(count: 20))
        return h
    }

    /// (what is wrong, keybag bytes, expected message).
    static var damagedBags: [(String, Data, String)] {
        var out: [(String, Data, String)] = []
        out.append(("a record cut short", header + Data("CLAS".utf8), "damaged keybag: a record is cut short at byte 116"))
        var past = header
        past += Data("WPKY".utf8)
        past += Data([0xFF, 0xFF, 0xFF, 0xFF])
        out.append(("a length past the end", past, "damaged keybag: record WPKY at byte 116 runs past the end"))
        out.append(("no class keys", header, "damaged keybag: no class keys"))
        var short = header
        short += tlv("UUID", Data(count: 16))
        short += tlv("CLAS", 3)
        short += tlv("WRAP", 2)
        short += tlv("WPKY", Data(count: 39))
        out.append(("a 39-byte wrapped key", short, "damaged keybag: class 3 has a wrapped key of 39 bytes, not 40"))
        var noSalt = tlv("UUID", Data(count: 16))
        noSalt += tlv("ITER", 100)
        noSalt += tlv("DPIC", 1000)
        out.append(("no salt", noSalt, "damaged keybag: no SALT/DPSL record"))
        var zero = tlv("UUID", Data(count: 16))
        zero += tlv("SALT", Data(count: 20))
        zero += tlv("ITER", 0)
        zero += tlv("DPIC", 1000)
        zero += tlv("DPSL", Data(count: 20))
        out.append(("zero rounds", zero, "damaged keybag: round counts out of range (ITER 0, DPIC 1000)"))
        return out
    }

    @Test func aDamagedKeybagIsRefusedWithItsReason() {
        let bags = Self.damagedBags
        #expect(bags.count == 6)
        for (name, bag, expected) in bags {
            do {
                _ = try BackupKeyBag.parse(bag)
                Issue.record("\(name): parsed")
            } catch {
                #expect("\(error)" == expected, "\(name)")
            }
        }
    }
}
