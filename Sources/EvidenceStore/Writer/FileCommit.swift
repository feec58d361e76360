import ExhibitKit
import Foundation
import GRDB

extension EvidenceDatabase {
    /// Commits a batch of finished files in ONE durable transaction: when this returns, every
    /// file in the batch is done and survives a crash; when it throws, none of them is.
    ///
    /// Upsert by (evidence, entry key): a file committed before (a redo after a crash) keeps its
    /// row id, and its times, artifacts, chats (with their messages and search rows), metadata,
    /// indicators and analysis errors are replaced — except `crashed` and `timeout` errors
    /// recorded by the supervisor, which stay. `runID` defaults to the latest
    /// run still `running` (see ``beginRun(toolVersion:commandLine:options:jobs:)``).
    public func commit(_ outcomes: [FileOutcome], runID: Int64? = nil) throws {
        guard !outcomes.isEmpty else { return }
        try queue.write { db in
            let run = try runID ?? Self.currentRunID(db)
            // Values bound from typed findings: no per-row CHECK evaluation (see `withTypedValueChecks`).
            try db.withTypedValueChecks {
                var writer = try FileRowWriter(db)
                for outcome in outcomes {
                    // Two statements: `writer` is a struct, and `finish` must see what `write` added.
                    let file = try writer.write(outcome, runID: run)
                    try writer.finish(file)
                }
            }
            if let run {
                try db.execute(sql: "UPDATE ingest_runs SET files_committed = files_committed + ? WHERE id = ?",
                               arguments: [outcomes.count, run])
            }
        }
    }

    /// Commits one file whose findings arrive as a stream (a large chat export): the file row
    /// and `outcome`'s findings and errors first, then every batch `next` returns until it returns
    /// nil, then the rows `errors` gives — all in one transaction. Memory stays bounded by the
    /// stream, and the file is still done only when the transaction commits: a crash mid-way
    /// leaves nothing. The engine's analysis thread produces while this one stores.
    public func commitStreaming(_ outcome: FileOutcome, runID: Int64? = nil, next: () throws -> [ProducedFinding]?,
                                errors: () -> [AnalysisErrorInput]) throws {
        try queue.write { db in
            let run = try runID ?? Self.currentRunID(db)
            // Values bound from typed findings: no per-row CHECK evaluation (see `withTypedValueChecks`).
            try db.withTypedValueChecks {
                var writer = try FileRowWriter(db)
                var file = try writer.write(outcome, runID: run)
                while let batch = try next() {
                    for produced in batch { try writer.write(produced, to: &file) }
                }
                try writer.write(errors(), to: file)
                try writer.finish(file)
            }
            if let run {
                try db.execute(sql: "UPDATE ingest_runs SET files_committed = files_committed + 1 WHERE id = ?", arguments: [run])
            }
        }
    }

