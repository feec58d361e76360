import EvidenceStore
import ExhibitKit
import ExhibitSupport
import Foundation
import PluginHost
#if canImport(Glibc)
import Glibc
#endif

/// The supervising half of `exhibit ingest`. It runs the real work in a worker process (the same
/// executable with `--worker-channel 3 --worker-page 4`), listens to the worker's begin/end lines
/// (analyzers) and looks at its entry page (the entry being read, ``EntryPage``), and when the
/// worker dies abnormally — a crash signal, or killed by the supervisor because one (file,
/// analyzer) pair overran its time limit — restarts it with the pairs that were in flight marked
/// for isolation. A pair that brings the worker down again while running alone is recorded in
/// `analysis_errors` as `crashed` and skipped from then on. A worker killed from outside
/// (SIGKILL/SIGTERM/SIGINT/SIGHUP not sent by the supervisor) marks nothing: the run stops and
/// the same command resumes it. Ctrl-C (SIGINT), SIGTERM or SIGHUP sent to the supervisor is
/// passed on to the worker; once it is gone, the run is marked `interrupted` and the examiner is
/// told `interrupted — run the same command to resume` (issue 15, item 17).
public final class Supervisor {
    let executable: String
    let workerArguments: [String]
    let databasePath: String
    let maxRestarts: Int

    /// Signals that mean the worker crashed by itself.
    static let crashSignals: Set<Int32> = [SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGTRAP]

    public init(executable: String, workerArguments: [String], databasePath: String, maxRestarts: Int = 1000) {
        self.executable = executable; self.workerArguments = workerArguments
        self.databasePath = databasePath; self.maxRestarts = maxRestarts
    }

