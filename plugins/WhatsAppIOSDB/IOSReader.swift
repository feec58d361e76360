import AppDatabaseKit
import ExhibitKit
import GRDB

/// The columns of the one query that reads `ZWAMESSAGE` with its media item, in SELECT order.
private enum Col: Int, CaseIterable {
    case pk, chatRow, fromMe, type, eventType, status, starred, memberRow, date, fromJID, stanza, text
    case mediaPresent, localPath, fileSize, title, mime, latitude, longitude, duration
}

/// Reads the tables of ChatStorage.sqlite through the session, by the columns present.
struct IOSReader {
    let db: AppDatabase
    let session: IOSSession

    /// Loads `ZWAGROUPMEMBER`: member JIDs by row and by chat, non-empty contact names.
    func readMembers(names: inout NameBook) {
        guard let cols = db.columns(of: "ZWAGROUPMEMBER") else { return }
        let p = Picker(alias: "g", columns: cols)
        let sql = "SELECT g.rowid, \(p("Z_PK")), \(p("ZCHATSESSION")), \(p("ZMEMBERJID")), \(p("ZCONTACTNAME")) FROM ZWAGROUPMEMBER g ORDER BY g.rowid"
        let s = session
        s.readRows(db, sql: sql, what: "ZWAGROUPMEMBER") { row in
            let record = "ZWAGROUPMEMBER rowid \(Cell.int(row, 0).value ?? 0)"
            let pk = s.int(row, 1, at: record) ?? Cell.int(row, 0).value ?? 0
            guard let jid = s.text(row, 3, at: record), !jid.isEmpty else {
                s.problems.add("member-without-jid", "group members without a ZMEMBERJID are left out", at: record)
                return
            }
            s.memberJID[pk] = jid
            if let chat = s.int(row, 2, at: record) { s.membersOfChat[chat, default: []].append(jid) }
            names.addMemberName(s.text(row, 4, at: record), jid: jid)
        }
    }

    /// Reports every `ZWACHATSESSION` row in row order (groups with their members).
    func readChats() {
        guard let cols = db.columns(of: "ZWACHATSESSION") else { return }
        let p = Picker(alias: "c", columns: cols)
        let pk = p.has("Z_PK") ? "c.Z_PK" : "c.rowid"
        let sql = "SELECT c.rowid, \(pk), \(p("ZCONTACTJID")), \(p("ZPARTNERNAME")), \(p("ZSESSIONTYPE")), \(p("ZREMOVED")) FROM ZWACHATSESSION c ORDER BY c.rowid"
        let s = session
        s.readRows(db, sql: sql, what: "ZWACHATSESSION") { row in
            let record = "ZWACHATSESSION rowid \(Cell.int(row, 0).value ?? 0)"
            guard let id = s.int(row, 1, at: record) else { return }
            s.chat(row: id, jid: s.text(row, 2, at: record).flatMap { $0.isEmpty ? nil : $0 }, title: s.text(row, 3, at: record),
                   sessionType: s.int(row, 4, at: record), removed: (s.int(row, 5, at: record) ?? 0) != 0, record: record)
        }
    }

    /// Reads every `ZWAMESSAGE` row in `Z_PK` order through one cursor and reports it. `seen`
    /// collects the identity of each message whose stanza id is in `watch` (the recovered rows'
    /// ids), so a recovered copy of a live message is not repeated.
    func readMessages(watch: Set<String> = [], seen: inout Set<MessageIdentity>) {
        guard let mcols = db.columns(of: "ZWAMESSAGE") else { return }
        session.readRows(db, sql: messageQuery(columns: mcols, from: "ZWAMESSAGE m", mediaItems: true), what: "ZWAMESSAGE") { row in
            let record = message(row)
            if let id = record.nativeID, watch.contains(id) { seen.insert(MessageIdentity(record)) }
            session.message(record)
        }
    }

