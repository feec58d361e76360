import AppDatabaseKit
import ExhibitKit
import GRDB
import SQLiteForensics

/// Reads the legacy schema (before 2022): `messages` keyed by `key_remote_jid`, `chat_list`,
/// `group_participants`, `messages_quotes`. The placeholder row WhatsApp keeps at the top of
/// `messages` (`key_remote_jid = '-1'`) is skipped.
struct LegacySchemaReader {
    let db: AppDatabase
    let session: ChatSession

    /// Reports `chat_list` chats not reported already (by JID) and the members of each group.
    func readChats() {
        let members = groupMembers()
        if let cols = db.columns(of: "chat_list") {
            let c = ColumnPicker(alias: "c", columns: cols)
            let sql = "SELECT c.rowid, \(c("key_remote_jid")), \(c("subject")), \(c("creation")) FROM chat_list c ORDER BY c.rowid"
            let s = session
            s.readRows(db, sql: sql, what: "chat_list") { row in
                let record = "chat_list rowid \(SQLValue(row, 0).int().value ?? 0)"
                guard let jid = s.text(row, 1, at: record), !jid.isEmpty else { return }
                let subject = s.text(row, 2, at: record).flatMap { $0.isEmpty ? nil : $0 }
                let key = s.chat(jid: jid, subject: subject, record: record, created: s.time(row, 3, at: record))
                addMembers(members[jid], to: key)
            }
        }
        // Groups with members but no chat_list row.
        for gjid in members.keys.sorted() where session.chatKey(jid: gjid) == nil {
            let key = session.chat(jid: gjid, record: "group_participants gjid \(gjid)")
            addMembers(members[gjid], to: key)
        }
    }

    private func addMembers(_ list: [String]?, to key: String) {
        for jid in list ?? [] {
            // The legacy table lists the device owner with an empty jid.
            if jid.isEmpty { session.owner(key) } else { session.member(key, jid: jid) }
        }
    }

    /// Group JID → member JIDs in table order; `""` is the device owner.
    private func groupMembers() -> [String: [String]] {
        guard let cols = db.columns(of: "group_participants") else { return [:] }
        let g = ColumnPicker(alias: "g", columns: cols)
        guard g.has("gjid", "jid") else {
            session.problems.add("missing-column", "group_participants lacks gjid/jid: members not read", at: "group_participants")
            return [:]
        }
        var out: [String: [String]] = [:]
        let s = session
        s.readRows(db, sql: "SELECT g.rowid, g.gjid, g.jid FROM group_participants g ORDER BY g.rowid", what: "group_participants") { row in
            let record = "group_participants rowid \(SQLValue(row, 0).int().value ?? 0)"
            guard let group = s.text(row, 1, at: record), !group.isEmpty, let jid = s.text(row, 2, at: record) else { return }
            out[group, default: []].append(jid)
        }
        return out
    }

    /// Reports every `messages` row in rowid order, skipping rows whose (JID, from_me, key_id)
    /// is in `skip` (already read from the current table). Returns how many were skipped. `seen`
    /// collects the identity of each message whose key id is in `watch` (the recovered rows' key
    /// ids), so a recovered copy of a live message is not repeated.
    func readMessages(skip: Set<String>, watch: Set<String> = [], seen: inout Set<MessageIdentity>) -> Int {
        guard let cols = db.columns(of: "messages") else { return 0 }
        var skipped = 0
        var identities: [MessageIdentity] = []
        session.readRows(db, sql: messageQuery(columns: cols, from: "messages m", quotes: true), what: "messages") { row in
            switch read(row, skip: skip) {
            case .skipped: skipped += 1
            case .message(let msg):
                if let id = msg.nativeID, watch.contains(id) { identities.append(MessageIdentity(msg)) }
                session.message(msg)
            case .none: break
            }
        }
        seen.formUnion(identities)
        return skipped
    }

    /// Reports the recovered rows of `messages` as messages marked recovered, after all live
    /// ones: each row through the live query (the row standing in for the table; its media
    /// fields are its own columns; `messages_quotes` joined only when AUTOINCREMENT) and mapping. Not reported: the `-1` placeholder row, a row equal to a
    /// message already reported (``MessageIdentity``), a row with neither key id nor text.
    func readRecovered(_ table: RecoveredTable, seen: inout Set<MessageIdentity>) -> (reported: Int, copies: Int, damaged: Int) {
        var counts = (reported: 0, copies: 0, damaged: 0)
        // The quote row is joined by the row's own quoted_row_id only when messages_quotes is
        // AUTOINCREMENT: its ids are never reused, so that live row is the one it quoted.
        let quotes = RecoveredSideRows.isAutoincrement(db, table: "messages_quotes")
        let sql = "WITH \(table.cte(named: "m")) " + messageQuery(columns: Set(table.columns.map { $0.lowercased() }), from: "m", quotes: quotes)
        do {
            try db.read { database in
                let statement = try database.makeStatement(sql: sql)
                for r in table.rows {
                    guard let row = try Row.fetchOne(statement, arguments: table.arguments(r)),
                          case .message(var msg) = read(row, skip: []) else { continue }
                    guard !RecoveredTable.tooDamaged(msg) else { counts.damaged += 1; continue }
                    guard seen.insert(MessageIdentity(msg)).inserted else { counts.copies += 1; continue }
                    table.mark(&msg, from: r, label: "recovered messages")
                    session.message(msg)
                    counts.reported += 1
                }
            }
        } catch {
            session.problems.add("recovered-read-interrupted",
                                 "reading recovered messages rows stopped: \(error); messages reported before are kept", at: "recovered messages")
        }
        return counts
    }

