import ExhibitKit
import Foundation
import GRDB

/// One `chat_rooms` row.
struct KakaoRoom {
    var rowid: Int64
    var id: Int64
    /// As stored: `DirectChat`, `MultiChat`, `MemoChat`, `OM`/`OD` (open chats).
    var type: String?
    /// Other members' user ids (the account owner is not listed); `nil` when absent or not JSON.
    var members: [Int64]?
    var linkID: Int64?
    var lastMessage: String?
    var enc: Int?
}

/// Who the account owner is and how that was decided (recorded in an artifact and chat notes).
struct OwnerChoice {
    var id: Int64?
    /// `open_profile` or `chat-membership`, or `none`.
    var method: String
    var openProfileIDs: [Int64]
    /// (user id, rooms in which the id sent messages without being a listed member), best first.
    var membership: [(id: Int64, rooms: Int)]

    /// One sentence for ChatInfo.notes.
    var note: String {
        guard let id else { return "account owner's user id not found (no open_profile row, no sender outside the room member lists): tables keyed by it stay encrypted" }
        switch method {
        case "open_profile":
            let agree = membership.first.map { $0.id == id ? "; chat membership agrees" : "; chat membership suggests \($0.id) instead" } ?? ""
            return "account owner's user id \(id): from open_profile.user_id\(agree)"
        default:
            return "account owner's user id \(id): the sender outside the room member lists in \(membership.first?.rooms ?? 0) room(s) (no open_profile row)"
        }
    }
}

/// Names the app keeps beside the chats: friends (`friends`, enc from its own column), open-chat
/// nicknames (`open_chat_member`, enc from its own column), the owner's open profiles
/// (`open_profile`) and open-chat titles (`open_link.name`). Encrypted columns use the account
/// owner's user id.
struct KakaoTalkDirectory {
    struct OpenKey: Hashable { let link: Int64; let user: Int64 }
    var friends: [Int64: String] = [:]
    var openMembers: [OpenKey: String] = [:]
    /// link id → the owner's nickname in that open chat.
    var openProfiles: [Int64: String] = [:]
    var openLinks: [Int64: String] = [:]

    /// The display name of `user` in a room (open chats use per-room nicknames).
    func name(of user: Int64, link: Int64?, owner: Int64?) -> String? {
        if let link {
            if user == owner, let n = openProfiles[link] { return n }
            if let n = openMembers[OpenKey(link: link, user: user)] { return n }
        }
        return friends[user]
    }

    /// `chat_rooms` in rowid order.
    static func rooms(_ db: Database, columns: Set<String>, problems: KakaoTalkProblems) throws -> [KakaoRoom] {
        let plan = ColumnPlan(table: "chat_rooms", wanted: ["id", "type", "members", "last_message", "v", "link_id"], available: columns)
        var out: [KakaoRoom] = []
        let cursor = try Row.fetchCursor(db, sql: plan.select("ORDER BY rowid"))
        while let row = try cursor.next() {
            let rowid = Value.int(row[0]) ?? 0
            guard let id = Value.int(row[plan.index("id")]) else {
                problems.note("room-no-id", column: "chat_rooms.id", record: "chat_rooms rowid \(rowid)")
                continue
            }
            let v = Value.text(row[plan.index("v")])
            out.append(KakaoRoom(rowid: rowid, id: id, type: Value.text(row[plan.index("type")]),
                                 members: Value.idList(Value.text(row[plan.index("members")])),
                                 linkID: Value.int(row[plan.index("link_id")]),
                                 lastMessage: Value.text(row[plan.index("last_message")]),
                                 enc: v.flatMap(Value.encType(fromV:))))
        }
        return out
    }

    /// The owner's user ids in `open_profile`, distinct, in rowid order of first appearance.
    static func openProfileUsers(_ db: Database, columns: Set<String>) throws -> [Int64] {
        guard columns.contains("user_id") else { return [] }
        var seen: [Int64] = []
        let cursor = try Row.fetchCursor(db, sql: "SELECT user_id FROM open_profile ORDER BY rowid")
        while let row = try cursor.next() {
            if let id = Value.int(row[0]), id > 0, !seen.contains(id) { seen.append(id) }
            if seen.count > 1000 { break }
        }
        return seen
    }

