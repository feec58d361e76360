import AppDatabaseKit
import ExhibitKit
import Foundation
import GRDB
import SQLiteForensics

/// One run over one cache4.db: loads the directory (users, chats, secret chats, dialogs), then
/// streams `messages_v2` in (dialog id, date, mid, rowid) order through a GRDB cursor, emitting
/// each chat before its first participant and message. Warnings are counted per problem kind and
/// emitted once each at the end.
final class TelegramSession {
    /// Dialog ids of secret chats carry this bit (`DialogObject.makeEncryptedDialogId`).
    static let secretBit: Int64 = 0x4000_0000_0000_0000

    let db: AppDatabase
    let owner: String
    let emit: (Finding) -> Void
    let sink: any FindingSink
    var directory = TelegramDirectory()
    var mapper: TelegramMessageMapper
    var warnings = WarningTally()
    var sequence = 0
    /// Chats known from `dialogs`/`enc_chats`, not yet emitted, ascending.
    var pendingChats: [Int64] = []
    var emittedChats: Set<Int64> = []
    var currentChat: Int64?
    /// Participants reported, as (dialog id, peer): once per chat for the whole run (recovered
    /// messages revisit chats after the live walk).
    var chatParticipants: Set<ChatPeer> = []
    /// The chat key of the dialog last keyed (messages come chat by chat: one string per chat).
    var lastChatKey: (did: Int64, key: String)?
    /// Deleted `messages_v2` rows carved before the database was opened (reported after the live ones).
    var recovered: RecoveredTable?
    /// The `mid`s of the recovered rows, and the identities of live messages with one of them.
    var watch: Set<String> = []
    var seen: Set<MessageIdentity> = []
    var recoveredCounts = (reported: 0, copies: 0, damaged: 0)

    init(db: AppDatabase, owner: String, sink: any FindingSink) {
        self.db = db; self.owner = owner; self.sink = sink; emit = { sink.emit($0) }
        mapper = TelegramMessageMapper(directory: directory)
    }

    func run() {
        do {
            directory = try db.read { try TelegramDirectory.load($0, columns: db.columns(of:)) }
        } catch {
            warnings.add("tables-unreadable", key: "", message: "users/chats/dialogs could not be read (\(error)); names are missing")
        }
        mapper = TelegramMessageMapper(directory: directory)
        if !directory.missingTables.isEmpty {
            warnings.add("missing-tables", key: "", message: "tables absent: \(directory.missingTables.joined(separator: ", ")); read what exists")
        }
        for (table, e) in directory.unreadable.sorted(by: { $0.key < $1.key }) {
            let ids = e.constructors.sorted().joined(separator: ", ")
            warnings.add("\(table)-blob-unreadable", key: "", count: e.count,
                         message: "\(e.count) \(table) row(s) whose data blob could not be read (constructors \(ids.isEmpty ? "none" : ids)); names taken from the lower-cased name column")
        }
        emitUsers()
        var known = Set(directory.dialogs.keys)
        for id in directory.secretChats.keys { known.insert(Self.secretBit | id) }
        pendingChats = known.sorted()
        watch = recovered?.ids(ofColumn: "mid") ?? []
        readMessages()
        flushChats(upTo: nil)
        if let recovered, let cols = db.columns(of: "messages_v2"), cols.contains("uid") { readRecovered(recovered) }
        for w in warnings.findings() { sink.warn(w) }
    }

    /// One `telegram.user` artifact per `users` row (ascending id): name, username and phone have
    /// no column in the chat model, and the table is the account's view of everyone it met.
    private func emitUsers() {
        for u in directory.users.values.sorted(by: { $0.id < $1.id }) {
            var p: [String: JSONValue] = ["user_id": .string(String(u.id)), "is_self": .bool(u.isSelf), "is_bot": .bool(u.isBot)]
            if let v = u.displayName { p["display_name"] = .string(v) }
            if let v = u.username { p["username"] = .string(v) }
            if let v = u.phone { p["phone"] = .string(v) }
            if u.nameFromColumn { p["name_from_column"] = .bool(true) }
            emit(.artifact(Artifact(type: "telegram.user", properties: .object(p), location: SourceLocation(record: "users uid \(u.id)"))))
        }
    }

