import Foundation
import PostgresNIO

/// One queued evidence item: ingest `item` into case `caseName`'s database.
public struct LabJob: Sendable, Codable, Equatable {
    /// Queue id.
    public var jobID: Int
    /// Case name (also the case database's file name in the cases folder).
    public var caseName: String
    /// Examiner recorded by the ingest.
    public var examiner: String
    /// Path of the evidence item on shared storage.
    public var item: String
    /// Extra `exhibit ingest` arguments (custody options: `--item`, `--seized-at`, `--assume-tz` …).
    public var ingestArguments: [String]
    /// Claims so far, this one included.
    public var attempts: Int
}

/// `exhibit lab status`: the queue, the workers and the failures.
public struct LabStatus: Sendable, Codable, Equatable {
    /// Jobs per state (`queued`, `running`, `done`, `failed`).
    public var jobs: [String: Int]
    /// Workers seen, most recent heartbeat first.
    public var workers: [Worker]
    /// Failed jobs and jobs with a note, oldest first.
    public var problems: [Problem]

    /// A worker as it last reported.
    public struct Worker: Sendable, Codable, Equatable {
        /// `host:pid`.
        public var worker: String
        /// Host name.
        public var host: String
        /// Last heartbeat, UTC.
        public var heartbeat: String
        /// Seconds since the last heartbeat.
        public var secondsSinceHeartbeat: Int
        /// The job it holds, if any.
        public var currentJob: Int?
        /// Items it finished.
        public var itemsDone: Int
        /// Items per hour since it started.
        public var itemsPerHour: Double
        /// Its last error, if any.
        public var lastError: String?
    }

    /// A job that failed or finished with a remark.
    public struct Problem: Sendable, Codable, Equatable {
        /// Queue id.
        public var jobID: Int
        /// Case name.
        public var caseName: String
        /// Item path.
        public var item: String
        /// State.
        public var state: String
        /// Claims made.
        public var attempts: Int
        /// What happened.
        public var note: String
    }
}

