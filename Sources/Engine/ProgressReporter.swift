import EvidenceStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress display on a terminal (files, bytes, rate, ETA); silent when stderr is
/// not a TTY, so scripts and logs get only the final summary.
public final class ProgressReporter: @unchecked Sendable {
    // Safe: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var files = 0
    private var bytes: Int64 = 0
    private var totalBytes: Int64 = 0
    private var label = ""
    private var started = Date()
    private var lastDraw = Date.distantPast
    private let enabled: Bool

    /// A reporter that draws only when standard error is a terminal.
    public init(force: Bool? = nil) {
        enabled = force ?? (isatty(STDERR_FILENO) == 1)
    }

    func startEvidence(label: String, totalBytes: Int64) {
        lock.lock(); defer { lock.unlock() }
        // The label is the evidence's file name: no control sequences on the examiner's terminal.
        self.label = ExportEscape.isolatedText(ExportEscape.terminal(label))
        self.totalBytes = totalBytes
        self.bytes = 0
        started = Date()
    }

    func entry(bytes n: Int64) {
        lock.lock(); defer { lock.unlock() }
        files += 1
        bytes += n
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.25 else { return }
        lastDraw = now
        let secs = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(bytes) / secs
        var line = "\r\(label): \(files) files, \(Self.human(bytes)) read, \(Self.human(Int64(rate)))/s"
        // Expanded bytes can exceed the container size; the ETA is only a guide.
        if totalBytes > 0, rate > 0, bytes < totalBytes {
            line += ", ETA ~\(Int(Double(totalBytes - bytes) / rate)) s"
        }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    func finish() {
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
