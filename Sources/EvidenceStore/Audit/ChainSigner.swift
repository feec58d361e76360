import Crypto
import ExhibitSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors reading a signing key.
public enum ChainSignerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key file could not be read.
    case unreadableKeyFile(path: String, reason: String)
    /// The key file's content is not 64 hex characters of a valid seed.
    case malformedKey(path: String, reason: String)
    /// The value given is not an existing file. It is never shown: it may be the key itself.
    case notAKeyFile(looksLikeKey: Bool)
    /// The key file can be read or written by others than its owner.
    case exposedKeyFile(path: String, mode: UInt32)

    /// A sentence naming the file and the remedy.
    public var description: String {
        switch self {
        case .unreadableKeyFile(let p, let r):
            return "\(p): cannot read the signing key (\(r))"
        case .malformedKey(let p, let r):
            return "\(p): not an Exhibit signing key (\(r)); expected 64 hex characters, the 32-byte Ed25519 "
                + "private key seed, whitespace ignored"
        case .notAKeyFile(let looksLikeKey):
            return (looksLikeKey
                ? "--sign-key takes the path of a key file, and the value given looks like a key itself; it was not used, recorded or shown. "
                : "--sign-key: the value given is not an existing key file (not shown, in case it is a key). ")
                + "Make a key file with 'exhibit key new FILE' (it prints the public key to give 'exhibit verify --public-key'), then pass --sign-key FILE"
        case .exposedKeyFile(let p, let mode):
            return "\(p): the signing key file is readable by others (mode \(String(mode, radix: 8))); run 'chmod 600 \(p)' and try again"
        }
    }
}

/// Ed25519 signatures over the audit chain head, so an examiner can prove which head they
/// printed at the end of an ingest.
///
/// The signed message is the head exactly as printed: the 64 lower-case hex characters, as
/// ASCII bytes. Key file format: 64 hex characters encoding the 32-byte raw private key (the
/// RFC 8032 seed); whitespace anywhere is ignored, case is not significant.
public enum ChainSigner {
    /// Signs `head` with the key in `privateKeyFile`; returns the 64-byte signature and the
    /// 32-byte public key, both as lower-case hex.
    public static func sign(head: String, privateKeyFile: String) throws -> (signatureHex: String, publicKeyHex: String) {
        let key = try loadKey(file: privateKeyFile)
        let signature = try key.signature(for: Data(head.utf8))
        return (Hex.encode(signature), Hex.encode(key.publicKey.rawRepresentation))
    }

    /// Whether `value` has the shape of a raw key (hex or base64 of 32 or 64 bytes) rather than
    /// of a path: such a value given to `--sign-key` is refused without being echoed.
    public static func looksLikeKey(_ value: String) -> Bool {
        let v = value.trimmingCharacters(in: .whitespaces)
        if Hex.isHex(v, lengths: [64, 128]) { return true }
        let base64 = v.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+/=_-".contains($0)) }
        return base64 && v.count >= 43 && !v.contains(".") && Data(base64Encoded: v) != nil
    }

    /// Checks a signing key file before anything is written: it exists, is a regular file that
    /// only its owner can read or write (0600 or stricter), and holds a valid key. The public
    /// key (hex) is returned. Errors never repeat a value that is not an existing file.
    @discardableResult
    public static func checkKeyFile(_ path: String) throws -> String {
        Hex.encode(try loadKey(file: path).publicKey.rawRepresentation)
    }

    /// The public key (hex) of the private key in `privateKeyFile`.
    public static func publicKey(ofKeyFile privateKeyFile: String) throws -> String {
        try checkKeyFile(privateKeyFile)
    }

    static func loadKey(file privateKeyFile: String) throws -> Curve25519.Signing.PrivateKey {
        var st = stat()
        guard stat(privateKeyFile, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw ChainSignerError.notAKeyFile(looksLikeKey: looksLikeKey(privateKeyFile))
        }
        if st.st_mode & 0o077 != 0 {
            throw ChainSignerError.exposedKeyFile(path: privateKeyFile, mode: UInt32(st.st_mode & 0o777))
        }
        let text: String
        do {
            text = try String(contentsOfFile: privateKeyFile, encoding: .utf8)
        } catch {
            throw ChainSignerError.unreadableKeyFile(path: privateKeyFile, reason: "\(error.localizedDescription)")
        }
        let compact = text.filter { !$0.isWhitespace }
        guard compact.count == 64, let seed = bytes(fromHex: compact) else {
            throw ChainSignerError.malformedKey(path: privateKeyFile, reason: "\(compact.count) non-space characters")
        }
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        } catch {
            throw ChainSignerError.malformedKey(path: privateKeyFile, reason: "\(error)")
        }
        return key
    }

    /// Whether `signatureHex` is a valid Ed25519 signature of `head` by `publicKeyHex`. Malformed
    /// hex is simply not valid.
    public static func verify(head: String, signatureHex: String, publicKeyHex: String) -> Bool {
        guard let sig = bytes(fromHex: signatureHex), let pub = bytes(fromHex: publicKeyHex),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: pub) else { return false }
        return key.isValidSignature(sig, for: Data(head.utf8))
    }

    /// A fresh key pair: the private key seed (the key file's content) and the public key, as hex.
    public static func generateKey() -> (privateHex: String, publicHex: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (Hex.encode(key.rawRepresentation), Hex.encode(key.publicKey.rawRepresentation))
    }

    static func bytes(fromHex text: String) -> Data? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out = Data(capacity: chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