extension LabIndex {
    /// Case names become file names in the shared cases folder: only these characters.
    public static func validCaseName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 200 && name != "." && name != ".."
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) }
    }

    /// Queues `items` of one case. Idempotent: an item already queued for the case keeps its job
    /// (and state). Returns each item's job id and whether it was new.
    public func submit(caseName: String, examiner: String, items: [String], ingestArguments: [String]) async throws -> [(item: String, jobID: Int, new: Bool)] {
        try await requireSchema()
        guard Self.validCaseName(caseName) else {
            throw LabError("case name '\(caseName)' cannot name a file in the cases folder: use letters, digits, '.', '_' and '-'")
        }
        let args = String(decoding: try JSONEncoder.sorted.encode(ingestArguments), as: UTF8.self)
        var out: [(String, Int, Bool)] = []
        for item in items {
            var id: Int?
            for try await j in try await connection.query("""
                INSERT INTO lab_jobs (case_name, examiner, item_path, ingest_arguments) VALUES (\(caseName), \(examiner), \(item), \(args)::jsonb)
                ON CONFLICT (case_name, item_path) DO NOTHING RETURNING job_id
                """, logger: logger).decode(Int.self) { id = j }
            if let id { out.append((item, id, true)); continue }
            for try await j in try await connection.query("SELECT job_id FROM lab_jobs WHERE case_name = \(caseName) AND item_path = \(item)",
                                                          logger: logger).decode(Int.self) { id = j }
            out.append((item, id ?? -1, false))
        }
        return out
    }

    /// Claims the oldest job that is queued, or running under an expired lease (its worker died
    /// or lost the network), skipping rows other workers are claiming (`FOR UPDATE SKIP LOCKED`),
    /// cases another worker holds a live lease on, and jobs with an unfinished earlier job of the
    /// same case: a case's items are ingested in submit order, so its database is the one a
    /// single machine would make. A job claimed `maxAttempts` times is not taken over again; it
    /// fails once its lease has been expired for one more lease period — a grace for a live
    /// worker whose heartbeat was cut off for a moment (a PostgreSQL restart) to renew it: its
    /// heartbeat renews an expired lease as long as nobody else took the job.
    public func claim(worker: String, leaseSeconds: Int, maxAttempts: Int) async throws -> LabJob? {
        try await execute("""
            UPDATE lab_jobs SET state = 'failed', finished_at = now(),
                note = coalesce(note || '; ', '') || 'gave up after ' || attempts || ' attempts (last worker ' || coalesce(worker, '?') || ')'
            WHERE state = 'running' AND lease_until < now() - make_interval(secs => \(leaseSeconds)) AND attempts >= \(maxAttempts)
            """)
        let rows = try await connection.query("""
            UPDATE lab_jobs SET state = 'running', worker = \(worker), attempts = attempts + 1,
                lease_until = now() + make_interval(secs => \(leaseSeconds)), heartbeat_at = now(), started_at = coalesce(started_at, now())
            WHERE job_id = (
                SELECT j.job_id FROM lab_jobs j
                WHERE (j.state = 'queued' OR (j.state = 'running' AND j.lease_until < now() AND j.attempts < \(maxAttempts)))
                  AND NOT EXISTS (SELECT 1 FROM lab_jobs r WHERE r.case_name = j.case_name AND r.job_id <> j.job_id
                                  AND ((r.state = 'running' AND r.lease_until >= now())
                                       OR (r.job_id < j.job_id AND r.state IN ('queued', 'running'))))
                ORDER BY j.job_id FOR UPDATE SKIP LOCKED LIMIT 1)
            RETURNING job_id, case_name, examiner, item_path, ingest_arguments::text, attempts
            """, logger: logger)
        for try await r in rows.decode((Int, String, String, String, String, Int).self) {
            let args = (try? JSONDecoder().decode([String].self, from: Data(r.4.utf8))) ?? []
            return LabJob(jobID: r.0, caseName: r.1, examiner: r.2, item: r.3, ingestArguments: args, attempts: r.5)
        }
        return nil
    }

    /// Renews the lease of a job this worker holds; false when the job is no longer its own
    /// (the lease expired and another worker claimed it).
    public func heartbeat(jobID: Int, worker: String, leaseSeconds: Int) async throws -> Bool {
        var held = false
        for try await _ in try await connection.query("""
            UPDATE lab_jobs SET heartbeat_at = now(), lease_until = now() + make_interval(secs => \(leaseSeconds))
            WHERE job_id = \(jobID) AND worker = \(worker) AND state = 'running' RETURNING job_id
            """, logger: logger).decode(Int.self) { held = true }
        return held
    }

    /// Ends a job this worker holds: `done` (with an optional note) or, with `retry`, back to the
    /// queue, else `failed`.
    public func finish(jobID: Int, worker: String, state: String, note: String?, retry: Bool = false) async throws {
        let newState = retry ? "queued" : state
        try await connection.query("""
            UPDATE lab_jobs SET state = \(newState), note = \(note), lease_until = NULL,
                finished_at = CASE WHEN \(newState) = 'queued' THEN NULL ELSE now() END,
                worker = CASE WHEN \(newState) = 'queued' THEN NULL ELSE worker END
            WHERE job_id = \(jobID) AND worker = \(worker) AND state = 'running'
            """, logger: logger)
    }

    /// Gives a claimed job back without counting the attempt (its case was busy).
    public func release(jobID: Int, worker: String) async throws {
        try await connection.query("""
            UPDATE lab_jobs SET state = 'queued', worker = NULL, lease_until = NULL, attempts = greatest(attempts - 1, 0)
            WHERE job_id = \(jobID) AND worker = \(worker) AND state = 'running'
            """, logger: logger)
    }

    /// Takes the per-case lock (a session-level advisory lock: released by the server if this
    /// connection dies), without waiting.
    public func tryLockCase(_ caseName: String) async throws -> Bool {
        var got = false
        for try await g in try await connection.query("SELECT pg_try_advisory_lock(hashtext(\("exhibit-lab-ingest:" + caseName)))",
                                                      logger: logger).decode(Bool.self) { got = g }
        return got
    }

    /// Releases the per-case lock.
    public func unlockCase(_ caseName: String) async throws {
        try await connection.query("SELECT pg_advisory_unlock(hashtext(\("exhibit-lab-ingest:" + caseName)))", logger: logger)
    }

    /// Records a worker's heartbeat (for `lab status`).
    public func reportWorker(_ worker: String, host: String, pid: Int, startedAt: Date, currentJob: Int?, itemsDone: Int, lastError: String?) async throws {
        let started = startedAt.timeIntervalSince1970
        try await connection.query("""
            INSERT INTO lab_workers (worker, host, pid, started_at, heartbeat_at, current_job, items_done, last_error)
            VALUES (\(worker), \(host), \(pid), to_timestamp(\(started)), now(), \(currentJob), \(itemsDone), \(lastError))
            ON CONFLICT (worker) DO UPDATE SET heartbeat_at = now(), current_job = excluded.current_job,
                items_done = excluded.items_done, last_error = coalesce(excluded.last_error, lab_workers.last_error)
            """, logger: logger)
    }

    /// A heartbeat of a busy worker: its time and the job it holds.
    public func touchWorker(_ worker: String, currentJob: Int) async throws {
        try await connection.query("UPDATE lab_workers SET heartbeat_at = now(), current_job = \(currentJob) WHERE worker = \(worker)", logger: logger)
    }

    /// Jobs per state, open work included (for a worker that exits when the queue is drained).
    public func jobCounts() async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for try await (s, n) in try await connection.query("SELECT state, count(*)::integer FROM lab_jobs GROUP BY state",
                                                           logger: logger).decode((String, Int).self) { out[s] = n }
        return out
    }

    /// The queue, the workers and the failures.
    public func status() async throws -> LabStatus {
        try await requireSchema()
        var workers: [LabStatus.Worker] = []
        for try await r in try await connection.query("""
            SELECT worker, host, to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   extract(epoch FROM now() - heartbeat_at)::integer, current_job, items_done,
                   (items_done * 3600.0 / greatest(extract(epoch FROM heartbeat_at - started_at), 1))::float8, last_error
            FROM lab_workers ORDER BY heartbeat_at DESC, worker
            """, logger: logger).decode((String, String, String, Int, Int?, Int, Double, String?).self) {
            workers.append(.init(worker: r.0, host: r.1, heartbeat: r.2, secondsSinceHeartbeat: r.3, currentJob: r.4,
                                 itemsDone: r.5, itemsPerHour: r.6, lastError: r.7))
        }
        var problems: [LabStatus.Problem] = []
        for try await r in try await connection.query("""
            SELECT job_id, case_name, item_path, state, attempts, note FROM lab_jobs
            WHERE note IS NOT NULL ORDER BY job_id
            """, logger: logger).decode((Int, String, String, String, Int, String).self) {
            problems.append(.init(jobID: r.0, caseName: r.1, item: r.2, state: r.3, attempts: r.4, note: r.5))
        }
        return LabStatus(jobs: try await jobCounts(), workers: workers, problems: problems)
    }
}
