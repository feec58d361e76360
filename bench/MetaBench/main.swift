// exhibit-metabench DIR [--threads N]
// The metadata analyzer's own throughput, the way issue 4 measures it: every file of DIR is
// loaded into memory first, then parsed (MetadataAnalyzer.findings) on N threads (default: all
// cores). Prints JSON {"files", "seconds", "findings"} for bench/run_bench.py.
import ExhibitKit
import Foundation
import Metadata

let args = Array(CommandLine.arguments.dropFirst())
guard let dir = args.first else {
    FileHandle.standardError.write(Data("usage: exhibit-metabench DIR [--threads N]\n".utf8))
    exit(2)
}
let threads = args.firstIndex(of: "--threads").flatMap { i in i + 1 < args.count ? Int(args[i + 1]) : nil }
    ?? ProcessInfo.processInfo.activeProcessorCount
let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
let files: [[UInt8]] = names.compactMap { FileManager.default.contents(atPath: "\(dir)/\($0)").map { [UInt8]($0) } }
let zone = TimeZone(identifier: "Asia/Seoul")

final class Counter: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var n = 0
    func add(_ k: Int) { lock.lock(); n += k; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
let found = Counter()
let start = DispatchTime.now().uptimeNanoseconds
DispatchQueue.concurrentPerform(iterations: threads) { t in
    var local = 0
    var i = t
    while i < files.count {
        local += MetadataAnalyzer.findings(in: files[i], zone: zone).findings.count
        i += threads
    }
    found.add(local)
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print("{\"files\": \(files.count), \"seconds\": \(seconds), \"findings\": \(found.value), \"threads\": \(threads)}")
