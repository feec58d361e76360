import Crypto
import Foundation
import _CryptoExtras

/// Why a KakaoTalk column value could not be turned into text. The raw value is always kept with
/// its enc type; each kind is reported once per database with a count (docs/analyzers.md).
enum KakaoDecryptFailure: String, Error, Sendable, Hashable, CaseIterable, Comparable {
    /// Not strict base64 (the app always writes base64 of the ciphertext).
    case notBase64 = "not-base64"
    /// The ciphertext is empty of blocks or not a whole number of 16-byte AES blocks.
    case wrongLength = "wrong-length"
    /// The last block's PKCS#7 padding is not valid: wrong key (wrong user id or enc type) or damage.
    case badPadding = "bad-padding"
    /// Decrypted and unpadded, but the bytes are not UTF-8.
    case invalidUTF8 = "invalid-utf8"
    /// The enc type is past the published prefix list (newer app builds; some are computed in the
    /// app's native library): no key can be derived.
    case unknownEnc = "unknown-enc"
    /// The row gives no enc type (`v` missing, not JSON, or without `enc`).
    case noEnc = "no-enc"

    static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// KakaoTalk for Android's column encryption, written from the publicly documented scheme
/// (docs/analyzers.md, "kakaotalk-db"): AES-256-CBC with a fixed IV over base64 text; the key is
/// the PKCS#12 KDF (RFC 7292 appendix B.2, ID byte 1 = key material) with SHA-1 and 2 iterations
/// of a fixed 16-byte password, salted with a per-enc-type prefix followed by the decimal user id.
///
/// One instance per analysis call (not shared between threads): it caches one derived key per
/// (user id, enc type), because a million rows come from a few hundred senders.
final class KakaoTalkCipher {
    /// The prefix of the salt for each enc type (index = enc). The app adds entries with new
    /// versions; a type past the end is ``KakaoDecryptFailure/unknownEnc``.
    static let saltPrefixes: [String] = [
        "", "", "12", "24", "18", "30", "36", "12", "48", "7", "35", "40", "17", "23", "29",
        "isabel", "kale", "sulli", "van", "merry", "kyle", "james", "maddux", "tony", "hayden", "paul",
        "elijah", "dorothy", "sally", "bran",
    ]
    /// The fixed password (used as a BMPString: UTF-16BE with a terminating NUL).
    static let password: [UInt8] = [0x16, 0x08, 0x09, 0x6f, 0x02, 0x17, 0x2b, 0x08, 0x21, 0x21, 0x0a, 0x10, 0x03, 0x03, 0x07, 0x06]
    /// The fixed CBC initialisation vector.
    static let iv: [UInt8] = [0x0f, 0x08, 0x01, 0x00, 0x19, 0x47, 0x25, 0xdc, 0x15, 0xf5, 0x17, 0xe0, 0xe1, 0x15, 0x0c, 0x35]

    private struct KeyID: Hashable { let user: Int64; let enc: Int }
    private var keys: [KeyID: SymmetricKey] = [:]
    /// Keys derived so far (a test checks the cache is per (user, enc), never per row).
    private(set) var derivations = 0

    /// Whether `enc` has a published salt prefix.
    static func isKnown(enc: Int) -> Bool { enc >= 0 && enc < saltPrefixes.count }

    /// The 16-byte salt: prefix + decimal user id, cut to 16 bytes, NUL-padded; a user id ≤ 0
    /// gives 16 zero bytes. `nil` for an unknown enc type.
    static func salt(user: Int64, enc: Int) -> [UInt8]? {
        guard isKnown(enc: enc) else { return nil }
        if user <= 0 { return [UInt8](repeating: 0, count: 16) }
        var s = Array((saltPrefixes[enc] + String(user)).utf8.prefix(16))
        s += [UInt8](repeating: 0, count: 16 - s.count)
        return s
    }

