import ExhibitKit
import ExhibitTesting
import Foundation
import SQLiteRecovery
import Testing

@Suite("sqlite-recovery analyzer")
struct SQLiteRecoveryAnalyzerTests {
    static func file(_ name: String, content: FileContent, companions: [CompanionFile] = []) -> EvidenceFile {
        EvidenceFile(key: "case#1", virtualPath: "phone.zip!/data/\(name)", size: 0,
                     hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                     content: content, companions: companions)
    }

    static func records(_ findings: AnalyzerOutput) -> [RecoveredRecord] {
        findings.compactMap { if case .recoveredRecord(let r) = $0 { return r } else { return nil } }
    }

    @Test func sniffsTheMagicAndNamesCompanions() throws {
        let a = SQLiteRecoveryAnalyzer()
        let db = try #require(RecoveryCase.bytes("freeblock.db"))
        #expect(a.sniff(prefix: Data(db.prefix(4096)), file: Self.file("x.db", content: .none)))
        #expect(!a.sniff(prefix: Data("SQLite format 2\u{0}".utf8), file: Self.file("x.db", content: .none)))
        #expect(a.descriptor.accepts.companionNames(for: "msgstore.db") == ["msgstore.db-wal", "msgstore.db-journal"])
        #expect(a.descriptor.id == "sqlite-recovery")
    }

    /// A 2 GB database (sparse: no disk used) is said, not read: memory stays bounded.
    @Test func aTwoGigabyteDatabaseIsSaidNotRead() async throws {
        let dir = try TestDirectory("recovery-2g")
        defer { dir.remove() }
        let path = dir.path("big.db")
        let db = try #require(RecoveryCase.bytes("freeblock.db"))
        try Data(db).write(to: URL(fileURLWithPath: path))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 2 << 30)
        try handle.close()
        var file = Self.file("big.db", content: .temporaryFile(URL(fileURLWithPath: path)))
        file.size = 2 << 30
        let ctx = AnalysisContext(assumedZone: nil, temporaryDirectory: URL(fileURLWithPath: dir.path("")))
        let findings = try AnalyzerHarness.run(SQLiteRecoveryAnalyzer(), on: file, context: ctx, requireAcceptance: false)
        #expect(Self.records(findings).isEmpty)
        let codes = findings.warnings.map(\.code)
        #expect(codes == ["sqlite-too-large"])
    }

    @Test func recoversFromADatabaseInMemory() async throws {
        let db = try #require(RecoveryCase.bytes("freeblock.db"))
        let ctx = AnalysisContext(assumedZone: nil, temporaryDirectory: FileManager.default.temporaryDirectory)
        let findings = try AnalyzerHarness.run(SQLiteRecoveryAnalyzer(), on: Self.file("freeblock.db", content: .memory(Data(db))), context: ctx, requireAcceptance: false)
        let recs = Self.records(findings)
        #expect(!recs.isEmpty)
        let contact = try #require(recs.first { $0.tableName == "contacts" && $0.values.contains(.text("contact-5-name")) })
        #expect(contact.values.dropFirst() == [.text("contact-5-name"), .text("+82-10-1005-9595"), .integer(1_600_000_005)])
        #expect(contact.values.first == .integer(5) || contact.values.first == .missing)
        #expect(!contact.duplicateOfLive)
        #expect(contact.valuesJSON.hasSuffix(#""contact-5-name","+82-10-1005-9595",1600000005]"#))
        #expect(findings.warnings.isEmpty)
    }

    @Test func readsTheWALCompanion() async throws {
        let dir = try TestDirectory("recovery-analyzer")
        defer { dir.remove() }
        let db = try #require(RecoveryCase.bytes("wal.db")), wal = try #require(RecoveryCase.bytes("wal.db-wal"))
        try Data(db).write(to: URL(fileURLWithPath: dir.path("wal.db")))
        try Data(wal).write(to: URL(fileURLWithPath: dir.path("wal.db-wal")))
        let companion = CompanionFile(name: "wal.db-wal", virtualPath: "phone.zip!/data/wal.db-wal", devicePath: nil,
                                      size: Int64(wal.count), sha256: "", url: URL(fileURLWithPath: dir.path("wal.db-wal")))
        let file = Self.file("wal.db", content: .temporaryFile(URL(fileURLWithPath: dir.path("wal.db"))), companions: [companion])
        let ctx = AnalysisContext(assumedZone: nil, temporaryDirectory: URL(fileURLWithPath: dir.path("")))
        let recs = Self.records(try AnalyzerHarness.run(SQLiteRecoveryAnalyzer(), on: file, context: ctx, requireAcceptance: false))
        // Every deleted or changed row once, with its rowid; stale copies of live rows flagged.
        let claimed = recs.filter { !$0.duplicateOfLive }
        #expect(claimed.compactMap(\.rowid).sorted() == [4, 9, 10, 33, 34, 35, 60, 80, 100])
        #expect(claimed.allSatisfy { $0.tableName == "messages" })
        #expect(claimed.contains { $0.source == .wal })
        #expect(recs.contains { $0.rowid == 10 && $0.values[1] == .text("alice") })
    }

    @Test func damageBecomesOneWarningPerKind() async throws {
        var db = try #require(RecoveryCase.bytes("freelist.db"))
        db[32...35] = [0, 0x0F, 0x42, 0x3F]   // first trunk past the end
        let ctx = AnalysisContext(assumedZone: nil, temporaryDirectory: FileManager.default.temporaryDirectory)
        let findings = try AnalyzerHarness.run(SQLiteRecoveryAnalyzer(), on: Self.file("freelist.db", content: .memory(Data(db))), context: ctx, requireAcceptance: false)
        let codes = findings.warnings.map(\.code)
        #expect(codes == ["sqlite-freelist-range"])
    }
}
