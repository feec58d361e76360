import ExhibitKit
import Foundation
import SQLiteForensics

/// Recovers deleted and superseded rows from every SQLite database in the evidence: freeblocks,
/// unallocated gaps, freelist pages, older page versions in the `-wal` and pre-images in the
/// `-journal`, each row fitted to a table of the schema (docs/recovery.md).
///
/// Reads bytes only, through the SQLiteForensics page reader — never SQLite's pager, which would
/// checkpoint the WAL. The engine hands the database and its companions as private copies after
/// the walk. Structural damage becomes one warning per kind; a bad page never stops the rest.
public struct SQLiteRecoveryAnalyzer: Analyzer {
    /// The analyzer id recorded on every finding.
    public static let id = "sqlite-recovery"
    /// The analyzer's version; a change means its findings may differ.
    public static let version = "0.3.0"
    /// Bytes of a database's `-wal` and `-journal`, together, that recovery holds in memory; the
    /// database itself is read page by page from the private copy, whatever its size. A larger
    /// companion is said (`sqlite-too-large`) and recovery goes on without it.
    public static let readLimit = EvidenceRecovery.readLimit

    /// Creates the analyzer.
    public init() {}

    /// Accepts SQLite databases by MIME type or by their 16-byte magic, with `-wal` and `-journal`.
    public var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(
            id: Self.id, version: Self.version,
            summary: "Deleted and superseded rows of SQLite databases (freeblocks, unallocated space, freelist, WAL history, rollback journal)",
            accepts: Acceptance(mimeTypes: ["application/vnd.sqlite3", "application/x-sqlite3"], sniff: true,
                                companions: ["{name}-wal", "{name}-journal"]),
            produces: [.recoveredRecord],
            timeoutSeconds: 1800)
    }

    /// Says yes to files that start with `SQLite format 3\0`.
    public func sniff(prefix: Data, file: EvidenceFile) -> Bool {
        prefix.count >= 16 && [UInt8](prefix.prefix(16)) == DatabaseHeader.magic
    }

    /// Recovers rows from one database (and the `-wal`/`-journal` the engine found beside it).
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        recover(file, into: sink, temporaryDirectory: context.temporaryDirectory)
    }

    /// Reads the database page by page and its companions (within ``readLimit`` bytes together,
    /// through ``EvidenceRecovery``, as the app analyzers do) and hands over every recovered row as
    /// recovery releases it (memory does not grow with the rows: docs/recovery.md, "Memory"), then
    /// one warning per kind of damage. Never throws: an unreadable or too large file is a warning.
    func recover(_ file: EvidenceFile, into sink: any FindingSink, temporaryDirectory: URL? = nil) {
        // The app analyzer that ran before on this file may have carved the same bytes already.
        let (report, warnings) = EvidenceRecovery.recover(file, sharing: .take, temporaryDirectory: temporaryDirectory) {
            sink.emit(.recoveredRecord($0.finding))
        }.result
        // Reading warnings (too large, unreadable companion) first: found before any row. The
        // store writes warnings after the file's findings either way.
        warnings.forEach(sink.warn)
        guard let report else { return }
        Self.warnings(report.problems).forEach(sink.warn)
    }

    /// One warning per kind of problem, with how often it occurred and the first pages.
    static func warnings(_ problems: [RecoveryProblem]) -> [AnalysisWarning] {
        var order: [String] = []
        var byCode: [String: [RecoveryProblem]] = [:]
        for p in problems {
            if byCode[p.code] == nil { order.append(p.code) }
            byCode[p.code, default: []].append(p)
        }
        return order.map { code in
            let list = byCode[code] ?? []
            let first = list.first?.message ?? code
            let pages = list.compactMap(\.page).prefix(10).map(String.init).joined(separator: ", ")
            let message = list.count == 1 ? first
                : "\(first) (and \(list.count - 1) more like it\(pages.isEmpty ? "" : "; pages \(pages)"))"
            return AnalysisWarning(code: code, message: message,
                                   location: list.first?.page.map { SourceLocation(record: "page \($0)") })
        }
    }
}
