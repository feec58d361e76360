import ExhibitTesting
import Foundation
import GRDB
import Testing

/// Issue 12, end to end: one synthetic iPhone's WhatsApp database (corpora/phone/whatsapp-ios,
/// put into containers by make_containers.py) ingested as an iOS full-file-system zip, as an
/// iTunes/Finder backup folder, as the same backup encrypted (with its password) and as a UFDR
/// gives the same messages (sender, text, UTC time with basis utc), the same owner and the same
/// attachment link to the photo's device path. Messages 9 and 10 exist only in the database's
/// `-wal`: in the encrypted backup the `-wal` is a stored file of its own, decrypted and laid
/// beside the decrypted database.
@Suite("WhatsApp iOS: FFS, backup and UFDR give the same chats")
struct WhatsAppIOSEndToEndTests {
    static let maker = Corpus.url("phone/whatsapp-ios/make_containers.py").path
    static let minji = "821055501234@s.whatsapp.net", junho = "821055509999@s.whatsapp.net", alex = "447700900123@s.whatsapp.net"
    static let photo = "Message/Media/120363025551234567@g.us/5/0/50e1c6a2-3f4d-4b8e-9a71-c2d5e8f01234.jpg"

    /// (sequence, sender JID, from owner, text, sent UTC, basis) of every message, in order.
    static let expected: [String] = [
        "0||1||2024-08-28T05:10:00Z|utc",
        "1|\(minji)|0|안녕 서연! 콘서트 사진 있어?|2024-08-28T06:10:00Z|utc",
        "2||1|응 잠깐만 Sure, one sec|2024-08-28T06:11:15.250000Z|utc",
        "3|\(junho)|0|사진 보낼게 (sending the photo)|2024-08-28T06:11:40Z|utc",
        "4|\(junho)|0|콘서트 사진 🎤|2024-08-28T06:12:00Z|utc",
        "5|\(minji)|0||2024-08-28T06:13:20Z|utc",
        "6|\(minji)|0||2024-08-28T06:14:00Z|utc",
        "7||0||2024-08-28T06:15:00Z|utc",
        "8|\(alex)|0|See you at the gate 🎟|2024-08-28T06:20:00Z|utc",
        "9||1|응 게이트에서 봐|2024-08-28T06:21:00Z|utc",
    ]

    struct Read: Equatable {
        var messages: [String]
        var owners: [String]
        var links: [String]
    }

    static func read(_ db: String) throws -> Read {
        try Fixture.open(db).read { c in
            let messages = try Row.fetchAll(c, sql: """
                SELECT m.sequence, m.sender_native_id, m.from_device_owner, m.text, m.sent_utc, m.sent_basis
                FROM messages m JOIN chats ch ON ch.id = m.chat_id WHERE ch.format = 'whatsapp-ios-db' ORDER BY m.sequence
                """).map { r in
                    "\(r[0] as Int64)|\((r[1] as String?) ?? "")|\(r[2] as Int64)|\(r[3] as String)|\((r[4] as String?) ?? "")|\((r[5] as String?) ?? "")"
                }
            let owners = try String.fetchAll(c, sql: "SELECT DISTINCT owner FROM chats WHERE format = 'whatsapp-ios-db' ORDER BY 1")
            let links = try Row.fetchAll(c, sql: """
                SELECT a.reference, a.status, f.device_path FROM attachments a JOIN messages m ON m.id = a.message_id
                JOIN chats ch ON ch.id = m.chat_id LEFT JOIN files f ON f.id = a.linked_file_id
                WHERE ch.format = 'whatsapp-ios-db' ORDER BY m.sequence
                """).map { "\(($0[0] as String?) ?? "")|\($0[1] as String)|\(($0[2] as String?) ?? "")" }
            return Read(messages: messages, owners: owners, links: links)
        }
    }

    static let password = "Concert-2024!"

