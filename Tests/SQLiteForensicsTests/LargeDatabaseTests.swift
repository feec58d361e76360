import ExhibitKit
import ExhibitTesting
import Foundation
import SQLiteForensics
import Testing

/// A database far past what could be held in memory is read page by page from its private copy
/// (ByteSource): a 2 GiB sparse file, generated here (no disk used for its hole, never committed).
@Suite("SQLite recovery: large databases read page by page")
struct LargeDatabaseTests {
    /// The process's peak resident set (VmHWM) in bytes, where /proc says it.
    static func peakRSS() -> Int? {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kb * 1024
    }

    /// pagesize65536.db (64 KiB pages: 32,768 pages in 2 GiB keep the test short) grown to 2 GiB
    /// and, as its very last page, a copy of the leaf page that holds deleted contact 5 in a
    /// freeblock, the name changed to `contact-5-COPY` (a row found twice is reported once): a
    /// leaf in no live b-tree, so its free space is searched as unallocated.
    static func makeLarge(in dir: TestDirectory, size: Int = 2 << 30) throws -> (path: String, lastPage: Int) {
        let db = try #require(RecoveryCase.bytes("pagesize65536.db"))
        let pageSize = 65536
        let needle = Array("contact-5-name".utf8)
        let at = try #require((0...(db.count - needle.count)).first { i in
            db[i] == needle[0] && db[i + 1] == needle[1] && db[i..<(i + needle.count)].elementsEqual(needle)
        })
        var source = Array(db[(at / pageSize * pageSize)..<(at / pageSize * pageSize + pageSize)])
        source.replaceSubrange((at % pageSize + 10)..<(at % pageSize + 14), with: Array("COPY".utf8))
        let path = dir.path("large.db")
        try Data(db).write(to: URL(fileURLWithPath: path))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.truncate(atOffset: UInt64(size))
        try h.seek(toOffset: UInt64(size - pageSize))
        try h.write(contentsOf: Data(source))
        try h.close()
        return (path, size / pageSize)
    }

    @Test func aTwoGibibyteDatabaseIsSearchedInBoundedMemory() throws {
        let dir = try TestDirectory("recovery-2g")
        defer { dir.remove() }
        let (path, last) = try Self.makeLarge(in: dir)
        let before = Self.peakRSS()
        let report = SQLiteRecovery.recover(database: try ByteSource(path: path))
        // The deleted contact on the copied page, found at the last page.
        let far = report.records.filter { $0.page == last && !$0.duplicateOfLive }
        #expect(!far.isEmpty)
        let contact = try #require(far.first { $0.values.contains(.text("contact-5-COPY")) })
        #expect(contact.tableName == "contacts")
        #expect(contact.source == .unallocated)
        #expect(Array(contact.values.dropFirst()) == [.text("contact-5-COPY"), .text("+82-10-1005-9595"), .integer(1_600_000_005)])
        // The live rows are read as before: the sparse tail changes nothing about them.
        #expect(report.liveRowCounts["contacts"] == 60 - 7)
        if let before, let after = Self.peakRSS() {
            // Holding the file would add 2 GiB; page by page adds a few MB at most.
            #expect(after - before < 256 << 20, "peak RSS grew by \(after - before) bytes")
        }
    }

    /// The analyzers' entry (EvidenceRecovery) reads the engine's private copy the same way: no
    /// `sqlite-too-large` for a database past the old 192 MiB bound, and the same rows.
    @Test func evidenceRecoveryReadsAPrivateCopyOfAnySize() throws {
        let dir = try TestDirectory("recovery-256m-file")
        defer { dir.remove() }
        let (path, last) = try Self.makeLarge(in: dir, size: 256 << 20)
        let file = EvidenceFile(key: "case#1", virtualPath: "phone.zip!/data/large.db", size: 256 << 20,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                                content: .temporaryFile(URL(fileURLWithPath: path)), companions: [])
        let (report, warnings) = EvidenceRecovery.recover(file)
        #expect(warnings.isEmpty)
        let r = try #require(report)
        #expect(r.records.contains { $0.page == last && $0.values.contains(.text("contact-5-COPY")) && !$0.duplicateOfLive })
    }

    /// A file that cannot be opened is a warning, not a crash.
    @Test func anUnreadablePrivateCopyIsAWarning() {
        let file = EvidenceFile(key: "case#1", virtualPath: "phone.zip!/data/gone.db", size: 4096,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                                content: .temporaryFile(URL(fileURLWithPath: "/nonexistent/exhibit/gone.db")), companions: [])
        let (report, warnings) = EvidenceRecovery.recover(file)
        #expect(report == nil)
        #expect(warnings.map(\.code) == ["sqlite-unreadable"])
    }
}
