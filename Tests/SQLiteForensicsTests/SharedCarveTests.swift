import ExhibitKit
import ExhibitTesting
import Foundation
@testable import SQLiteForensics
import SQLiteRecovery
import Testing

/// One carve per database: what an app analyzer carved is handed to the `sqlite-recovery`
/// analyzer that runs next on the same bytes, and the findings are the same as carving again.
@Suite("SQLite recovery: one carve shared by the app analyzer and sqlite-recovery", .serialized)
struct SharedCarveTests {
    static func file(sha256: String, wal: (URL, String)?, dir: TestDirectory) throws -> EvidenceFile {
        let db = try #require(RecoveryCase.bytes("wal.db"))
        let main = URL(fileURLWithPath: dir.path("wal.db"))
        try Data(db).write(to: main)
        var companions: [CompanionFile] = []
        if let (url, sha) = wal {
            let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
            companions.append(CompanionFile(name: "wal.db-wal", virtualPath: "phone.zip!/data/wal.db-wal", devicePath: nil,
                                            size: size, sha256: sha, url: url))
        }
        return EvidenceFile(key: "shared#\(sha256)", virtualPath: "phone.zip!/data/wal.db", size: Int64(db.count),
                            hashes: FileHashes(md5: "", sha1: "", sha256: sha256), mime: "application/vnd.sqlite3",
                            content: .temporaryFile(main), companions: companions)
    }

    @Test func theSecondReaderTakesTheFirstCarveAndFindsTheSame() async throws {
        let dir = try TestDirectory("shared-carve")
        defer { dir.remove() }
        let walBytes = try #require(RecoveryCase.bytes("wal.db-wal"))
        let walURL = URL(fileURLWithPath: dir.path("wal.db-wal"))
        try Data(walBytes).write(to: walURL)
        let file = try Self.file(sha256: "5a" + String(repeating: "0", count: 62), wal: (walURL, "77"), dir: dir)
        let ctx = AnalysisContext(assumedZone: nil, temporaryDirectory: dir.url)

        let alone = try AnalyzerHarness.run(SQLiteRecoveryAnalyzer(), on: file, context: ctx, requireAcceptance: false)
        #expect(!alone.isEmpty)
        let offered = EvidenceRecovery.recover(file, sharing: .offer)
        #expect(!offered.shared)
        let rows = try #require(offered.result.report?.records)
        #expect(!rows.isEmpty)
        // Taken once, then gone: a second take carves again.
        let taken = EvidenceRecovery.recover(file, sharing: .take)
        #expect(taken.shared)
        #expect(taken.result.report?.records == rows)
        #expect(!EvidenceRecovery.recover(file, sharing: .take).shared)
        // The analyzer's findings from a shared carve equal those of its own carve.
        _ = EvidenceRecovery.recover(file, sharing: .offer)
        let viaShare = try AnalyzerHarness.run(SQLiteRecoveryAnalyzer(), on: file, context: ctx, requireAcceptance: false)
        #expect(viaShare == alone)
        #expect(!EvidenceRecovery.recover(file, sharing: .take).shared, "the analyzer took it")
    }

    /// A carve whose rows pass the share limit is not kept (the slot never holds more than
    /// EvidenceRecovery.shareLimit of rows): the second reader carves again and finds the same,
    /// and rows streamed from a shared carve are those of the carve.
    @Test func aCarveTooLargeToKeepIsNotShared() throws {
        let dir = try TestDirectory("shared-carve-limit")
        defer { dir.remove() }
        let walBytes = try #require(RecoveryCase.bytes("wal.db-wal"))
        let walURL = URL(fileURLWithPath: dir.path("wal.db-wal"))
        try Data(walBytes).write(to: walURL)
        let file = try Self.file(sha256: "7c" + String(repeating: "0", count: 62), wal: (walURL, "79"), dir: dir)
        let whole = try #require(EvidenceRecovery.recover(file).report?.records)
        try #require(!whole.isEmpty)
        var offered: [RecoveredRow] = []
        _ = EvidenceRecovery.recover(file, sharing: .offer, shareLimit: 1024, holdLimit: 0) { offered.append($0) }
        #expect(offered == whole)
        var taken: [RecoveredRow] = []
        #expect(!EvidenceRecovery.recover(file, sharing: .take) { taken.append($0) }.shared, "too large to keep")
        #expect(taken == whole)
        // Within the limit it is kept, and handed over row by row from the kept carve.
        _ = EvidenceRecovery.recover(file, sharing: .offer) { _ in }
        taken = []
        let again = EvidenceRecovery.recover(file, sharing: .take) { taken.append($0) }
        #expect(again.shared)
        #expect(taken == whole)
        #expect(again.result.report?.records.isEmpty == true, "streamed, not kept in the report")
    }

    @Test func otherBytesOrNoHashNeverShare() throws {
        let dir = try TestDirectory("shared-carve-other")
        defer { dir.remove() }
        let walBytes = try #require(RecoveryCase.bytes("wal.db-wal"))
        let walURL = URL(fileURLWithPath: dir.path("wal.db-wal"))
        try Data(walBytes).write(to: walURL)
        let a = try Self.file(sha256: "6b" + String(repeating: "0", count: 62), wal: (walURL, "77"), dir: dir)
        _ = EvidenceRecovery.recover(a, sharing: .offer)
        // Same database, another -wal: not the same bytes.
        let b = try Self.file(sha256: "6b" + String(repeating: "0", count: 62), wal: (walURL, "78"), dir: dir)
        #expect(!EvidenceRecovery.recover(b, sharing: .take).shared)
        // No SHA-256 from intake: never kept.
        let c = try Self.file(sha256: "", wal: nil, dir: dir)
        _ = EvidenceRecovery.recover(c, sharing: .offer)
        #expect(!EvidenceRecovery.recover(c, sharing: .take).shared)
    }
}
