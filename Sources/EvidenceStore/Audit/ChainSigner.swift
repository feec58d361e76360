import Crypto
import Foundation

/// Errors reading a signing key.
public enum ChainSignerError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableKeyFile(path: String, reason: String)
    case malformedKey(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableKeyFile(let p, let r):
            return "\(p): cannot read the signing key (\(r))"
        case .malformedKey(let p, let r):
            return "\(p): not an Exhibit signing key (\(r)); expected 64 hex characters, the 32-byte Ed25519 "
                + "private key seed, whitespace ignored"
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
        let signature = try key.signature(for: Data(head.utf8))
        return (AuditChain.hex(signature), AuditChain.hex(key.publicKey.rawRepresentation))
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
        return (AuditChain.hex(key.rawRepresentation), AuditChain.hex(key.publicKey.rawRepresentation))
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