    /// The running executable's own path (`/proc/self/exe`).
    public static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Supervises workers until one finishes; returns the exit code for `exhibit ingest`.
    public func run() -> Int32 {
        Interruption.install()
        var suspects: Set<WorkPair> = []
        var crashesWithoutWork = 0
        for _ in 0...maxRestarts {
            let outcome: WorkerOutcome
            do { outcome = try spawnAndWait(isolate: suspects) } catch {
                Self.say("cannot start the ingest worker: \(error)")
                return 1
            }
            if !outcome.limited.isEmpty {
                // The worker's intake guard stopped a libarchive call and ended the worker: record
                // the call so the next worker does not make it, and go on (no isolation re-run: the
                // guard saw the walker itself stuck or growing, not a bystander).
                for (pair, stop) in outcome.limited.sorted(by: { $0.key.description < $1.key.description }) {
                    do {
                        let db = try EvidenceDatabase(path: databasePath)
                        try db.recordCrash(evidenceID: pair.evidenceID, entryKey: pair.entryKey, path: stop.path,
                                           analyzerID: pair.analyzerID, analyzerVersion: "libarchive",
                                           status: .timeout, message: stop.message, code: "intake-guard")
                    } catch {
                        Self.say("cannot record the intake guard's stop on \(stop.path): \(error)")
                        return 1
                    }
                    Self.say("\(stop.path): \(stop.message)")
                }
                continue
            }
            var finished = false
            if case .exited(let code) = outcome.termination, code == 0 || code == 3 { finished = true }
            if let sig = Interruption.signal, !finished {
                // The examiner stopped the run (Ctrl-C, or a SIGTERM/SIGHUP to the command): the
                // worker is gone; say so, and leave the run marked as interrupted, not running.
                if FileManager.default.fileExists(atPath: databasePath) {
                    do { try EvidenceDatabase.openExisting(path: databasePath, readOnly: false).markRunsInterrupted() } catch {
                        Self.say("the run could not be marked interrupted (\(error)); the next run marks it")
                    }
                }
                if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }  // the progress line
                Self.say("interrupted — run the same command to resume (\(Self.signalName(sig)); committed work is kept)")
                return 4
            }
            switch outcome.termination {
            case .exited(let code):
                return code
            case .signaled(let sig) where outcome.timedOut.isEmpty && !Self.crashSignals.contains(sig):
                Self.say("the ingest worker was stopped from outside (signal \(sig)); nothing was marked as crashed. Run the same command again to resume.")
                return 4
            case .signaled(let sig):
                let culprits = outcome.timedOut.isEmpty ? outcome.inFlight : outcome.timedOut
                if culprits.isEmpty {
                    crashesWithoutWork += 1
                    if crashesWithoutWork >= 2 {
                        Self.say("the ingest worker crashed twice (signal \(sig)) outside any analyzer; stopping. Committed work is kept; report this with the evidence type.")
                        return 4
                    }
                    continue
                }
                crashesWithoutWork = 0
                for (pair, info) in culprits.sorted(by: { $0.key.description < $1.key.description }) {
                    if suspects.contains(pair) {
                        let why = outcome.timedOut.isEmpty
                            ? "the worker died with signal \(sig) (\(Self.signalName(sig))) twice on this file, the second time running alone"
                            : "no result within \(info.timeout) s, twice, the second time running alone (hung)"
                        do {
                            let db = try EvidenceDatabase(path: databasePath)
                            try db.recordCrash(evidenceID: pair.evidenceID, entryKey: pair.entryKey, path: info.path,
                                               analyzerID: pair.analyzerID, analyzerVersion: info.version,
                                               status: .crashed, message: why)
                        } catch {
                            Self.say("cannot record the crash of \(pair.analyzerID) on \(info.path): \(error)")
                            return 1
                        }
                        suspects.remove(pair)
                        Self.say("\(pair.analyzerID) crashed on \(info.path): recorded as crashed and skipped")
                    } else {
                        suspects.insert(pair)
                    }
                }
            }
        }
        Self.say("the ingest worker was restarted \(maxRestarts) times; stopping. Committed work is kept.")
        return 4
    }

    struct InFlight { var start: Date; var timeout: Double; var version: String; var path: String }
    enum Termination { case exited(Int32), signaled(Int32) }
    struct WorkerOutcome {
        var termination: Termination; var inFlight: [WorkPair: InFlight]; var timedOut: [WorkPair: InFlight]
        var limited: [WorkPair: GuardStop] = [:]
    }
    /// What the worker's intake guard reported before ending the worker.
    struct GuardStop { var path: String; var message: String }

    private func spawnAndWait(isolate: Set<WorkPair>) throws -> WorkerOutcome {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw IngestError("pipe: \(String(cString: strerror(errno)))") }
        let (readFD, writeFD) = (fds[0], fds[1])
        let page: EntryPage
        do { page = try EntryPage.create() } catch { close(readFD); close(writeFD); throw error }
        var args = [executable] + workerArguments + ["--worker-channel", "3", "--worker-page", "4"]
        for p in isolate.sorted(by: { $0.description < $1.description }) { args += ["--isolate", p.description] }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // In the child: drop the read end first (it may itself be fd 3), then put the write end on 3.
        posix_spawn_file_actions_addclose(&actions, readFD)
        if writeFD != 3 {
            posix_spawn_file_actions_adddup2(&actions, writeFD, 3)
            posix_spawn_file_actions_addclose(&actions, writeFD)
        }
        // The entry page goes on 4 (its own descriptor is above 9, so the moves above never touch it).
        posix_spawn_file_actions_adddup2(&actions, page.fd, 4)

        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        // The crash is recorded in the case; the Swift runtime's multi-page backtrace on the
        // examiner's terminal would only bury the summary (set SWIFT_BACKTRACE to get it back).
        var env = ProcessInfo.processInfo.environment
        if env["SWIFT_BACKTRACE"] == nil { env["SWIFT_BACKTRACE"] = "enable=no" }
        var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cEnv { free(p) } }
        var spawned: pid_t = 0
        let rc = posix_spawn(&spawned, executable, &actions, nil, &cArgs, &cEnv)
        let pid = spawned
        Interruption.worker = rc == 0 ? pid : 0
        close(writeFD)
        guard rc == 0 else { close(readFD); throw IngestError("posix_spawn \(executable): \(String(cString: strerror(rc)))") }

        let state = ChannelState()
        let reader = Thread { Self.readLines(fd: readFD, into: state) }
        reader.start()
        // Watchdog: a pair past its limit means a hung analyzer (or an entry read whose page
        // sequence has not moved for the intake timeout); stop the worker.
        let watchdog = Thread {
            var stall = EntryPage.StallClock()
            while !state.isClosed {
                var late = state.overdue(now: Date()) ?? [:]
                if let entry = stall.overdue(page.snapshot(), now: ProcessInfo.processInfo.systemUptime) {
                    late[Self.pair(entry)] = Self.inFlight(entry)
                }
                if !late.isEmpty {
                    state.markTimedOut(late)
                    kill(pid, SIGKILL)
                    return
                }
                usleep(100_000)
            }
        }
        watchdog.start()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        state.waitClosed()
        close(readFD)
        let termination: Termination = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        // The worker is gone: the page holds its last word (which entry, if any, it was reading).
        var inFlight = state.inFlight
        if let entry = page.snapshot()?.entry { inFlight[Self.pair(entry)] = Self.inFlight(entry) }
        return WorkerOutcome(termination: termination, inFlight: inFlight, timedOut: state.timedOut, limited: state.limited)
    }

    /// The pair (entry, `intake`) of the entry the page names.
    static func pair(_ entry: EntryPage.Entry) -> WorkPair {
        WorkPair(evidenceID: entry.evidenceID, entryKey: EntryKey(entry.position), analyzerID: EvidenceItemRun.intakeID)
    }

    static func inFlight(_ entry: EntryPage.Entry) -> InFlight {
        InFlight(start: Date(), timeout: entry.timeout, version: ExhibitVersion.current, path: entry.path)
    }

    private static func readLines(fd: Int32, into state: ChannelState) {
        // The worker ends every line; an unended last one (it died mid-write) is not a message.
        FileDescriptorIO.forEachLine(fd, dropUnended: true) { state.apply(line: String(decoding: $0, as: UTF8.self)) }
        state.close()
    }

    static func signalName(_ s: Int32) -> String { ProcessSignal.name(s) }

    static func say(_ s: String) { FileHandle.standardError.write(Data("exhibit: \(ExportEscape.terminal(s, keepNewlines: true))\n".utf8)) }

    /// What the supervisor has heard from the current worker.
    final class ChannelState: @unchecked Sendable {
        // Safe: all fields accessed under `lock`.
        private let lock = NSCondition()
        private var flight: [WorkPair: InFlight] = [:]
        private var late: [WorkPair: InFlight] = [:]
        private var stops: [WorkPair: GuardStop] = [:]
        private var closed = false

        func apply(line: String) {
            let parts = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count >= 2, let pair = WorkPair(text: String(parts[1])) else { return }
            lock.lock(); defer { lock.unlock() }
            if parts[0] == "B", parts.count == 5 {
                flight[pair] = InFlight(start: Date(), timeout: Double(parts[2]) ?? 300,
                                        version: WorkerChannel.unescape(parts[3]), path: WorkerChannel.unescape(parts[4]))
            } else if parts[0] == "E" {
                flight[pair] = nil
            } else if parts[0] == "L", parts.count >= 4 {
                stops[pair] = GuardStop(path: WorkerChannel.unescape(parts[2]), message: WorkerChannel.unescape(parts[3]))
            }
        }

        func overdue(now: Date) -> [WorkPair: InFlight]? {
            lock.lock(); defer { lock.unlock() }
            let over = flight.filter { now.timeIntervalSince($0.value.start) > $0.value.timeout }
            return over.isEmpty ? nil : over
        }

        func markTimedOut(_ pairs: [WorkPair: InFlight]) { lock.lock(); late = pairs; lock.unlock() }
        func close() { lock.lock(); closed = true; lock.broadcast(); lock.unlock() }
        func waitClosed() { lock.lock(); while !closed { lock.wait() }; lock.unlock() }
        var isClosed: Bool { lock.lock(); defer { lock.unlock() }; return closed }
        var inFlight: [WorkPair: InFlight] { lock.lock(); defer { lock.unlock() }; return flight }
        var timedOut: [WorkPair: InFlight] { lock.lock(); defer { lock.unlock() }; return late }
        var limited: [WorkPair: GuardStop] { lock.lock(); defer { lock.unlock() }; return stops }
    }
}

/// The supervisor's Ctrl-C: SIGINT, SIGTERM and SIGHUP are noted and passed on to the worker
/// (a terminal's Ctrl-C reaches both already; `kill PID` reaches only the supervisor), so the
/// supervisor outlives the worker and can say what happened.
enum Interruption {
    // Written by the signal handler and read after waitpid returns: a word-sized store, the
    // only state a handler may touch.
    nonisolated(unsafe) static var received: Int32 = 0
    nonisolated(unsafe) static var worker: pid_t = 0

    /// The signal that stopped the run, or nil.
    static var signal: Int32? { received == 0 ? nil : received }

    static func install() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            let previous = Glibc.signal(sig) { s in
                Interruption.received = s
                if Interruption.worker > 0 { kill(Interruption.worker, s) }
            }
            // A signal the caller ignores (nohup's SIGHUP, a background job's SIGINT) stays ignored.
            if unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { Glibc.signal(sig, SIG_IGN) }
            sigaddset(&unblock, sig)
        }
        // A mask inherited blocked (some launchers block them) would hold Ctrl-C back until the
        // run ends; this thread also spawns the worker, which inherits the mask.
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}