    /// Every committed entry of an evidence item: entry key → bytes it accounts for, so the
    /// walker can skip it (and, for a container, its whole subtree) and still keep its byte
    /// budgets right: its `expanded_bytes` (what intake charged against its budgets — for a
    /// container, itself plus its subtree), or when that is NULL its `size` (for a container,
    /// plus the sizes of its committed descendants).
    public func committedEntries(evidenceID: Int64) throws -> [EntryKey: Int64] {
        try queue.read { db in
            var leaf: [EntryKey: Int64] = [:]
            var containers: [EntryKey: Int64?] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT entry_key, size, is_container, expanded_bytes FROM files WHERE evidence_id = ?
                """, arguments: [evidenceID])
            // `expanded_bytes` is what intake charged against its budgets for the entry (for a
            // container: the entry plus everything inside it); rows without it fall back to size.
            // A key that is not positions (another tool's row) names no entry the walker has.
            var result: [EntryKey: Int64] = [:]
            while let row = try rows.next() {
                guard let key = EntryKey(text: try row.decode(forColumn: FileColumns.entryKey)) else { continue }
                let size: Int64 = try row.decode(forColumn: FileColumns.size)
                let expanded: Int64? = try row.decode(forColumn: FileColumns.expandedBytes)
                leaf[key] = size
                result[key] = expanded ?? size
                if try row.decode(Bool.self, forColumn: FileColumns.isContainer) { containers[key] = expanded }
            }
            let needsSum = Set(containers.compactMap { $0.value == nil ? $0.key : nil })
            if !needsSum.isEmpty {
                for (key, size) in leaf {
                    for ancestor in key.ancestors where needsSum.contains(ancestor) {
                        result[ancestor, default: 0] += size
                    }
                }
            }
            return result
        }
    }

    /// Records that `analyzerID` brought the worker down (`crashed`) or overran its time
    /// (`timeout`) on a file. The row survives redo of the file, and the pair is skipped from
    /// then on (``crashedPairs()``). Recording the same pair and status twice is a no-op. `code`
    /// overrides the default code (`intake-guard` for the worker's intake guard).
    public func recordCrash(evidenceID: Int64, entryKey key: EntryKey, path: String, analyzerID: String,
                            analyzerVersion: String, status: CrashStatus, message: String, code: String? = nil) throws {
        guard key.isStorable else { throw EvidenceStoreError.invalidEntryKey(key.text) }
        let entryKey = key.text
        try queue.write { db in
            let exists = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM analysis_errors
                               WHERE evidence_id = ? AND entry_key = ? AND analyzer_id = ? AND status = ?)
                """, arguments: [evidenceID, entryKey, analyzerID, status.rawValue]) ?? false
            guard !exists else { return }
            try db.execute(sql: """
                INSERT INTO analysis_errors (evidence_id, entry_key, path, analyzer_id, analyzer_version, status, code,
                    message, location, run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
                """, arguments: [evidenceID, entryKey, path, analyzerID, analyzerVersion, status.rawValue,
                                 code ?? (status == .crashed ? "worker-crashed" : "timeout"), message, try Self.currentRunID(db)])
        }
    }

    /// Every (file, analyzer) pair with a `crashed` or `timeout` record, as
    /// `"\(evidenceID)|\(entryKey)|\(analyzerID)"`.
    public func crashedPairs() throws -> Set<String> {
        try queue.read { db in
            var result = Set<String>()
            let rows = try Row.fetchCursor(db, sql: """
                SELECT evidence_id, entry_key, analyzer_id FROM analysis_errors WHERE status IN ('crashed', 'timeout')
                """)
            while let row = try rows.next() {
                let e: Int64 = try row.decode(forColumn: ErrorColumns.evidenceID)
                let k: String = try row.decode(forColumn: ErrorColumns.entryKey)
                let a: String = try row.decode(forColumn: ErrorColumns.analyzerID)
                result.insert("\(e)|\(k)|\(a)")
            }
            return result
        }
    }

    /// Calls of the worker's intake guard recorded by the supervisor (`timeout` rows with code
    /// `intake-guard` whose analyzer is one of `analyzerIDs`, the intake steps), with their
    /// messages, so a new worker records the stopped entry or container as `limit-exceeded`.
    public func intakeStops(analyzerIDs: [String]) throws -> [(evidenceID: Int64, entryKey: EntryKey, analyzerID: String, message: String)] {
        guard !analyzerIDs.isEmpty else { return [] }
        return try queue.read { db in
            let marks = Array(repeating: "?", count: analyzerIDs.count).joined(separator: ", ")
            let rows = try Row.fetchAll(db, sql: """
                SELECT evidence_id, entry_key, analyzer_id, message FROM analysis_errors
                WHERE status = 'timeout' AND code = 'intake-guard' AND analyzer_id IN (\(marks)) ORDER BY id
                """, arguments: StatementArguments(analyzerIDs))
            var out: [(evidenceID: Int64, entryKey: EntryKey, analyzerID: String, message: String)] = []
            for row in rows {
                // recordCrash stores only well-formed keys; another tool's row names no entry.
                guard let key = EntryKey(text: try row.decode(forColumn: ErrorColumns.entryKey)) else { continue }
                out.append((evidenceID: try row.decode(forColumn: ErrorColumns.evidenceID), entryKey: key,
                            analyzerID: try row.decode(forColumn: ErrorColumns.analyzerID),
                            message: try row.decode(forColumn: ErrorColumns.message)))
            }
            return out
        }
    }

    /// The latest run still marked `running`, which owns rows committed now.
    static func currentRunID(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM ingest_runs WHERE status = 'running' ORDER BY id DESC LIMIT 1"))
    }
}

