import AppDatabaseKit
import ExhibitKit
import GRDB

/// The state of one database's read: chats and participants already reported, group members by
/// row, the running message sequence, the problem counters.
///
/// Order of findings (the linking rule of ChatFindings.swift): a chat before anything naming it,
/// a participant before the first message it sent.
final class IOSSession {
    private let emit: (Finding) -> Void
    let group: AppGroup
    var names = NameBook()
    var problems = ProblemTally()
    /// Messages reported so far (the next ``MessageRecord/sequence``).
    private(set) var sequence = 0
    private(set) var chatCount = 0
    private var keyByRow: [Int64: String] = [:]
    private var jidOfChat: [String: String] = [:]
    private var groupChats: Set<String> = []
    private var reported: Set<String> = []
    /// `ZWAGROUPMEMBER.Z_PK` → member JID, and each chat row's members in row order.
    var memberJID: [Int64: String] = [:]
    var membersOfChat: [Int64: [String]] = [:]

    init(group: AppGroup, emit: @escaping (Finding) -> Void) {
        self.group = group; self.emit = emit
    }

    /// Reports the chat of `ZWACHATSESSION` row `row` (once) and, for a group, its members.
    func chat(row: Int64, jid: String?, title: String?, sessionType: Int64?, removed: Bool, record: String) {
        guard keyByRow[row] == nil else { return }
        let key = "chat\(chatCount)"
        chatCount += 1
        let kind = jid.map(Self.chatType(of:)) ?? (sessionType == 1 ? "group" : nil)
        var notes: [String] = []
        if removed { notes.append("the chat is marked removed (ZREMOVED)") }
        let name = title.flatMap { $0.isEmpty ? nil : $0 } ?? jid.flatMap { names.name(of: $0) }
        emit(.chat(ChatInfo(chatKey: key, platform: .whatsapp, format: .whatsAppIOSDB, nativeID: jid, title: name,
                            chatType: kind, location: SourceLocation(record: record), notes: notes, owner: group.owner)))
        keyByRow[row] = key
        if let jid { jidOfChat[key] = jid }
        if kind == "group" {
            groupChats.insert(key)
            for member in membersOfChat[row] ?? [] { self.member(key, jid: member) }
        }
    }

    /// The chat reported for `ZWACHATSESSION.Z_PK` = `row`, or a placeholder chat (one per missing
    /// row) so messages naming a chat the database does not hold are kept.
    func chatKey(row: Int64?, record: String) -> String {
        if let row, let key = keyByRow[row] { return key }
        let slot = row ?? Int64.min
        if let key = keyByRow[slot] { return key }
        problems.add("missing-chat", "messages name a chat row ZWACHATSESSION does not hold; kept under a placeholder chat", at: record)
        let key = "chat\(chatCount)"
        chatCount += 1
        let label = row.map { "chat row \($0)" } ?? "no chat row"
        emit(.chat(ChatInfo(chatKey: key, platform: .whatsapp, format: .whatsAppIOSDB, location: SourceLocation(record: record),
                            notes: ["messages name \(label), which ZWACHATSESSION does not hold"], owner: group.owner)))
        keyByRow[slot] = key
        return key
    }

    func isGroup(_ chatKey: String) -> Bool { groupChats.contains(chatKey) }
    func jid(ofChat chatKey: String) -> String? { jidOfChat[chatKey] }

    /// Reports the participant `jid` of `chatKey` once.
    func member(_ chatKey: String, jid: String) {
        guard reported.insert("\(chatKey)\u{0}\(jid)").inserted else { return }
        emit(.participant(ParticipantInfo(chatKey: chatKey, displayName: names.name(of: jid), nativeID: jid)))
    }

    /// Reports the device owner as a participant of `chatKey` once (the side of `ZISFROMME = 1`).
    func owner(_ chatKey: String) {
        guard reported.insert("\(chatKey)\u{0}\u{1}owner").inserted else { return }
        emit(.participant(ParticipantInfo(chatKey: chatKey, displayName: nil, nativeID: nil, isDeviceOwner: true)))
    }

    /// Reports a message with the next sequence number.
    func message(_ record: MessageRecord) {
        var m = record
        m.sequence = sequence
        sequence += 1
        emit(.message(m))
    }

    /// Runs `sql` and hands each row to `body`. An SQLite error mid-way (a corrupt page, the time
    /// limit) ends this table's read with one warning; rows read before are kept.
    func readRows(_ db: AppDatabase, sql: String, what: String, _ body: (Row) -> Void) {
        do {
            try db.read { database in
                let cursor = try Row.fetchCursor(database, sql: sql)
                while let row = try cursor.next() { body(row) }
            }
        } catch {
            problems.add("read-interrupted", "reading \(what) stopped: \(error); rows read before are kept", at: what)
        }
    }

    func text(_ row: Row, _ i: Int, at record: @autoclosure () -> String) -> String? {
        let v = Cell.text(row, i)
        if v.wrong { wrongType(at: record()) }
        return v.value
    }

    func int(_ row: Row, _ i: Int, at record: @autoclosure () -> String) -> Int64? {
        let v = Cell.int(row, i)
        if v.wrong { wrongType(at: record()) }
        return v.value
    }

    func double(_ row: Row, _ i: Int, at record: @autoclosure () -> String) -> Double? {
        let v = Cell.double(row, i)
        if v.wrong { wrongType(at: record()) }
        return v.value
    }

    func time(_ row: Row, _ i: Int, at record: @autoclosure () -> String) -> TimeValue? {
        let v = Cell.coreDataTime(row, i)
        if v.wrong {
            problems.add("bad-timestamp", "a time column holds text or a BLOB instead of Core Data seconds; the time is left empty", at: record())
        }
        if v.outOfRange {
            problems.add("time-out-of-range", "a time is not plausible as Core Data seconds; the raw value is kept without an instant", at: record())
        }
        return v.value
    }

    private func wrongType(at record: String) {
        problems.add("wrong-column-type", "values of an unexpected storage type (e.g. text in an integer column) were not used", at: record)
    }

    /// The chat type from the JID's server: `private`, `group`, `broadcast`, `status`, `newsletter`,
    /// or the server name itself.
    static func chatType(of jid: String) -> String {
        guard let at = jid.lastIndex(of: "@") else { return "unknown" }
        let server = jid[jid.index(after: at)...]
        switch server {
        case "s.whatsapp.net", "c.us", "lid": return "private"
        case "g.us": return "group"
        case "broadcast": return jid.hasPrefix("status@") ? "status" : "broadcast"
        case "newsletter": return "newsletter"
        default: return String(server)
        }
    }
}
