import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
@testable import TelegramDB

/// Hostile cache4.db files (corpora/phone/telegram/README.md lists each): what is readable is kept,
/// every problem is one aggregated warning, nothing is guessed, nothing crashes.
@Suite("Telegram Android cache4.db bad input")
struct TelegramDBBadInputTests {
    static let t0: Int64 = 1_724_853_600
    static let dm = "dialog:100000002"

    @Test func hostileBlobsEndAsWarningsAndPartialRecords() async throws {
        let run = try await TelegramFixtures.run(fixture: "hostile-blobs/cache4.db")
        #expect(run.messages.count == 13)
        #expect(try run.message(Self.dm, "1").text == "good row before the bad ones")

        // Truncated inside peer_id: the row's date, nothing guessed.
        let cut = try run.message(Self.dm, "2")
        #expect(cut.text == "" && cut.sent?.raw == String(Self.t0 + 10))
        #expect(cut.sent?.note == "messages_v2.date; the blob ended before its date")
        guard case .object(let cutExtra)? = cut.extra else { Issue.record("extra"); return }
        #expect(cutExtra["decode_stopped"] == .string("blob ends inside peer_id") && cutExtra["blob_message_id"] == .string("1"))

        // Unknown constructor: id in extra, the row's date, kind unsupported, no text.
        let unknown = try run.message(Self.dm, "3")
        #expect(unknown == MessageRecord(
            chatKey: Self.dm, sequence: 3, nativeID: "3", kind: .unsupported, senderName: "민준 Kim",
            senderNativeID: "user100000002",
            sent: TimeValue.unixSeconds(Self.t0 + 20, note: "messages_v2.date; the data blob was not decoded"),
            extra: .object(["constructor": .string("0x9815cec8"), "dialog_id": .string("100000002"),
                            "undecoded": .string("data blob not decoded: no text read")]),
            location: SourceLocation(record: "messages_v2 rowid 3")))

        // A string length past the end: the text is not read at all.
        #expect(try run.message(Self.dm, "4").text == "")
        // A good photo between bad rows is intact.
        #expect(try run.message(Self.dm, "5").attachments.first?.devicePaths == ["/data/media/0/Telegram/Telegram Images/77_1.jpg"])
        // Huge and deep vectors: the text before them is kept, the entities are not.
        let huge = try run.message(Self.dm, "6"), deep = try run.message(Self.dm, "7")
        #expect(huge.text == "huge vector" && huge.entities.isEmpty)
        #expect(deep.text == "deep vectors" && deep.entities.isEmpty)
        // An unknown media constructor after the text; the trailing path found by the scan.
        let media = try run.message(Self.dm, "8")
        guard case .object(let mediaExtra)? = media.extra else { Issue.record("extra"); return }
        #expect(media.text == "media of a later layer" && media.attachments.isEmpty)
        #expect(mediaExtra["local_path_found_by_scan"] == .bool(true))
        // An unknown service action.
        let action = try run.message(Self.dm, "9")
        #expect(action.kind == .service && action.service?.action == "unknown")
        #expect(action.service?.details == .object(["constructor": .string("0xeeee0001")]))
        // Garbage, NULL and empty blobs: recorded from the row.
        for mid in ["10", "11", "12"] {
            let m = try run.message(Self.dm, mid)
            #expect(m.kind == .unsupported && m.text == "" && m.sent != nil, "mid \(mid)")
        }
        // A user whose blob is garbage: the lower-cased name column, said so.
        let broken = try #require(run.chats.first { $0.chatKey == "dialog:9001" })
        #expect(broken.title == "broken user" && broken.notes.contains("title from the lower-cased users.name column (blob unreadable)"))

        #expect(run.warnings.map(\.code) == [
            "bad-dialog-id", "data-null", "data-truncated", "tl-length-past-end", "tl-length-past-end", "tl-truncated",
            "tl-unknown-constructor", "tl-unknown-constructor", "unknown-action", "unknown-constructor", "unknown-constructor",
            "users-blob-unreadable",
        ])
        let unknownWarning = try #require(run.warnings.first { $0.message.contains("0x9815cec8") })
        #expect(unknownWarning.code == "unknown-constructor" && unknownWarning.location == SourceLocation(record: "messages_v2 rowid 3"))
    }

    @Test func missingTablesGiveAWarningAndTheMessagesThatExist() async throws {
        let run = try await TelegramFixtures.run(fixture: "missing-tables/cache4.db")
        #expect(run.messages.map(\.text) == ["only messages_v2 here"])
        #expect(run.messages.first?.senderNativeID == "user100000001" && run.messages.first?.fromDeviceOwner == true)
        #expect(run.messages.first?.senderName == nil)
        #expect(run.chats.map(\.notes) == [["dialog id 100000002", "user 100000002 not in the users table", "no dialogs row"]])
        #expect(run.warnings.map(\.code) == ["missing-tables"])
        #expect(run.warnings.first?.message.hasPrefix("tables absent: users, chats, dialogs, enc_chats") == true)
    }

    @Test(arguments: [("zero-byte", "empty-database"), ("zip", "not-a-database"), ("random", "not-a-database")])
    func filesThatAreNotDatabasesThrowTheOpenError(_ folder: String, _ code: String) async throws {
        do {
            _ = try await TelegramFixtures.run(fixture: "\(folder)/cache4.db")
            Issue.record("\(folder) should not open")
        } catch let e as AnalyzerError {
            #expect(e.code == code)
            if folder == "zip" { #expect(e.message.contains("zip archive")) }
            if folder == "random" { #expect(e.message.contains("SQLCipher")) }
        }
    }

    /// Every prefix of every blob shape, and seeded random bytes: the decoder never reads past the
    /// end, never invents text, and says where it stopped.
    @Test func everyPrefixOfAKnownBlobDecodesSafely() throws {
        let blobs = try Self.mainFixtureBlobs()
        try #require(!blobs.isEmpty)
        for blob in blobs {
            let whole = try #require(TLMessageDecoder.decode(blob))
            #expect(whole.stop == nil)
            for cut in 4..<blob.count {
                guard let m = TLMessageDecoder.decode(Array(blob.prefix(cut))) else { continue }
                if let t = m.text { #expect(whole.text == t, "cut \(cut)") }
                #expect(m.stop != nil || m.attachPath == nil, "cut \(cut): a cut blob cannot complete its walk and path")
            }
        }
        // Seeded xorshift64: the same 2,000 random blobs every run, half of them under a known constructor.
        var x: UInt64 = 0x7E1E
        print("TL random seed 0x7e1e")
        func next() -> UInt64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
        var decoded = 0
        for _ in 0..<2000 {
            var bytes = (0..<Int(next() % 200)).map { _ in UInt8(truncatingIfNeeded: next()) }
            if bytes.count >= 4, next() % 2 == 0 { bytes.replaceSubrange(0..<4, with: [0x42, 0x52, 0x34, 0x94]) }
            if let m = TLMessageDecoder.decode(bytes) { decoded += 1; #expect(m.constructor == 0x9434_5242) }
        }
        #expect(decoded > 0)
    }

    static func mainFixtureBlobs() throws -> [[UInt8]] {
        let dir = try TestDirectory("telegram-blobs")
        defer { dir.remove() }
        let db = dir.url.appendingPathComponent("cache4.db")
        try FileManager.default.copyItem(at: TelegramFixtures.folder.appendingPathComponent("cache4.db"), to: db)
        let out = try Run.command("/usr/bin/env", ["python3", "-c",
            "import sqlite3,sys;d=sqlite3.connect(sys.argv[1]);[print(r[0].hex()) for r in d.execute('select data from messages_v2 order by rowid')]",
            db.path])
        return out.stdout.split(separator: "\n").map { line in
            var bytes: [UInt8] = []
            var i = line.startIndex
            while i < line.endIndex, let j = line.index(i, offsetBy: 2, limitedBy: line.endIndex) {
                bytes.append(UInt8(line[i..<j], radix: 16) ?? 0)
                i = j
            }
            return bytes
        }
    }
}
