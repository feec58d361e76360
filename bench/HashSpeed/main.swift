// Measures this machine's hashing limit for the intake benchmark: reads all of standard input
// (the uncompressed bytes of a benchmark archive) into memory, then times MD5, SHA-1 and SHA-256
// (swift-crypto, the same code intake uses) over it, one after another on one core.
// Prints JSON: {"bytes": N, "md5_s": …, "sha1_s": …, "sha256_s": …}.
import Crypto
import Foundation

func readAll() -> [Data] {
    var chunks: [Data] = []
    while true {
        let d = FileHandle.standardInput.readData(ofLength: 8 << 20)
        if d.isEmpty { return chunks }
        chunks.append(d)
    }
}

func time<H: HashFunction>(_ type: H.Type, _ chunks: [Data]) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    var h = H()
    for c in chunks { h.update(data: c) }
    _ = h.finalize()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let chunks = readAll()
let total = chunks.reduce(0) { $0 + $1.count }
let md5 = time(Insecure.MD5.self, chunks)
let sha1 = time(Insecure.SHA1.self, chunks)
let sha256 = time(SHA256.self, chunks)
print("{\"bytes\": \(total), \"md5_s\": \(md5), \"sha1_s\": \(sha1), \"sha256_s\": \(sha256)}")
