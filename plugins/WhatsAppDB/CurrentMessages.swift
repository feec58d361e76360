import AppDatabaseKit
import ExhibitKit
import GRDB

/// The columns of the one query that reads `message` with its side tables, in SELECT order.
private enum Col: Int, CaseIterable {
    case rowid, chatRow, fromMe, keyID, senderJID, timestamp, type, text, status, starred
    case mediaPresent, filePath, fileSize, mime, caption, mediaName, width, height, duration
    case quotedKey, quotedText
    case revokedPresent, revokedKey, revokeTime
    case editPresent, editTime
    case forwardPresent, forwardScore
    case systemPresent, actionType
    case latitude, longitude, placeName, placeAddress
}

extension CurrentSchemaReader {
    /// Reads every `message` row in rowid order (one pass, no sort) and reports it. When
    /// `keys` is given (a transitional database), each message's (chat JID, from_me, key_id)
    /// is added to it so the legacy pass can skip rows already read. `seen` collects the
    /// identity (``MessageIdentity``) of each message whose key id is in `watch`: the recovered
    /// rows' key ids, so a recovered copy of a live message is not repeated.
    func readMessages(keys: inout Set<String>?, watch: Set<String> = [], seen: inout Set<MessageIdentity>) {
        guard let mcols = db.columns(of: "message") else { return }
        let sql = messageQuery(columns: mcols, from: "message m", sideTables: true)
        session.readRows(db, sql: sql, what: "message") { row in
            if let record = message(row, keys: &keys) {
                if let id = record.nativeID, watch.contains(id) { seen.insert(MessageIdentity(record)) }
                session.message(record)
            }
        }
    }

    /// The one SELECT of ``Col`` over `from` — the `message` table, or a recovered row standing
    /// in for it (``RecoveredTable/cte(named:)``), both under the alias `m` — with the `jid`
    /// join for the sender and, when `sideTables`, the side tables keyed by `message_row_id`.
    /// For recovered rows, `sides` stands in for each side table: recovered side rows of the same
    /// bytes and, only when `message` is AUTOINCREMENT, the live side rows (RecoveredSideRows).
    func messageQuery(columns mcols: Set<String>, from: String, sideTables: Bool, sides: RecoveredSideRows? = nil) -> String {
        let m = ColumnPicker(alias: "m", columns: mcols)
        var joins: [String] = []
        var expr: [Col: String] = [:]
        let id = m.has("_id") ? "m._id" : "m.rowid"
        expr[.rowid] = "m.rowid"; expr[.chatRow] = m("chat_row_id"); expr[.fromMe] = m("from_me"); expr[.keyID] = m("key_id")
        expr[.timestamp] = m("timestamp"); expr[.type] = m("message_type"); expr[.text] = m("text_data")
        expr[.status] = m("status"); expr[.starred] = m("starred")
        if db.columns(of: "jid") != nil, m.has("sender_jid_row_id") {
            joins.append("LEFT JOIN jid sj ON sj._id = m.sender_jid_row_id")
            expr[.senderJID] = Self.jidSQL(ColumnPicker(alias: "sj", columns: db.columns(of: "jid")))
        }
        /// A side table keyed by `message_row_id`, joined when present.
        func side(_ table: String, _ alias: String) -> ColumnPicker? {
            guard sideTables, let cols = db.columns(of: table) else { return nil }
            guard cols.contains("message_row_id") else {
                session.problems.add("missing-column", "\(table) has no message_row_id column: not read", at: table)
                return nil
            }
            joins.append("LEFT JOIN \(sides?.source(table) ?? table) \(alias) ON \(alias).message_row_id = \(id)")
            return ColumnPicker(alias: alias, columns: cols)
        }
        if let mm = side("message_media", "mm") {
            expr[.mediaPresent] = "mm.message_row_id IS NOT NULL"
            expr[.filePath] = mm("file_path"); expr[.fileSize] = mm("file_size"); expr[.mime] = mm("mime_type")
            expr[.caption] = mm("media_caption"); expr[.mediaName] = mm("media_name"); expr[.width] = mm("width")
            expr[.height] = mm("height"); expr[.duration] = mm("media_duration")
        }
        if let q = side("message_quoted", "mq") { expr[.quotedKey] = q("key_id"); expr[.quotedText] = q("text_data") }
        if let r = side("message_revoked", "mr") {
            expr[.revokedPresent] = "mr.message_row_id IS NOT NULL"
            expr[.revokedKey] = r("revoked_key_id"); expr[.revokeTime] = r("revoke_timestamp")
        }
        if let e = side("message_edit_info", "me") {
            expr[.editPresent] = "me.message_row_id IS NOT NULL"; expr[.editTime] = e("edited_timestamp")
        }
        if let f = side("message_forwarded", "mf") {
            expr[.forwardPresent] = "mf.message_row_id IS NOT NULL"; expr[.forwardScore] = f("forward_score")
        }
        if let s = side("message_system", "ms") {
            expr[.systemPresent] = "ms.message_row_id IS NOT NULL"; expr[.actionType] = s("action_type")
        }
        if let l = side("message_location", "ml") {
            expr[.latitude] = l("latitude"); expr[.longitude] = l("longitude")
            expr[.placeName] = l("place_name"); expr[.placeAddress] = l("place_address")
        }
        let select = Col.allCases.map { expr[$0] ?? "NULL" }.joined(separator: ", ")
        return "SELECT \(select) FROM \(from) \(joins.joined(separator: " ")) ORDER BY m.rowid"
    }

