import ExhibitKit
import ExhibitSupport
import Foundation

/// Recovery over an evidence file as analyzers see it: the database's bytes with the `-wal` and
/// `-journal` the engine handed over as companions, and the ExhibitKit finding for each row.
/// Shared by the `sqlite-recovery` analyzer and the app analyzers that turn recovered rows of
/// their message tables into messages, so both read the same bytes the same way and find the
/// same rows at the same places (the store links them by place).
public enum EvidenceRecovery {
    /// Bytes of a database's `-wal` and `-journal`, together, that recovery holds in memory. The
    /// database itself is read page by page from the engine's private copy (``ByteSource``), so
    /// its size is not bounded; its companions are read whole (a WAL's frames are indexed over
    /// its bytes), so they are. The same bound as the `sqlite-recovery` analyzer's.
    public static let readLimit = 192 << 20

    /// Recovers rows from `file` and its `{name}-wal` / `{name}-journal` companions. Never
    /// throws: an unreadable database gives no report and a warning (`sqlite-unreadable`); a
    /// companion past ``readLimit`` (with the other), or unreadable, a warning
    /// (`sqlite-too-large`, `sqlite-companion-unreadable`), and recovery goes on without it.
    ///
    /// Call it before SQLite opens the same copy: opening replays a hot journal into the file
    /// and closing checkpoints the WAL, which would change the bytes read here.
    public static func recover(_ file: EvidenceFile) -> (report: RecoveryReport?, warnings: [AnalysisWarning]) {
        recover(file, sharing: .none).result
    }

    /// How a caller shares one carve of a file with the other reader of the same bytes.
    public enum Sharing: Sendable {
        /// Carve, keep nothing.
        case none
        /// Carve and keep the result for the `sqlite-recovery` analyzer on the same file (an app
        /// analyzer, which runs first: the engine runs a file's companion analyzers one after
        /// another in registration order, app analyzers before `sqlite-recovery`).
        case offer
        /// Use the result an app analyzer kept for these very bytes, if any (and drop it); else carve.
        case take
    }

    /// ``recover(_:)`` with sharing: `shared` says the result was an app analyzer's carve of the
    /// same file. The same function over the same bytes gives the same result, so sharing changes
    /// no finding; it saves the second carve (docs/recovery.md, "Cost"). Only a file whose
    /// SHA-256 intake computed is shared, keyed by its entry key, size, SHA-256 and the names,
    /// sizes and SHA-256 of its `-wal`/`-journal`; at most one result is kept at a time.
    /// Every row is in the report's `records`: memory grows with them.
    public static func recover(_ file: EvidenceFile, sharing: Sharing) -> (result: (report: RecoveryReport?, warnings: [AnalysisWarning]), shared: Bool) {
        var rows: [RecoveredRow] = []
        var out = recover(file, sharing: sharing) { rows.append($0) }
        out.result.report?.records = rows
        return out
    }

    /// Estimated bytes of recovered rows an offered carve may keep for the `sqlite-recovery`
    /// analyzer; a carve with more is not kept (that analyzer carves again, handing rows over as
    /// it finds them), so sharing never holds more than this.
    public static let shareLimit = 32 << 20

    /// ``recover(_:sharing:)`` handing each row to `each` as recovery releases it
    /// (``SQLiteRecovery/recover(database:wal:journal:holdLimit:each:)``) instead of keeping
    /// them: the report's `records` is empty. A shared carve's rows are handed over from the kept
    /// result. Memory: what recovery itself holds, plus an offered carve's rows up to ``shareLimit``.
    /// `temporaryDirectory` (the analyzer's private scratch folder) is where the carve's digest
    /// sets go past their memory bound (``RecoveryMemory``); without one they stay in memory.
    public static func recover(_ file: EvidenceFile, sharing: Sharing, temporaryDirectory: URL? = nil,
                               each: (RecoveredRow) -> Void) -> (result: (report: RecoveryReport?, warnings: [AnalysisWarning]), shared: Bool) {
        recover(file, sharing: sharing, shareLimit: shareLimit, holdLimit: SQLiteRecovery.defaultHoldLimit,
                memory: RecoveryMemory(temporaryDirectory: temporaryDirectory), each: each)
    }

    static func recover(_ file: EvidenceFile, sharing: Sharing, shareLimit: Int, holdLimit: Int,
                        memory: RecoveryMemory = RecoveryMemory(), each: (RecoveredRow) -> Void) -> (result: (report: RecoveryReport?, warnings: [AnalysisWarning]), shared: Bool) {
        let identity = SharedCarve.identity(file)
        if sharing == .take, let identity, var kept = SharedCarve.slot.take(identity) {
            kept.report?.records.forEach(each)
            kept.report?.records = []
            return (kept, true)
        }
        let keep = sharing == .offer && identity != nil
        // A carve kept before (never taken) is dropped now, not held beside this one.
        if keep { SharedCarve.slot.clear() }
        var rows: [RecoveredRow] = [], bytes = 0, fits = true
        let result = carve(file, holdLimit: holdLimit, memory: memory) { row in
            each(row)
            guard keep, fits else { return }
            bytes += RecoveryRun.estimatedSize(row)
            if bytes > shareLimit { fits = false; rows = [] } else { rows.append(row) }
        }
        if keep, fits, let identity {
            var kept = result
            kept.report?.records = rows
            SharedCarve.slot.put(identity, kept)
        }
        return (result, false)
    }

