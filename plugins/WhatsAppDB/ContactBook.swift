import AppDatabaseKit
import ExhibitKit
import GRDB

/// Names for JIDs from `wa.db` `wa_contacts`: the address-book name (`display_name`), else the
/// name the person set in WhatsApp (`wa_name`), else the phone number as stored (`number`).
/// Held in memory: bounded by the rows of the real `wa.db`.
struct ContactBook {
    private(set) var names: [String: String] = [:]
    /// Rows read from `wa_contacts`.
    private(set) var rows = 0

    init() {}

    /// Reads `wa_contacts` from `db`; problems go to `problems`.
    init(db: AppDatabase, problems: inout ProblemTally) {
        guard let cols = db.columns(of: "wa_contacts") else {
            problems.add("missing-table", "wa.db has no wa_contacts table: contact names not available", at: "wa.db")
            return
        }
        let c = ColumnPicker(alias: "c", columns: cols)
        guard c.has("jid") else {
            problems.add("missing-column", "wa.db wa_contacts has no jid column: contact names not available", at: "wa.db")
            return
        }
        let sql = "SELECT c.rowid, c.jid, \(c("display_name")), \(c("wa_name")), \(c("number")) FROM wa_contacts c ORDER BY c.rowid"
        var names: [String: String] = [:]
        var rows = 0
        do {
            try db.read { database in
                let cursor = try Row.fetchCursor(database, sql: sql)
                while let row = try cursor.next() {
                    rows += 1
                    let record = "wa.db wa_contacts rowid \((SQLValue(row, 0).int().value).map(String.init) ?? "?")"
                    let jid = SQLValue(row, 1).text()
                    var name: String?
                    var wrong = jid.wrongType
                    for i in 2...4 where name == nil {
                        let v = SQLValue(row, i).text()
                        wrong = wrong || v.wrongType
                        if let s = v.value, !s.isEmpty { name = s }
                    }
                    if wrong { problems.add("wrong-column-type", "wa.db wa_contacts values of an unexpected type were skipped", at: record) }
                    // First row for a JID wins (the address book can list one number twice).
                    if let j = jid.value, let name, names[j] == nil { names[j] = name }
                }
            }
        } catch {
            problems.add("read-interrupted", "reading wa.db wa_contacts stopped: \(error); names read before are kept", at: "wa.db")
        }
        self.names = names
        self.rows = rows
    }

    func name(of jid: String) -> String? { names[jid] }
}
