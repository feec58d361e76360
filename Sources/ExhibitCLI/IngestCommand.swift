import ArgumentParser
import Engine
import EvidenceStore
import ExhibitKit
import ExhibitSupport
import Foundation
import Intake
#if canImport(Glibc)
import Glibc
import PluginHost
#endif

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Hash, inventory and analyse evidence (archives, compressed files, directories) into a case database.",
        discussion: """
        Example:
          exhibit ingest seized.zip other.tar.gz ./dump-dir --db case.sqlite \\
              --case 2024-SEOUL-0042 --examiner "Kim J." --assume-tz Asia/Seoul \\
              --expect-sha256 seized.zip=<hex from the seizure form>

        Nothing is extracted: entries are streamed, hashed (MD5, SHA-1, SHA-256) and typed by
        content. Re-running the same command after an interruption (kill -9, power cut) resumes
        without redoing committed files. A worker process does the work; if it crashes on a file
        the file is retried alone, and a (file, analyzer) pair that crashes twice is recorded as
        `crashed` and skipped.

        Per-item options (--expect-sha256, --item, --description, --seized-by, --seized-at,
        --device) take VALUE when one evidence path is given, or PATH=VALUE (repeatable) for several.

        An encrypted iPhone (iTunes/Finder) backup is decrypted with --password-file ITEM=FILE
        (FILE mode 0600, first line = the password) or --password ITEM=PASSWORD (visible in the
        process list while the run lasts); ITEM is the evidence path as given, or its file name.
        The password is never stored or printed: the recorded command line shows
        --password ITEM=[redacted]. A wrong password is said and refuses the item (exit 3):
        nothing of it is written but its hashes and the refusal in the audit log (never the
        password); the same ingest with the right password then reads it into the same case.

        External analyzer plugins (docs/plugins.md) come from --plugins DIR (repeatable),
        $EXHIBIT_PLUGIN_PATH and the per-user folder ~/.local/share/exhibit/plugins.

        On a terminal a progress line names the item ([2/3] seized.zip) and the phase: hashing,
        intake + analysis (files, bytes, rate, ETA), then the case phase (linking chats, matching
        hash sets, case analyzers); piped, only the summary is printed (EXHIBIT_PROGRESS=1 shows
        the line anyway). Ctrl-C stops the run, marks it interrupted and says
        "interrupted — run the same command to resume" (exit code 4).

        Exit codes: 0 done; 1 the run failed (database or evidence path unusable; committed work
        is kept: fix and re-run); 2 bad usage; 3 done, but an evidence hash did not match
        --expect-sha256 (or the item was refused under --strict, or changed since an earlier run,
        or an encrypted backup's password was wrong);
        4 interrupted (Ctrl-C, SIGTERM), the worker was stopped from outside, or it crashed
        repeatedly outside any analyzer (re-run to resume).
        """)

    @Argument(help: "Evidence files or directories, read-only.")
    var evidence: [String]

    @OptionGroup var database: DatabaseOption
    @Option(name: .customLong("case"), help: "Case number/name (recorded). Default: the database file's name.")
    var caseName: String?
    @Option(help: "Examiner's name (recorded in the case and audit log).")
    var examiner: String?
    @OptionGroup var zone: AssumedZoneOption

    @Option(name: .customLong("expect-sha256"), help: "Expected SHA-256 from the seizure record: HEX, or PATH=HEX.")
    var expectSHA256: [String] = []
    @Flag(help: "Do not ingest an item whose SHA-256 does not match --expect-sha256.")
    var strict = false
    @Option(help: "Item/exhibit number: VALUE or PATH=VALUE.") var item: [String] = []
    @Option(help: "Item description: VALUE or PATH=VALUE.") var description: [String] = []
    @Option(help: "Who seized the item: VALUE or PATH=VALUE.") var seizedBy: [String] = []
    @Option(help: "The phone the item comes from, when several items are one phone (an FFS extraction and a backup of it; a backup's UDID is used when not given): VALUE or PATH=VALUE. An app's chats read from items of one phone are one room.")
    var device: [String] = []
    @Option(help: "When it was seized (ISO 8601; without an offset, read in --assume-tz): VALUE or PATH=VALUE.")
    var seizedAt: [String] = []

    @Option(help: "Password of an encrypted iPhone (iTunes/Finder) backup: ITEM=PASSWORD, ITEM being the evidence path as given or its file name. Never stored in the case or printed (the recorded command line says [redacted]); see also --password-file.")
    var password: [String] = []
    @Option(help: "ITEM=FILE: read the password of an encrypted backup from FILE (first line), which must be readable by its owner only (mode 0600).")
    var passwordFile: [String] = []
    @Option(help: "Maximum nesting depth of archives inside archives.") var maxDepth: Int = IntakeBudgets.default.maxDepth
    @Option(help: "Maximum expanded bytes per evidence item, nested included (K/M/G/T suffixes).") var maxTotalBytes: String = "4T"
    @Option(help: "Maximum bytes read from one entry.") var maxEntryBytes: String = "64G"
    @Option(help: "Maximum entries in one archive.") var maxEntries: Int = IntakeBudgets.default.maxEntriesPerArchive
    @Option(help: "Maximum compression ratio (expanded/compressed) per entry and per item.") var maxRatio: Double = IntakeBudgets.default.maxRatio
    @Option(help: "The ratio is only checked past this many expanded bytes.") var ratioFloor: String = "64M"
    @Option(help: "Legacy charsets tried, in order, for names that are not UTF-8.") var nameCharsets: String = "CP949,SHIFT_JIS"
    @Option(help: "Entries larger than this are spooled to a private temp file instead of memory.") var memoryThreshold: String = "16M"
    @Option(help: "Files analysed at once.") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Files per database transaction.") var batchSize: Int = 512
    @Option(help: "Findings of one file kept in memory; past this many they stream into the file's own transaction as they are read, so memory does not grow with the file. The stored result is the same.")
    var streamAfter: Int = IngestOptions.defaultStreamAfter
    @Option(help: "Seconds one libarchive call (open, next header, data between blocks) may go without new output before the intake guard stops it; the entry, or the rest of its container, is then limit-exceeded.")
    var intakeStall: Double = 10
    @Option(help: "Worker memory (RSS) at which the intake guard stops the libarchive call that grew it (K/M/G suffixes).")
    var maxWorkerMemory: String = "768M"
    @Option(help: "Seconds one analyzer may spend on one file before the worker is stopped and the file retried alone.")
    var fileTimeout: Double = 300
    @Option(help: ArgumentHelp("A private key FILE (mode 0600) to sign the audit chain's head with Ed25519. Make one with 'exhibit key new FILE'; never give the key itself.", valueName: "key-file"))
    var signKey: String?
    @Option(help: "Folder for the run's private scratch directory.") var tempDir: String = TemporaryDirectory.defaultRoot
    @Flag(help: "Record the inventory only: run no analyzers.") var noAnalyzers = false
    @Option(help: "Video frames hashed per second by the media-hash analyzer (vPDQ sampling).") var videoFps: Double = BuiltinSettings.defaultVideoFramesPerSecond
    @Flag(help: "Print the summary as JSON.") var json = false
    @Flag(help: "Run in this process without a supervising parent (debugging).") var noSupervise = false
    @Option(name: .customLong("plugins"), help: "A plugin directory, or a folder of them, to run as extra analyzers (repeatable; docs/plugins.md).")
    var plugins: [String] = []
    @Option(help: "Disable a plugin for the run after this many consecutive failed files.") var pluginFailures: Int = 5
    @Option(help: .hidden) var workerChannel: Int32?
    @Option(help: .hidden) var workerPage: Int32?
    @Option(help: .hidden) var isolate: [String] = []

    func validate() throws {
        guard !evidence.isEmpty else { throw ValidationError("give at least one evidence path") }
        // A typo in an evidence path must not create a case database or a run row.
        for path in evidence where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("evidence not found: \(path) — check the path (nothing was written)")
        }
        for (name, v) in [("--max-total-bytes", maxTotalBytes), ("--max-entry-bytes", maxEntryBytes),
                          ("--ratio-floor", ratioFloor), ("--memory-threshold", memoryThreshold),
                          ("--max-worker-memory", maxWorkerMemory)] where parseSize(v) == nil {
            throw ValidationError("\(name) takes a size such as 512M or 4G, not '\(v)'")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard streamAfter >= 0 else { throw ValidationError("--stream-after must be 0 or more") }
        guard intakeStall > 0 else { throw ValidationError("--intake-stall must be a positive number of seconds") }
        guard (parseSize(maxWorkerMemory) ?? 0) >= 64 << 20 else { throw ValidationError("--max-worker-memory must be at least 64M") }
        for (_, c) in try custodyMap() {
            if let at = c.seizedAt, UTCFormat.parseUserInstant(at) == nil {
                throw ValidationError("--seized-at '\(at)' is not a form Exhibit reads: give ISO 8601 — 2024-08-30, 2024-08-30T14:05, 2024-08-30T14:05:00 — with Z or an offset such as +09:00 (without one it is read in --assume-tz)")
            }
        }
        _ = try passwordMap()
    }

    /// `--password ITEM=PASSWORD` and `--password-file ITEM=FILE`, by evidence path as given.
    /// Error messages never repeat a password.
    private func passwordMap() throws -> [String: String] {
        var out: [String: String] = [:]
        func item(_ v: String, _ flag: String) throws -> (String, String) {
            guard let eq = v.firstIndex(of: "=") else {
                throw ValidationError("\(flag) takes ITEM=\(flag == "--password" ? "PASSWORD" : "FILE"), ITEM being the evidence path as given or its file name")
            }
            let name = String(v[..<eq])
            guard let path = evidencePath(named: name) else {
                throw ValidationError("\(flag): '\(name)' is not one of the evidence paths given (nor the file name of exactly one)")
            }
            guard out[path] == nil else { throw ValidationError("\(flag): a password for '\(name)' is given twice") }
            return (path, String(v[v.index(after: eq)...]))
        }
        for v in password {
            let (path, secret) = try item(v, "--password")
            guard !secret.isEmpty else { throw ValidationError("--password for '\(path)' is empty") }
            out[path] = secret
        }
        for v in passwordFile {
            let (path, file) = try item(v, "--password-file")
            var st = stat()
            guard stat(file, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                throw ValidationError("--password-file for '\(path)': \(file) is not a readable file")
            }
            guard st.st_mode & 0o077 == 0 else {
                throw ValidationError("--password-file for '\(path)': \(file) can be read by others (mode \(String(st.st_mode & 0o777, radix: 8))); make it 0600")
            }
            guard st.st_size <= 64 << 10, let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("--password-file for '\(path)': \(file) cannot be read (or is larger than 64 KiB)")
            }
            let secret = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first
                .map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) } ?? ""
            guard !secret.isEmpty else { throw ValidationError("--password-file for '\(path)': \(file) holds no password") }
            out[path] = secret
        }
        return out
    }

    /// Splits per-item values: plain VALUE with one evidence path, or PATH=VALUE where PATH is
    /// an evidence path as given, or its file name when that names exactly one of them.
    private func perItem(_ values: [String], flag: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for v in values {
            if let eq = v.firstIndex(of: "="), let path = evidencePath(named: String(v[..<eq])) {
                out[path] = String(v[v.index(after: eq)...])
            } else if evidence.count == 1 {
                out[evidence[0]] = v
            } else {
                throw ValidationError("\(flag) '\(v)': with several evidence paths, write PATH=VALUE with PATH as given (or its file name)")
            }
        }
        return out
    }

    private func evidencePath(named name: String) -> String? {
        if evidence.contains(name) { return name }
        let byFileName = evidence.filter { URL(fileURLWithPath: $0).lastPathComponent == name }
        return byFileName.count == 1 ? byFileName[0] : nil
    }

    private func custodyMap() throws -> [String: CustodyDetails] {
        let expect = try perItem(expectSHA256, flag: "--expect-sha256")
        for (p, h) in expect where !Hex.isHex(h, lengths: [64]) {
            throw ValidationError("--expect-sha256 for \(p): '\(h)' is not 64 hex digits")
        }
        let items = try perItem(item, flag: "--item"), descs = try perItem(description, flag: "--description")
        let by = try perItem(seizedBy, flag: "--seized-by"), at = try perItem(seizedAt, flag: "--seized-at")
        let devices = try perItem(device, flag: "--device")
        for (p, d) in devices where d.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--device for \(p): give the phone a name (or its UDID)")
        }
        var out: [String: CustodyDetails] = [:]
        for p in evidence {
            out[p] = CustodyDetails(item: items[p], description: descs[p], seizedBy: by[p], seizedAt: at[p], expectedSHA256: expect[p],
                                    device: devices[p])
        }
        return out
    }

    /// The evidence folder (real path) that contains `database` (its folder's real path plus its
    /// name, since the database may not exist yet), or nil.
    static func evidenceFolder(containing database: String, evidence: [String]) -> String? {
        func real(_ p: String) -> String? {
            guard let r = realpath(p, nil) else { return nil }
            defer { free(r) }
            return String(cString: r)
        }
        let url = URL(fileURLWithPath: database)
        guard let parent = real(url.deletingLastPathComponent().path) else { return nil }
        let db = parent == "/" ? "/" + url.lastPathComponent : parent + "/" + url.lastPathComponent
        for e in evidence {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: e, isDirectory: &isDir), isDir.boolValue, let folder = real(e) else { continue }
            if db.hasPrefix(folder == "/" ? "/" : folder + "/") { return e }
        }
        return nil
    }

    func run() throws {
        if let key = signKey {
            // Before anything is created or written: a key typed in place of its file is refused
            // unseen, and a file others can read is refused (issue 15).
            do { try ChainSigner.checkKeyFile(key) } catch { fail("\(error)", code: 2) }
        }
        if let folder = Self.evidenceFolder(containing: database.db, evidence: evidence) {
            // Before anything is created: the database would be walked as evidence, and every write
            // to it would change the folder's manifest, so verify could never pass (issue 19).
            fail("the case database \(database.db) is inside the evidence folder \(folder): it would be ingested as evidence and change it. Put the case database outside the evidence.", code: 2)
        }
        if workerChannel == nil && !noSupervise {
            // Supervisor: re-run this very command line as a worker and watch it.
            let args = Array(CommandLine.arguments.dropFirst())
            let code = Supervisor(executable: Supervisor.currentExecutable(), workerArguments: args,
                                  databasePath: database.db).run()
            throw ExitCode(code)
        }
        if let fd = workerChannel {
            do { try WorkerRole.adoptChannel(fd) } catch let e as IngestError { fail(e.message, code: e.exitCode) }
        }
        var budgets = IntakeBudgets.default
        budgets.maxDepth = maxDepth
        budgets.maxTotalBytes = parseSize(maxTotalBytes) ?? budgets.maxTotalBytes
        budgets.maxEntryBytes = parseSize(maxEntryBytes) ?? budgets.maxEntryBytes
        budgets.maxEntriesPerArchive = maxEntries
        budgets.maxRatio = maxRatio
        budgets.ratioFloorBytes = parseSize(ratioFloor) ?? budgets.ratioFloorBytes
        var options = IngestOptions(
            evidence: evidence, databasePath: database.db,
            caseName: caseName ?? URL(fileURLWithPath: database.db).deletingPathExtension().lastPathComponent,
            examiner: examiner, assumedZone: try zone.named(), custody: try custodyMap(), strict: strict, budgets: budgets,
            nameCharsets: nameCharsets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            memoryThreshold: Int(parseSize(memoryThreshold) ?? 16 << 20), jobs: jobs, batchSize: batchSize,
            signKeyPath: signKey, temporaryRoot: tempDir,
            commandLine: CommandLineRedaction.redact(["exhibit"] + WorkerRole.examinerArguments(Array(CommandLine.arguments.dropFirst()))))
        options.passwords = try passwordMap()
        options.streamAfter = streamAfter
        options.intakeStallSeconds = intakeStall
        options.workerMemoryLimit = parseSize(maxWorkerMemory) ?? options.workerMemoryLimit
        var catalog = noAnalyzers ? AnalyzerCatalog() : ExhibitCommand.catalog.configured(BuiltinSettings(videoFramesPerSecond: videoFps))
        var external: [PluginAnalyzer] = []
        if !noAnalyzers {
            do {
                let protect = (evidence + [database.db]).map { URL(fileURLWithPath: $0).standardizedFileURL.path }
                let launch = PluginLaunch(executable: Supervisor.currentExecutable(), protect: protect, scratchRoot: tempDir)
                let added = try catalog.addingPlugins(explicit: plugins, launch: launch, maxConsecutiveFailures: pluginFailures, jobs: jobs)
                catalog = added.catalog; external = added.plugins
                for p in added.problems { FileHandle.standardError.write(Data("exhibit: \(TerminalText.safe(p))\n".utf8)) }
            } catch { fail("\(error)", code: 2) }
        }
        defer { for p in external { p.shutdown() } }
        let pipeline = IngestPipeline(options: options, catalog: catalog, channelFD: workerChannel, pageFD: workerPage,
                                      isolate: Set(isolate.compactMap(WorkPair.init(text:))), fileTimeout: fileTimeout,
                                      progress: json ? nil : ProgressReporter())
        let summary: IngestSummary
        do { summary = try pipeline.run() } catch let e as IngestError {
            fail(e.message, code: e.exitCode)
        } catch {
            fail("ingest into \(database.db) failed: \(error). Committed work is kept; fix the cause and run the same command to resume.", code: 1)
        }
        // What an investigator wants first: chats per platform, known-bad matches and their rooms,
        // problems by code (the whole case, all items so far).
        let overview = try? EvidenceDatabase.openExisting(path: database.db, readOnly: true).caseOverview()
        if json {
            var out = SummaryJSON(summary)
            out.overview = overview.map(OverviewJSON.init)
            try printJSON(out)
        } else {
            if let overview { printOverview(overview) }
            printHuman(summary)
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    private func printOverview(_ o: CaseOverview) {
        print("Case so far:")
        if o.platforms.isEmpty { print("  chats: none") }
        for p in o.platforms { print("  \(p.platform): \(p.chats) chat(s), \(p.messages) message(s)") }
        if o.knownBadFiles > 0 {
            let rooms = o.knownBadRooms.prefix(5).joined(separator: ", ") + (o.knownBadRooms.count > 5 ? ", …" : "")
            print(TerminalText.safe("  known-bad matches: \(o.knownBadFiles) file(s)\(o.knownBadRooms.isEmpty ? "" : ", carried in \(o.knownBadRooms.count) room(s): \(rooms)") (exhibit matches)"))
        } else {
            print("  known-bad matches: none")
        }
        if !o.problems.isEmpty {
            print("  problems by code (exhibit problems): " + o.problems.prefix(8).map { "\($0.code) \($0.count) \($0.status.rawValue)" }.joined(separator: ", "))
        }
    }

    private func printHuman(_ s: IngestSummary) {
        print("Run \(s.runID): \(s.filesCommitted) files committed")
        for e in s.evidence {
            let match = e.expectedMatch.map { $0 ? " (matches seizure record)" : " (DOES NOT MATCH seizure record)" } ?? ""
            print(TerminalText.safe("  \(TerminalText.field(e.label)): \(e.outcome.rawValue), status \(e.status.rawValue)\(e.message.map { " — \($0)" } ?? "")"))
            if let h = e.hashes { print("    SHA-256 \(h.sha256)\(match)") }
        }
        let counts = s.statusCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("Files by status: \(counts.isEmpty ? "none" : counts)")
        if let zone = s.assumedZone {
            print("Assumed zone for naive times: \(zone)\(s.assumedZoneInherited ? " (the case's zone; no --assume-tz given)" : "")")
        }
        print("Analysis errors: \(s.errorCount)")
        print("Findings digest: \(s.findingsDigest)")
        print("Audit chain head: \(s.chainHead)")
        if let sig = s.signature { print("Chain head signature (Ed25519): \(sig)\nPublic key: \(s.publicKey ?? "")") }
        print("Write the chain head in the case file: 'exhibit verify' checks that the log still leads to it.")
    }
}

/// The `--json` summary of an ingest.
struct SummaryJSON: Encodable {
    struct Item: Encodable {
        var label, path, outcome, status: String
        var message: String?
        var md5, sha1, sha256, expected_sha256: String?
        var expected_match: Bool?
        /// Seconds spent hashing the container, and walking it (not stored in the case).
        var hash_seconds, walk_seconds: Double
    }
    var run_id: Int64
    var evidence: [Item]
    var files_committed: Int
    var status_counts: [String: Int]
    var analysis_errors: Int
    var chain_head: String
    var findings_digest: String
    /// Chats per platform, known-bad matches and problems by code, for the whole case.
    var overview: OverviewJSON?
    /// The zone naive times were read in, and whether it was inherited from the case.
    var assumed_zone: String?
    var assumed_zone_inherited: Bool
    var signature, public_key: String?
    /// Wall seconds of the steps after intake (`link`, `hashset_match`, `case`).
    var phase_seconds: [String: Double]

    init(_ s: IngestSummary) {
        run_id = s.runID
        evidence = s.evidence.map {
            Item(label: $0.label, path: $0.path, outcome: $0.outcome.rawValue, status: $0.status.rawValue, message: $0.message,
                 md5: $0.hashes?.md5, sha1: $0.hashes?.sha1, sha256: $0.hashes?.sha256,
                 expected_sha256: $0.expectedSHA256, expected_match: $0.expectedMatch,
                 hash_seconds: $0.hashSeconds, walk_seconds: $0.walkSeconds)
        }
        files_committed = s.filesCommitted; status_counts = s.statusCounts; analysis_errors = s.errorCount
        assumed_zone = s.assumedZone; assumed_zone_inherited = s.assumedZoneInherited
        chain_head = s.chainHead; findings_digest = s.findingsDigest; signature = s.signature; public_key = s.publicKey
        phase_seconds = Dictionary(s.phaseSeconds.map { ($0.name, $0.seconds) }, uniquingKeysWith: { a, _ in a })
    }
}

/// The case overview in the `--json` summary (snake_case keys).
struct OverviewJSON: Encodable {
    struct Platform: Encodable { var platform: String; var chats: Int; var messages: Int }
    struct Problem: Encodable { var status: String; var code: String; var count: Int }
    var platforms: [Platform]
    var known_bad_files: Int
    var known_bad_rooms: [String]
    var problems: [Problem]

    init(_ o: CaseOverview) {
        platforms = o.platforms.map { Platform(platform: $0.platform, chats: $0.chats, messages: $0.messages) }
        known_bad_files = o.knownBadFiles; known_bad_rooms = o.knownBadRooms
        problems = o.problems.map { Problem(status: $0.status.rawValue, code: $0.code, count: $0.count) }
    }
}