    /// One `message` row as a record (participant and placeholder chat reported on the way).
    func message(_ row: Row, keys: inout Set<String>?) -> MessageRecord? {
        let s = session
        let rowid = SQLValue(row, Col.rowid.rawValue).int().value ?? 0
        let record = "message rowid \(rowid)"
        func t(_ c: Col) -> String? { s.text(row, c.rawValue, at: record) }
        func i(_ c: Col) -> Int64? { s.int(row, c.rawValue, at: record) }
        func present(_ c: Col) -> Bool { (SQLValue(row, c.rawValue).int().value ?? 0) != 0 }

        let chatRow = i(.chatRow)
        let chatKey = chatRow.flatMap(s.chatKey(row:)) ?? {
            s.problems.add("missing-chat", "messages name a chat row the chat table does not hold; kept under a placeholder chat", at: record)
            return s.placeholderChat(row: chatRow, record: record)
        }()
        let fromMe = (i(.fromMe) ?? 0) != 0
        let keyID = t(.keyID)
        if keyID == nil { s.problems.add("missing-key", "messages without a key_id (WhatsApp's message id)", at: record) }
        if keys != nil, let keyID, let jid = s.jid(ofChat: chatKey) {
            keys?.insert(MessageKey.make(jid: jid, fromMe: fromMe, keyID: keyID))
        }
        let type = i(.type)
        let (senderName, senderID) = s.sender(chatKey: chatKey, fromMe: fromMe, senderJID: t(.senderJID))
        if !fromMe, senderID == nil, type != 7, !present(.systemPresent) {
            s.problems.add("unknown-sender", "incoming messages whose sender cannot be told (no sender JID in a group)", at: record)
        }
        var msg = MessageRecord(chatKey: chatKey, sequence: 0, nativeID: keyID, senderName: senderName, senderNativeID: senderID,
                                fromDeviceOwner: fromMe, sent: s.time(row, Col.timestamp.rawValue, at: record),
                                location: SourceLocation(record: record))
        var extra: [String: JSONValue] = [:]
        if let type { extra["message_type"] = .number(Double(type)) }
        if let status = i(.status) { extra["status"] = .number(Double(status)) }
        if (i(.starred) ?? 0) != 0 { extra["starred"] = .bool(true) }
        msg.text = t(.text) ?? t(.caption) ?? ""
        if present(.mediaPresent) {
            msg.attachments = [attachment(row, type: type, record: record)]
        }
        if let q = t(.quotedKey) {
            msg.replyToNativeID = q
            if let qt = t(.quotedText) { extra["quoted_text"] = .string(qt) }
        }
        if present(.revokedPresent) || type == 15 {
            msg.deleted = true
            if let k = t(.revokedKey) { extra["revoked_key_id"] = .string(k) }
            if let rt = s.time(row, Col.revokeTime.rawValue, at: record) { extra["revoked_at"] = Self.json(rt) }
        }
        if present(.editPresent) {
            msg.editedMarker = true
            msg.touched = s.time(row, Col.editTime.rawValue, at: record)
        }
        if present(.forwardPresent) {
            extra["forwarded"] = .bool(true)
            if let score = i(.forwardScore) { extra["forward_score"] = .number(Double(score)) }
        }
        if present(.systemPresent) || type == 7 {
            msg.kind = .system
            var details: [String: JSONValue] = [:]
            if let a = i(.actionType) { details["action_type"] = .number(Double(a)) }
            msg.service = ServiceAction(action: "system", actorName: senderName, actorNativeID: senderID,
                                        details: details.isEmpty ? nil : .object(details))
        }
        let lat = s.double(row, Col.latitude.rawValue, at: record), lon = s.double(row, Col.longitude.rawValue, at: record)
        if lat != nil || lon != nil {
            var loc: [String: JSONValue] = [:]
            if let lat { loc["latitude"] = .number(lat) }
            if let lon { loc["longitude"] = .number(lon) }
            if let n = t(.placeName) { loc["place_name"] = .string(n) }
            if let a = t(.placeAddress) { loc["place_address"] = .string(a) }
            extra["location"] = .object(loc)
        }
        msg.extra = extra.isEmpty ? nil : .object(extra)
        return msg
    }

