import ExhibitSupport
import Foundation

/// How one `exhibit lab worker` runs.
public struct LabWorkerConfig: Sendable {
    /// The lab index.
    public var url: LabURL
    /// Shared cases folder: case `C` lives in `<casesDir>/C.sqlite`.
    public var casesDir: String
    /// The `exhibit` executable that ingests and verifies (the worker's own binary).
    public var exhibit: String
    /// Seconds a claim lasts without a heartbeat; heartbeats come every third of it.
    public var leaseSeconds: Int
    /// Claims of one job before it is marked failed.
    public var maxAttempts: Int
    /// Exit once nothing is queued or running (tests, batch runs).
    public var exitWhenIdle: Bool
    /// Seconds between looks at an empty queue.
    public var pollSeconds: Double
    /// Progress lines (to stderr in the CLI); never the connection string.
    public var log: @Sendable (String) -> Void

    /// A configuration; see the properties.
    public init(url: LabURL, casesDir: String, exhibit: String, leaseSeconds: Int = 60, maxAttempts: Int = 5,
                exitWhenIdle: Bool = false, pollSeconds: Double = 2, log: @escaping @Sendable (String) -> Void) {
        self.url = url; self.casesDir = casesDir; self.exhibit = exhibit; self.leaseSeconds = max(3, leaseSeconds)
        self.maxAttempts = max(1, maxAttempts); self.exitWhenIdle = exitWhenIdle; self.pollSeconds = pollSeconds; self.log = log
    }
}

/// The distributed-ingest worker: claims one item at a time, ingests it into its case database
/// with the normal crash-only engine (`exhibit ingest`, which resumes from the committed state),
/// verifies it, publishes the case to the lab index in one transaction, and marks the job done.
/// Crash-only itself: killed at any moment, its lease expires and another worker redoes the
/// job from the committed state; publishing is idempotent, so the lab ends with the rows of an
/// uninterrupted run. Loses PostgreSQL → reconnects with backoff (1 s … 10 s).
public enum LabWorker {
    /// Deadline of every short lab call (claim, lock, report): a silent connection is dropped.
    static let short = 30.0

    /// Runs until stopped (or, with `exitWhenIdle`, until the queue is drained). Returns the exit code.
    public static func run(_ cfg: LabWorkerConfig) async -> Int32 {
        let host = ProcessInfo.processInfo.hostName
        let pid = Int(ProcessInfo.processInfo.processIdentifier)
        let me = "\(host):\(pid)"
        let started = Date()
        var lab: LabIndex?
        var backoff = 1.0
        var done = 0
        var lastError: String?
        // The job this worker held when its connection failed (a PostgreSQL restart mid-item): it
        // is resumed first after reconnecting, if the lease can still be renewed. Abandoned, it
        // would sit under an expired lease and — at its last attempt — be failed by another
        // worker's claim although nothing was wrong with the item (the make test-long flake).
        var held: LabJob?
        var resume: LabJob?
        cfg.log("worker \(me) started on \(cfg.url.host):\(cfg.url.port)/\(cfg.url.database), cases in \(cfg.casesDir)")
        while true {
            do {
                if lab == nil {
                    let l = try await LabIndex.connect(cfg.url)
                    try await l.withDeadline(LabWorker.short, "schema check") { try await $0.requireSchema() }
                    lab = l
                    backoff = 1
                }
                guard let l = lab else { continue }
                let (err, doneSoFar) = (lastError, done)
                try await l.withDeadline(LabWorker.short, "worker report") {
                    try await $0.reportWorker(me, host: host, pid: pid, startedAt: started, currentJob: nil, itemsDone: doneSoFar, lastError: err)
                }
                var resumed: LabJob?
                if let r = resume {
                    resume = nil
                    if try await l.withDeadline(LabWorker.short, "resume", { try await $0.heartbeat(jobID: r.jobID, worker: me, leaseSeconds: cfg.leaseSeconds) }) {
                        cfg.log("worker \(me): job \(r.jobID) resumed after reconnecting (same attempt)")
                        resumed = r
                    } else {
                        cfg.log("worker \(me): job \(r.jobID) was taken over while disconnected; left to its new worker")
                    }
                }
                let claimed: LabJob?
                if let resumed { claimed = resumed } else {
                    claimed = try await l.withDeadline(LabWorker.short, "claim", { try await $0.claim(worker: me, leaseSeconds: cfg.leaseSeconds, maxAttempts: cfg.maxAttempts) })
                }
                guard let job = claimed else {
                    if cfg.exitWhenIdle {
                        let c = try await l.withDeadline(LabWorker.short, "queue count") { try await $0.jobCounts() }
                        if (c["queued"] ?? 0) + (c["running"] ?? 0) == 0 {
                            cfg.log("worker \(me): queue drained, \(done) item(s) done")
                            await l.close()
                            return 0
                        }
                    }
                    try await Task.sleep(nanoseconds: UInt64(cfg.pollSeconds * 1e9))
                    continue
                }
                held = job
                guard try await l.withDeadline(LabWorker.short, "case lock", { try await $0.tryLockCase(job.caseName) }) else {
                    held = nil
                    // Another worker is ingesting this case: give the job back and look again.
                    try await l.withDeadline(LabWorker.short, "release") { try await $0.release(jobID: job.jobID, worker: me) }
                    try await Task.sleep(nanoseconds: 300_000_000)
                    continue
                }
                cfg.log("worker \(me): job \(job.jobID) (attempt \(job.attempts)): \(job.item) → case \(job.caseName)")
                let finished = try await process(job, lab: l, me: me, cfg: cfg)
                held = nil
                try await l.withDeadline(LabWorker.short, "case unlock") { try await $0.unlockCase(job.caseName) }
                if finished { done += 1 }
                lastError = nil
            } catch is CancellationError {
                await lab?.close()
                return 0
            } catch {
                let why = LabIndex.describe(error)
                lastError = why
                cfg.log("worker \(me): \(why); reconnecting in \(Int(backoff)) s")
                resume = held
                held = nil
                await lab?.close()
                lab = nil
                try? await Task.sleep(nanoseconds: UInt64(backoff * 1e9))
                backoff = min(backoff * 2, 10)
            }
        }
    }

