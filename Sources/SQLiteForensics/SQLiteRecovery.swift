import Foundation

/// Recovers deleted and superseded rows from a SQLite database's bytes (with its `-wal` and
/// `-journal`), reading pages itself — never through SQLite, which would checkpoint the WAL and
/// cannot show free space. Deterministic; memory bounded by the inputs' real sizes.
public enum SQLiteRecovery {
    /// The schema of `sqlite_master`, used to carve dropped tables' schema rows from page 1.
    static let masterTable = TableSchema(
        name: "sqlite_master", rootPage: 1,
        columns: [("type", "text"), ("name", "text"), ("tbl_name", "text"), ("rootpage", "int"), ("sql", "text")].map {
            ColumnSchema(name: $0.0, declaredType: $0.1, affinity: .of(declaredType: $0.1))
        }, rowidAlias: nil, withoutRowid: false, sql: "")

    /// Recovers rows from `database` bytes, with the bytes of its WAL and rollback journal if present.
    public static func recover(database: [UInt8], wal: [UInt8]? = nil, journal: [UInt8]? = nil) -> RecoveryReport {
        recover(database: ByteSource(database), wal: wal, journal: journal)
    }

    /// Recovers rows from a database read through `database` (in memory, or page by page from a
    /// file: memory then does not grow with the file's size), with its WAL and journal bytes.
    /// Every recovered row is in the report's `records`: memory grows with them.
    public static func recover(database: ByteSource, wal: [UInt8]? = nil, journal: [UInt8]? = nil) -> RecoveryReport {
        var records: [RecoveredRow] = []
        var report = recover(database: database, wal: wal, journal: journal, holdLimit: .max) { records.append($0) }
        report.records = records
        return report
    }

    /// Estimated bytes of recovered rows ``recover(database:wal:journal:holdLimit:each:)`` holds by
    /// default before it hands them over in a second pass instead.
    public static let defaultHoldLimit = 8 << 20

    /// Recovers rows like ``recover(database:wal:journal:)`` but hands each to `each`, in the same
    /// order, instead of keeping them: the report's `records` is empty. Two rules need the whole
    /// database (a clobbered row found whole elsewhere is reported once; attribution and the
    /// live-row check need only what the live walk kept), so rows are held while they take at most
    /// `holdLimit` bytes (estimated); past that, the carve keeps a 16-byte digest of each complete
    /// row instead and runs again, handing every row over as it is found. Same rows, same order,
    /// either way. The digests (of live rows, of rows reported, of complete rows) stay in memory up
    /// to `memory`'s bound and go to an unlinked temp file in its private folder past it; the live
    /// rows kept whole for partial records take at most its sample bytes (``RecoveryMemory``).
    public static func recover(database: ByteSource, wal: [UInt8]? = nil, journal: [UInt8]? = nil,
                               holdLimit: Int = defaultHoldLimit, memory: RecoveryMemory = RecoveryMemory(),
                               each: (RecoveredRow) -> Void) -> RecoveryReport {
        var problems: [RecoveryProblem] = []
        var report = RecoveryReport(header: nil, tables: [], droppedTables: [], records: [], liveRowCounts: [:], walFrames: [],
                                    journalRecords: 0, problems: [])
        let header: DatabaseHeader
        switch DatabaseHeader.parse(ByteView(database.read(0, Swift.min(100, database.count)) ?? [])) {
        case .failure(let p): report.problems = [p]; return report
        case .success(let h): header = h
        }
        report.header = header
        var live = PageImage(file: database, header: header)
        if database.count % header.pageSize != 0 || (header.changeCounter == header.versionValidFor && header.declaredPageCount > live.pageCount) {
            problems.append(.init(code: "sqlite-truncated", message: "the database ends at \(database.count) bytes (\(live.pageCount) whole pages) but declares \(header.declaredPageCount) pages; the pages present are read"))
        }
        // WAL: the current state is the file overlaid with the last committed frame of each page.
        var walFile: WALFile?
        var current: [Int: Int] = [:]
        if let wal, !wal.isEmpty, let w = WALFile.parse(wal, dbPageSize: header.pageSize, problems: &problems) {
            walFile = w
            report.walFrames = w.frames
            var size = 0
            for f in w.frames where f.state == .committed {
                current[f.pageNumber] = f.number
                if f.commitSize != 0 { size = f.commitSize }
            }
            for (pg, fn) in current where pg <= Swift.max(size, live.pageCount) { live.overlay[pg] = w.pageData(w.frames[fn - 1]) }
            if size > 0 { live.pageCount = size }
        }
        let journalRecords = journal.flatMap { $0.isEmpty ? nil : $0 }
            .map { JournalReader.parse($0, pageSize: header.pageSize, maxPage: Swift.max(live.pageCount, 1), problems: &problems) } ?? []

        var run = RecoveryRun(live: live, wal: walFile, currentFrames: current, journal: journalRecords, problems: problems, memory: memory)
        run.loadSchema()
        run.checkJournalBelongs()
        run.walkLive()
        run.learnFirstColumnSizes()
        run.holdLimit = holdLimit
        // The state before carving (a value: copying it costs nothing until the carve changes it;
        // the live digests are shared, read only from here on).
        var second = run
        run.resetCarveDigests()
        var tempFailures: [String?] = []
        run.carveCurrent()
        run.carveVersions()
        if !run.overflowed {
            run.dropSubsumed()
            run.flagDuplicates()
            run.records.forEach(each)
        } else {
            // The carve is deterministic: the second pass finds the same rows in the same order.
            second.subsumedBy = run.completeTails
            tempFailures += [run.seen.failure]
            second.resetCarveDigests()
            run.resetCarveDigests(); run.usedOverflow = []
            withoutActuallyEscaping(each) { each in
                second.deliver = each
                second.carveCurrent()
                second.carveVersions()
                second.deliver = nil
            }
        }
        report.tables = run.tables
        report.droppedTables = run.droppedTables
        report.liveRowCounts = Dictionary(uniqueKeysWithValues: run.tables.indices.map { (run.tables[$0].name, run.liveCounts[$0] ?? 0) })
        report.journalRecords = run.journal.count
        report.problems = run.problems
        tempFailures += [run.liveDigests.failure, run.seen.failure, run.completeTails.failure, second.seen.failure, second.subsumedBy?.failure]
        if let why = tempFailures.compactMap({ $0 }).first { report.problems.append(.init(code: "sqlite-temp-file", message: why)) }
        return report
    }
}
