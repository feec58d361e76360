import AppDatabaseKit
import ExhibitKit
import GRDB

/// Reads the current schema (2022 on): `chat` + `jid`, `group_participant_user`, `message` with
/// its side tables, `call_log`. Every column is selected by name from what the table really has
/// (``ColumnPicker``); side tables that are absent simply contribute nothing.
struct CurrentSchemaReader {
    let db: AppDatabase
    let session: ChatSession

    /// A JID as the `jid` table spells it: `raw_string`, else `user@server`.
    static func jidSQL(_ j: ColumnPicker) -> String {
        if j.has("raw_string"), j.has("user", "server") {
            return "COALESCE(\(j("raw_string")), \(j("user")) || '@' || \(j("server")))"
        }
        if j.has("raw_string") { return j("raw_string") }
        if j.has("user", "server") { return "\(j("user")) || '@' || \(j("server"))" }
        return "NULL"
    }

    private func jid(_ alias: String) -> String {
        Self.jidSQL(ColumnPicker(alias: alias, columns: db.columns(of: "jid")))
    }

    /// Reports every chat (by `chat._id`) and the members of each group.
    func readChats() {
        guard let cols = db.columns(of: "chat") else {
            session.problems.add("missing-table", "msgstore.db has a message table but no chat table: chats are named by row only", at: "chat")
            return
        }
        let c = ColumnPicker(alias: "c", columns: cols)
        let hasJID = db.columns(of: "jid") != nil && c.has("jid_row_id")
        if !hasJID {
            session.problems.add("missing-table", "chats cannot be tied to JIDs (no jid table or chat.jid_row_id)", at: "chat")
        }
        let members = groupMembers()
        let join = hasJID ? "LEFT JOIN jid j ON j._id = c.jid_row_id" : ""
        let sql = """
            SELECT c.rowid, \(hasJID ? jid("j") : "NULL"), \(c("subject")), \(c("created_timestamp")), \(c("jid_row_id"))
            FROM chat c \(join) ORDER BY c.rowid
            """
        session.readRows(db, sql: sql, what: "chat") { row in
            let rowID = SQLValue(row, 0).int().value ?? 0
            let record = "chat rowid \(rowID)"
            let jid = session.text(row, 1, at: record)
            let subject = session.text(row, 2, at: record)
            let created = session.time(row, 3, at: record)
            let key = session.chat(jid: jid, chatRow: rowID, subject: subject.flatMap { $0.isEmpty ? nil : $0 },
                                   record: record, created: created)
            if let jidRow = SQLValue(row, 4).int().value, let list = members[jidRow] {
                for m in list { session.member(key, jid: m) }
            }
        }
    }

    /// Group JID row → member JIDs, in table order (`group_participant_user`; an empty user JID
    /// or a row naming no JID is skipped).
    private func groupMembers() -> [Int64: [String]] {
        guard let cols = db.columns(of: "group_participant_user"), db.columns(of: "jid") != nil else { return [:] }
        let g = ColumnPicker(alias: "g", columns: cols)
        guard g.has("group_jid_row_id", "user_jid_row_id") else {
            session.problems.add("missing-column", "group_participant_user lacks group_jid_row_id/user_jid_row_id: members not read", at: "group_participant_user")
            return [:]
        }
        var out: [Int64: [String]] = [:]
        let sql = """
            SELECT g.rowid, g.group_jid_row_id, \(jid("u")) FROM group_participant_user g
            LEFT JOIN jid u ON u._id = g.user_jid_row_id ORDER BY g.rowid
            """
        session.readRows(db, sql: sql, what: "group_participant_user") { row in
            let record = "group_participant_user rowid \(SQLValue(row, 0).int().value ?? 0)"
            guard let group = SQLValue(row, 1).int().value, let user = session.text(row, 2, at: record), !user.isEmpty else { return }
            out[group, default: []].append(user)
        }
        return out
    }
}
