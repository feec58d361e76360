import EvidenceStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress display on a terminal: the item (`[2/3] seized.zip`), the phase
/// (`hashing`, `intake + analysis`, then the case phase's steps: `linking chats`, `matching hash
/// sets`, `case analyzers`) and, while reading, files, bytes, rate and ETA (issue 15, item 17).
/// Silent when stderr is not a TTY, so scripts and logs get only the final summary;
/// `EXHIBIT_PROGRESS=1` draws it anyway (tests, `script` recordings).
public final class ProgressReporter: @unchecked Sendable {
    // Safe: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var files = 0
    private var bytes: Int64 = 0
    private var totalBytes: Int64 = 0
    private var label = ""
    private var itemIndex = 0
    private var itemCount = 0
    private var phaseName = ""
    private var started = Date()
    private var lastDraw = Date.distantPast
    private let enabled: Bool

    /// A reporter that draws only when standard error is a terminal.
    public init(force: Bool? = nil) {
        enabled = force ?? (isatty(STDERR_FILENO) == 1 || ProcessInfo.processInfo.environment["EXHIBIT_PROGRESS"] == "1")
    }

    /// Item `index` (1-based) of `count` begins: its container is hashed first.
    func startItem(index: Int, of count: Int, label: String) {
        lock.lock(); defer { lock.unlock() }
        itemIndex = index; itemCount = count; self.label = label
        draw(phase: "hashing", force: true)
    }

    /// The walk of the current item begins: entries are read, hashed and analysed.
    func startEvidence(label: String, totalBytes: Int64) {
        lock.lock(); defer { lock.unlock() }
        // The label is the evidence's file name: no control sequences on the examiner's terminal.
        self.label = ExportEscape.isolatedText(ExportEscape.terminal(label))
        self.totalBytes = totalBytes
        self.bytes = 0
        files = 0
        started = Date()
        draw(phase: "intake + analysis", force: true)
    }

    /// A step after intake, over the whole case: `linking chats`, `matching hash sets`, `case analyzers`.
    func casePhase(_ step: String) {
        lock.lock(); defer { lock.unlock() }
        guard enabled else { return }
        phaseName = step
        FileHandle.standardError.write(Data("\rcase phase: \(step)…\u{1B}[K".utf8))
    }

    /// Draws the item line; the caller holds `lock`.
    private func draw(phase: String, force: Bool) {
        phaseName = phase
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) > 0.25 else { return }
        lastDraw = now
        let item = itemCount > 0 ? "[\(itemIndex)/\(itemCount)] " : ""
        var line = "\r\(item)\(label) — \(phase)"
        if phase == "intake + analysis" {
            let secs = max(now.timeIntervalSince(started), 0.001)
            let rate = Double(bytes) / secs
            line += ": \(files) files, \(Self.human(bytes)) read, \(Self.human(Int64(rate)))/s"
            // Expanded bytes can exceed the container size; the ETA is only a guide.
            if totalBytes > 0, rate > 0, bytes < totalBytes {
                line += ", ETA ~\(Int(Double(totalBytes - bytes) / rate)) s"
            }
        }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    func entry(bytes n: Int64) {
        lock.lock(); defer { lock.unlock() }
        files += 1
        bytes += n
        draw(phase: "intake + analysis", force: false)
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// `1.5 GB`-style sizes (decimal units).
    public static func human(_ n: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var v = Double(n), i = 0
        while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(n) B" : "\(String(format: "%.1f", v)) \(units[i])"
    }
}
