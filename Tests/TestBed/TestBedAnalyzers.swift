import ExhibitKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Test-only analyzers. Each acts on text files according to the first line of their content:
/// `CRASH-SEGV` (a real invalid memory access), `CRASH-ABRT` (abort), `CRASH-ONCE` (segfaults the
/// first time it sees the file, then works: proves isolation retries innocent work),
/// `HANG` (sleeps forever), `THROW` (throws an AnalyzerError), `WARN` (returns a warning).
/// Every other text file gets one `testbed.lines` artifact with its line count.
enum TestBedAnalyzers {
    static let all: [any Analyzer] = [LineCounter(), Misbehaver(), SQLiteProbe(), CompanionLister()]
}

struct LineCounter: Analyzer {
    var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(id: "testbed-lines", version: "1", summary: "Counts lines of text files (test bed).",
                           accepts: Acceptance(mimeTypes: ["text/*"]), produces: [.artifact])
    }
    func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        let data = try file.readAll(limit: 64 << 20)
        let lines = data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        let first = String(decoding: data.prefix { $0 != 10 }.prefix(80), as: UTF8.self)
        sink.emit(.artifact(Artifact(type: "testbed.lines", properties: .object(["lines": .number(Double(lines)), "first": .string(first)]),
                                     times: file.times.modified.map { ["modified": $0] } ?? [:])))
    }
}

struct Misbehaver: Analyzer {
    var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(id: "testbed-misbehave", version: "1", summary: "Crashes, hangs or throws on marked files (test bed).",
                           accepts: Acceptance(mimeTypes: ["text/*"]), produces: [], timeoutSeconds: 3)
    }
    func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        let head = String(decoding: file.prefix(32).prefix { $0 != 10 && $0 != 13 }, as: UTF8.self)
        switch head {
        case "CRASH-SEGV":
            let p = UnsafeMutablePointer<Int>(bitPattern: 8)
            p?.pointee = 42
            raise(SIGSEGV)
        case "CRASH-ABRT":
            abort()
        case "CRASH-ONCE":
            let dir = ProcessInfo.processInfo.environment["EXHIBIT_TESTBED_STATE"] ?? "/nonexistent"
            let marker = "\(dir)/\(file.hashes.sha256)"
            if !FileManager.default.fileExists(atPath: marker) {
                _ = FileManager.default.createFile(atPath: marker, contents: Data())
                raise(SIGSEGV)
            }
        case "HANG":
            while true { sleep(60) }
        case "THROW":
            throw AnalyzerError(code: "testbed-refused", message: "the test bed refuses files starting with THROW")
        case "WARN":
            sink.warn(AnalysisWarning(code: "testbed-warning", message: "file starts with WARN", location: SourceLocation(offset: 0)))
        default:
            break
        }
    }
}

/// The smallest analyzer with companions (one entry point, like every analyzer): reports which
/// companions it was handed and whether its content is the engine's private copy. Accepts only
/// `*/contract/probe.db`.
struct CompanionLister: Analyzer {
    var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(id: "testbed-contract", version: "1", summary: "Lists the companions it is given (test bed).",
                           accepts: Acceptance(pathGlobs: ["*/contract/probe.db"], companions: ["{name}-wal"]),
                           produces: [.artifact])
    }

    func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        var privateCopy = false
        if case .temporaryFile(let url) = file.content { privateCopy = !url.path.contains("/evidence/") }
        sink.emit(.artifact(Artifact(type: "testbed.contract", properties: .object([
            "companions": .array(file.companions.map { .string($0.name) }), "private_copy": .bool(privateCopy),
        ]))))
    }
}