    /// The one SELECT of ``Col`` over `from` — `ZWAMESSAGE`, or a recovered row standing in for
    /// it (``RecoveredTable/cte(named:)``), both under the alias `m` — with the media item when
    /// `mediaItems` (for recovered rows only in a Core Data store, whose Z_PK values are never
    /// reused: see IOSRecovered.swift).
    func messageQuery(columns mcols: Set<String>, from: String, mediaItems: Bool) -> String {
        let m = Picker(alias: "m", columns: mcols)
        var expr: [Col: String] = [
            .pk: m.has("Z_PK") ? "m.Z_PK" : "m.rowid", .chatRow: m("ZCHATSESSION"), .fromMe: m("ZISFROMME"),
            .type: m("ZMESSAGETYPE"), .eventType: m("ZGROUPEVENTTYPE"), .status: m("ZMESSAGESTATUS"), .starred: m("ZSTARRED"),
            .memberRow: m("ZGROUPMEMBER"), .date: m("ZMESSAGEDATE"), .fromJID: m("ZFROMJID"), .stanza: m("ZSTANZAID"),
            .text: m("ZTEXT"),
        ]
        var join = ""
        if mediaItems, let icols = db.columns(of: "ZWAMEDIAITEM") {
            let i = Picker(alias: "i", columns: icols)
            // The message names its item (ZMEDIAITEM); older stores only have the item name its
            // message. At most one item per message (the first by rowid), so a damaged table with
            // repeated keys cannot repeat a message.
            if m.has("ZMEDIAITEM"), i.has("Z_PK") {
                join = "LEFT JOIN ZWAMEDIAITEM i ON i.rowid = (SELECT MIN(x.rowid) FROM ZWAMEDIAITEM x WHERE x.Z_PK = m.ZMEDIAITEM)"
            } else if i.has("ZMESSAGE") {
                join = "LEFT JOIN ZWAMEDIAITEM i ON i.rowid = (SELECT MIN(x.rowid) FROM ZWAMEDIAITEM x WHERE x.ZMESSAGE = \(expr[.pk] ?? "m.rowid"))"
            }
            if !join.isEmpty {
                expr[.mediaPresent] = "i.rowid IS NOT NULL"
                expr[.localPath] = i("ZMEDIALOCALPATH"); expr[.fileSize] = i("ZFILESIZE"); expr[.title] = i("ZTITLE")
                expr[.mime] = i("ZVCARDSTRING"); expr[.latitude] = i("ZLATITUDE"); expr[.longitude] = i("ZLONGITUDE")
                expr[.duration] = i("ZMOVIEDURATION")
            }
        }
        let select = Col.allCases.map { expr[$0] ?? "NULL" }.joined(separator: ", ")
        let order = m.has("Z_PK") ? "m.Z_PK, m.rowid" : "m.rowid"
        return "SELECT \(select) FROM \(from) \(join) ORDER BY \(order)"
    }