    private static func carve(_ file: EvidenceFile, holdLimit: Int, memory: RecoveryMemory,
                              each: (RecoveredRow) -> Void) -> (report: RecoveryReport?, warnings: [AnalysisWarning]) {
        var warnings: [AnalysisWarning] = []
        var budget = Int64(readLimit)
        let db: ByteSource
        switch file.content {
        case .memory(let d):
            db = ByteSource([UInt8](d))
        case .temporaryFile(let url):
            // Page by page: a database of any size is searched in bounded memory.
            do { db = try ByteSource(path: url.path) } catch {
                return (nil, [AnalysisWarning(code: "sqlite-unreadable", message: "the database could not be read for recovery: \(error)")])
            }
        case .none:
            return (nil, [AnalysisWarning(code: "sqlite-unreadable", message: "the database has no readable content for recovery")])
        }
        func companion(_ suffix: String) -> [UInt8]? {
            guard let c = file.companion(named: file.name + suffix) else { return nil }
            guard c.size <= budget else {
                warnings.append(AnalysisWarning(code: "sqlite-too-large",
                                                message: "\(c.name) (\(c.size) bytes) is past the \(readLimit >> 20) MiB of -wal and -journal recovery reads in memory; recovery went on without it"))
                return nil
            }
            guard let d = FileManager.default.contents(atPath: c.url.path) else {
                warnings.append(AnalysisWarning(code: "sqlite-companion-unreadable",
                                                message: "\(c.name) could not be read; recovery went on without it"))
                return nil
            }
            budget -= Int64(d.count)
            return [UInt8](d)
        }
        let wal = companion("-wal"), journal = companion("-journal")
        return (SQLiteRecovery.recover(database: db, wal: wal, journal: journal, holdLimit: holdLimit, memory: memory, each: each), warnings)
    }
}

/// The one carve an app analyzer keeps for the `sqlite-recovery` analyzer (EvidenceRecovery.Sharing).
final class SharedCarve: @unchecked Sendable {
    // Safe: every access goes through `lock`.
    private let lock = NSLock()
    private var kept: (identity: String, result: (report: RecoveryReport?, warnings: [AnalysisWarning]))?

    static let slot = SharedCarve()

    /// The bytes' identity, or nil when intake computed no SHA-256 (then nothing is shared).
    static func identity(_ file: EvidenceFile) -> String? {
        // Only the companions recovery reads: an app analyzer may be handed others (wa.db).
        let read = file.companions.filter { $0.name == file.name + "-wal" || $0.name == file.name + "-journal" }
        guard !file.hashes.sha256.isEmpty, read.allSatisfy({ !$0.sha256.isEmpty }) else { return nil }
        let companions = read.map { "\($0.name)\u{0}\($0.size)\u{0}\($0.sha256)" }.sorted()
        return ([file.key, String(file.size), file.hashes.sha256] + companions).joined(separator: "\u{1}")
    }

    func put(_ identity: String, _ result: (report: RecoveryReport?, warnings: [AnalysisWarning])) {
        lock.lock(); defer { lock.unlock() }
        kept = (identity, result)
    }

    func clear() {
        lock.lock(); defer { lock.unlock() }
        kept = nil
    }

    func take(_ identity: String) -> (report: RecoveryReport?, warnings: [AnalysisWarning])? {
        lock.lock(); defer { lock.unlock() }
        guard let k = kept, k.identity == identity else { return nil }
        kept = nil
        return k.result
    }
}

extension RecoveredRow {
    /// The ExhibitKit finding for this row (`recovered_records`).
    public var finding: RecoveredRecord {
        RecoveredRecord(tableName: tableName, source: RecoveredRecordSource(rawValue: source.rawValue) ?? .unallocated,
                        page: page, cellOffset: cellOffset, walFrame: walFrame, rowid: rowid,
                        values: values.map(\.recoveredValue), duplicateOfLive: duplicateOfLive)
    }
}

extension SQLValue {
    /// The value as stored in `recovered_records.values_json`.
    public var recoveredValue: RecoveredValue {
        switch self {
        case .null: return .null
        case .integer(let i): return .integer(i)
        case .real(let d): return .real(d)
        case .text(let s): return .text(s)
        case .blob(let b): return .blobHex(Hex.encode(b))
        case .missing: return .missing
        }
    }
}