    private func readMessages() {
        guard let cols = db.columns(of: "messages_v2") else {
            warnings.add("missing-messages", key: "", message: "no messages_v2 table: no messages read")
            return
        }
        func col(_ n: String) -> String { cols.contains(n) ? n : "NULL" }
        guard cols.contains("uid") else {
            warnings.add("missing-messages", key: "", message: "messages_v2 has no uid column: messages cannot be placed in chats")
            return
        }
        if !cols.contains("data") {
            warnings.add("missing-columns", key: "data", message: "messages_v2 has no data column: only row columns are read")
        }
        let sql = "\(Self.rowSelect(col)) FROM messages_v2 WHERE typeof(uid) = 'integer' ORDER BY uid, \(col("date")), \(col("mid")), rowid"
        var rows = 0
        do {
            try db.read { conn in
                // Not memory-mapped: the (uid, date, mid) order visits table pages out of order,
                // and a mapped page is set up again (with `cell_size_check`'s checks) at every
                // visit, where the page cache keeps it set up — 2.9 → 2.4 CPU s per 1,000,000
                // messages — and mapped pages count in the worker's RSS (+180 MB for that database).
                let bad = try Int.fetchOne(conn, sql: "SELECT count(*) FROM messages_v2 WHERE typeof(uid) != 'integer'") ?? 0
                if bad > 0 {
                    warnings.add("bad-dialog-id", key: "", count: bad,
                                 message: "\(bad) messages_v2 row(s) whose uid is not an integer: not placed in any chat, not read")
                }
                let cursor = try Row.fetchCursor(conn, sql: sql)
                while let row = try cursor.next() {
                    rows += 1
                    handle(row)
                }
            }
        } catch {
            warnings.add("messages-read-stopped", key: "", message: "reading messages_v2 stopped after \(rows) row(s): \(error); what was read is kept")
        }
    }

    /// The columns ``handle(_:recovered:)`` reads, in order.
    static func rowSelect(_ col: (String) -> String) -> String {
        "SELECT rowid, \(col("mid")), uid, \(col("date")), \(col("out")), \(col("data"))"
    }

    /// Reports each recovered `messages_v2` row through the live decoding and mapping (the row
    /// standing in for the table), after all live messages: not when the message equals one
    /// already reported (``MessageIdentity``), nor a row with no dialog id or no data blob
    /// (too little survived to place or read it; it stays in `recovered_records`).
    private func readRecovered(_ table: RecoveredTable) {
        let cols = Set(table.columns.map { $0.lowercased() })
        func col(_ n: String) -> String { cols.contains(n) ? "r.\(n)" : "NULL" }
        let sql = "WITH \(table.cte(named: "r")) " + Self.rowSelect(col).replacingOccurrences(of: "SELECT rowid", with: "SELECT r.rowid")
            + " FROM r"
        do {
            try db.read { conn in
                let statement = try conn.makeStatement(sql: sql)
                for r in table.rows {
                    guard let row = try Row.fetchOne(statement, arguments: table.arguments(r)) else { continue }
                    guard RowValue.int(row, 2) != nil, let blob = RowValue.bytes(row, 5), blob.count >= 4 else {
                        recoveredCounts.damaged += 1
                        continue
                    }
                    handle(row, recovered: (table, r))
                }
            }
        } catch {
            warnings.add("recovered-read-stopped", key: "", message: "reading recovered messages_v2 rows stopped: \(error); what was read is kept")
        }
    }