    /// One `ZWAMESSAGE` row as a record (participant and placeholder chat reported on the way).
    func message(_ row: Row) -> MessageRecord {
        let s = session
        let pk = Cell.int(row, Col.pk.rawValue).value ?? 0
        let record = "ZWAMESSAGE Z_PK \(pk)"
        func t(_ c: Col) -> String? { s.text(row, c.rawValue, at: record) }
        func i(_ c: Col) -> Int64? { s.int(row, c.rawValue, at: record) }

        let chatKey = s.chatKey(row: i(.chatRow), record: record)
        let fromMe = (i(.fromMe) ?? 0) != 0
        let type = i(.type)
        let isSystem = type == 6 || type == 10
        let memberJID: String? = i(.memberRow).flatMap { row in
            let jid = s.memberJID[row]
            if jid == nil { s.problems.add("missing-member", "messages name a ZWAGROUPMEMBER row the table does not hold", at: record) }
            return jid
        }
        let fromJID = t(.fromJID).flatMap { $0.isEmpty ? nil : $0 }
        var senderID: String?
        if !fromMe {
            if s.isGroup(chatKey) {
                senderID = memberJID ?? fromJID.flatMap { IOSSession.chatType(of: $0) == "group" ? nil : $0 }
            } else {
                senderID = fromJID ?? s.jid(ofChat: chatKey)
            }
        }
        var msg = MessageRecord(chatKey: chatKey, sequence: 0, nativeID: t(.stanza), fromDeviceOwner: fromMe,
                                sent: s.time(row, Col.date.rawValue, at: record), location: SourceLocation(record: record))
        var extra: [String: JSONValue] = [:]
        if let type { extra["message_type"] = .number(Double(type)) }
        if let e = i(.eventType), e != 0 { extra["group_event_type"] = .number(Double(e)) }
        if let status = i(.status) { extra["status"] = .number(Double(status)) }
        if (i(.starred) ?? 0) != 0 { extra["starred"] = .bool(true) }
        if isSystem {
            msg.kind = .system
            msg.service = ServiceAction(action: type == 6 ? "group_event" : "system", actorName: memberJID.flatMap(s.names.name(of:)),
                                        actorNativeID: memberJID,
                                        details: i(.eventType).map { .object(["group_event_type": .number(Double($0))]) })
        } else if fromMe {
            s.owner(chatKey)
        } else if let senderID {
            s.member(chatKey, jid: senderID)
            msg.senderNativeID = senderID
            msg.senderName = s.names.name(of: senderID)
        } else {
            s.problems.add("unknown-sender", "incoming messages whose sender cannot be told (no member row in a group)", at: record)
        }
        let hasMedia = (Cell.int(row, Col.mediaPresent.rawValue).value ?? 0) != 0
        let title = t(.title).flatMap { $0.isEmpty ? nil : $0 }
        msg.text = t(.text) ?? ""
        if type == 14 { msg.deleted = true }
        if type == 5 {
            // Coordinates mean a place only for a location message; image rows carry other values there.
            var loc: [String: JSONValue] = [:]
            if let lat = s.double(row, Col.latitude.rawValue, at: record) { loc["latitude"] = .number(lat) }
            if let lon = s.double(row, Col.longitude.rawValue, at: record) { loc["longitude"] = .number(lon) }
            if let title { loc["title"] = .string(title) }
            if !loc.isEmpty { extra["location"] = .object(loc) }
        } else if hasMedia, let kind = Self.kind(type: type) {
            if msg.text.isEmpty, let title { msg.text = title }
            msg.attachments = [attachment(row, kind: kind, record: record)]
        }
        msg.extra = extra.isEmpty ? nil : .object(extra)
        return msg
    }

    private func attachment(_ row: Row, kind: AttachmentKind, record: String) -> AttachmentRef {
        let s = session
        let path = s.text(row, Col.localPath.rawValue, at: record).flatMap { $0.isEmpty ? nil : $0 }
        let mime = s.text(row, Col.mime.rawValue, at: record).flatMap { $0.contains("/") && !$0.contains("\n") ? $0 : nil }
        let duration = s.int(row, Col.duration.rawValue, at: record).flatMap { $0 > 0 ? Double($0) : nil }
        return AttachmentRef(
            reference: path, resolvedPath: nil, kind: kind, mimeType: mime, size: s.int(row, Col.fileSize.rawValue, at: record),
            durationSeconds: duration,
            missingReason: path == nil ? "the database names no local file (not downloaded, or removed)" : nil,
            devicePaths: path.map(s.group.devicePaths(forLocalPath:)) ?? [])
    }

    /// `ZMESSAGETYPE` to an attachment kind for the types that carry a file: 1 image, 2 video,
    /// 3 audio, 8 document, 11 GIF, 15 sticker. Other types (text, contact card, location,
    /// system, deleted) carry none.
    static func kind(type: Int64?) -> AttachmentKind? {
        switch type {
        case 1: return .photo
        case 2: return .video
        case 3: return .audio
        case 8: return .file
        case 11: return .animation
        case 15: return .sticker
        default: return nil
        }
    }
}
