import EvidenceStore
import ExhibitKit
import Foundation
import HashSets
import Intake
import PluginHost

/// What one evidence item came to in this run.
public struct EvidenceReport: Sendable {
    public var label: String
    public var path: String
    public var hashes: FileHashes?
    public var expectedSHA256: String?
    /// nil when nothing was expected.
    public var expectedMatch: Bool?
    /// The item's own status (`evidence.status`): `ok` unless its container could not be read
    /// in full.
    public var status: EntryStatus
    public var message: String?
    public var outcome: EvidenceOutcome
    /// Wall time of the custody hash of the container, and of the walk (intake, analysis,
    /// commits). Reported, never stored: run times are not findings.
    public var hashSeconds: Double = 0
    public var walkSeconds: Double = 0
}

/// What became of one evidence item in a run (printed and audited by its raw value).
public enum EvidenceOutcome: String, Sendable, CaseIterable {
    /// Read into the case for the first time.
    case ingested
    /// An earlier, unfinished run of the item was continued.
    case resumed
    /// An earlier run finished the item; nothing was read.
    case alreadyComplete = "already-complete"
    /// Not read: its SHA-256 differs from the seizure record under `--strict`, or an encrypted
    /// backup's password is wrong.
    case rejected
    /// Not read: its SHA-256 differs from an earlier run's.
    case changed
}

/// The result of a whole run, printed by the CLI.
public struct IngestSummary: Sendable {
    public var runID: Int64
    public var evidence: [EvidenceReport]
    public var filesCommitted: Int
    public var statusCounts: [String: Int]
    public var errorCount: Int
    public var chainHead: String
    /// The findings digest recorded in the audit log at the end of the run (`exhibit digest`).
    public var findingsDigest: String = ""
    public var signature: String?
    public var publicKey: String?
    /// Exit code the CLI should use: 0 ok, 3 an expected hash did not match or evidence changed.
    public var exitCode: Int32
    /// Wall seconds of each step after intake, in order (`link`, `hashset_match`, `case`):
    /// reported so a benchmark can say where the time went, never stored (not findings).
    public var phaseSeconds: [(name: String, seconds: Double)] = []
    /// The zone naive times of this run's items were read in (given, or the case's), and where it came from.
    public var assumedZone: String?
    public var assumedZoneInherited = false
}

/// The worker side of `exhibit ingest`: intake → dispatch → store, for every evidence item.
/// Crash-only: it relies on nothing but what is committed, so running it again after any
/// interruption resumes where the last commit left off.
public final class IngestPipeline {
    var options: IngestOptions
    let catalog: AnalyzerCatalog
    let channelFD: Int32?
    /// The supervisor's entry page (``EntryPage``), given with the channel.
    let pageFD: Int32?
    let isolate: Set<WorkPair>
    let fileTimeout: Double
    let progress: ProgressReporter?

    public init(options: IngestOptions, catalog: AnalyzerCatalog, channelFD: Int32? = nil, pageFD: Int32? = nil,
                isolate: Set<WorkPair> = [], fileTimeout: Double = 300, progress: ProgressReporter? = nil) {
        self.options = options; self.catalog = catalog; self.channelFD = channelFD; self.pageFD = pageFD; self.isolate = isolate
        self.fileTimeout = fileTimeout; self.progress = progress
    }

