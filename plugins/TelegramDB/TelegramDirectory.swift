import ExhibitKit
import Foundation
import GRDB

/// A Telegram user as the database knows it.
struct TelegramUser: Hashable {
    var id: Int64
    /// First and last name from the TL blob (`users.name` is lower-cased by the client).
    var displayName: String?
    var username: String?
    var phone: String?
    /// The account's own user (`user.self`).
    var isSelf = false
    var isBot = false
    /// The blob could not be read: ``displayName`` is the lower-cased `users.name` column.
    var nameFromColumn = false
}

/// A basic group or a channel/supergroup (`chats` table).
struct TelegramChat: Hashable {
    enum Kind: String { case chat, channel, supergroup }
    var id: Int64
    var kind: Kind?
    var title: String?
    var username: String?
    var titleFromColumn = false
}

/// A secret chat (`enc_chats`): the other user, the timer, when it was made.
struct TelegramSecretChat: Hashable {
    var id: Int64
    var userID: Int64?
    var adminID: Int64?
    var ttl: Int64?
    var layer: Int64?
    var date: Int32?
    var state: String?
}

/// A `dialogs` row: the chat list entry (archived when `folder_id` = 1).
struct TelegramDialog: Hashable {
    var did: Int64
    var folderID: Int64?
    var date: Int64?
    var pinned: Int64?
}

/// Everything the message walk needs to name people and chats, read once before it. Bounded by
/// the tables' real sizes (a few thousand rows on a phone).
struct TelegramDirectory {
    var users: [Int64: TelegramUser] = [:]
    var chats: [Int64: TelegramChat] = [:]
    var secretChats: [Int64: TelegramSecretChat] = [:]
    var dialogs: [Int64: TelegramDialog] = [:]
    /// The device owner's user id (the user marked `self`).
    var ownerID: Int64?
    /// Tables absent from the database.
    var missingTables: [String] = []
    /// Blobs that could not be read, by table → (count, constructor ids seen).
    var unreadable: [String: (count: Int, constructors: Set<String>)] = [:]

    static func load(_ db: Database, columns: (String) -> Set<String>?) throws -> TelegramDirectory {
        var d = TelegramDirectory()
        for t in ["users", "chats", "dialogs", "enc_chats"] where columns(t) == nil { d.missingTables.append(t) }
        if let rows = try select(db, "users", key: "uid", ["name", "data"], columns) {
            while let row = try rows.next() {
                guard let uid = RowValue.int(row, 0) else { continue }
                let blob = RowValue.bytes(row, 2) ?? []
                if var u = decodeUser(blob), u.id == uid {
                    if u.isSelf { d.ownerID = uid }
                    if u.displayName == nil { u.displayName = columnName(RowValue.text(row, 1)); u.nameFromColumn = u.displayName != nil }
                    d.users[uid] = u
                } else {
                    d.note("users", blob)
                    d.users[uid] = TelegramUser(id: uid, displayName: columnName(RowValue.text(row, 1)), nameFromColumn: true)
                }
            }
        }
        if let rows = try select(db, "chats", key: "uid", ["name", "data"], columns) {
            while let row = try rows.next() {
                guard let uid = RowValue.int(row, 0) else { continue }
                let blob = RowValue.bytes(row, 2) ?? []
                if let c = decodeChat(blob), c.id == uid {
                    d.chats[uid] = c
                } else {
                    d.note("chats", blob)
                    d.chats[uid] = TelegramChat(id: uid, title: columnName(RowValue.text(row, 1)), titleFromColumn: true)
                }
            }
        }
        if let rows = try select(db, "enc_chats", key: "uid", ["user", "admin_id", "ttl", "layer", "data"], columns) {
            while let row = try rows.next() {
                guard let uid = RowValue.int(row, 0) else { continue }
                var s = TelegramSecretChat(id: uid, userID: RowValue.int(row, 1), adminID: RowValue.int(row, 2),
                                           ttl: RowValue.int(row, 3), layer: RowValue.int(row, 4))
                let blob = RowValue.bytes(row, 5) ?? []
                if let (date, state) = decodeEncryptedChat(blob) { s.date = date; s.state = state } else if !blob.isEmpty { d.note("enc_chats", blob) }
                d.secretChats[s.id] = s
            }
        }
        if let rows = try select(db, "dialogs", key: "did", ["folder_id", "date", "pinned"], columns) {
            while let row = try rows.next() {
                guard let did = RowValue.int(row, 0) else { continue }
                d.dialogs[did] = TelegramDialog(did: did, folderID: RowValue.int(row, 1), date: RowValue.int(row, 2),
                                                pinned: RowValue.int(row, 3))
            }
        }
        return d
    }

    /// `SELECT key, wanted… FROM table` over rows with an integer key, ascending; a wanted column
    /// the table lacks reads as NULL. `nil` when the table or its key column is missing.
    private static func select(_ db: Database, _ table: String, key: String, _ wanted: [String],
                               _ columns: (String) -> Set<String>?) throws -> RowCursor? {
        guard let cols = columns(table), cols.contains(key) else { return nil }
        let list = ([key] + wanted.map { cols.contains($0) ? $0 : "NULL" }).joined(separator: ", ")
        return try Row.fetchCursor(db, sql: "SELECT \(list) FROM \(table) WHERE typeof(\(key)) = 'integer' ORDER BY \(key)")
    }

