// exhibit-mediabench — the media hasher's own speed, for bench/run_bench.py (make bench).
//   images DIR [--threads N] [--jpeg-min-side PX] [--hashes OUT]
//       every file of DIR loaded into memory first, then decoded + PDQ-hashed on N threads
//       (default: all cores); JSON {"files", "seconds", "threads"}; OUT gets "name hash quality".
//   video FILE [--fps F] [--decode-all]
//                            JSON {"decoded", "hashed", "seconds"}; --decode-all decodes every
//                            frame (the pre-plan baseline) instead of only the planned packets
//   lookup N QUERIES         N random PDQ hashes indexed (multi-index), QUERIES lookups at ≤ 31
//                            bits; JSON {"entries", "build_seconds", "query_us", "file_us", "linear_us"}
import ExhibitKit
import Foundation
import HashSets
import MediaHash

let args = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? { args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } }
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func die(_ m: String) -> Never { FileHandle.standardError.write(Data((m + "\n").utf8)); exit(2) }

final class Results: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var rows: [Int: String] = [:]
    func set(_ i: Int, _ s: String) { lock.lock(); rows[i] = s; lock.unlock() }
    var all: [Int: String] { lock.lock(); defer { lock.unlock() }; return rows }
}

switch args.first {
case "images":
    guard args.count > 1 else { die("usage: exhibit-mediabench images DIR") }
    let dir = args[1]
    let threads = option("--threads").flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount
    let limits = DecodeLimits(jpegMinSide: option("--jpeg-min-side").flatMap(Int.init))
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    let files: [Data] = names.compactMap { FileManager.default.contents(atPath: "\(dir)/\($0)") }
    let results = Results()
    let start = now()
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        var i = t
        while i < files.count {
            let findings = files[i].withUnsafeBytes { raw -> [Finding] in
                guard let f = MediaFormat.detect(Array(raw.prefix(32))) else { return [] }
                return MediaHashAnalyzer.image(raw, format: f, limits: limits).findings
            }
            for f in findings { if case .mediaHash(let h) = f { results.set(i, "\(names[i]) \(h.hash) \(h.quality)") } }
            i += threads
        }
    }
    let seconds = now() - start
    if let out = option("--hashes") {
        let text = results.all.sorted { $0.key < $1.key }.map(\.value).joined(separator: "\n") + "\n"
        try? text.write(toFile: out, atomically: true, encoding: .utf8)
    }
    print("{\"files\": \(files.count), \"hashed\": \(results.all.count), \"seconds\": \(seconds), \"threads\": \(threads)}")
case "video":
    guard args.count > 1 else { die("usage: exhibit-mediabench video FILE") }
    let fps = option("--fps").flatMap(Double.init) ?? 1
    let start = now()
    switch MediaHashAnalyzer.videoFramesDecoded(path: args[1], framesPerSecond: fps, decodeAll: args.contains("--decode-all")) {
    case .success(let r):
        print("{\"decoded\": \(r.decoded), \"hashed\": \(r.frames.count), \"seconds\": \(now() - start)}")
    case .failure(let e): die("\(e)")
    }
case "lookup":
    let n = args.count > 1 ? Int(args[1]) ?? 1_000_000 : 1_000_000
    let q = args.count > 2 ? Int(args[2]) ?? 10_000 : 10_000
    var state: UInt64 = 0x1234_5678
    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    func random() -> PDQBits? { PDQBits(hex: (0..<4).map { _ in String(format: "%016llx", next()) }.joined()) }
    let hashes = (0..<n).compactMap { _ in random() }
    var t = now()
    let index = PDQIndex(hashes)
    let build = now() - t
    // Half the queries are planted near-duplicates (≤ 24 bits from an entry), half random.
    var queries: [PDQBits] = []
    for i in 0..<q {
        if i % 2 == 0, var h = random() {
            h = hashes[Int(next() % UInt64(n))]
            h.w1 ^= next() & next() & next() // about 8 bits
            h.w3 ^= next() & next() & next()
            queries.append(h)
        } else if let r = random() { queries.append(r) }
    }
    t = now()
    var found = 0
    for x in queries { found += index.search(x, maxDistance: 31).count }
    let per = (now() - t) / Double(queries.count) * 1e6
    // A linear scan over the same set, for comparison (fewer queries: it is slow).
    t = now()
    var slow = 0
    for x in queries.prefix(20) { for h in hashes where h.distance(x) <= 31 { slow += 1 } }
    let linear = (now() - t) / 20 * 1e6
    print("{\"entries\": \(n), \"queries\": \(queries.count), \"found\": \(found), \"build_seconds\": \(build), \"query_us\": \(per), \"file_us\": \(per * 8), \"linear_us\": \(linear), \"linear_found\": \(slow)}")
default:
    die("usage: exhibit-mediabench images DIR | video FILE | lookup N QUERIES")
}