    /// The method public tools use when no open profile names the owner: in a room, a sender who
    /// is not in the room's `members` list is the account owner (the list omits them). Counts the
    /// rooms in which each such sender appears; most rooms first, then the smaller id.
    static func membershipCandidates(_ db: Database, rooms: [KakaoRoom], logColumns: Set<String>) throws -> [(id: Int64, rooms: Int)] {
        guard logColumns.contains("chat_id"), logColumns.contains("user_id") else { return [] }
        var members: [Int64: Set<Int64>] = [:]
        for room in rooms { if let m = room.members, !m.isEmpty { members[room.id] = Set(m) } }
        guard !members.isEmpty else { return [] }
        var counts: [Int64: Int] = [:]
        let cursor = try Row.fetchCursor(db, sql: "SELECT DISTINCT chat_id, user_id FROM chat_logs")
        while let row = try cursor.next() {
            guard let chat = Value.int(row[0]), let user = Value.int(row[1]), user > 0,
                  let listed = members[chat], !listed.contains(user) else { continue }
            counts[user, default: 0] += 1
        }
        return counts.map { (id: $0.key, rooms: $0.value) }
            .sorted { $0.rooms != $1.rooms ? $0.rooms > $1.rooms : $0.id < $1.id }
    }

    /// Picks the owner: `open_profile.user_id` when present (as public tools do), else the best
    /// membership candidate.
    static func chooseOwner(openProfile: [Int64], membership: [(id: Int64, rooms: Int)]) -> OwnerChoice {
        if let first = openProfile.first {
            return OwnerChoice(id: first, method: "open_profile", openProfileIDs: openProfile, membership: membership)
        }
        if let best = membership.first {
            return OwnerChoice(id: best.id, method: "chat-membership", openProfileIDs: [], membership: membership)
        }
        return OwnerChoice(id: nil, method: "none", openProfileIDs: [], membership: [])
    }

    /// Reads the name tables found in `db` (each table once: the caller passes the database that has it).
    mutating func read(_ db: Database, tables: Set<String>, facts: [String: Set<String>], owner: Int64?,
                       cipher: KakaoTalkCipher, problems: KakaoTalkProblems) throws {
        if tables.contains("open_link"), let cols = facts["open_link"] {
            let plan = ColumnPlan(table: "open_link", wanted: ["id", "name"], available: cols)
            let cursor = try Row.fetchCursor(db, sql: plan.select("ORDER BY rowid"))
            while let row = try cursor.next() {
                if let id = Value.int(row[1]), let name = Value.text(row[2]), openLinks[id] == nil { openLinks[id] = name }
            }
        }
        if tables.contains("open_profile"), let cols = facts["open_profile"] {
            let plan = ColumnPlan(table: "open_profile", wanted: ["link_id", "nickname"], available: cols)
            let cursor = try Row.fetchCursor(db, sql: plan.select("ORDER BY rowid"))
            while let row = try cursor.next() {
                if let link = Value.int(row[1]), let nick = Value.text(row[2]), openProfiles[link] == nil { openProfiles[link] = nick }
            }
        }
        guard let owner else { return }
        if tables.contains("friends"), let cols = facts["friends"] {
            let plan = ColumnPlan(table: "friends", wanted: ["id", "name", "enc"], available: cols)
            let cursor = try Row.fetchCursor(db, sql: plan.select("ORDER BY rowid"))
            while let row = try cursor.next() {
                guard let id = Value.int(row[1]), friends[id] == nil,
                      let name = decrypt(row[2], enc: row[3], owner: owner, column: "friends.name",
                                         record: "friends rowid \(Value.int(row[0]) ?? 0)", cipher: cipher, problems: problems)
                else { continue }
                friends[id] = name
            }
        }
        if tables.contains("open_chat_member"), let cols = facts["open_chat_member"] {
            let plan = ColumnPlan(table: "open_chat_member", wanted: ["link_id", "user_id", "nickname", "enc"], available: cols)
            let cursor = try Row.fetchCursor(db, sql: plan.select("ORDER BY rowid"))
            while let row = try cursor.next() {
                guard let link = Value.int(row[1]), let user = Value.int(row[2]),
                      let nick = decrypt(row[3], enc: row[4], owner: owner, column: "open_chat_member.nickname",
                                         record: "open_chat_member rowid \(Value.int(row[0]) ?? 0)", cipher: cipher, problems: problems)
                else { continue }
                let key = OpenKey(link: link, user: user)
                if openMembers[key] == nil { openMembers[key] = nick }
            }
        }
    }

    private func decrypt(_ value: DatabaseValue, enc: DatabaseValue, owner: Int64, column: String, record: String,
                         cipher: KakaoTalkCipher, problems: KakaoTalkProblems) -> String? {
        guard let text = Value.text(value), !text.isEmpty else { return nil }
        guard let e = Value.encType(enc) else {
            problems.undecrypted(.noEnc, column: column, enc: nil, record: record)
            return nil
        }
        switch cipher.decrypt(text, user: owner, enc: e) {
        case .success(let s): return s
        case .failure(let f):
            problems.undecrypted(f, column: column, enc: e, record: record)
            return nil
        }
    }
}