    public func run() throws -> IngestSummary {
        ProcessSetup.prepare()
        // A wrong descriptor is refused before anything is opened (exit code 2).
        let entryPage = channelFD == nil ? nil : try pageFD.map(EntryPage.adopt)
        let lock = try DatabaseLock(path: options.databasePath) {
            FileHandle.standardError.write(Data("exhibit: another exhibit process is writing \(options.databasePath); waiting for it to finish\n".utf8))
        }
        defer { withExtendedLifetime(lock) {} }
        let db = try EvidenceDatabase(path: options.databasePath)
        // A later item without --assume-tz inherits the case's zone: its naive times must not
        // silently lose their basis (issue 15, item 7). A different zone is refused below.
        var zoneInherited = false
        if options.assumedZone == nil, let inherited = try db.caseInfo()?.assumedZone {
            // The case's zone by the name it was stored under: read here, once.
            options.assumedZone = try CaseZone.named(inherited)
            zoneInherited = true
        }
        let zone = options.assumedZone?.zone
        // The store decides whether the zone differs from the case's (one authority); a
        // different zone is a usage error here.
        do {
            _ = try db.ensureCase(name: options.caseName, examiner: options.examiner, assumedZone: options.assumedZone?.name,
                                  toolVersion: options.toolVersion)
        } catch let e as EvidenceStoreError {
            guard case .caseZoneMismatch = e else { throw e }
            throw IngestError(e.description, exitCode: 2)
        }
        // Passwords never reach the case: redacted again here in case a caller did not.
        let commandLine = CommandLineRedaction.redact(options.commandLine)
        let runID = try db.beginRun(toolVersion: options.toolVersion, commandLine: commandLine,
                                    options: options.recordedOptions, jobs: options.jobs)
        _ = try db.appendAudit(action: "ingest.start", details: .object([
            "run": .number(Double(runID)),
            "tool": .string("exhibit \(options.toolVersion)"),
            "libraries": .object(IntakeWalker.libraryVersions.mapValues(JSONValue.string)),
            "analyzers": .array(catalog.descriptors.map { .string("\($0.id) \($0.version)") }),
            "plugins": .array(catalog.fileAnalyzers.compactMap { ($0 as? PluginAnalyzer)?.manifest.auditRecord }),
            "options": options.recordedOptions,
            "command": .array(commandLine.map(JSONValue.string)),
            "examiner": options.examiner.map(JSONValue.string) ?? .null,
            "jobs": .number(Double(options.jobs)),
        ]))

        let temp = try PrivateTemporaryDirectory(root: options.temporaryRoot)
        defer { temp.remove() }
        let intakeOptions = IntakeOptions(temporaryDirectory: temp.url, budgets: options.budgets,
                                          nameCharsets: options.nameCharsets, memoryThreshold: options.memoryThreshold,
                                          assumedZone: zone,
                                          // Encrypted backups are decrypted from the stored bytes, analyzers or not.
                                          retainContent: !catalog.fileAnalyzers.isEmpty || !options.passwords.isEmpty)
        let walker = try IntakeWalker(options: intakeOptions)
        let crashed = Set(try db.crashedPairs().compactMap(WorkPair.init(text:)))
        let channel = channelFD.map(WorkerChannel.init(fd:))
        let dispatcher = Dispatcher(analyzers: catalog.fileAnalyzers,
                                    context: AnalysisContext(assumedZone: zone, temporaryDirectory: temp.url),
                                    crashed: crashed, isolate: isolate, channel: channel,
                                    fileTimeout: fileTimeout, jobs: options.jobs, streamAfter: options.streamAfter)
        // Under a supervisor, a libarchive call that loops inside itself ends this worker (IntakeGuard).
        var intakeGuard: IntakeGuard?
        if let channel {
            let tempURL = temp.url
            let g = IntakeGuard(channel: channel, stallSeconds: options.intakeStallSeconds, memoryLimit: options.workerMemoryLimit,
                                cleanup: { try? FileManager.default.removeItem(at: tempURL) })
            walker.watch = g.watch
            g.start()
            intakeGuard = g
        }
        var intakeStops: [Int64: [IntakeStop]] = [:]
        for r in try db.intakeStops(analyzerIDs: IntakeStep.allCases.map(\.rawValue)) {
            guard let step = IntakeStep(rawValue: r.analyzerID) else { continue }
            intakeStops[r.evidenceID, default: []].append(IntakeStop(step: step, position: r.entryKey.positions, message: r.message))
        }
        let writer = OutcomeWriter(db: db, batchSize: options.batchSize)

        var reports: [EvidenceReport] = []
        var labels = Set(try db.evidenceList().map(\.label))
        for (n, path) in options.evidence.enumerated() {
            progress?.startItem(index: n + 1, of: options.evidence.count, label: URL(fileURLWithPath: path).lastPathComponent)
            var item = EvidenceItemRun(path: path, options: options, db: db, walker: walker, dispatcher: dispatcher,
                                       writer: writer, progress: progress)
            item.intakeGuard = intakeGuard
            item.entryPage = entryPage
            item.zone = zone
            item.intakeStops = intakeStops
            reports.append(try item.run(labels: &labels))
        }
        try writer.flush()
        var phases: [(name: String, seconds: Double)] = []
        var clock = ContinuousClock.now
        func lap(_ name: String) {
            let now = ContinuousClock.now
            let d = now - clock
            phases.append((name, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
            clock = now
        }
        // Cross-file links (attachment → file row, chat copies) need every file committed.
        progress?.casePhase("linking chats")
        let links = try db.linkChatFindings()
        lap("link")
        // Hash-set matching (issue 5): stored hashes against imported lists, no evidence re-read.
        progress?.casePhase("matching hash sets")
        let matches = try PDQMatcher.run(db)
        lap("hashset_match")
        // The case phase (timeline…) rebuilds from the final findings on every ingest and resume.
        progress?.casePhase("case analyzers (timeline, spread)")
        let caseRuns = try CaseAnalysis.run(catalog.caseAnalyzers, db: db, temporaryRoot: options.temporaryRoot)
        lap("case")
        progress?.finish()

        let counts = try db.statusCounts()
        let errors = try db.errorCount()
        let committed = writer.committedCount
        // The findings as they stand now, for `exhibit verify` to compare with (issue 15).
        let sealed = try db.recordFindingsDigest(after: "ingest")
        var head = try db.appendAudit(action: "ingest.finish", details: .object([
            "run": .number(Double(runID)),
            "findings_digest": .string(sealed.detail.digest),
            "files_committed_this_run": .number(Double(committed)),
            "status_counts": .object(counts.mapValues { .number(Double($0)) }),
            "analysis_errors": .number(Double(errors)),
            "chat_links": .object(["attachments_resolved": .number(Double(links.resolved)),
                                   "attachments_missing": .number(Double(links.missing)),
                                   "chat_copies": .number(Double(links.copies))]),
            "hashset_matches": .object(["exact": .number(Double(matches.exact)), "perceptual": .number(Double(matches.perceptual)),
                                        "files": .number(Double(matches.files))]),
            "case_analyzers": .object(Dictionary(caseRuns.map { ($0.analyzerID, JSONValue.number(Double($0.written))) },
                                                 uniquingKeysWith: { a, _ in a })),
            "evidence": .array(reports.map { r in .object([
                "label": .string(r.label), "outcome": .string(r.outcome.rawValue), "status": .string(r.status.rawValue),
                "sha256": r.hashes.map { .string($0.sha256) } ?? .null,
            ]) }),
        ]))
        var signature: String?, publicKey: String?
        if let key = options.signKeyPath {
            let signed = try ChainSigner.sign(head: head, privateKeyFile: key)
            signature = signed.signatureHex; publicKey = signed.publicKeyHex
        }
        head = try db.auditHead()
        try db.finishRun(id: runID, status: "completed", filesCommitted: committed, chainHead: head,
                         signature: signature, publicKey: publicKey)
        let bad = reports.contains { $0.expectedMatch == false || $0.outcome == .changed || $0.outcome == .rejected }
        var summary = IngestSummary(runID: runID, evidence: reports, filesCommitted: committed, statusCounts: counts,
                                    errorCount: errors, chainHead: head, findingsDigest: sealed.detail.digest,
                                    signature: signature, publicKey: publicKey, exitCode: bad ? 3 : 0, phaseSeconds: phases)
        summary.assumedZone = options.assumedZone?.name
        summary.assumedZoneInherited = zoneInherited
        return summary
    }
}
