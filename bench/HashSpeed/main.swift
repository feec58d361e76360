// Measures this machine's hashing limit for the intake benchmark: reads all of standard input
// (the uncompressed bytes of a benchmark archive) into memory, then times MD5, SHA-1 and SHA-256
// (swift-crypto, the same code intake uses) over it, one after another on one core.
// Prints JSON: {"bytes": N, "md5_s": …, "sha1_s": …, "sha256_s": …}.
import Crypto
import Foundation

var chunks: [Data] = []
var total = 0
let input = FileHandle.standardInput
while true {
    let d = input.readData(ofLength: 8 << 20)
    if d.isEmpty { break }
    total += d.count
    chunks.append(d)
}

func time<H: HashFunction>(_ type: H.Type) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    var h = H()
    for c in chunks { h.update(data: c) }
    _ = h.finalize()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let md5 = time(Insecure.MD5.self)
let sha1 = time(Insecure.SHA1.self)
let sha256 = time(SHA256.self)
print("{\"bytes\": \(total), \"md5_s\": \(md5), \"sha1_s\": \(sha1), \"sha256_s\": \(sha256)}")
