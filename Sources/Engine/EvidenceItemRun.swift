import EvidenceStore
import ExhibitKit
import Foundation
import Intake

/// Ingests one evidence item: hash the container first, register it with its custody details,
/// walk it (skipping what earlier runs committed), analyse, commit, close it.
struct EvidenceItemRun {
    let path: String
    let options: IngestOptions
    let db: EvidenceDatabase
    let walker: IntakeWalker
    let dispatcher: Dispatcher
    let writer: OutcomeWriter
    let progress: ProgressReporter?
    /// The worker's intake guard (under a supervisor), told which evidence item is being read.
    var intakeGuard: IntakeGuard?
    /// The supervisor's entry page: the entry being read is published there (``EntryPage``).
    var entryPage: EntryPage?
    /// libarchive calls the guard stopped in earlier workers, by evidence id.
    var intakeStops: [Int64: [IntakeStop]] = [:]
    /// The run's assumed zone, read once from its name by the pipeline (``CaseZone``).
    var zone: TimeZone?

    func run(labels: inout Set<String>) throws -> EvidenceReport {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDir) else {
            throw IngestError("evidence not found: \(path) — check the path (nothing was written for it)")
        }
        let custody = options.custody[path] ?? CustodyDetails()
        let existing = try db.evidenceList().first { $0.path == absolute }
        let label = existing?.label ?? Self.uniqueLabel(for: absolute, taken: labels)
        labels.insert(label)

        // 1. The container is hashed before anything else (directories get a manifest hash later).
        var hashes: FileHashes?
        var size: Int64 = 0
        let hashStart = Date()
        if !isDir.boolValue {
            let h = try IntakeWalker.hashFile(atPath: absolute)
            hashes = h.hashes; size = h.size
        }
        let hashSeconds = Date().timeIntervalSince(hashStart)
        // The store's rules decide the expected-hash match and a changed item (one authority each).
        let expected = custody.expectedSHA256.map(EvidenceDatabase.normalizedSHA256)
        var match = EvidenceDatabase.expectedMatch(expected: expected, hashes: hashes)
        _ = try db.appendAudit(action: "evidence.hashed", details: .object([
            "label": .string(label), "path": .string(absolute), "kind": .string(isDir.boolValue ? "directory" : "file"),
            "size": .number(Double(size)),
            "md5": hashes.map { .string($0.md5) } ?? .null, "sha1": hashes.map { .string($0.sha1) } ?? .null,
            "sha256": hashes.map { .string($0.sha256) } ?? .null,
            "expected_sha256": expected.map(JSONValue.string) ?? .null,
            "expected_match": match.map(JSONValue.bool) ?? .null,
        ]))
        var report = EvidenceReport(label: label, path: absolute, hashes: hashes, expectedSHA256: expected,
                                    expectedMatch: match, status: existing?.status ?? .ok, message: nil, outcome: .ingested,
                                    hashSeconds: hashSeconds)
        if match == false {
            Self.loud("SHA-256 of \(path) is \(hashes?.sha256 ?? "?"), but the seizure record says \(expected ?? "?")" +
                      (options.strict ? " — not ingested (--strict)" : " — ingesting anyway; recorded in the audit log"))
            if options.strict {
                _ = try db.appendAudit(action: "evidence.rejected", details: .object(["label": .string(label), "reason": .string("expected SHA-256 mismatch")]))
                report.outcome = .rejected
                return report
            }
        }
        do {
            try existing?.checkUnchanged(nowSHA256: hashes?.sha256)
        } catch EvidenceStoreError.evidenceHashChanged(_, let old, let now) {
            Self.loud("\(path) has changed since it was first ingested (SHA-256 was \(old), now \(now)); not re-ingested. Ingest the changed file into a new case.")
            _ = try db.appendAudit(action: "evidence.changed", details: .object(["label": .string(label), "recorded_sha256": .string(old), "sha256": .string(now)]))
            report.outcome = .changed
            return report
        }
        if let existing, existing.complete {
            report.outcome = .alreadyComplete
            report.status = existing.status ?? .ok
            return report
        }