    /// The AES key for (user, enc), derived once and cached.
    func key(user: Int64, enc: Int) -> SymmetricKey? {
        let id = KeyID(user: user, enc: enc)
        if let k = keys[id] { return k }
        guard let salt = Self.salt(user: user, enc: enc) else { return nil }
        let bmp: [UInt8] = Self.password.flatMap { [0, $0] } + [0, 0]
        let k = SymmetricKey(data: Self.pkcs12Derive(password: bmp, salt: salt, iterations: 2, length: 32))
        keys[id] = k
        derivations += 1
        return k
    }

    /// Decrypts one base64 column value with the key of (user, enc).
    func decrypt(_ base64: String, user: Int64, enc: Int) -> Result<String, KakaoDecryptFailure> {
        switch decryptBytes(base64, user: user, enc: enc) {
        case .failure(let f): return .failure(f)
        case .success(let bytes):
            guard let s = String(validating: bytes, as: UTF8.self) else { return .failure(.invalidUTF8) }
            return .success(s)
        }
    }

    /// Decrypts to the unpadded plaintext bytes.
    func decryptBytes(_ base64: String, user: Int64, enc: Int) -> Result<[UInt8], KakaoDecryptFailure> {
        guard let key = key(user: user, enc: enc) else { return .failure(.unknownEnc) }
        guard let data = Data(base64Encoded: base64) else { return .failure(.notBase64) }
        guard !data.isEmpty, data.count % 16 == 0 else { return .failure(.wrongLength) }
        // CBC over swift-crypto's AES block function (`_CryptoExtras`): each block decrypted in
        // place, then XORed with the previous ciphertext block (the IV for the first). Same result
        // as `AES._CBC.decrypt(…, noPadding: true)`, without its per-block generic slicing, which
        // dominated the time on a million rows; PKCS#7 is checked below so a wrong key is told
        // apart from a wrong length.
        let cipherBytes = [UInt8](data)
        var bytes = cipherBytes
        do {
            try bytes.withUnsafeMutableBufferPointer { buf in
                var i = 0
                while i < buf.count {
                    var block = UnsafeMutableBufferPointer(rebasing: buf[i..<(i + 16)])
                    try AES.inversePermute(&block, key: key)
                    for k in 0..<16 { buf[i + k] ^= i == 0 ? Self.iv[k] : cipherBytes[i - 16 + k] }
                    i += 16
                }
            }
        } catch {
            return .failure(.wrongLength)
        }
        guard let pad = bytes.last, pad >= 1, pad <= 16, Int(pad) <= bytes.count,
              bytes.suffix(Int(pad)).allSatisfy({ $0 == pad }) else { return .failure(.badPadding) }
        return .success(Array(bytes.dropLast(Int(pad))))
    }

    /// PKCS#12 key derivation (RFC 7292 appendix B.2) with SHA-1 (u = 20, v = 64) and ID byte 1.
    /// `password` is already the BMPString (UTF-16BE + NUL). Written from the RFC.
    static func pkcs12Derive(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        let v = 64
        func fill(_ x: [UInt8]) -> [UInt8] {
            guard !x.isEmpty else { return [] }
            let n = v * ((x.count + v - 1) / v)
            return (0..<n).map { x[$0 % x.count] }
        }
        let d = [UInt8](repeating: 1, count: v)
        var i = fill(salt) + fill(password)
        var out: [UInt8] = []
        while out.count < length {
            var a = [UInt8](Insecure.SHA1.hash(data: d + i))
            for _ in 1..<max(iterations, 1) { a = [UInt8](Insecure.SHA1.hash(data: a)) }
            out += a
            // B = A repeated to v bytes; each v-byte block of I becomes (I_j + B + 1) mod 2^(8v).
            let b = (0..<v).map { a[$0 % a.count] }
            var j = 0
            while j < i.count {
                var carry = 1
                for k in stride(from: v - 1, through: 0, by: -1) {
                    let sum = Int(i[j + k]) + Int(b[k]) + carry
                    i[j + k] = UInt8(truncatingIfNeeded: sum)
                    carry = sum >> 8
                }
                j += v
            }
        }
        return Array(out.prefix(length))
    }
}