    private func handle(_ row: Row, recovered: (table: RecoveredTable, row: RecoveredRow)? = nil) {
        // A recovered row may have lost its rowid to a freeblock header; a live one always has it.
        let rowid = RowValue.int(row, 0)
        guard rowid != nil || recovered != nil, let did = RowValue.int(row, 2) else { return }
        let mid = RowValue.int(row, 1)
        let rowDate = RowValue.int(row, 3)
        let rowOut = RowValue.int(row, 4) == 1
        let location = SourceLocation(record: "messages_v2 rowid \(rowid.map(String.init) ?? "unknown")")
        let blob = RowValue.bytes(row, 5)
        var decoded: TLMessage?
        var unknown: String?
        if let blob, blob.count >= 4 {
            decoded = TLMessageDecoder.decode(blob)
            if decoded == nil {
                var r = TLReader(blob)
                let c = (try? r.u32("constructor")).map(TLReader.hex) ?? "?"
                unknown = c
                warnings.add("unknown-constructor", key: c, location: location,
                             message: "message constructor \(c) is not known: recorded with the row's date, mid and direction only")
            }
        } else if blob == nil {
            warnings.add("data-null", key: "", location: location, message: "messages_v2 rows with a NULL data blob: recorded from the row's columns only")
        } else {
            warnings.add("data-truncated", key: "", location: location, message: "messages_v2 rows whose data blob is shorter than a constructor id: recorded from the row's columns only")
        }
        if let m = decoded, let stop = m.stop, m.action?.name != "unknown" {
            warnings.add("tl-\(stop.code)", key: stop.text, location: location,
                         message: "message blob(s) (\(TLReader.hex(m.constructor))) only partly decoded: \(stop.text); fields before it kept")
        }
        if let m = decoded, m.textLossy {
            warnings.add("invalid-utf8", key: "", location: location, message: "message text(s) with invalid UTF-8, shown with U+FFFD")
        }
        enterChat(did, hint: decoded?.peer)
        let next = sequence
        var record = build(decoded, did: did, mid: mid, rowDate: rowDate, rowOut: rowOut, constructor: unknown, location: location)
        if let recovered {
            guard seen.insert(MessageIdentity(record)).inserted else {
                sequence = next
                recoveredCounts.copies += 1
                return
            }
            recovered.table.mark(&record, from: recovered.row, label: "recovered messages_v2")
            recoveredCounts.reported += 1
        } else if let id = record.nativeID, watch.contains(id) {
            seen.insert(MessageIdentity(record))
        }
        emit(.message(record))
    }

    /// Emits pending chats up to `did`, then `did` itself when it is new, and resets the
    /// per-chat participant set when the walk moves to another chat.
    private func enterChat(_ did: Int64, hint: TLPeer?) {
        guard currentChat != did else { return }
        flushChats(upTo: did)
        if !emittedChats.contains(did) { emitChat(did, hint: hint) }
        currentChat = did
    }

    private func flushChats(upTo limit: Int64?) {
        while let next = pendingChats.first, limit.map({ next < $0 }) ?? true {
            pendingChats.removeFirst()
            if !emittedChats.contains(next) { emitChat(next, hint: nil) }
        }
        if let limit, pendingChats.first == limit { pendingChats.removeFirst() }
    }

    static func chatKey(_ did: Int64) -> String { "dialog:\(did)" }

    /// ``chatKey(_:)``, made once per run of messages of one chat.
    func cachedChatKey(_ did: Int64) -> String {
        if let k = lastChatKey, k.did == did { return k.key }
        let key = Self.chatKey(did)
        lastChatKey = (did, key)
        return key
    }

    /// A participant of a chat, as ``chatParticipants`` keeps it.
    struct ChatPeer: Hashable {
        let chat: Int64
        let peer: TLPeer
    }
}

/// Counts warnings per (code, key) and emits one warning per kind, in a stable order.
struct WarningTally {
    private var entries: [String: (code: String, count: Int, message: String, location: SourceLocation?)] = [:]

    mutating func add(_ code: String, key: String, count: Int = 1, location: SourceLocation? = nil, message: String) {
        let k = code + "\u{1F}" + key
        if var e = entries[k] { e.count += count; entries[k] = e } else { entries[k] = (code, count, message, location) }
    }

    func findings() -> [AnalysisWarning] {
        entries.keys.sorted().compactMap { k in
            guard let e = entries[k] else { return nil }
            let first = e.location?.record.map { "; first at \($0)" } ?? ""
            return AnalysisWarning(code: e.code, message: "\(e.message) (\(e.count) occurrence\(e.count == 1 ? "" : "s")\(first))",
                                   location: e.location)
        }
    }
}
