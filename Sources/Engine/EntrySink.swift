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
        lock.lock()
        if firstFailure == nil { firstFailure = e }
        lock.unlock()
        // The failed file's commit turn never comes: files waiting for it must not wait forever.
        writer.fail(e)
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
            if entry.position.count == 1, entry.kind == .file, !fileKeys.isEmpty,
               let fk = fileKeys[VirtualPath.split(entry.virtualPath).inner] {
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
        let selected = dispatcher.select(for: file)
        // A file that analyzers with companions want, or that is itself a companion (a `-wal`), is
        // held: all its analyzers run after its container's walk, on a private copy laid out with
        // its companions (``runHeld(container:)``), and its row commits then.
        let withCompanions = selected.filter { !$0.descriptor.accepts.companions.isEmpty }
        if !withCompanions.isEmpty || spool.isCompanionName(file.name)
            || file.devicePath.map({ spool.isCompanionName(($0 as NSString).lastPathComponent) }) == true {
            let container = spoolContainer ?? key.container
            if try spool.spool(file, entryKey: key, container: container) != nil {
                spool.hold(CompanionSpool.Held(outcome: outcome, file: file, analyzers: selected), container: container)
                return true
            }
            for a in withCompanions {
                outcome.errors.append(AnalysisErrorInput(
                    analyzerID: a.descriptor.id, analyzerVersion: a.descriptor.version, status: .error, code: "spool-full",
                    message: "not analysed: the private copies of databases in this run reached their limit", location: nil))
            }
        }
        let runnable = selected.filter { $0.descriptor.accepts.companions.isEmpty }
        guard !runnable.isEmpty else {
            try writer.deliver(outcome)
            return false
        }
        let lease = e.lease
        if dispatcher.needsIsolation(evidenceID: evidenceID, entryKey: key, analyzers: runnable) {
            // A pair that was in flight when a worker died runs alone: nothing else in flight,
            // everything before it committed, so a second crash names exactly this pair.
            for _ in 0..<jobs { slots.wait() }
            defer { for _ in 0..<jobs { slots.signal() } }
            try writer.flush()
            let turn = e.isContainer || asContainer ? nil : writer.takeTurn()
            try dispatcher.lanes.runAndWait { [self] in
                try analyse(file, key: key, analyzers: runnable, outcome: outcome, turn: turn)
                try writer.flush()
                withExtendedLifetime(lease) {}
            }
            return false
        }
        slots.wait()
        // The file commits in walk order whenever its analysis ends (a container: when it closes).
        let turn = e.isContainer || asContainer ? nil : writer.takeTurn()
        group.enter()
        dispatcher.lanes.submit { [self] in
            do { try analyse(file, key: key, analyzers: runnable, outcome: outcome, turn: turn) } catch { fail(error) }
            withExtendedLifetime(lease) {}
            slots.signal()
            group.leave()
        }
        return false
    }

    /// Runs `analyzers` on one file into its sink and hands the file to the writer. On an
    /// analysis thread.
    private func analyse(_ file: EvidenceFile, key: EntryKey, analyzers: [any Analyzer], outcome: FileOutcome, turn: Int?) throws {
        let sink = FileSink(outcome: outcome, writer: writer, streamAfter: dispatcher.streamAfter, turn: turn)
        try dispatcher.run(analyzers, on: file, evidenceID: evidenceID, entryKey: key, into: sink)
        try sink.finish()
    }

    /// Runs the analyzers held for `container` (its walk is over, every sibling has been seen)
    /// and commits every held row, in entry order. Called on the walker's thread after the
    /// in-flight analyses finished; each file runs on an analysis thread, one analyzer at a time,
    /// each on fresh private copies of the file and the companions it asks for.
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
            let key = h.outcome.record.key
            let turn = h.outcome.record.isContainer ? nil : writer.takeTurn()
            try dispatcher.lanes.runAndWait { [self] in
                let sink = FileSink(outcome: h.outcome, writer: writer, streamAfter: dispatcher.streamAfter, turn: turn)
                for analyzer in h.analyzers {
                    let names = analyzer.descriptor.accepts.companionNames(for: candidate.appName)
                    let (copy, folder) = try spool.layout(candidate: candidate, companions: names, among: files, base: file)
                    defer { try? FileManager.default.removeItem(at: folder) }
                    try dispatcher.run([analyzer], on: copy, evidenceID: evidenceID, entryKey: key, into: sink)
                }
                try sink.finish()
            }
        }
    }
}