    private func attachment(_ row: Row, type: Int64?, record: String) -> AttachmentRef {
        let s = session
        func t(_ c: Col) -> String? { s.text(row, c.rawValue, at: record) }
        func i(_ c: Col) -> Int64? { s.int(row, c.rawValue, at: record) }
        let path = t(.filePath).flatMap { $0.isEmpty ? nil : $0 }
        let name = t(.mediaName).flatMap { $0.isEmpty ? nil : $0 }
        return AttachmentRef(
            reference: path, resolvedPath: nil, kind: MediaKind.kind(type: type, mime: t(.mime)), fileName: name,
            mimeType: t(.mime), size: i(.fileSize), width: i(.width).map { Int(clamping: $0) },
            height: i(.height).map { Int(clamping: $0) }, durationSeconds: i(.duration).map(Double.init),
            missingReason: path == nil ? "the database names no local file (not downloaded, or removed)" : nil,
            devicePaths: path.map(s.device.devicePaths(forFilePath:)) ?? [])
    }

    /// A time as an `extra` value: the raw number as found and its UTC reading.
    static func json(_ t: TimeValue) -> JSONValue {
        var o: [String: JSONValue] = ["raw": .string(t.raw)]
        if let u = t.utcString { o["utc"] = .string(u) }
        return .object(o)
    }
}

/// The identity WhatsApp gives a message — (remote JID, from_me, key id) — used to read a
/// transitional database's two message tables without duplicates.
enum MessageKey {
    static func make(jid: String, fromMe: Bool, keyID: String) -> String {
        "\(jid)\u{1}\(fromMe ? 1 : 0)\u{1}\(keyID)"
    }
}

/// `message_type` / `media_wa_type` to an attachment kind (FORMATS-mobile §2.3: 1 picture,
/// 2 audio, 3 video, 9 document, 13 GIF, 20 sticker); otherwise the MIME family decides.
enum MediaKind {
    static func kind(type: Int64?, mime: String?) -> AttachmentKind {
        switch type {
        case 1: return .photo
        case 2: return .audio
        case 3: return .video
        case 9: return .file
        case 13: return .animation
        case 20: return .sticker
        default:
            guard let mime else { return .other }
            if mime.hasPrefix("image/") { return .photo }
            if mime.hasPrefix("video/") { return .video }
            if mime.hasPrefix("audio/") { return .audio }
            return .file
        }
    }
}
