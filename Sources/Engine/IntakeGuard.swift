import ExhibitKit
import Foundation
import Intake
#if canImport(Glibc)
import Glibc
#endif

/// The worker's last line of defence against hostile containers: a thread that watches the
/// walker's libarchive calls (``IntakeWatch``) and the worker's resident memory.
///
/// libarchive 3.6.2 loops *inside* single calls on some inputs (a Rock Ridge continuation loop,
/// a gzip quine stacking filters, a xar toc loop, a RAR filter with an unbounded length) and never
/// calls back into Exhibit while doing so, so no budget checked between calls can stop it, and a
/// thread cannot be cancelled safely. The guard therefore ends the process: it tells the supervisor
/// which call it stopped and why (`L` line), removes the worker's scratch files and kills the
/// worker; the supervisor records the call in `analysis_errors` and restarts, and the new worker
/// lists that entry (or the rest of that container) as `limit-exceeded` without making the call.
///
/// It fires when one call has produced no new output bytes for ``stallSeconds`` (a header read,
/// an open, or a data read between blocks), or when the worker's RSS passes ``memoryLimit`` while
/// a call that began with at least a quarter of that limit less is still running (so memory held
/// by analyzers is never blamed on the entry being read).
final class IntakeGuard: @unchecked Sendable {
    // Safe: `evidenceID` is guarded by `lock`; the rest is immutable after init.
    let watch = IntakeWatch()
    private let channel: WorkerChannel
    private let stallSeconds: Double
    private let memoryLimit: Int64
    private let cleanup: () -> Void
    private let lock = NSLock()
    private var evidenceID: Int64?

    init(channel: WorkerChannel, stallSeconds: Double, memoryLimit: Int64, cleanup: @escaping () -> Void) {
        self.channel = channel
        self.stallSeconds = stallSeconds
        self.memoryLimit = memoryLimit
        self.cleanup = cleanup
    }

    /// Tells the guard which evidence item the walker is reading (the pair's first part).
    func reading(evidenceID: Int64?) {
        lock.lock(); self.evidenceID = evidenceID; lock.unlock()
    }

    /// Starts the watching thread; it lives as long as the worker.
    func start() {
        let t = Thread { [self] in loop() }
        t.name = "intake-guard"
        t.start()
    }

    private func loop() {
        var seenSerial: UInt64 = 0
        var rssAtStart: Int64 = 0
        while true {
            usleep(50_000)
            let rss = Self.residentBytes()
            guard let call = watch.current else { continue }
            if call.serial != seenSerial {
                seenSerial = call.serial
                rssAtStart = rss
            }
            let idle = IntakeWatch.now() - call.lastProgress
            if idle > stallSeconds {
                fire(call, "no progress for \(Int(idle.rounded())) s while \(Self.describe(call.step)) (a loop in the archive's structure); "
                    + "stopped by the intake guard (--intake-stall \(Self.format(stallSeconds)) s)")
            }
            if rss > memoryLimit, rss - rssAtStart > memoryLimit / 4 {
                fire(call, "worker memory reached \(rss >> 20) MiB while \(Self.describe(call.step)) (libarchive growing on a loop or a declared size); "
                    + "stopped by the intake guard (--max-worker-memory \(memoryLimit >> 20)M)")
            }
        }
    }

    private func fire(_ call: IntakeWatch.Active, _ message: String) {
        lock.lock()
        let evidence = evidenceID
        lock.unlock()
        if let evidence {
            let pair = WorkPair(evidenceID: evidence, entryKey: EntryKey(call.position), analyzerID: call.step.rawValue)
            channel.limit(pair, path: call.path, message: message)
        }
        cleanup()
        // Every thread goes at once; the walker is inside a C call that will not return.
        kill(getpid(), SIGKILL)
        _exit(70)
    }

    static func describe(_ step: IntakeStep) -> String {
        switch step {
        case .header: return "opening the container or reading its next header"
        case .data: return "reading the entry's data"
        }
    }

    static func format(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }

    /// The process's resident set from `/proc/self/statm` (0 when unreadable).
    static func residentBytes() -> Int64 {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return 0 }
        let fields = String(decoding: buf[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count >= 2, let pages = Int64(fields[1]) else { return 0 }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
