import EvidenceStore
import ExhibitKit
import Foundation
import Intake

/// Receives the walker's events on the walker's thread, fans files out to analyzers (at most
/// `jobs` at once: the walker blocks when all slots are busy, which bounds memory), and hands
/// finished files to the writer.
final class EntrySink: @unchecked Sendable {
    // Safe: `failure` is guarded by `lock`; the rest is immutable or thread-safe (semaphore, group).
    let evidenceID: Int64
    let label: String
    let dispatcher: Dispatcher
    let writer: OutcomeWriter
    let jobs: Int
    let progress: ProgressReporter?
    /// Files held for analyzers with companions until their container is walked.
    let spool: CompanionSpool
    /// Device paths of top-level entries read before the walk (an iTunes backup's manifest, a
    /// UFDR's report.xml), and flags the report gives entries (`ufdr-deleted`).
    var deviceMap: [String: String] = [:]
    var deviceFlags: [String: [String]] = [:]
    /// An encrypted backup opened with its password: each stored file's key and device path, by
    /// inner path; such a file becomes a container of its decrypted content.
    var fileKeys: [String: FileKey] = [:]
    /// Stored files of an encrypted backup whose decrypted child waits, with the app databases
    /// and companions of the whole backup, for the end of the stored files' own container: the
    /// stored file commits after its child, so it closes only then (by that container's key).
    var deferredEncrypted: [EntryKey: [EntryKey]] = [:]
    /// Whether an entry was committed by an earlier run (the synthetic children are not walked).
    var isCommitted: (EntryKey) -> Bool = { _ in false }
    /// libmagic for synthetic entries (used on the walker's thread only).
    lazy var mimeProbe: MIMEProbe? = try? MIMEProbe()
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var firstFailure: Error?

    init(evidenceID: Int64, label: String, dispatcher: Dispatcher, writer: OutcomeWriter, jobs: Int, progress: ProgressReporter?,
         spoolDirectory: URL) {
        self.evidenceID = evidenceID; self.label = label; self.dispatcher = dispatcher; self.writer = writer
        self.jobs = jobs; self.progress = progress
        spool = CompanionSpool(directory: spoolDirectory, analyzers: dispatcher.analyzers)
        slots = DispatchSemaphore(value: jobs)
    }

    var failure: Error? {
        lock.lock(); defer { lock.unlock() }
        return firstFailure
    }

    private func fail(_ e: Error) {
        lock.lock(); defer { lock.unlock() }
        if firstFailure == nil { firstFailure = e }
    }

    /// Waits until every file handed to analyzers has been delivered to the writer.
    func drain() { group.wait() }

    /// Holds every analysis slot (waiting for running analyzers to finish) so that nothing else
    /// runs while the walker reads one suspect entry; ``releaseAll()`` gives them back.
    func acquireAll() { for _ in 0..<jobs { slots.wait() } }
    func releaseAll() { for _ in 0..<jobs { slots.signal() } }

    func handle(_ event: IntakeEvent) throws {
        if let failure { throw failure }
        switch event {
        case .entry(let entry):
            let inner = VirtualPath.split(entry.virtualPath).inner
            if entry.position.count == 1, entry.kind == .file, let fk = fileKeys[inner] {
                try handleEncrypted(entry, key: fk)
            } else {
                try handleEntry(entry)
            }
        case .containerEnd(let s):
            // Held rows of this container (app databases and their companions) are analysed and
            // committed before the container itself, so a resume re-enters it if they are not.
            let key = EntryKey(s.position)
            try runHeld(container: key)
            try closeDeferredEncrypted(container: key)
            guard !s.position.isEmpty else { return }
            try writer.closeContainer(evidenceID: evidenceID, entryKey: key, status: s.status,
                                      message: s.message, format: s.format, flags: s.flags, expandedBytes: s.expandedBytes)
        }
    }

