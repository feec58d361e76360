import Foundation
import ChatExport
import ExhibitKit

// exhibit-chatbench FILE [--zone Asia/Seoul] [--dump] [--collect]
// Runs the chat-export analyzer over one file and prints "<messages> <seconds>" (bench/chat_bench.py
// parses it). Streams by default (the analyzer's own memory); --collect keeps every finding like
// `analyze` does; --dump prints each finding as JSON (for debugging fixtures).
let args = CommandLine.arguments.dropFirst()
guard let path = args.first(where: { !$0.hasPrefix("--") }) else {
    FileHandle.standardError.write("usage: exhibit-chatbench FILE [--zone ZONE] [--dump] [--collect] [--name VIRTUAL/PATH]\n".data(using: .utf8)!)
    exit(2)
}
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), args.index(after: i) < args.endIndex else { return nil }
    return args[args.index(after: i)]
}
let zone = option("--zone").flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "Asia/Seoul")
let url = URL(fileURLWithPath: path)
let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
let virtualPath = option("--name") ?? "bench!/" + url.lastPathComponent
let file = EvidenceFile(key: "bench", virtualPath: virtualPath, size: size ?? 0,
                        hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/octet-stream",
                        content: .temporaryFile(url))
let context = AnalysisContext(assumedZone: zone, temporaryDirectory: FileManager.default.temporaryDirectory)
let dump = args.contains("--dump")
let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
func line<T: Encodable>(_ tag: String, _ v: T) {
    let body = (try? encoder.encode(v)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    print("{\"\(tag)\":\(body)}")
}
let collect = args.contains("--collect")
let start = Date()
/// Counts (and with --dump prints) what the analyzer emits, as the engine's sink would receive it.
final class BenchSink: FindingSink {
    let dump: Bool, collect: Bool
    var messages = 0, warnings = 0, kept: [Finding] = []
    init(dump: Bool, collect: Bool) { self.dump = dump; self.collect = collect }
    func emit(_ f: Finding) {
        switch f {
        case .message(let m): messages += 1; if dump { line("message", m) }
        case .chat(let c): if dump { line("chat", c) }
        case .participant(let p): if dump { line("participant", p) }
        default: break  // not a chat finding (a new finding kind needs no line here)
        }
        if collect { kept.append(f) }
    }
    func warn(_ w: AnalysisWarning) {
        warnings += 1
        if dump { line("warning", w) } else { FileHandle.standardError.write(Data("warning: \(w.code): \(w.message)\n".utf8)) }
    }
    var isStopped: Bool { false }
}
let sink = BenchSink(dump: dump, collect: collect)
do {
    try ChatExportAnalyzer().analyze(file, context: context, into: sink)
} catch {
    FileHandle.standardError.write("error: \(error)\n".data(using: .utf8)!)
    exit(1)
}
let seconds = Date().timeIntervalSince(start)
if !dump { print("\(sink.messages) \(String(format: "%.3f", seconds)) \(sink.kept.count)") }
