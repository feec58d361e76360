import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 12 item 2: an iTunes backup from before iOS 10 lists its files in `Manifest.mbdb` and
/// stores them flat under their SHA-1 names (corpora/phone/ios/make_mbdb_backup.py).
@Suite("iOS 9 backups: device paths from Manifest.mbdb")
struct LegacyBackupTests {
    static let maker = Corpus.url("phone/ios/make_mbdb_backup.py").path

    static func ingest(_ backup: String, _ db: String, truncated: Bool = false) throws -> (paths: [String: String], facts: String, stderr: String) {
        let made = try Run.command("/usr/bin/env", ["python3", Self.maker, backup] + (truncated ? ["--truncated"] : []))
        try #require(made.exitCode == 0, "make_mbdb_backup: \(made.stderr)")
        let r = try Fixture.ingest([backup], db: db)
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        let q = try Fixture.open(db)
        var paths: [String: String] = [:]
        for row in try q.read({ try Row.fetchAll($0, sql: "SELECT path, device_path FROM files WHERE device_path IS NOT NULL") }) {
            paths[row[1] as String] = row[0] as String
        }
        let facts = try q.read { try String.fetchOne($0, sql: "SELECT facts FROM device_layouts WHERE kind = 'itunes-backup'") } ?? ""
        return (paths, facts, r.stderr)
    }

    @Test func mbdbBackupGetsDevicePathsForItsFlatSHA1Names() throws {
        let dir = try TestDirectory("ios9-backup")
        defer { dir.remove() }
        let read = try Self.ingest(dir.path("backup"), dir.path("case.sqlite"))
        #expect(read.paths == [
            "/private/var/mobile/Containers/Data/Application/net.whatsapp.WhatsApp/Documents/ChatStorage.sqlite":
                "backup!/1b6b187a1b60b9ae8b720c79e2c67f472bab09c0",
            "/private/var/mobile/Media/DCIM/100APPLE/IMG_0003.JPG": "backup!/d27997f2fbefc0ad9027c9b91239154266859e53",
            "/private/var/mobile/Library/SMS/sms.db": "backup!/3d0d7e5fb2ce288813306e4d4636395e047a3d28",
        ], "\(read.paths)")
        #expect(read.facts.contains("\"manifest_format\":\"mbdb\""))
        #expect(read.facts.contains("\"ios_version\":\"9.0\""))
    }

    @Test func aCutMbdbKeepsTheRecordsBeforeTheCutAndSaysSo() throws {
        let dir = try TestDirectory("ios9-backup-cut")
        defer { dir.remove() }
        let read = try Self.ingest(dir.path("backup"), dir.path("case.sqlite"), truncated: true)
        #expect(read.paths.count == 2, "\(read.paths)")
        #expect(read.paths["/private/var/mobile/Library/SMS/sms.db"] == nil)
        #expect(read.facts.contains("is cut short"), "\(read.facts)")
    }
}
