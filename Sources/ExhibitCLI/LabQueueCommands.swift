import ArgumentParser
import Foundation
import LabIndex

struct LabSubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue evidence items (paths on shared storage) for lab workers to ingest.",
        discussion: """
        One job per (case, item): submitting an item again keeps its job. Workers ingest each item
        into <cases-dir>/<CASE>.sqlite with the custody options given here, so the case name may
        hold only letters, digits, '.', '_' and '-'.
        Exit codes: 0 queued; 1 the lab index cannot be reached; 2 bad option.
        """)
    @OptionGroup var lab: LabOptions
    @Option(name: .customLong("case"), help: "Case number/name.") var caseName: String
    @Option(help: "Examiner's name (recorded by the ingest).") var examiner: String
    @Option(help: "IANA time zone for naive local times (as for ingest).") var assumeTz: String?
    @Option(name: .customLong("expect-sha256"), help: "Expected SHA-256 (one item), as for ingest.") var expectSha256: String?
    @Option(help: "Item/exhibit number (one item).") var item: String?
    @Option(help: "Item description.") var description: String?
    @Option(help: "Who seized the item.") var seizedBy: String?
    @Option(help: "When it was seized (ISO 8601).") var seizedAt: String?
    @Argument(help: "Evidence items: absolute paths every worker can read.") var items: [String]
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard !items.isEmpty else { fail("give at least one evidence item", code: 2) }
        guard LabIndex.validCaseName(caseName) else {
            fail("case name '\(caseName)' cannot name a file in the cases folder: use letters, digits, '.', '_' and '-'", code: 2)
        }
        if items.count > 1 && (expectSha256 != nil || item != nil) { fail("--expect-sha256 and --item apply to one item: submit items one by one", code: 2) }
        var args: [String] = []
        for (flag, value) in [("--assume-tz", assumeTz), ("--expect-sha256", expectSha256), ("--item", item), ("--description", description),
                              ("--seized-by", seizedBy), ("--seized-at", seizedAt)] {
            if let value { args += [flag, value] }
        }
        let paths = items.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let (c, e, a) = (caseName, examiner, args)
        let jobs = lab.run { try await $0.submit(caseName: c, examiner: e, items: paths, ingestArguments: a) }
        if json {
            struct Out: Encodable { var item: String; var jobID: Int; var new: Bool }
            try printJSON(jobs.map { Out(item: $0.item, jobID: $0.jobID, new: $0.new) })
            return
        }
        for j in jobs { print(TerminalText.safe("job \(j.jobID)\(j.new ? "" : " (already queued)"): \(j.item) → case \(caseName)")) }
    }
}

struct LabWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Claim queued items one at a time, ingest, verify, publish; on any number of machines.",
        discussion: """
        Claims with FOR UPDATE SKIP LOCKED under a lease renewed by a heartbeat; one worker per case
        at a time (PostgreSQL advisory lock plus the case database's own lock). Killed at any moment,
        its lease expires and another worker resumes the item from the committed state.
        Exit codes: 0 stopped after --exit-when-idle found nothing left; 2 bad option.
        """)
    @OptionGroup var lab: LabOptions
    @Option(help: "Shared folder of case databases (<CASE>.sqlite).") var casesDir: String
    @Option(help: "Seconds a claim lasts without a heartbeat.") var leaseSeconds: Int = 60
    @Option(help: "Claims of one item before it is marked failed.") var maxAttempts: Int = 5
    @Option(help: "Seconds between looks at an empty queue.") var pollSeconds: Double = 2
    @Flag(help: "Exit once nothing is queued or running.") var exitWhenIdle = false

    func run() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: casesDir, isDirectory: &isDir), isDir.boolValue else {
            fail("\(casesDir): not a folder", code: 2)
        }
        guard let exe = Bundle.main.executablePath else { fail("cannot find the exhibit executable to ingest with", code: 1) }
        let cfg = LabWorkerConfig(url: lab.url(), casesDir: URL(fileURLWithPath: casesDir).standardizedFileURL.path, exhibit: exe,
                                  leaseSeconds: leaseSeconds, maxAttempts: maxAttempts, exitWhenIdle: exitWhenIdle,
                                  pollSeconds: max(0.1, pollSeconds),
                                  log: { FileHandle.standardError.write(Data("exhibit: \(TerminalText.safe($0))\n".utf8)) })
        let code = try labBlocking { await LabWorker.run(cfg) }
        if code != 0 { throw ExitCode(code) }
    }
}

struct LabStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The ingest queue, the workers (host, heartbeat, current item, rate) and failures.",
        discussion: "Exit codes: 0 printed; 1 the lab index cannot be read; 2 bad option.")
    @OptionGroup var lab: LabOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let s = lab.run { try await $0.status() }
        if json { try printJSON(s); return }
        print("jobs: " + ["queued", "running", "done", "failed"].map { "\($0) \(s.jobs[$0] ?? 0)" }.joined(separator: ", "))
        for w in s.workers {
            print(TerminalText.safe("worker \(w.worker)  heartbeat \(w.heartbeat) (\(w.secondsSinceHeartbeat) s ago)  "
                                    + (w.currentJob.map { "job \($0)" } ?? "idle")
                                    + "  \(w.itemsDone) done, \(String(format: "%.1f", w.itemsPerHour)) items/h"
                                    + (w.lastError.map { "  last error: \($0)" } ?? "")))
        }
        for p in s.problems {
            print(TerminalText.safe("job \(p.jobID) \(p.state) after \(p.attempts) attempt(s): \(p.item) → \(p.caseName): \(p.note)"))
        }
    }
}

struct LabRebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Re-publish every published case from its case database (same rows when nothing changed).",
        discussion: "Exit codes: 0 every case re-published; 1 a case database is gone or could not be published (the others are); 2 bad option.")
    @OptionGroup var lab: LabOptions

    func run() throws {
        let cases = lab.run { try await $0.publishedCases() }
        var failed = false
        for c in cases {
            let u = lab.url()
            let db = c.database
            do {
                let r = try LabIndex.with(u) { try await $0.publish(caseDatabase: db) }
                print(TerminalText.safe("published \(r.caseName) from \(r.database): \(r.rows.values.reduce(0, +)) rows"))
                for w in r.warnings { print(TerminalText.safe("  warning: \(w)")) }
            } catch {
                FileHandle.standardError.write(Data("exhibit: \(c.name): \(LabIndex.describe(error))\n".utf8))
                failed = true
            }
        }
        if cases.isEmpty { print("(no case is published)") }
        if failed { throw ExitCode(1) }
    }
}