        let seized = custody.seizedAt.map { Self.parseSeizedAt($0, zone: zone) }
        let evidenceID = try db.registerEvidence(EvidenceInput(
            label: label, path: absolute, kind: isDir.boolValue ? .directory : .file, size: size, hashes: hashes,
            hashKind: isDir.boolValue ? .manifest : .container, expectedSHA256: expected, item: custody.item,
            description: custody.description, seizedBy: custody.seizedBy, seizedAt: seized, assumedZone: options.assumedZone?.name))
        if existing != nil { report.outcome = .resumed }

        // 2. Walk, skipping what is committed; analyse; commit.
        let committed = try db.committedEntries(evidenceID: evidenceID)
        let sink = EntrySink(evidenceID: evidenceID, label: label, dispatcher: dispatcher, writer: writer,
                             jobs: options.jobs, progress: progress,
                             spoolDirectory: dispatcher.context.temporaryDirectory.appendingPathComponent("companions-\(evidenceID)"))
        armIntakeSupervision(evidenceID: evidenceID, sink: sink)
        walker.stops = intakeStops[evidenceID] ?? []
        intakeGuard?.reading(evidenceID: evidenceID)
        defer { walker.dataReadHook = nil; walker.skipData = []; walker.stops = []; intakeGuard?.reading(evidenceID: nil) }
        // An iTunes/Finder backup says where its SHA-1-named files belong only in Manifest.db; an
        // encrypted one is unlocked here with its password (never stored, printed or logged). A
        // wrong password is recorded and the item refused before its walk (it stays unfinished).
        // The members are read under the intake guard; after a guard stop on this item they are
        // not read again (the walk's own stops say what was cut).
        let password = options.passwords[path]
        let deviceMap = walker.stops.isEmpty
            ? DeviceMaps.load(evidencePath: absolute, isDirectory: isDir.boolValue, temporaryDirectory: dispatcher.context.temporaryDirectory,
                              label: label, password: password, watch: walker.watch)
            : nil
        let passwordOutcome: EncryptedBackup.Outcome? = password == nil ? nil : (deviceMap?.passwordOutcome ?? .notEncrypted)
        if passwordOutcome == .notEncrypted {
            FileHandle.standardError.write(Data("exhibit: \(Self.safe(label)): a password was given, but this is not an encrypted iTunes/Finder backup; the password is not used\n".utf8))
        }
        if let passwordOutcome {
            // Only that a password was given and how it fared, never the password.
            _ = try db.appendAudit(action: "evidence.password", details: .object([
                "label": .string(label), "password_given": .bool(true), "outcome": .string(passwordOutcome.rawValue),
            ]))
        }
        if passwordOutcome == .wrongPassword {
            // A wrong password writes nothing for the item but its custody hashes: it is not walked
            // and stays unfinished, so running the ingest again with the right password reads it
            // into this case (as a resume). Exit status 3, like a rejected item.
            let why = "wrong password: the password given for \(label) does not unlock the backup's keybag; nothing was read from it or written for it (only its custody record and this refusal, in the audit log); run the same ingest again with the right password (--password-file \(label)=FILE) to read it into this case"
            FileHandle.standardError.write(Data("exhibit: \(Self.safe(label)): \(why)\n".utf8))
            _ = try db.appendAudit(action: "evidence.rejected", details: .object([
                "label": .string(label), "reason": .string("wrong password for the encrypted iTunes/Finder backup"),
            ]))
            report.outcome = .rejected
            report.status = .encrypted
            report.message = why
            return report
        }
        if let map = deviceMap {
            sink.deviceMap = map.paths
            sink.deviceFlags = map.flags
            sink.fileKeys = map.keys
            sink.isCommitted = { committed[$0] != nil }
            var facts = map.facts
            if !map.warnings.isEmpty { facts["warnings"] = .array(map.warnings.map(JSONValue.string)) }
            try db.recordDeviceSource(evidenceID: evidenceID, container: label + VirtualPath.containerSeparator, kind: map.kind,
                                      platform: map.platform, root: map.root, mount: map.mount, facts: .object(facts))
            for w in map.warnings { FileHandle.standardError.write(Data("exhibit: \(Self.safe(label)): \(w)\n".utf8)) }
        }
        progress?.startEvidence(label: label, totalBytes: size)
        let walkStart = Date()
        var summary: ContainerSummary
        do {
            summary = try walker.walk(EvidenceSource(path: absolute, label: label),
                                      accountedBytes: { committed[EntryKey($0)] },
                                      emit: { try sink.handle($0) })
        } catch {
            sink.drain()
            try writer.releaseOpenContainers()
            try writer.flush()
            throw error
        }
        sink.drain()
        if let failure = sink.failure { throw failure }
        try writer.releaseOpenContainers()
        try writer.flushAll()