    /// Hands one entry to analyzers and the writer. `devicePathOverride` and `extraErrors` come
    /// from an encrypted backup (the decrypted child's device path; why a file was not decrypted);
    /// `asContainer` makes a stored encrypted file the container of its decrypted child;
    /// `spoolContainer` spools a decrypted child with its stored file's siblings (so a database
    /// finds its `-wal` from another stored file). Returns whether the file was spooled (held).
    @discardableResult
    func handleEntry(_ e: IntakeEntry, devicePathOverride: String? = nil, extraErrors: [AnalysisErrorInput] = [],
                     asContainer: Bool = false, spoolContainer: EntryKey? = nil) throws -> Bool {
        let key = e.key
        let inner = VirtualPath.split(e.virtualPath).inner
        let devicePath = devicePathOverride ?? (e.position.count == 1 ? deviceMap[inner] : nil)
            ?? DevicePath.recognise(inner: inner).flatMap { $0.devicePath(ofInner: inner) }
        var record = e.record
        record.flags.sort()
        record.isContainer = e.isContainer || asContainer
        record.devicePath = devicePath
        if e.position.count == 1, let marks = deviceFlags[inner] { record.flags = (record.flags + marks).sorted() }
        var outcome = FileOutcome(evidenceID: evidenceID, record: record, findings: [], errors: extraErrors)
        progress?.entry(bytes: e.size)
        if e.isContainer || asContainer { writer.openContainer(outcome) }

        guard e.kind == .file, let hashes = e.hashes, !dispatcher.analyzers.isEmpty else {
            try writer.deliver(outcome)
            return false
        }
        let file = EvidenceFile(key: "\(label)#\(key.text)", virtualPath: e.virtualPath, size: e.size, hashes: hashes,
                                mime: e.mime ?? "application/octet-stream", times: e.times, content: e.content,
                                devicePath: devicePath)
        var selected = dispatcher.select(for: file)
        // Analyzers with companions run after the container's walk, on private copies.
        let withCompanions = selected.filter { !$0.descriptor.accepts.companions.isEmpty }
        var hold: CompanionHold?
        if !withCompanions.isEmpty || spool.isCompanionName(file.name)
            || file.devicePath.map({ spool.isCompanionName(($0 as NSString).lastPathComponent) }) == true {
            let container = spoolContainer ?? key.container
            if try spool.spool(file, entryKey: key, container: container) != nil {
                let runnable = withCompanions.compactMap { $0 as? any StreamingAnalyzer }
                hold = CompanionHold(container: container, analyzers: runnable)
                // Companions are handed over only through the streaming entry point: an analyzer
                // that declares companions without it is a contract error, said on the file.
                for a in withCompanions where !(a is any StreamingAnalyzer) {
                    outcome.errors.append(AnalysisErrorInput(
                        analyzerID: a.descriptor.id, analyzerVersion: a.descriptor.version, status: .error, code: "contract",
                        message: "not analysed: the analyzer declares companions but is not a streaming analyzer", location: nil))
                }
            } else {
                for a in withCompanions {
                    outcome.errors.append(AnalysisErrorInput(
                        analyzerID: a.descriptor.id, analyzerVersion: a.descriptor.version, status: .error, code: "spool-full",
                        message: "not analysed: the private copies of databases in this run reached their limit", location: nil))
                }
            }
            selected.removeAll { !$0.descriptor.accepts.companions.isEmpty }
        }
        guard !selected.isEmpty else {
            if let hold {
                spool.hold(CompanionSpool.Held(outcome: outcome, file: file, analyzers: hold.analyzers), container: hold.container)
                return true
            }
            try writer.deliver(outcome)
            return false
        }
        let lease = e.lease
        if dispatcher.needsIsolation(evidenceID: evidenceID, entryKey: key, analyzers: selected) {
            // A pair that was in flight when a worker died runs alone: nothing else in flight,
            // everything before it committed, so a second crash names exactly this pair.
            for _ in 0..<jobs { slots.wait() }
            defer { for _ in 0..<jobs { slots.signal() } }
            try writer.flush()
            try isolatedRun(file: file, key: key, selected: selected, outcome: outcome, lease: lease, hold: hold)
            return hold != nil
        }
        slots.wait()
        group.enter()
        Task.detached { [self] in
            let result = await dispatcher.analyze(file, evidenceID: evidenceID, entryKey: key, analyzers: selected)
            var o = outcome
            o.findings = result.findings; o.errors = outcome.errors + result.errors
            do { try finish(o, file: file, key: key, deferred: result.deferred, hold: hold) } catch { fail(error) }
            withExtendedLifetime(lease) {}
            slots.signal()
            group.leave()
        }
        return hold != nil
    }

