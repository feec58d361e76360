import CLibCrypto
import Crypto
import _CryptoExtras
import Foundation

/// Why an encrypted iTunes/Finder backup cannot be opened.
enum BackupCryptoError: Error, CustomStringConvertible {
    /// The password does not unwrap the class keys (RFC 3394 integrity check failed).
    case wrongPassword
    /// The keybag (or ManifestKey) is not what the documented format says.
    case damaged(String)

    var description: String {
        switch self {
        case .wrongPassword: return "wrong password: it does not unlock the backup's keybag"
        case .damaged(let why): return "damaged keybag: \(why)"
        }
    }
}

/// The `BackupKeyBag` of an encrypted iOS 10.2+ backup (`Manifest.plist`), parsed from its TLV
/// records (4-byte tag, 4-byte big-endian length, value): the header (VERS, TYPE, UUID, HMCK,
/// WRAP, SALT, ITER, DPWT, DPIC, DPSL) and one record group per protection class, each starting
/// with its UUID (CLAS, WRAP, KTYP, WPKY). Facts: shared/FORMATS-mobile.md §1.1.
struct BackupKeyBag {
    /// Largest round counts accepted: real backups use DPIC 10,000,000 and ITER 10,000; a keybag
    /// asking for more would only burn time, so it is refused as damaged.
    static let maxDPIC = 50_000_000
    static let maxITER = 10_000_000

    struct ClassKey {
        var protectionClass: UInt32
        var wrap: UInt32
        var wrappedKey: Data
    }

    var salt = Data()
    var iterations = 0
    var dpsl = Data()
    var dpic = 0
    var classKeys: [ClassKey] = []

    /// Parses the TLV records; a record that runs past the end, a missing salt or a class key
    /// without its wrapped key is refused as damaged.
    static func parse(_ data: Data) throws -> BackupKeyBag {
        let bytes = [UInt8](data)
        var bag = BackupKeyBag()
        var current: ClassKey?
        var sawUUID = false
        var i = 0
        func int(_ v: ArraySlice<UInt8>) -> Int { v.count == 4 ? v.reduce(0) { $0 << 8 | Int($1) } : -1 }
        while i < bytes.count {
            guard bytes.count - i >= 8 else { throw BackupCryptoError.damaged("a record is cut short at byte \(i)") }
            let tag = String(decoding: bytes[i..<i + 4], as: UTF8.self)
            let length = int(bytes[i + 4..<i + 8])
            guard length >= 0, length <= bytes.count - i - 8 else {
                throw BackupCryptoError.damaged("record \(tag) at byte \(i) runs past the end")
            }
            let value = bytes[i + 8..<i + 8 + length]
            i += 8 + length
            switch tag {
            case "UUID":
                // The first UUID is the keybag's own; each later one starts a class key.
                if sawUUID {
                    if let c = current { bag.classKeys.append(c) }
                    current = ClassKey(protectionClass: 0, wrap: 0, wrappedKey: Data())
                }
                sawUUID = true
            case "CLAS": current?.protectionClass = UInt32(truncatingIfNeeded: int(value))
            case "WRAP": current?.wrap = UInt32(truncatingIfNeeded: int(value))
            case "WPKY": current?.wrappedKey = Data(value)
            case "SALT": bag.salt = Data(value)
            case "ITER": bag.iterations = int(value)
            case "DPSL": bag.dpsl = Data(value)
            case "DPIC": bag.dpic = int(value)
            default: break
            }
        }
        if let c = current { bag.classKeys.append(c) }
        guard !bag.salt.isEmpty, !bag.dpsl.isEmpty else { throw BackupCryptoError.damaged("no SALT/DPSL record") }
        guard (1...maxITER).contains(bag.iterations), (1...maxDPIC).contains(bag.dpic) else {
            throw BackupCryptoError.damaged("round counts out of range (ITER \(bag.iterations), DPIC \(bag.dpic))")
        }
        guard !bag.classKeys.isEmpty else { throw BackupCryptoError.damaged("no class keys") }
        if let bad = bag.classKeys.first(where: { $0.wrap & 2 != 0 && $0.wrappedKey.count != 40 }) {
            throw BackupCryptoError.damaged("class \(bad.protectionClass) has a wrapped key of \(bad.wrappedKey.count) bytes, not 40")
        }
        return bag
    }

    /// password → PBKDF2-HMAC-SHA256(password, DPSL, DPIC, 32) → PBKDF2-HMAC-SHA1(…, SALT, ITER,
    /// 32) = passcode key; unwraps every class key wrapped with it (WRAP & 2). A failed unwrap
    /// (the RFC 3394 integrity check) means the password is wrong.
    func unlock(password: String) throws -> [UInt32: SymmetricKey] {
        let first = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: dpsl, using: .sha256,
                                                      outputByteCount: 32, unsafeUncheckedRounds: dpic)
        let passcode = try first.withUnsafeBytes { raw in
            try KDF.Insecure.PBKDF2.deriveKey(from: Array(raw), salt: salt, using: .insecureSHA1,
                                             outputByteCount: 32, unsafeUncheckedRounds: iterations)
        }
        var keys: [UInt32: SymmetricKey] = [:]
        for c in classKeys where c.wrap & 2 != 0 {
            guard let key = try? AES.KeyWrap.unwrap(c.wrappedKey, using: passcode) else { throw BackupCryptoError.wrongPassword }
            keys[c.protectionClass] = key
        }
        guard !keys.isEmpty else { throw BackupCryptoError.damaged("no class key is wrapped with the password") }
        return keys
    }
}