        // Phone extractions: every file under a recognised device tree gets its device path,
        // also those listed before the entry that revealed the tree (docs/intake.md).
        try db.completeDevicePaths(evidenceID: evidenceID)
        if var map = deviceMap, map.kind == "itunes-backup", !map.paths.isEmpty || !map.keys.isEmpty {
            // Files the manifest names but the evidence lacks, and stored files it does not name.
            let container = label + VirtualPath.containerSeparator
            let gaps = try BackupCoverage.check(map, db: db, evidenceID: evidenceID, container: container)
            for w in gaps { FileHandle.standardError.write(Data("exhibit: \(Self.safe(label)): \(w)\n".utf8)) }
            map.warnings += gaps
            var facts = map.facts
            if !map.warnings.isEmpty { facts["warnings"] = .array(map.warnings.map(JSONValue.string)) }
            try db.recordDeviceSource(evidenceID: evidenceID, container: container, kind: map.kind, platform: map.platform,
                                      root: map.root, mount: map.mount, facts: .object(facts))
        }

        if let map = deviceMap, map.kind == "ufdr", !map.vendorMessages.isEmpty {
            try compareVendorMessages(map, evidenceID: evidenceID, label: label)
        }

        // Which phone this is: the examiner's --device, else a backup's UDID (chats of one app
        // account in items of one phone are one room).
        if let device = custody.device ?? deviceMap.flatMap({ m -> String? in
            if case .string(let udid)? = m.facts["udid"], !udid.isEmpty { return udid }
            return nil
        }) {
            try db.recordDeviceIdentity(evidenceID: evidenceID, device: device)
        }