    private func isolatedRun(file: EvidenceFile, key: EntryKey, selected: [any Analyzer], outcome: FileOutcome,
                             lease: ContentLease?, hold: CompanionHold?) throws {
        var o = outcome
        var deferred: [any StreamingAnalyzer] = []
        for analyzer in selected {
            let r = runBlocking { await self.dispatcher.analyze(file, evidenceID: self.evidenceID, entryKey: key, analyzers: [analyzer]) }
            o.findings += r.findings
            o.errors += r.errors
            deferred += r.deferred
        }
        try finish(o, file: file, key: key, deferred: deferred, hold: hold)
        try writer.flush()
        withExtendedLifetime(lease) {}
    }

    /// Hands a finished file to the writer; streaming analyzers left for the commit run there.
    private func finish(_ outcome: FileOutcome, file: EvidenceFile, key: EntryKey, deferred: [any StreamingAnalyzer],
                        hold: CompanionHold?) throws {
        if let hold {
            // Streaming analyzers left for the commit join the companion run (on the spooled copy).
            spool.hold(CompanionSpool.Held(outcome: outcome, file: file, analyzers: deferred + hold.analyzers),
                       container: hold.container)
            return
        }
        guard !deferred.isEmpty else { return try writer.deliver(outcome) }
        try writer.deliverStreaming(outcome) { sink in
            try dispatcher.stream(file, evidenceID: evidenceID, entryKey: key, analyzers: deferred, sink: sink)
        }
    }

    /// Where a held file waits and which of its analyzers need companions.
    struct CompanionHold {
        var container: EntryKey
        var analyzers: [any StreamingAnalyzer]
    }

    /// Runs the analyzers held for `container` (its walk is over, every sibling has been seen)
    /// and commits every held row, in entry order. Runs on the emitter thread after the
    /// in-flight analyses finished, one analyzer at a time, each on fresh private copies.
    func runHeld(container: EntryKey) throws {
        guard spool.hasHeld(container: container) else { return }
        drain()
        if let failure { throw failure }
        let (held, files) = spool.take(container: container)
        defer { spool.release(files) }
        for h in held {
            guard let file = h.file, !h.analyzers.isEmpty,
                  let candidate = files.first(where: { $0.entryKey == h.outcome.record.key }) else {
                try writer.deliver(h.outcome)
                continue
            }
            try writer.flush()
            let key = h.outcome.record.key
            try writer.deliverStreaming(h.outcome) { sink in
                var errors: [AnalysisErrorInput] = []
                for analyzer in h.analyzers {
                    let pair = WorkPair(evidenceID: evidenceID, entryKey: key, analyzerID: analyzer.descriptor.id)
                    if dispatcher.crashed.contains(pair) { continue }
                    let names = analyzer.descriptor.accepts.companionNames(for: candidate.appName)
                    let (copy, folder) = try spool.layout(candidate: candidate, companions: names, among: files, base: file)
                    defer { try? FileManager.default.removeItem(at: folder) }
                    errors += try dispatcher.stream(copy, evidenceID: evidenceID, entryKey: key, analyzers: [analyzer], sink: sink)
                }
                return errors
            }
        }
    }

    /// Runs async work to completion from the walker's (non-async) thread.
    private func runBlocking(_ work: @escaping @Sendable () async -> FileAnalysis) -> FileAnalysis {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        Task.detached {
            box.value = await work()
            done.signal()
        }
        done.wait()
        return box.value
    }

    private final class ResultBox: @unchecked Sendable {
        // Safe: written once before the semaphore is signalled, read after it is waited on.
        var value = FileAnalysis()
    }
}
