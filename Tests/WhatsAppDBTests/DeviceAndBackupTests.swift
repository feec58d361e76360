import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
import WhatsAppDB

/// Owners and media paths by device path (secondary users, WhatsApp Business), what the
/// descriptor accepts, and the encrypted backups.
@Suite struct DeviceAndBackupTests {
    @Test func aWorkProfileBusinessDatabaseNamesItsOwnerAndMediaFolders() async throws {
        let dir = try TestDirectory("wa-w4b")
        defer { dir.remove() }
        let file = try WAFixture.file("current", devicePath: "/data/user/10/com.whatsapp.w4b/databases/msgstore.db", in: dir)
        let findings = try await WAFixture.run(file, in: dir)
        try #require(!findings.chats.isEmpty)
        #expect(findings.chats.allSatisfy { $0.owner == "/data/user/10/com.whatsapp.w4b" })
        let photo = try #require(findings.messages.first { !$0.attachments.isEmpty }?.attachments.first)
        #expect(photo.devicePaths == [
            "/data/media/10/Android/media/com.whatsapp.w4b/WhatsApp Business/Media/WhatsApp Images/IMG-20240828-WA0001.jpg",
            "/data/media/10/WhatsApp Business/Media/WhatsApp Images/IMG-20240828-WA0001.jpg",
        ])
        let summary = try #require(findings.artifacts.first { $0.type == "whatsapp.msgstore" })
        #expect(summary.properties.object?["package"] == .string("com.whatsapp.w4b"))
    }

    @Test func outsideAnExtractionTheOwnerIsTheFolderAboveDatabases() async throws {
        let dir = try TestDirectory("wa-nodevice")
        defer { dir.remove() }
        let file = try WAFixture.file("current", devicePath: nil, in: dir)
        let findings = try await WAFixture.run(file, in: dir)
        try #require(!findings.chats.isEmpty)
        #expect(findings.chats.allSatisfy { $0.owner == "phone.tar!/data/data/com.whatsapp" })
        let photo = try #require(findings.messages.first { !$0.attachments.isEmpty }?.attachments.first)
        #expect(photo.devicePaths.first == "/data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-20240828-WA0001.jpg")
    }

    @Test func theDescriptorAcceptsTheAppsDatabasesAndBackups() {
        let a = WhatsAppDBAnalyzer().descriptor.accepts
        for device in ["/data/data/com.whatsapp/databases/msgstore.db", "/data/user/10/com.whatsapp/databases/msgstore.db",
                       "/data/data/com.whatsapp.w4b/databases/msgstore.db", "/data/user/0/com.whatsapp.w4b/databases/msgstore.db"] {
            #expect(a.matches(mime: "application/octet-stream", virtualPath: "x.tar!/odd/name.bin", devicePath: device))
        }
        for path in ["x.tar!/Dump/data/data/com.whatsapp/databases/msgstore.db",
                     "x.zip!/sdcard/WhatsApp/Databases/msgstore-2024-08-27.1.db.crypt14",
                     "x.zip!/sdcard/Android/media/com.whatsapp/WhatsApp/Databases/msgstore.db.crypt15",
                     "x.zip!/Databases/msgstore.db.crypt12"] {
            #expect(a.matches(mime: "application/octet-stream", virtualPath: path))
        }
        for path in ["x.tar!/data/data/com.whatsapp/databases/wa.db", "x.tar!/data/data/com.whatsapp/databases/msgstore.db-wal",
                     "x.tar!/notes/msgstore.db.txt"] {
            #expect(!a.matches(mime: "application/octet-stream", virtualPath: path))
        }
        #expect(a.companionNames(for: "msgstore.db") == ["msgstore.db-wal", "msgstore.db-journal", "wa.db", "wa.db-wal", "wa.db-journal"])
    }

    @Test(arguments: [("msgstore-2024-08-27.1.db.crypt14", 14, 1536), ("msgstore.db.crypt15", 15, 2048)])
    func encryptedBackupsAreListedNotDecrypted(name: String, version: Int, size: Int) async throws {
        let dir = try TestDirectory("wa-crypt")
        defer { dir.remove() }
        let device = "/data/media/0/Android/media/com.whatsapp/WhatsApp/Databases/\(name)"
        let file = try WAFixture.file("backups", name: name, devicePath: device, in: dir)
        let findings = try await WAFixture.run(file, in: dir)
        try #require(findings.count == 1 && findings.warnings.count == 1)
        let bytes = try Data(contentsOf: Corpus.url("phone/whatsapp/backups/\(name)"))
        #expect(findings[0] == .artifact(Artifact(
            type: "whatsapp.encrypted-backup",
            properties: .object([
                "file_name": .string(name), "crypt_version": .number(Double(version)), "size": .number(Double(size)),
                "status": .string("encrypted"), "header_hex": .string(bytes.prefix(16).map { String(format: "%02x", $0) }.joined()),
                "key_file": .string(version >= 15 ? "files/encrypted_backup.key" : "files/key"), "key_file_present": .null,
                "key_file_note": .string("not checked: the analyzer sees only the backup's own folder; look for the key file in the app's data folder of the same extraction"),
                "device_path": .string(device),
            ]),
            location: SourceLocation(offset: 0, record: "file header"))))
        #expect(findings.warnings == [AnalysisWarning(
            code: "encrypted-backup", message: "\(name) is a WhatsApp crypt\(version) backup; it is listed but not decrypted",
            location: SourceLocation(offset: 0))])
    }
}
