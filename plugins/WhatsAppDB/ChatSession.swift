import AppDatabaseKit
import ExhibitKit
import Foundation

/// The state of one database's read: which chats and participants were already reported, the
/// running message sequence, the problem counters. Both schema readers report through it, so a
/// transitional database (both schemas) yields one chat per JID and one sequence.
///
/// Order of findings (the linking rule of ChatFindings.swift): a chat before anything naming it,
/// a participant before the first message it sent.
final class ChatSession {
    private let emit: (Finding) -> Void
    let device: DeviceContext
    let contacts: ContactBook
    var problems = ProblemTally()
    /// Messages reported so far (the next ``MessageRecord/sequence``).
    private(set) var sequence = 0
    private var chatCount = 0
    private var keyByJID: [String: String] = [:]
    private var keyByChatRow: [Int64: String] = [:]
    private var groupChats: Set<String> = []
    private var jidOfChat: [String: String] = [:]
    private var reported: Set<String> = []

    init(device: DeviceContext, contacts: ContactBook, emit: @escaping (Finding) -> Void) {
        self.device = device; self.contacts = contacts; self.emit = emit
    }

    /// The chat for `jid` (reported now if new). `chatRow` is the current schema's `chat._id`, so
    /// messages can find it by row; `title` wins over the contact name when given.
    @discardableResult
    func chat(jid: String?, chatRow: Int64? = nil, subject: String? = nil, record: String,
              notes: [String] = [], created: TimeValue? = nil) -> String {
        if let jid, let key = keyByJID[jid] {
            if let chatRow, keyByChatRow[chatRow] == nil { keyByChatRow[chatRow] = key }
            return key
        }
        let key = "chat\(chatCount)"
        chatCount += 1
        let kind = jid.map(Self.chatType(of:))
        let title = subject ?? jid.flatMap { contacts.name(of: $0) }
        var notes = notes
        if let created, let utc = created.utcString { notes.append("created \(utc) (raw \(created.raw))") }
        emit(.chat(ChatInfo(chatKey: key, platform: .whatsapp, format: .whatsAppAndroidDB, nativeID: jid, title: title,
                            chatType: kind, location: SourceLocation(record: record), notes: notes, owner: device.owner)))
        if let jid { keyByJID[jid] = key; jidOfChat[key] = jid }
        if let chatRow { keyByChatRow[chatRow] = key }
        if kind == "group" { groupChats.insert(key) }
        return key
    }

    /// The chat reported for `chat._id` = `row`, if any.
    func chatKey(row: Int64) -> String? { keyByChatRow[row] }

    /// The chat reported for `jid`, if any.
    func chatKey(jid: String) -> String? { keyByJID[jid] }

    /// A chat the messages name but the chat tables do not hold: one placeholder per missing row
    /// (or one for rows naming no chat at all), so the messages are kept.
    func placeholderChat(row: Int64?, record: String) -> String {
        if let row, let key = keyByChatRow[row] { return key }
        let label = row.map { "chat row \($0)" } ?? "no chat row"
        let jidKey = "\u{0}placeholder:\(label)"
        if let key = keyByJID[jidKey] { return key }
        let key = "chat\(chatCount)"
        chatCount += 1
        emit(.chat(ChatInfo(chatKey: key, platform: .whatsapp, format: .whatsAppAndroidDB,
                            location: SourceLocation(record: record),
                            notes: ["messages name \(label), which the database's chat tables do not hold"],
                            owner: device.owner)))
        keyByJID[jidKey] = key
        if let row { keyByChatRow[row] = key }
        return key
    }

    func isGroup(_ chatKey: String) -> Bool { groupChats.contains(chatKey) }
    func jid(ofChat chatKey: String) -> String? { jidOfChat[chatKey] }

    /// Reports the participant `jid` of `chatKey` once.
    func member(_ chatKey: String, jid: String) {
        guard reported.insert("\(chatKey)\u{0}\(jid)").inserted else { return }
        emit(.participant(ParticipantInfo(chatKey: chatKey, displayName: contacts.name(of: jid), nativeID: jid)))
    }

    /// Reports the device owner as a participant of `chatKey` once. msgstore.db does not store
    /// the owner's own JID or name: the owner is the side of every `from_me = 1` row.
    func owner(_ chatKey: String) {
        guard reported.insert("\(chatKey)\u{0}\u{1}owner").inserted else { return }
        emit(.participant(ParticipantInfo(chatKey: chatKey, displayName: nil, nativeID: nil, isDeviceOwner: true)))
    }

    /// Who sent a message: the owner for `from_me`, else the row's sender JID, else (1:1 chats)
    /// the chat's own JID. Reports the participant before the message. `nil` id: unknown sender.
    func sender(chatKey: String, fromMe: Bool, senderJID: String?) -> (name: String?, id: String?) {
        if fromMe { owner(chatKey); return (nil, nil) }
        let jid = senderJID ?? (isGroup(chatKey) ? nil : jid(ofChat: chatKey))
        guard let jid else { return (nil, nil) }
        member(chatKey, jid: jid)
        return (contacts.name(of: jid), jid)
    }

    /// Reports a message with the next sequence number.
    func message(_ record: MessageRecord) {
        var m = record
        m.sequence = sequence
        sequence += 1
        emit(.message(m))
    }

    /// The chat type from the JID's server: `private`, `group`, `broadcast`, `status`, `newsletter`,
    /// or the server name itself for anything else.
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
