import ExhibitTesting
import Foundation
import GRDB
import Testing

/// iTunes/Finder backups (issue 12): files stored under SHA-1 names get their device paths from
/// `Manifest.db`, read before the walk — from the folder or from an archive of it — with the
/// backup's facts recorded and every gap (missing files, unnamed files, unknown domains, a
/// damaged manifest) said, never silently dropped.
@Suite("iOS backups: device paths from Manifest.db")
struct IOSBackupTests {
    static let maker = Corpus.url("phone/ios/make_backup.py").path

    static func devicePaths(_ db: String) throws -> [String: String] {
        let q = try Fixture.open(db)
        return try q.read { c in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(c, sql: "SELECT path, device_path FROM files WHERE device_path IS NOT NULL") {
                out[row[1] as String] = row[0] as String
            }
            return out
        }
    }

    @Test func plainBackupFolderAndZipGetTheSameDevicePaths() throws {
        let dir = try TestDirectory("ios-backup")
        defer { dir.remove() }
        let backup = dir.path("evidence/backup")
        let made = try Run.command("/usr/bin/env", ["python3", Self.maker, backup, "--hostile"])
        try #require(made.exitCode == 0, "make_backup \(Self.maker): \(made.stderr)")
        let zipped = try Run.shell("cd '\(dir.path("evidence"))' && zip -qr backup.zip backup")
        try #require(zipped.exitCode == 0)
        let manifestBefore = try Fixture.sha256(of: backup + "/Manifest.db")

        var seen: [[String]] = []
        for (n, evidence) in [backup, dir.path("evidence/backup.zip")].enumerated() {
            let db = dir.path("case\(n).sqlite")
            let r = try Fixture.ingest([evidence], db: db)
            try #require(r.exitCode == 0, "ingest: \(r.stderr)")
            let paths = try Self.devicePaths(db)
            let chat = "/private/var/mobile/Containers/Shared/AppGroup/group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite"
            #expect(paths[chat]?.hasSuffix("/7c/7c7fba66680ef796b916b067077cc246adacf01d") == true, "SHA-1 name kept as the evidence path")
            #expect(paths["/private/var/mobile/Media/DCIM/100APPLE/IMG_0002.JPG"] != nil)
            #expect(paths["/private/var/mobile/Library/SMS/sms.db"] != nil)
            #expect(paths["/private/var/mobile/Containers/Data/Application/ph.telegra.Telegraph/Documents/notes.txt"] != nil)
            #expect(paths.count == 5, "\(paths.keys.sorted())")
            seen.append(paths.keys.sorted())
            let q = try Fixture.open(db)
            let facts = try q.read { try String.fetchOne($0, sql: "SELECT facts FROM device_layouts WHERE kind = 'itunes-backup'") } ?? ""
            #expect(facts.contains("\"ios_version\":\"17.5.1\"") && facts.contains("\"last_backup_utc\":\"2024-08-30T04:00:00Z\""))
            #expect(facts.contains("\"last_backup_basis\":\"utc\""))
            #expect(facts.contains("UnknownVendorDomain"), "unknown domain said")
            #expect(facts.contains("names 1 file(s) the backup folder does not hold"), "missing file said")
            #expect(facts.contains("2 stored file(s) have no device path"), "unnamed files said")
        }
        #expect(seen[0] == seen[1], "folder and zip agree")
        #expect(try Fixture.sha256(of: backup + "/Manifest.db") == manifestBefore, "Manifest.db untouched")
    }

    @Test func damagedManifestIsSaidAndTheWalkGoesOn() throws {
        let dir = try TestDirectory("ios-backup-bad")
        defer { dir.remove() }
        let backup = dir.path("backup")
        _ = try Run.command("/usr/bin/env", ["python3", Self.maker, backup])
        // Cut the manifest to its first 1,000 bytes: a header with no tables behind it.
        let cut = try Run.shell("head -c 1000 '\(backup)/Manifest.db' > '\(backup)/m' && mv '\(backup)/m' '\(backup)/Manifest.db'")
        try #require(cut.exitCode == 0)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([backup], db: db)
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        #expect(r.stderr.contains("Manifest.db cannot be read"))
        let q = try Fixture.open(db)
        let files = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE kind = 'file'") }
        #expect(files == 9, "every stored file is still inventoried")
        let facts = try q.read { try String.fetchOne($0, sql: "SELECT facts FROM device_layouts") } ?? ""
        #expect(facts.contains("cannot be read"))
    }

    static let ufdrMaker = Corpus.url("phone/ios/make_ufdr.py").path

