import ArgumentParser
import EvidenceStore
import ExhibitKit
import Foundation

struct MessagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "messages",
        abstract: "Print chat messages as a thread, in order.",
        discussion: """
        Messages come from chat exports (Telegram, WhatsApp, KakaoTalk, Discord, LINE) found by
        `exhibit ingest`, in the order of the export. Times are shown in the case's declared zone
        with UTC beside them (`2024-08-28 15:12:03 +09:00 (06:12:03Z)`; --tz for another zone,
        --tz UTC for UTC only), with the basis when it is not utc (offset, assumed-zone,
        unknown); --json gives sent_utc and sent_local. When one chat was exported twice (Telegram
        JSON and HTML), the copy is left out unless --copies is given. A message an app
        database no longer holds live but whose deleted row was recovered from the database's
        free space or history is printed with "[recovered deleted record #ID]" (ID: its row in
        `exhibit recovered`); --json says "recovered": true and "recovered_record_id".

        T (for --from/--to) is ISO 8601: a date (2024-08-28) or a date-time (2024-08-28T15:00,
        2024-08-28T15:00:00+09:00). Without an offset it is the case zone's wall clock (UTC when
        the case has none; --tz changes it). A date-only --to includes that whole local day.

        Examples:
          exhibit messages --db case.sqlite --chat Minji
          exhibit messages --db case.sqlite --from 2024-08-28 --to 2024-08-29 \\
              --sender 민지
          exhibit messages --db case.sqlite --chat Minji --json
          exhibit messages --db case.sqlite --recovered

        Exit codes: 0 printed (possibly nothing); 1 the database cannot be read; 2 bad option
        (an unreadable time).
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Only chats whose title contains this.") var chat: String?
    @Option(help: "Only messages sent at or after T (ISO 8601; the case zone's wall clock unless it has an offset).") var from: String?
    @Option(help: "Only messages sent up to T (a date-only T includes the whole local day).") var to: String?
    @Option(help: "Only senders whose name contains this.") var sender: String?
    @Option(help: "At most this many messages.") var limit: Int?
    @Flag(help: "Include chats that are copies of another export of the same chat.") var copies = false
    @Flag(help: "Only recovered deleted records (messages carved from an app database's free space or history).")
    var recovered = false
    @OptionGroup var zone: ZoneOption
    @Flag(help: "Print JSON.") var json = false

    func validate() throws { try TimeWindow.validate(from: from, to: to) }

    func run() throws {
        var filter = MessageFilter(chat: chat, sender: sender, includeCopies: copies, limit: limit)
        filter.recoveredOnly = recovered
        let rows: [ChatMessageRow]
        let clock: CaseTimeText
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            clock = zone.clock(db)
            let window = TimeWindow(from: from, to: to, clock: clock)
            filter.fromMicros = window.fromMicros
            filter.beforeMicros = window.beforeMicros
            rows = try db.chatMessages(filter)
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        if json { try printJSON(rows.map { MessageJSON($0, clock: clock) }); return }
        var lastChat: Int64?
        for r in rows {
            if r.chatID != lastChat {
                lastChat = r.chatID
                print(TerminalText.safe("== \(r.platform): \(TerminalText.field(r.chat) ?? "(untitled)")  [\(TerminalText.field(r.exportPath))]"))
            }
            print(TerminalText.safe(ChatText.line(r, clock: clock), keepNewlines: true))
        }
        if rows.isEmpty { FileHandle.standardError.write(Data("no messages match\n".utf8)) }
    }
}

/// Human-readable lines for chat messages, shared by `messages` and `search`.
enum ChatText {
    /// `2024-08-28 15:12:03 +09:00 (06:12:03Z)  Minji: text  [photo: photos/a.jpg sha256 ab12…]`.
    static func line(_ r: ChatMessageRow, text: String? = nil, clock: CaseTimeText) -> String {
        let time = clock.human(utc: r.sentUTC, basis: r.sentBasis, raw: r.sentRaw)
        // Evidence text is isolated (FSI … PDI when it holds right-to-left letters; each line of a
        // body on its own) so it cannot reorder the time, the marks or the next field.
        let f = { (s: String) in TerminalText.field(s) }
        let who = r.sender.map { "\(f($0)): " } ?? (r.fromDeviceOwner ? "(device owner): " : (r.kind == "system" ? "* " : ""))
        var body = TerminalText.fieldLines(text ?? r.text).replacingOccurrences(of: "\n", with: "\n      ")
        if let action = r.serviceAction {
            // A service message says what happened: the action and its fields, never an empty line.
            let details = r.serviceDetails.map { " \(f($0))" } ?? ""
            let actor = r.serviceActor.flatMap { $0 == r.sender ? nil : " by \(f($0))" } ?? ""
            let act = "[\(action)\(actor)\(details)]"
            body = body.isEmpty ? act : act + " " + body
        }
        if r.deleted { body += " (deleted)" }
        // Never mistaken for a live message: the mark leads the line, with the record to follow.
        if r.recovered {
            body = "[recovered deleted record\(r.recoveredRecordID.map { " #\($0)" } ?? "")] " + body
        }
        let media = r.attachments.map { a in
            let what = a.reference.map(f) ?? a.kind
            switch a.status {
            case "resolved": return "[\(a.kind): \(what) sha256 \(a.sha256 ?? "?")]"
            default: return "[\(a.kind): \(what) — \(a.status)\(a.missingReason.map { ": \(f($0))" } ?? "")]"
            }
        }
        return ([time + "  " + who + body] + media).joined(separator: "  ")
    }
}

/// The `--json` form of one message.
struct MessageJSON: Encodable {
    struct Attachment: Encodable {
        var kind, status: String
        var reference, missing_reason, path, sha256: String?
        init(_ a: AttachmentSummary) {
            kind = a.kind; status = a.status; reference = a.reference; missing_reason = a.missingReason
            path = a.path; sha256 = a.sha256
        }
    }
    var platform, evidence, export_path, kind, text: String
    var chat, sender, sent_utc, sent_basis, sent_raw: String?
    /// The sent time in the display zone (`2024-08-28 15:12:03 +09:00`), null without an instant or a zone.
    var sent_local: String?
    var message_id, chat_id, room_id: Int64
    var sequence: Int
    var deleted, from_device_owner: Bool
    /// A recovered deleted record (carved from the database's free space or history), and the
    /// `recovered_records` id it was read from (`exhibit recovered`); null for live messages.
    var recovered: Bool
    var recovered_record_id: Int64?
    var service_action, service_actor: String?
    /// The action's fields, as stored (a JSON object), or null.
    var service_details: String?
    var attachments: [Attachment]
    init(_ r: ChatMessageRow, clock: CaseTimeText) {
        sent_local = clock.local(utc: r.sentUTC)
        platform = r.platform; evidence = r.evidence; export_path = r.exportPath; kind = r.kind; text = r.text
        chat = r.chat; sender = r.sender; sent_utc = r.sentUTC; sent_basis = r.sentBasis; sent_raw = r.sentRaw
        message_id = r.messageID; chat_id = r.chatID; room_id = r.roomID; sequence = r.sequence; deleted = r.deleted
        attachments = r.attachments.map(Attachment.init)
        from_device_owner = r.fromDeviceOwner; service_action = r.serviceAction; service_actor = r.serviceActor
        service_details = r.serviceDetails
        recovered = r.recovered; recovered_record_id = r.recoveredRecordID
    }
}
