import AppDatabaseKit
import ExhibitKit
import GRDB

/// Display names by JID, from the best source present: the address book (`ContactsV2.sqlite`
/// `ZWAADDRESSBOOKCONTACT.ZFULLNAME` by `ZWHATSAPPID`), then a group member's non-empty
/// `ZWAGROUPMEMBER.ZCONTACTNAME`, then the push name the person chose (`ZWAPROFILEPUSHNAME`).
/// `ZWAMESSAGE.ZPUSHNAME` is never used: it may hold base64 protobuf rather than a name.
struct NameBook {
    private var addressBook: [String: String] = [:]
    private var memberNames: [String: String] = [:]
    private var pushNames: [String: String] = [:]
    private(set) var addressBookRows = 0
    private(set) var pushNameRows = 0

    func name(of jid: String) -> String? { addressBook[jid] ?? memberNames[jid] ?? pushNames[jid] }

    mutating func readAddressBook(_ db: AppDatabase, problems: inout ProblemTally) {
        guard let cols = db.columns(of: "ZWAADDRESSBOOKCONTACT") else {
            problems.add("contacts-no-table", "ContactsV2.sqlite has no ZWAADDRESSBOOKCONTACT table: no address-book names",
                         at: "ContactsV2.sqlite")
            return
        }
        let p = Picker(alias: "c", columns: cols)
        let sql = "SELECT \(p("ZWHATSAPPID")), \(p("ZFULLNAME")) FROM ZWAADDRESSBOOKCONTACT c ORDER BY c.rowid"
        var book: [String: String] = [:], rows = 0
        do {
            try db.read { database in
                let cursor = try Row.fetchCursor(database, sql: sql)
                while let row = try cursor.next() {
                    guard let jid = Cell.text(row, 0).value, let name = Cell.text(row, 1).value, !name.isEmpty else { continue }
                    if book[jid] == nil { book[jid] = name; rows += 1 }
                }
            }
        } catch {
            problems.add("read-interrupted", "reading ZWAADDRESSBOOKCONTACT stopped: \(error); names read before are kept",
                         at: "ZWAADDRESSBOOKCONTACT")
        }
        addressBook = book; addressBookRows = rows
    }

    mutating func readPushNames(_ db: AppDatabase, session: IOSSession) {
        guard let cols = db.columns(of: "ZWAPROFILEPUSHNAME") else { return }
        let p = Picker(alias: "p", columns: cols)
        session.readRows(db, sql: "SELECT \(p("ZJID")), \(p("ZPUSHNAME")) FROM ZWAPROFILEPUSHNAME p ORDER BY p.rowid",
                         what: "ZWAPROFILEPUSHNAME") { row in
            guard let jid = Cell.text(row, 0).value, let name = Cell.text(row, 1).value, !name.isEmpty else { return }
            if pushNames[jid] == nil { pushNames[jid] = name; pushNameRows += 1 }
        }
    }

    mutating func addMemberName(_ name: String?, jid: String) {
        guard let name, !name.isEmpty, memberNames[jid] == nil else { return }
        memberNames[jid] = name
    }
}