        var manifest: FileHashes?
        if isDir.boolValue {
            manifest = try DirectoryManifest.fromDatabase(db, evidenceLabel: label)
            report.hashes = manifest
            if expected != nil { match = EvidenceDatabase.expectedMatch(expected: expected, hashes: manifest); report.expectedMatch = match }
        }
        // The item's status is the worst of its direct entries, counted over every committed row:
        // entries an earlier, interrupted run committed are skipped by this walk (issue 15).
        if summary.status == .ok, let worst = ContainerSummary.worst(of: try db.directEntryProblems(evidenceID: evidenceID)) {
            summary.status = worst.status
            summary.message = worst.message
        }
        // An encrypted backup read without decryption is listed as `encrypted`, saying why and how.
        var status = summary.status, message = summary.message
        if status == .ok, let why = deviceMap?.notDecryptedReason { status = .encrypted; message = why }
        try db.finishEvidence(id: evidenceID, status: status, message: message, format: summary.format,
                              entryCount: summary.entryCount, expandedBytes: summary.expandedBytes, manifest: manifest)
        var completed: [String: JSONValue] = [
            "label": .string(label), "status": .string(status.rawValue),
            "format": summary.format.map(JSONValue.string) ?? .null,
            "entries": .number(Double(summary.entryCount)), "expanded_bytes": .number(Double(summary.expandedBytes)),
            "manifest_sha256": manifest.map { .string($0.sha256) } ?? .null,
        ]
        // Which manifest format the hash is in, so verify recomputes the same one.
        if manifest != nil { completed["manifest_version"] = .number(Double(DirectoryManifest.currentVersion)) }
        _ = try db.appendAudit(action: "evidence.complete", details: .object(completed))
        report.status = status
        report.message = message
        report.walkSeconds = Date().timeIntervalSince(walkStart)
        return report
    }

    /// Entries whose reading crashed the worker twice are not read again; under a supervisor,
    /// every entry read is announced as the pair (entry, `intake`) — in the supervisor's entry
    /// page, or on the channel when its identity does not fit the page — so a crash inside
    /// libarchive or libmagic is isolated and recorded like an analyzer's.
    private func armIntakeSupervision(evidenceID: Int64, sink: EntrySink) {
        walker.skipData = Set(dispatcher.crashed.filter { $0.evidenceID == evidenceID && $0.analyzerID == Self.intakeID }
            .map(\.entryKey.positions))
        guard let channel = dispatcher.channel else { return }
        let isolate = dispatcher.isolate
        let timeout = max(dispatcher.fileTimeout, 3600)
        let page = entryPage
        var piped = false  // this entry's begin went on the channel (walker thread only, like the hook)
        walker.dataReadHook = { position, path, begin in
            let alone = !isolate.isEmpty
                && isolate.contains(WorkPair(evidenceID: evidenceID, entryKey: EntryKey(position), analyzerID: Self.intakeID))
            if begin {
                if alone { sink.acquireAll() }
                piped = !(page?.begin(evidenceID: evidenceID, position: position, path: path, timeout: timeout) ?? false)
                if piped {
                    channel.begin(WorkPair(evidenceID: evidenceID, entryKey: EntryKey(position), analyzerID: Self.intakeID),
                                  timeout: timeout, version: ExhibitVersion.current, path: path)
                }
                TestHooks.beforeEntryRead?(path)
            } else {
                if piped {
                    channel.end(WorkPair(evidenceID: evidenceID, entryKey: EntryKey(position), analyzerID: Self.intakeID))
                } else {
                    page?.end()
                }
                if alone { sink.releaseAll() }
            }
        }
    }

    /// The pseudo-analyzer id of reading an entry (libarchive, libmagic, hashing).
    static let intakeID = "intake"

    /// The file's name, made unique within the case: `seized.zip`, `seized.zip#2`, …
    static func uniqueLabel(for path: String, taken: Set<String>) -> String {
        let base = URL(fileURLWithPath: path).lastPathComponent
        if !taken.contains(base) { return base }
        var n = 2
        while taken.contains("\(base)#\(n)") { n += 1 }
        return "\(base)#\(n)"
    }

    /// `--seized-at`: ISO 8601 with `Z` or an offset → basis `offset`; without one, a local time
    /// in the case's zone.
    static func parseSeizedAt(_ text: String, zone: TimeZone?) -> TimeValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        let hasZone = t.hasSuffix("Z") || t.hasSuffix("z") || t.dropFirst(10).contains("+") || t.dropFirst(10).contains("-")
        if hasZone, let parsed = UTCFormat.parseUserInstant(t) {
            return TimeValue(raw: text, utcMicros: parsed.micros, basis: .offset, precision: .second)
        }
        if let parsed = UTCFormat.parseUserInstant(t), let naive = NaiveDateTime(wallClock: String(UTCFormat.string(micros: parsed.micros).dropLast())) {
            return naive.resolve(in: zone, raw: text, precision: parsed.dateOnly ? .day : .second)
        }
        return TimeValue(raw: text, utcMicros: nil, basis: .unknown, precision: .second, note: "not an ISO 8601 date-time")
    }

    /// Evidence text for the examiner's terminal: control characters shown as U+FFFD.
    static func safe(_ text: String) -> String { ExportEscape.terminal(text) }

    static func loud(_ message: String) {
        FileHandle.standardError.write(Data("\n*** EVIDENCE INTEGRITY WARNING ***\n\(ExportEscape.terminal(message, keepNewlines: true))\n\n".utf8))
    }
}

/// Fault injection for the test bed only (`Tests/TestBed`): the shipped `exhibit` never sets it.
/// Lets a test crash the worker in the middle of reading an entry, the way a C library would.
public enum TestHooks {
    nonisolated(unsafe) public static var beforeEntryRead: ((_ virtualPath: String) -> Void)?
}