    /// Ingest, verify, publish, mark done. Returns true when the job ended (done or failed);
    /// false when its lease was lost to another worker (nothing is marked: that worker owns it).
    static func process(_ job: LabJob, lab: LabIndex, me: String, cfg: LabWorkerConfig) async throws -> Bool {
        let db = URL(fileURLWithPath: cfg.casesDir).appendingPathComponent(job.caseName + ".sqlite").path
        let beat = Heartbeat()
        let hb = Task { await beat.run(job: job, me: me, cfg: cfg) }
        defer { hb.cancel() }
        // Lab-wide hash sets go into the case database first: the ingest matches against them.
        let sets = try await lab.withDeadline(LabWorker.short, "hash sets") { try await $0.hashSets() }
        if let problem = await applyHashSets(sets, db: db, cfg: cfg) {
            if await beat.lost { return false }
            let retry = problem.retry && job.attempts < cfg.maxAttempts
            try await lab.withDeadline(LabWorker.short, "finish") {
                try await $0.finish(jobID: job.jobID, worker: me, state: "failed", note: "attempt \(job.attempts): \(problem.note)", retry: retry)
            }
            return true
        }
        let ingest = await Child.run(cfg.exhibit, ["ingest", job.item, "--db", db, "--case", job.caseName, "--examiner", job.examiner, "--json"]
                                     + job.ingestArguments)
        if await beat.lost { cfg.log("worker \(me): job \(job.jobID) lease lost; left to its new worker"); return false }
        switch ingest.code {
        case 0, 3:
            let verify = await Child.run(cfg.exhibit, ["verify", "--db", db])
            if await beat.lost { return false }
            guard verify.code == 0 else {
                try await lab.withDeadline(LabWorker.short, "finish") {
                    try await $0.finish(jobID: job.jobID, worker: me, state: "failed", note: "verify exit \(verify.code): \(verify.tail)")
                }
                return true
            }
            // A silent network can hold a publish forever; a closed connection ends it at once.
            _ = try await lab.withDeadline(3600, "publish") { try await $0.publish(caseDatabase: db) }
            let note = ingest.code == 3 ? "ingested, but the item's SHA-256 did not match --expect-sha256 (see the case's evidence table)" : nil
            try await lab.withDeadline(LabWorker.short, "finish") { try await $0.finish(jobID: job.jobID, worker: me, state: "done", note: note) }
            cfg.log("worker \(me): job \(job.jobID) done")
        case 2 where FileManager.default.fileExists(atPath: job.item):
            // A usage error with the item present will not fix itself: no retry. A missing item
            // (shared storage not mounted on this machine, or not yet) falls through to a retry.
            try await lab.withDeadline(LabWorker.short, "finish") {
                try await $0.finish(jobID: job.jobID, worker: me, state: "failed", note: "ingest refused the job (exit 2): \(ingest.tail)")
            }
        default:
            let retry = job.attempts < cfg.maxAttempts
            try await lab.withDeadline(LabWorker.short, "finish") {
                try await $0.finish(jobID: job.jobID, worker: me, state: "failed",
                                    note: "attempt \(job.attempts): ingest exit \(ingest.code): \(ingest.tail)", retry: retry)
            }
        }
        return true
    }
}

