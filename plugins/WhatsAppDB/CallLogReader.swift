import AppDatabaseKit
import ExhibitKit
import GRDB

extension CurrentSchemaReader {
    /// Reports each `call_log` row as a service message `phone_call` in the chat of the group
    /// (`group_jid_row_id`) or of the other party (`jid_row_id`); a chat is reported for a JID
    /// the chat table does not hold. Details: duration (seconds), video, result code, bytes.
    func readCalls() {
        guard let cols = db.columns(of: "call_log") else { return }
        let c = ColumnPicker(alias: "c", columns: cols)
        let jidCols = db.columns(of: "jid")
        var joins: [String] = []
        var peer = "NULL", group = "NULL"
        if jidCols != nil, c.has("jid_row_id") {
            joins.append("LEFT JOIN jid pj ON pj._id = c.jid_row_id")
            peer = Self.jidSQL(ColumnPicker(alias: "pj", columns: jidCols))
        }
        if jidCols != nil, c.has("group_jid_row_id") {
            joins.append("LEFT JOIN jid gj ON gj._id = c.group_jid_row_id")
            group = Self.jidSQL(ColumnPicker(alias: "gj", columns: jidCols))
        }
        let sql = """
            SELECT c.rowid, \(c("from_me")), \(c("call_id")), \(c("timestamp")), \(c("video_call")), \(c("duration")),
                   \(c("call_result")), \(c("bytes_transferred")), \(peer), \(group)
            FROM call_log c \(joins.joined(separator: " ")) ORDER BY c.rowid
            """
        let s = session
        s.readRows(db, sql: sql, what: "call_log") { row in
            let record = "call_log rowid \(SQLValue(row, 0).int().value ?? 0)"
            let fromMe = s.flag(row, 1, at: record)
            let peerJID = s.text(row, 8, at: record).flatMap { $0.isEmpty ? nil : $0 }
            let groupJID = s.text(row, 9, at: record).flatMap { $0.isEmpty ? nil : $0 }
            let chatJID = groupJID ?? peerJID
            let chatKey = chatJID.map { s.chatKey(jid: $0) ?? s.chat(jid: $0, record: record) } ?? {
                s.problems.add("missing-chat", "calls whose party cannot be told (no JID); kept under a placeholder chat", at: record)
                return s.placeholderChat(row: nil, record: record)
            }()
            // Incoming: the caller is the other party (in a group call, the row's jid).
            let (name, id) = s.sender(chatKey: chatKey, fromMe: fromMe, senderJID: peerJID)
            var details: [String: JSONValue] = [:]
            if let d = s.int(row, 5, at: record) { details["duration_seconds"] = .number(Double(d)) }
            if let v = s.int(row, 4, at: record) { details["video"] = .bool(v != 0) }
            if let r = s.int(row, 6, at: record) { details["call_result"] = .number(Double(r)) }
            if let b = s.int(row, 7, at: record) { details["bytes_transferred"] = .number(Double(b)) }
            if let groupJID { details["group"] = .string(groupJID) }
            s.message(MessageRecord(
                chatKey: chatKey, sequence: 0, nativeID: s.text(row, 2, at: record), kind: .service, senderName: name,
                senderNativeID: id, fromDeviceOwner: fromMe, sent: s.time(row, 3, at: record),
                service: ServiceAction(action: "phone_call", actorName: name, actorNativeID: id, details: .object(details)),
                location: SourceLocation(record: record)))
        }
    }
}