    /// The one SELECT of the legacy columns over `from` (the table or a recovered row, alias
    /// `m`), with the quoted message from `messages_quotes` when `quotes`.
    private func messageQuery(columns cols: Set<String>, from: String, quotes: Bool) -> String {
        let m = ColumnPicker(alias: "m", columns: cols)
        var join = ""
        var quotedKey = "NULL", quotedText = "NULL"
        if quotes, let qcols = db.columns(of: "messages_quotes"), m.has("quoted_row_id") {
            let q = ColumnPicker(alias: "q", columns: qcols)
            join = "LEFT JOIN messages_quotes q ON q.rowid = m.quoted_row_id"
            quotedKey = q("key_id"); quotedText = q("data")
        }
        return """
            SELECT m.rowid, \(m("key_remote_jid")), \(m("key_from_me")), \(m("key_id")), \(m("remote_resource")),
                   \(m("timestamp")), \(m("media_wa_type")), \(m("data")), \(m("status")), \(m("media_mime_type")),
                   \(m("media_size")), \(m("media_name")), \(m("media_caption")), \(m("media_duration")),
                   \(m("latitude")), \(m("longitude")), \(m("forwarded")), \(m("starred")), \(quotedKey), \(quotedText)
            FROM \(from) \(join) ORDER BY m.rowid
            """
    }

    /// What one legacy row is: the placeholder (`none`), a row the current table already holds
    /// (`skipped`), or a message (its chat and participant reported on the way).
    private enum LegacyRow { case none, skipped, message(MessageRecord) }

    private func read(_ row: Row, skip: Set<String>) -> LegacyRow {
        let s = session
        let record = "messages rowid \(SQLValue(row, 0).int().value ?? 0)"
        let jid = s.text(row, 1, at: record)
        if jid == "-1" { return .none }
        let fromMe = s.flag(row, 2, at: record)
        let keyID = s.text(row, 3, at: record)
        if let jid, let keyID, skip.contains(MessageKey.make(jid: jid, fromMe: fromMe, keyID: keyID)) { return .skipped }
        if keyID == nil { s.problems.add("missing-key", "messages without a key_id (WhatsApp's message id)", at: record) }
        let chatKey: String
        if let jid, !jid.isEmpty { chatKey = s.chatKey(jid: jid) ?? s.chat(jid: jid, record: record) } else {
            s.problems.add("missing-chat", "legacy messages without key_remote_jid; kept under a placeholder chat", at: record)
            chatKey = s.placeholderChat(row: nil, record: record)
        }
        return .message(message(row, chatKey: chatKey, fromMe: fromMe, keyID: keyID, record: record))
    }

    private func message(_ row: Row, chatKey: String, fromMe: Bool, keyID: String?, record: String) -> MessageRecord {
        let s = session
        func t(_ i: Int) -> String? { s.text(row, i, at: record) }
        func n(_ i: Int) -> Int64? { s.int(row, i, at: record) }
        // media_wa_type is TEXT in most legacy versions ("0", "1", "15").
        let typeValue = SQLValue(row, 6)
        let waType: Int64? = typeValue.int().value ?? typeValue.text().value.flatMap { Int64($0) }
        let sender = t(4).flatMap { $0.isEmpty ? nil : $0 }
        let (name, id) = s.sender(chatKey: chatKey, fromMe: fromMe, senderJID: sender)
        let status = n(8)
        var msg = MessageRecord(chatKey: chatKey, sequence: 0, nativeID: keyID, senderName: name, senderNativeID: id,
                                fromDeviceOwner: fromMe, sent: s.time(row, 5, at: record),
                                location: SourceLocation(record: record))
        var extra: [String: JSONValue] = [:]
        if let waType { extra["media_wa_type"] = .number(Double(waType)) }
        if let status { extra["status"] = .number(Double(status)) }
        if (n(17) ?? 0) != 0 { extra["starred"] = .bool(true) }
        msg.text = t(7) ?? t(12) ?? ""
        if let waType, [1, 2, 3, 9, 13, 20].contains(waType) {
            let mime = t(9)
            msg.attachments = [AttachmentRef(
                reference: t(11), resolvedPath: nil, kind: MediaKind.kind(type: waType, mime: mime), mimeType: mime,
                size: n(10), durationSeconds: n(13).map(Double.init),
                missingReason: "the legacy schema keeps the local path only inside a serialized thumb_image object, which is not read")]
        }
        if let q = t(18) {
            msg.replyToNativeID = q
            if let qt = t(19) { extra["quoted_text"] = .string(qt) }
        }
        if waType == 15 { msg.deleted = true }
        if (n(16) ?? 0) != 0 { extra["forwarded"] = .bool(true) }
        if status == 6 {
            // Legacy system rows: status 6, the action code in media_size.
            msg.kind = .system
            let code = n(10)
            msg.service = ServiceAction(action: "system", actorName: name, actorNativeID: id,
                                        details: code.map { .object(["action_code": .number(Double($0))]) })
            msg.attachments = []
        }
        let lat = s.double(row, 14, at: record), lon = s.double(row, 15, at: record)
        if waType == 5 || waType == 16, lat != nil || lon != nil {
            extra["location"] = .object(["latitude": lat.map(JSONValue.number) ?? .null, "longitude": lon.map(JSONValue.number) ?? .null])
        }
        msg.extra = extra.isEmpty ? nil : .object(extra)
        return msg
    }
}