/// Writes outcomes inside one open transaction with cached statements: this is the hot path
/// of an ingest (hundreds of thousands of rows), so no per-row record encoding. The file row,
/// its times and errors are written here; each finding goes to its kind's writer
/// (``StoredKinds``, `Kinds/`).
struct FileRowWriter {
    private let db: Database
    private let find: Statement
    private let insert: Statement
    private let update: Statement
    private let deleteTimes: Statement
    private let deleteErrors: Statement
    private let insertTime: Statement
    private let insertError: Statement
    /// One writer per ``StoredKinds/all`` entry, and the index of each kind's writer in it.
    private var kinds: [any KindWriter]
    private let slot: [FindingKind: Int]

    init(_ db: Database) throws {
        self.db = db
        let columns = FileColumns.written.map(\.rawValue)
        find = try db.cachedStatement(sql: "SELECT id FROM files WHERE evidence_id = ? AND entry_key = ?")
        insert = try db.cachedStatement(sql: """
            INSERT INTO files (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))
            """)
        update = try db.cachedStatement(sql: """
            UPDATE files SET \(columns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?
            """)
        deleteTimes = try db.cachedStatement(sql: "DELETE FROM file_times WHERE file_id = ?")
        deleteErrors = try db.cachedStatement(sql: """
            DELETE FROM analysis_errors WHERE evidence_id = ? AND entry_key = ? AND status NOT IN ('crashed', 'timeout')
            """)
        insertTime = try db.cachedStatement(sql: "INSERT INTO file_times (file_id, kind, \(TimeColumns.names)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        insertError = try db.cachedStatement(sql: """
            INSERT INTO analysis_errors (evidence_id, entry_key, path, analyzer_id, analyzer_version, status, code,
                message, location, run_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let stores = StoredKinds.all
        kinds = try stores.map { try $0.writer(db) }
        var slot: [FindingKind: Int] = [:]
        for (i, store) in stores.enumerated() {
            for k in store.kinds { slot[k] = i }
        }
        self.slot = slot
    }

    /// Writes the file row, its times, findings and errors; returns it open for more findings.
    @discardableResult
    mutating func write(_ outcome: FileOutcome, runID: Int64?) throws -> OpenFile {
        let r = outcome.record
        guard let sortKey = r.key.sortKey else { throw EvidenceStoreError.invalidEntryKey(r.key.text) }
        let entryKey = r.key.text
        // Existential values rather than `[DatabaseValue]`: GRDB converts these with one
        // witness call each, measurably cheaper on this hot path than its generic key-path map.
        // The order is `FileColumns.written`'s.
        let values: [(any DatabaseValueConvertible)?] = [
            outcome.evidenceID, entryKey, sortKey, r.parentKey?.text, r.depth, r.virtualPath, r.name, Data(r.rawName),
            r.nameEncoding, r.kind.rawValue, r.mode.map { Int64($0) }, r.linkTarget, r.size, r.declaredSize,
            r.hashes.map { Self.lowerHex($0.md5) }, r.hashes.map { Self.lowerHex($0.sha1) },
            r.hashes.map { Self.lowerHex($0.sha256) }, r.mime, r.status.rawValue, r.message, Self.flagText(r.flags),
            r.isContainer ? 1 : 0, r.containerFormat, Self.flagText(r.containerFlags), r.expandedBytes, runID,
            r.devicePath, r.owner,
        ]
        let fileID: Int64
        if let existing = try Int64.fetchOne(find, arguments: [outcome.evidenceID, entryKey]) {
            // A redo: replace everything derived from the file, keep the supervisor's crash records.
            try deleteTimes.execute(arguments: [existing])
            try deleteErrors.execute(arguments: [outcome.evidenceID, entryKey])
            for i in kinds.indices { try kinds[i].deleteFile(existing) }
            try update.execute(arguments: StatementArguments(values + [existing]))
            fileID = existing
        } else {
            try insert.execute(arguments: StatementArguments(values))
            fileID = db.lastInsertedRowID
        }
        for (kind, time) in FileTimeKind.pairs(r.times) {
            try insertTime.execute(arguments: StatementArguments([fileID, kind.rawValue] + TimeColumns.values(time)))
        }
        for i in kinds.indices { kinds[i].beginFile() }
        var file = OpenFile(fileID: fileID, evidenceID: outcome.evidenceID, entryKey: entryKey, path: r.virtualPath, runID: runID)
        for produced in outcome.findings { try write(produced, to: &file) }
        try write(outcome.errors, to: file)
        return file
    }

    /// The file row a writer is adding findings to.
    struct OpenFile {
        let fileID: Int64, evidenceID: Int64, entryKey: String, path: String, runID: Int64?
        /// Codes of ``KindProblem/oncePerFile`` problems already recorded for the file.
        var recordedOnce: Set<String> = []
    }

    /// Stores one finding of an open file through its kind's writer; a finding the writer
    /// refuses becomes the analyzer's `error` row of the file.
    mutating func write(_ produced: ProducedFinding, to file: inout OpenFile) throws {
        guard let i = slot[produced.finding.kind],
              let problem = try kinds[i].write(produced, fileID: file.fileID) else { return }
        if problem.oncePerFile {
            guard file.recordedOnce.insert(problem.code).inserted else { return }
        }
        try insertError.execute(arguments: [
            file.evidenceID, file.entryKey, file.path, produced.analyzerID, produced.analyzerVersion, AnalysisStatus.error.rawValue,
            problem.code, problem.message, nil, file.runID,
        ])
    }

    /// Closes an open file once all its findings are written: each kind links what arrived out
    /// of order (recovered messages to their `recovered_records` rows).
    mutating func finish(_ file: OpenFile) throws {
        for i in kinds.indices { try kinds[i].finish(fileID: file.fileID) }
    }

    /// Stores analysis errors of an open file.
    func write(_ errors: [AnalysisErrorInput], to file: OpenFile) throws {
        for e in errors {
            try insertError.execute(arguments: [
                file.evidenceID, file.entryKey, file.path, e.analyzerID, e.analyzerVersion, e.status.rawValue, e.code, e.message,
                e.location, file.runID,
            ])
        }
    }

    /// `hex` in lower case, without allocating when it already is (the usual case).
    static func lowerHex(_ hex: String) -> String {
        hex.utf8.contains(where: { $0 >= 65 && $0 <= 90 }) ? hex.lowercased() : hex
    }

    /// Flags as stored: unique, sorted, comma-joined (`""` for none), so equal sets give equal text.
    static func flagText(_ flags: [String]) -> String {
        Set(flags.filter { !$0.isEmpty }).sorted().joined(separator: ",")
    }

    /// A source location as canonical JSON (`{"offset":12,"record":"line 3"}`), or `nil`.
    static func locationText(_ location: SourceLocation?) -> String? {
        guard let location else { return nil }
        // The same text as `storedText`, without a `JSONEncoder` per call (one per message: 2 %
        // of a chat ingest's CPU) when the record is printable ASCII needing no escape; any
        // other record takes `storedText` itself.
        if let record = location.record,
           !record.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\")
                                     && $0 != UInt8(ascii: "/") }) {
            return location.storedText
        }
        guard location.offset != nil || location.record != nil else { return nil }
        var text = "{"
        if let offset = location.offset { text += "\"offset\":"; text += String(offset) }
        if let record = location.record {
            if location.offset != nil { text += "," }
            text += "\"record\":\""; text += record; text += "\""
        }
        text += "}"
        return text
    }
}
