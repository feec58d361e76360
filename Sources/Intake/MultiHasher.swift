import Crypto
import ExhibitKit
import ExhibitSupport
import Foundation

/// Computes MD5, SHA-1 and SHA-256 in one pass over the same bytes.
public struct MultiHasher {
    private var md5 = Insecure.MD5()
    private var sha1 = Insecure.SHA1()
    private var sha256 = SHA256()

    /// Starts empty digests.
    public init() {}

    /// Feeds the next bytes to all three digests.
    public mutating func update(_ buf: UnsafeRawBufferPointer) {
        guard buf.count > 0 else { return }
        md5.update(bufferPointer: buf)
        sha1.update(bufferPointer: buf)
        sha256.update(bufferPointer: buf)
    }

    /// Finishes and returns lower-case hex digests.
    public mutating func finalize() -> FileHashes {
        FileHashes(md5: Hex.encode(md5.finalize()), sha1: Hex.encode(sha1.finalize()), sha256: Hex.encode(sha256.finalize()))
    }
}

/// A shared block of zero bytes, used to hash sparse-file gaps without allocating.
enum ZeroBlock {
    static let size = 1 << 20
    // Written once at initialisation and only read afterwards, so sharing it is safe.
    nonisolated(unsafe) static let pointer: UnsafeRawBufferPointer = {
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        p.initializeMemory(as: UInt8.self, repeating: 0)
        return UnsafeRawBufferPointer(p)
    }()
}