    @Test func ffsBackupEncryptedBackupAndUFDRGiveTheSameMessagesAndLinks() throws {
        let dir = try TestDirectory("waios-e2e")
        defer { dir.remove() }
        var reads: [String: Read] = [:]
        for (shape, out, group) in [("--ffs", "phone.zip", "3F2504E0-4F89-41D3-9A0C-0305E82C3301"),
                                    ("--backup", "backup", "group.net.whatsapp.WhatsApp.shared"),
                                    ("--encrypted-backup", "enc-backup", "group.net.whatsapp.WhatsApp.shared"),
                                    ("--ufdr", "phone.ufdr", "3F2504E0-4F89-41D3-9A0C-0305E82C3301")] {
            let evidence = dir.path("evidence/\(out)")
            try FileManager.default.createDirectory(atPath: dir.path("evidence"), withIntermediateDirectories: true)
            let encrypted = shape == "--encrypted-backup"
            let made = try Run.command("/usr/bin/env", ["python3", Self.maker, shape, evidence] + (encrypted ? [Self.password] : []))
            try #require(made.exitCode == 0, "make_containers \(shape): \(made.stderr)")
            let db = dir.path("case\(shape).sqlite")
            let r = try Fixture.ingest([evidence], db: db, extra: encrypted ? ["--password", "\(out)=\(Self.password)"] : [])
            try #require(r.exitCode == 0, "ingest \(shape): \(r.stderr)")
            let read = try Self.read(db)
            try #require(!read.messages.isEmpty, "\(shape): no WhatsApp iOS messages")
            #expect(read.messages == Self.expected, "\(shape)")
            #expect(read.owners == ["whatsapp-ios:group.net.whatsapp.WhatsApp.shared"], "\(shape)")
            let photoPath = "/private/var/mobile/Containers/Shared/AppGroup/\(group)/\(Self.photo)"
            #expect(read.links == ["\(Self.photo.dropFirst("Message/".count))|resolved|\(photoPath)"], "\(shape)")
            let outside = try Fixture.open(db).read {
                try Int.fetchOne($0, sql: "SELECT count(*) FROM files WHERE device_path IS NOT NULL AND device_path NOT LIKE '/private/var/mobile/%'")
            }
            #expect(outside == 0, "\(shape): every device path starts with /private/var/mobile/")
            if shape == "--ufdr" {
                // The vendor's own decoding (8 messages, no -wal) against ours (10): both kept, the gap said.
                let facts = try Fixture.open(db).read { try String.fetchOne($0, sql: "SELECT facts FROM device_layouts WHERE kind = 'ufdr'") } ?? ""
                #expect(facts.contains(#""vendor_message_counts":{"WhatsApp":{"exhibit":10,"platform":"whatsapp","vendor":8}}"#), "\(facts)")
                #expect(facts.contains("report.xml lists 8 WhatsApp message(s); Exhibit decoded 10"), "\(facts)")
                #expect(r.stderr.contains("report.xml lists 8 WhatsApp message(s)"))
            }
            try Self.expectKnownPictureTraced(db: db, photoPath: photoPath, list: dir.path("known-\(shape).txt"), shape: shape)
            reads[shape] = read
        }
        #expect(reads["--ffs"]?.messages == reads["--backup"]?.messages)
        #expect(reads["--ffs"]?.messages == reads["--ufdr"]?.messages)
        #expect(reads["--ffs"]?.messages == reads["--encrypted-backup"]?.messages)
    }

