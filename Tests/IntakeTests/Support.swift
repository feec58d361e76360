import ExhibitKit
import Foundation
import Intake
import Testing

/// A private scratch area per test: `work/` for inputs made with real tools, `spool/` (0700) for the walker.
final class Scratch {
    let root: URL
    let work: URL
    let spool: URL

    init() throws {
        IntakeWalker.prepareProcess()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("intake-test-\(UUID().uuidString)")
        work = root.appendingPathComponent("work")
        spool = root.appendingPathComponent("spool")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { work.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let url = work.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url.path
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }

    /// Runs a real tool in `work/` and fails the test if it exits non-zero.
    @discardableResult
    func run(_ tool: String, _ args: [String], in dir: URL? = nil, allowFailure: Bool = false) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.currentDirectoryURL = dir ?? work
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if !allowFailure && p.terminationStatus != 0 {
            throw ToolFailure(message: "\(tool) \(args.joined(separator: " ")) exited \(p.terminationStatus): \(text)")
        }
        return text
    }

    /// Runs a python3 snippet in `work/`.
    @discardableResult
    func python(_ code: String) throws -> String { try run("/usr/bin/env", ["python3", "-c", code]) }

    /// Files left in the spool directory.
    func spoolFiles() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: spool.path) }

    func options(_ budgets: IntakeBudgets = .default, threshold: Int = 16 << 20, zone: TimeZone? = nil) -> IntakeOptions {
        IntakeOptions(temporaryDirectory: spool, budgets: budgets, memoryThreshold: threshold, assumedZone: zone)
    }
}

struct ToolFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Everything one walk produced.
struct WalkResult {
    var entries: [IntakeEntry] = []
    var ends: [ContainerSummary] = []
    var order: [String] = []
    var summary: ContainerSummary?

    func entry(_ virtualPath: String) -> IntakeEntry? { entries.first { $0.virtualPath == virtualPath } }
    var paths: [String] { entries.map(\.virtualPath) }
}

func walk(_ path: String, label: String? = nil, options: IntakeOptions, accounted: ([Int]) -> Int64? = { _ in nil }) throws -> WalkResult {
    let walker = try IntakeWalker(options: options)
    var r = WalkResult()
    let summary = try walker.walk(EvidenceSource(path: path, label: label ?? URL(fileURLWithPath: path).lastPathComponent),
                                  accountedBytes: accounted) { ev in
        switch ev {
        case .entry(let e):
            r.entries.append(e)
            r.order.append("entry " + e.position.map(String.init).joined(separator: "/"))
        case .containerEnd(let s):
            r.ends.append(s)
            r.order.append("end " + s.position.map(String.init).joined(separator: "/"))
        }
    }
    r.summary = summary
    return r
}

/// SHA-256 of a file by the system tool, as a reference independent of our hashing.
func referenceSHA256(_ path: String) throws -> String {
    let out = try Scratch.runStatic("/usr/bin/sha256sum", [path])
    return String(out.prefix(64))
}

extension Scratch {
    static func runStatic(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Deterministic pseudo-random bytes (incompressible test content without a random source).
func noise(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> Data {
    var x = seed
    var bytes = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        bytes[i] = UInt8(truncatingIfNeeded: x)
    }
    return Data(bytes)
}