    @Test func ufdrMembersGetTheirDevicePathsFromReportXML() throws {
        let dir = try TestDirectory("ufdr")
        defer { dir.remove() }
        let ufdr = dir.path("phone.ufdr")
        try #require(try Run.command("/usr/bin/env", ["python3", Self.ufdrMaker, ufdr, "--hostile"]).exitCode == 0)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([ufdr], db: db)
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        let q = try Fixture.open(db)
        let rows = try q.read { c in
            try Row.fetchAll(c, sql: "SELECT path, device_path, flags FROM files WHERE kind = 'file' ORDER BY path").map {
                ($0[0] as String, $0[1] as String?, $0[2] as String?)
            }
        }
        func row(_ suffix: String) -> (String, String?, String?)? { rows.first { $0.0.hasSuffix(suffix) } }
        #expect(row("files/Database/ChatStorage.sqlite")?.1 ==
                "/private/var/mobile/Containers/Shared/AppGroup/0A1B2C3D-0000-4000-8000-000000000001/ChatStorage.sqlite")
        #expect(row("files/Image/IMG_0002.JPG")?.1 == "/private/var/mobile/Media/DCIM/100APPLE/IMG_0002.JPG",
                "the first entry naming a member wins")
        #expect(row("files/Image/carved_0001.jpg")?.1 == nil)
        #expect(row("files/Image/carved_0001.jpg")?.2?.contains("ufdr-no-device-path") == true, "carved file kept and flagged")
        #expect(row("files/Image/deleted.jpg")?.2?.contains("ufdr-deleted") == true)
        #expect(row("files/Text/leading_slash.txt")?.1 == "/private/var/mobile/Documents/leading.txt", "leading / in a member name")
        // A member named `../escape/climb.txt` stays inside the evidence (sanitized, flagged); the
        // Local Path naming it, read inside the report, still gives its device path.
        #expect(row("climb.txt")?.0.hasSuffix("phone.ufdr!/escape/climb.txt") == true, "\(rows)")
        #expect(row("climb.txt")?.1 == "/private/var/mobile/Documents/climb.txt")
        #expect(row("climb.txt")?.2?.contains("path-sanitized") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.path("escape")) && !FileManager.default.fileExists(atPath: dir.url.deletingLastPathComponent().appendingPathComponent("escape").path))
        let facts = try q.read { try String.fetchOne($0, sql: "SELECT facts FROM device_layouts WHERE kind = 'ufdr'") } ?? ""
        #expect(facts.contains("\"type\":\"FileSystem\"") && facts.contains("\"vendor_decoded_models\":{\"Chat\":1}"))
        #expect(facts.contains(#""project":{"id":"synthetic","name":"Synthetic UFDR","reportVersion":"7.0","xmlns":"http://pa.cellebrite.com/report/2.0"}"#), "\(facts)")
        #expect(facts.contains("another entry already names") && facts.contains("climb out of the report"))
    }

    @Test(arguments: ["--dtd", "--malformed"])
    func hostileReportsAreSaidNotFollowed(mode: String) throws {
        let dir = try TestDirectory("ufdr-bad")
        defer { dir.remove() }
        let ufdr = dir.path("phone.ufdr")
        try #require(try Run.command("/usr/bin/env", ["python3", Self.ufdrMaker, ufdr, mode]).exitCode == 0)
        let db = dir.path("case.sqlite")
        let r = try Fixture.ingest([ufdr], db: db)
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        #expect(r.stderr.contains(mode == "--dtd" ? "declares a document type" : "not well formed"))
        let files = try Fixture.open(db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE kind = 'file'") }
        #expect(files == 3, "every member is still inventoried")
    }

    /// A report.xml past the 512 MiB limit (here 520 MiB of padding, deflated to half a MiB) is
    /// not read — said — and every member is still inventoried and hashed (make test-long).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["EXHIBIT_LONG"] != nil))
    func aReportPastTheLimitIsSaidNotReadAndTheMembersKept() throws {
        let dir = try TestDirectory("ufdr-huge")
        defer { dir.remove() }
        let ufdr = dir.path("phone.ufdr")
        try #require(try Run.command("/usr/bin/env", ["python3", Self.ufdrMaker, ufdr, "--huge", "520"]).exitCode == 0)
        let db = dir.path("case.sqlite")
        // Spaces deflate a thousandfold: the walk's ratio budget is raised so report.xml is hashed whole.
        let r = try Fixture.ingest([ufdr], db: db, extra: ["--max-ratio", "100000"])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        #expect(r.stderr.contains("report.xml is larger than 512 MiB: not read; files keep their report folder names"), "\(r.stderr)")
        let rows = try Fixture.open(db).read { c in
            try Row.fetchAll(c, sql: "SELECT path, size, device_path FROM files WHERE kind = 'file' ORDER BY path").map {
                "\(($0[0] as String).split(separator: "!").last ?? "")|\($0[1] as Int64)|\(($0[2] as String?) ?? "-")"
            }
        }
        #expect(rows == ["/files/Database/ChatStorage.sqlite|8192|-", "/files/Image/IMG_0002.JPG|22|-", "/report.xml|545260839|-"], "\(rows)")
    }
}