    /// The group's photo, listed as known-bad by its SHA-256, is traced by `exhibit matches` to
    /// the WhatsApp group message that carried it.
    static func expectKnownPictureTraced(db: String, photoPath: String, list: String, shape: String) throws {
        let sha = try Fixture.open(db).read {
            try String.fetchOne($0, sql: "SELECT sha256 FROM files WHERE device_path = ?", arguments: [photoPath])
        }
        let hash = try #require(sha, "\(shape): the photo is in the files table")
        try Data("\(hash)\n".utf8).write(to: URL(fileURLWithPath: list))
        let imported = try Run.command(Fixture.exhibit, ["hashset", "import", "--db", db, "--name", "known-\(shape)", "--kind", "known-bad",
                                                         "--algorithm", "sha256", list])
        try #require(imported.exitCode == 0, "hashset import: \(imported.stderr)")
        let m = try Run.command(Fixture.exhibit, ["matches", "--db", db, "--json"])
        try #require(m.exitCode == 0, "matches: \(m.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as? [[String: Any]] ?? []
        let messages = rows.flatMap { $0["messages"] as? [[String: Any]] ?? [] }
        #expect(messages.contains { ($0["platform"] as? String) == "whatsapp" && ($0["chat"] as? String ?? "").contains("콘서트") },
                "\(shape): matches name the WhatsApp group message: \(m.stdout)")
    }

    /// One phone in three items (its FFS zip named with `--device`, a plain and an encrypted
    /// backup naming it by their UDID): each WhatsApp room is one room — the first item's chat
    /// the original, the others its copies — and `exhibit messages` prints its 10 messages once.
    /// Without `--device` the FFS zip is not known to be that phone: its rooms stay its own.
    @Test func oneRoomAcrossTheItemsOfOnePhone() throws {
        let dir = try TestDirectory("waios-rooms")
        defer { dir.remove() }
        let udid = "00008110-000A1B2C3D4E5F60"
        let zip = dir.path("phone.zip"), plain = dir.path("backup"), enc = dir.path("enc-backup")
        for (args, what) in [(["--ffs", zip], "ffs"), (["--backup", plain], "backup"), (["--encrypted-backup", enc, Self.password], "enc")] {
            let made = try Run.command("/usr/bin/env", ["python3", Self.maker] + args)
            try #require(made.exitCode == 0, "make_containers \(what): \(made.stderr)")
        }
        for declared in [true, false] {
            let db = dir.path("case-\(declared).sqlite")
            let r = try Fixture.ingest([zip, plain, enc], db: db,
                                       extra: ["--password", "enc-backup=\(Self.password)"] + (declared ? ["--device", "phone.zip=\(udid)"] : []))
            try #require(r.exitCode == 0, "ingest: \(r.stderr)")
            let q = try Fixture.open(db)
            let chats = try q.read { c in
                try Row.fetchAll(c, sql: """
                    SELECT e.label, c.native_id, c.room_key, c.copy_of IS NOT NULL FROM chats c JOIN files f ON f.id = c.file_id
                    JOIN evidence e ON e.id = f.evidence_id WHERE c.format = 'whatsapp-ios-db' ORDER BY e.label, c.native_id
                    """).map { "\($0[0] as String)|\($0[1] as String)|\($0[2] as String)|\($0[3] as Bool)" }
            }
            let owner = "owner:whatsapp-ios:group.net.whatsapp.WhatsApp.shared"
            let group = "120363025551234567@g.us", minji = Self.minji
            let phone = "device:\(udid)|whatsapp"
            let ffs = declared ? phone : "phone.zip|whatsapp"
            #expect(chats == [
                "backup|\(group)|\(phone)|id:\(group)|\(owner)|false", "backup|\(minji)|\(phone)|id:\(minji)|\(owner)|false",
                "enc-backup|\(group)|\(phone)|id:\(group)|\(owner)|true", "enc-backup|\(minji)|\(phone)|id:\(minji)|\(owner)|true",
                "phone.zip|\(group)|\(ffs)|id:\(group)|\(owner)|\(declared)", "phone.zip|\(minji)|\(ffs)|id:\(minji)|\(owner)|\(declared)",
            ], "declared \(declared): \(chats)")
            let rooms = try q.read { try Int.fetchOne($0, sql: "SELECT count(DISTINCT coalesce(copy_of, id)) FROM chats WHERE format = 'whatsapp-ios-db'") }
            #expect(rooms == (declared ? 2 : 4))
            let facts = try q.read { try String.fetchAll($0, sql: "SELECT e.label || ' ' || coalesce(json_extract(d.facts, '$.device_id'), '-') FROM device_layouts d JOIN evidence e ON e.id = d.evidence_id ORDER BY 1") }
            #expect(facts == ["backup \(udid)", "enc-backup \(udid)", "phone.zip \(declared ? udid : "-")"], "\(facts)")
            let m = try Run.command(Fixture.exhibit, ["messages", "--db", db, "--chat", "콘서트", "--json"])
            try #require(m.exitCode == 0, "messages: \(m.stderr)")
            let printed = (try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as? [[String: Any]]) ?? []
            #expect(printed.count == (declared ? 5 : 10), "the group's 5 messages, once per room: \(printed.count)")
        }
    }
}