    private mutating func note(_ table: String, _ blob: [UInt8]) {
        var e = unreadable[table] ?? (0, [])
        e.count += 1
        if blob.count >= 4 {
            var r = TLReader(blob)
            if let c = try? r.u32("constructor"), e.constructors.count < 20 { e.constructors.insert(TLReader.hex(c)) }
        }
        unreadable[table] = e
    }

    /// `users.name` holds `first last;;;username`, lower-cased.
    private static func columnName(_ v: String?) -> String? {
        guard let s = v else { return nil }
        let name = s.components(separatedBy: ";;;").first ?? s
        return name.isEmpty ? nil : name
    }

    /// `user#3ff6ecb0` (layer 133+), `user#938458c1` (layer ≤ 132, int32 id), `user#8f97c628`
    /// (adds flags2): flags [flags2] id access_hash:0? first_name:1? last_name:2? username:3? phone:4?.
    /// The rest of the user is not needed. `userEmpty#d3bc4b7a id`.
    static func decodeUser(_ blob: [UInt8]) -> TelegramUser? {
        var r = TLReader(blob)
        do throws(TLFailure) {
            let c = try r.u32("user")
            if c == 0xD3BC_4B7A { return TelegramUser(id: try r.i64("user.id")) }
            guard c == 0x3FF6_ECB0 || c == 0x9384_58C1 || c == 0x8F97_C628 else { return nil }
            let f = UInt32(bitPattern: try r.i32("user.flags"))
            if c == 0x8F97_C628 { _ = try r.i32("user.flags2") }
            var u = TelegramUser(id: c == 0x9384_58C1 ? Int64(try r.i32("user.id")) : try r.i64("user.id"))
            if f & 1 != 0 { _ = try r.i64("user.access_hash") }
            let first = f & 2 != 0 ? try r.string("user.first_name") : nil
            let last = f & 4 != 0 ? try r.string("user.last_name") : nil
            if f & 8 != 0 { u.username = try r.string("user.username") }
            if f & 16 != 0 { u.phone = try r.string("user.phone") }
            let name = [first, last].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            u.displayName = name.isEmpty ? nil : name
            u.isSelf = f & (1 << 10) != 0
            u.isBot = f & (1 << 14) != 0
            return u
        } catch {
            return nil
        }
    }

    /// `chat#41cbf256`/`#3bda1bde` flags id title …; `chatForbidden#6592a1a7`/`#07328bdb` id title;
    /// `channel#8261ac61`/`#d31a961e` flags id access_hash:13? title username:6? …;
    /// `channelForbidden#17d493d5` flags id access_hash title. Channel flags: broadcast bit 5, megagroup bit 8.
    static func decodeChat(_ blob: [UInt8]) -> TelegramChat? {
        var r = TLReader(blob)
        do throws(TLFailure) {
            let c = try r.u32("chat")
            switch c {
            case 0x41CB_F256, 0x3BDA_1BDE:
                _ = try r.i32("chat.flags")
                let id = c == 0x41CB_F256 ? try r.i64("chat.id") : Int64(try r.i32("chat.id"))
                return TelegramChat(id: id, kind: .chat, title: try r.string("chat.title"))
            case 0x6592_A1A7, 0x0732_8BDB:
                let id = c == 0x6592_A1A7 ? try r.i64("chat.id") : Int64(try r.i32("chat.id"))
                return TelegramChat(id: id, kind: .chat, title: try r.string("chat.title"))
            case 0x8261_AC61, 0xD31A_961E:
                let f = UInt32(bitPattern: try r.i32("channel.flags"))
                let id = c == 0x8261_AC61 ? try r.i64("channel.id") : Int64(try r.i32("channel.id"))
                if f & (1 << 13) != 0 { _ = try r.i64("channel.access_hash") }
                var ch = TelegramChat(id: id, kind: f & (1 << 8) != 0 ? .supergroup : .channel, title: try r.string("channel.title"))
                if f & (1 << 6) != 0 { ch.username = try r.string("channel.username") }
                return ch
            case 0x17D4_93D5:
                let f = UInt32(bitPattern: try r.i32("channel.flags"))
                let id = try r.i64("channel.id")
                _ = try r.i64("channel.access_hash")
                return TelegramChat(id: id, kind: f & (1 << 8) != 0 ? .supergroup : .channel, title: try r.string("channel.title"))
            default:
                return nil
            }
        } catch {
            return nil
        }
    }

    /// `encryptedChat#61f0d4c7`/`#fa56ce36`, `encryptedChatWaiting#66b25953`,
    /// `encryptedChatRequested#48f1d94c`, `encryptedChatDiscarded#1e1c7c45`: the date and state.
    static func decodeEncryptedChat(_ blob: [UInt8]) -> (Int32?, String)? {
        var r = TLReader(blob)
        do throws(TLFailure) {
            let c = try r.u32("encrypted_chat")
            switch c {
            case 0x61F0_D4C7, 0xFA56_CE36, 0x66B2_5953:
                _ = try r.i32("id"); _ = try r.i64("access_hash")
                return (try r.i32("date"), c == 0x66B2_5953 ? "waiting" : "active")
            case 0x48F1_D94C:
                let f = try r.i32("flags")
                if f & 1 != 0 { _ = try r.i32("folder_id") }
                _ = try r.i32("id"); _ = try r.i64("access_hash")
                return (try r.i32("date"), "requested")
            case 0x1E1C_7C45: return (nil, "discarded")
            default: return nil
            }
        } catch {
            return nil
        }
    }
}