/// A file's (or Manifest.db's) own key as stored: its protection class and the wrapped key.
struct BackupFileKey: Sendable, Equatable {
    var protectionClass: UInt32
    var wrappedKey: Data
    /// The file's real size (MBFile `Size`), to cut the decrypted bytes; nil when not recorded.
    var size: Int64?

    /// `ManifestKey` / `EncryptionKey`: 4-byte little-endian class, then the 40-byte wrapped key.
    init?(blob: Data, size: Int64? = nil) {
        let b = [UInt8](blob)
        guard b.count == 44 else { return nil }
        protectionClass = UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
        wrappedKey = Data(b[4...])
        self.size = size
    }

    /// Unwraps with its class key; nil when the class is unknown or the unwrap fails.
    func unwrap(with classKeys: [UInt32: SymmetricKey]) -> SymmetricKey? {
        guard let kek = classKeys[protectionClass] else { return nil }
        return try? AES.KeyWrap.unwrap(wrappedKey, using: kek)
    }
}

/// AES-256-CBC with a zero IV and PKCS#7 padding, as iTunes/Finder backups store Manifest.db and
/// every file (shared/FORMATS-mobile.md §1.1).
enum BackupCipher {
    /// Bytes decrypted per step: memory stays at a few chunks whatever the file's size.
    static let chunkSize = 1 << 20

    /// Decrypts chunk by chunk: `next` hands over the stored bytes in pieces of any size (nil at
    /// the end), `write` receives the plaintext. Each step's IV is the previous step's last
    /// ciphertext block; the last plaintext block is held back for the padding check, then cut
    /// to `size` when the manifest gives it. Returns false when the bytes are not whole AES
    /// blocks or the padding is not valid (a wrong key or a damaged file); what was written by
    /// then is not valid plaintext and must be discarded by the caller. An empty input is an
    /// empty file.
    static func decrypt(next: () throws -> Data?, write: (Data) throws -> Void, key: SymmetricKey, size: Int64?) throws -> Bool {
        // AES-256 only: the keys of a backup are 32 bytes; anything else is not decrypted.
        guard key.bitCount == 256 else { return false }
        let cipher = try Chunks(key: key)
        var carry: [UInt8] = []    // ciphertext not yet a whole block (at most 15 bytes between chunks)
        var pending: [UInt8] = []  // the last decrypted block, held back for the padding check
        var written: Int64 = 0
        var sawBytes = false
        while let data = try next() {
            guard !data.isEmpty else { continue }
            sawBytes = true
            var input = carry
            input.append(contentsOf: data)
            let whole = input.count - input.count % 16
            carry = Array(input[whole...])
            guard whole > 0 else { continue }
            var plain = pending
            plain.append(contentsOf: try cipher.update(input[..<whole]))
            let keep = plain.count - 16
            if keep > 0 { try write(Data(plain[..<keep])) }
            written += Int64(keep)
            pending = Array(plain[keep...])
        }
        guard sawBytes else { return true }
        guard carry.isEmpty, pending.count == 16, let pad = pending.last, (1...16).contains(pad),
              pending.suffix(Int(pad)).allSatisfy({ $0 == pad }) else { return false }
        var tail = pending.prefix(16 - Int(pad))
        if let size, size >= written, size - written < Int64(tail.count) { tail = tail.prefix(Int(size - written)) }
        if !tail.isEmpty { try write(Data(tail)) }
        return true
    }

    /// OpenSSL's AES-256-CBC decryption context (zero IV, no padding handling: whole blocks in,
    /// the same number of bytes out; the context carries the chaining IV from chunk to chunk).
    final class Chunks {
        private let context: OpaquePointer

        init(key: SymmetricKey) throws {
            guard let ctx = EVP_CIPHER_CTX_new() else { throw IngestError("libcrypto: cannot allocate a cipher context") }
            context = ctx
            let iv = [UInt8](repeating: 0, count: 16)
            let ok = key.withUnsafeBytes { raw -> Int32 in
                guard raw.count == 32, let k = raw.bindMemory(to: UInt8.self).baseAddress else { return 0 }
                return EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), nil, k, iv)
            }
            guard ok == 1, EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 else {
                EVP_CIPHER_CTX_free(ctx)
                throw IngestError("libcrypto: cannot set up AES-256-CBC")
            }
        }

        deinit { EVP_CIPHER_CTX_free(context) }

        /// Decrypts whole blocks (`blocks.count` a multiple of 16, at most 2 GiB).
        func update(_ blocks: ArraySlice<UInt8>) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: blocks.count + 16)
            var produced: Int32 = 0
            let ok = out.withUnsafeMutableBufferPointer { o -> Int32 in
                blocks.withUnsafeBufferPointer { i -> Int32 in
                    guard let dst = o.baseAddress, let src = i.baseAddress, let length = Int32(exactly: i.count) else { return 0 }
                    return EVP_DecryptUpdate(context, dst, &produced, src, length)
                }
            }
            guard ok == 1, produced >= 0, Int(produced) == blocks.count else { throw IngestError("libcrypto: AES-256-CBC decryption failed") }
            out.removeLast(out.count - Int(produced))
            return out
        }
    }

    /// Decrypts `data` (already in memory) into the private file `url`, in chunks.
    static func decrypt(_ data: Data, key: SymmetricKey, to url: URL) throws -> Bool {
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = FileHandle(forWritingAtPath: url.path) else {
            throw IngestError("cannot create the private file \(url.path)")
        }
        defer { try? output.close() }
        var offset = 0
        return try decrypt(next: {
            guard offset < data.count else { return nil }
            let end = min(offset + chunkSize, data.count)
            defer { offset = end }
            return data.subdata(in: data.startIndex + offset..<data.startIndex + end)
        }, write: { try output.write(contentsOf: $0) }, key: key, size: nil)
    }
}