/// Renews a job's lease every third of the lease on its own connection (the worker's own
/// connection is busy inside the publish transaction), and notices when the job was lost.
actor Heartbeat {
    private(set) var lost = false

    func run(job: LabJob, me: String, cfg: LabWorkerConfig) async {
        var lab: LabIndex?
        let every = UInt64(Double(cfg.leaseSeconds) / 3 * 1e9)
        while !Task.isCancelled {
            do {
                if lab == nil { lab = try await LabIndex.connect(cfg.url) }
                if let l = lab {
                    let wait = max(1, Double(cfg.leaseSeconds) / 3)
                    if try await !l.withDeadline(wait, "heartbeat", { try await $0.heartbeat(jobID: job.jobID, worker: me, leaseSeconds: cfg.leaseSeconds) }) {
                        lost = true
                        break
                    }
                    try await l.withDeadline(wait, "heartbeat") { try await $0.touchWorker(me, currentJob: job.jobID) }
                }
            } catch {
                await lab?.close()
                lab = nil
            }
            try? await Task.sleep(nanoseconds: every)
        }
        await lab?.close()
    }
}

/// A child process (`exhibit ingest` / `verify`), killed with the worker: it runs under
/// `setpriv --pdeathsig KILL` where util-linux has it, so a worker killed with -9 leaves no
/// ingest running that would hold the case database's lock. Spawned and waited for with
/// `posix_spawn`/`waitpid` on a thread of its own: Foundation's `Process` exit watch was seen to
/// miss exits here (the child left a zombie, the wait never returned).
///
/// The spawn happens ON that thread, which lives until the child has exited: Linux sends the
/// parent-death signal when the parent *thread* ends, not the process. Spawned from a thread of
/// the concurrency pool (as before), an ingest was killed whenever the pool retired that idle
/// thread — a random SIGKILL mid-ingest, redone from the committed state by the retry.
enum Child {
    struct Result: Sendable { var code: Int32; var tail: String }

    static func run(_ program: String, _ args: [String]) async -> Result {
        let setpriv = "/usr/bin/setpriv"
        let argv = FileManager.default.isExecutableFile(atPath: setpriv) ? [setpriv, "--pdeathsig", "KILL", "--", program] + args : [program] + args
        let errPath = TemporaryDirectory.defaultURL.appendingPathComponent("exhibit-lab-\(UUID().uuidString).stderr").path
        let (spawned, status): (Int32, Int32) = await withCheckedContinuation { (k: CheckedContinuation<(Int32, Int32), Never>) in
            let t = Thread {
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                defer { posix_spawn_file_actions_destroy(&actions) }
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
                defer { for a in cargs { free(a) } }
                var pid: pid_t = 0
                let rc = posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ)
                guard rc == 0 else { k.resume(returning: (rc, 0)); return }
                var st: Int32 = 0
                while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
                k.resume(returning: (0, st))
            }
            t.start()
        }
        guard spawned == 0 else { return Result(code: 127, tail: "cannot start \(program): \(String(cString: strerror(spawned)))") }
        let data = FileManager.default.contents(atPath: errPath) ?? Data()
        try? FileManager.default.removeItem(atPath: errPath)
        let tail = String(decoding: data.suffix(600), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(code: code, tail: tail)
    }
}
