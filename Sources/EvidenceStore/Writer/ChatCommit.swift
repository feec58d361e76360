import ExhibitKit
import Foundation
import GRDB

/// Writes one file's chat findings (chats, participants, messages, attachments and their search
/// rows) inside the file's commit transaction.
///
/// Chat keys are scoped per file: the analyzer names a chat by a key unique within the file, and
/// this writer maps it to the `chats` row made for it in the same outcome. Findings arrive in
/// the order the analyzer guarantees (a chat before its participants and messages); a finding
/// breaking that order is a broken analyzer: it is not stored loosely but reported back, and the
/// file's commit records it as an analysis error (the rest of the file is kept).
struct ChatRowWriter {
    private let db: Database
    private let insertChat: Statement
    private let insertParticipant: Statement
    private let insertMessage: Statement
    private let insertAttachment: Statement
    private let insertFTS: Statement
    private let insertBigrams: Statement
    private let encoder: JSONEncoder
    /// Links the file's recovered messages to their `recovered_records` rows (``finish(fileID:)``).
    let recoveredRecords: RecoveryRowWriter
    /// Reused for every message's bigram document (no per-token allocation).
    private var bigrams = BigramBuilder()
    /// Reused for every message's column values.
    private var messageValues: [DatabaseValue] = []
    /// The JSON texts of recent `extra` / `service_details` values (runs of equal values).
    private var jsonMemo = StoredJSONMemo()

    /// Per-outcome state: chat key → (row id, NFC title); participant identity → row id.
    private var chats: [String: (id: Int64, titleNFC: String?)] = [:]
    private var participants: [String: Int64] = [:]
    private var participantOrdinal = 0
    /// Recovered messages of the open file waiting for their `recovered_records` link, which is
    /// made when the file's findings are all written (``RecoveryRowWriter/link(_:fileID:)``):
    /// the recovery analyzer's rows may arrive after the app analyzer's messages.
    private(set) var pendingRecovered: [PendingRecoveredMessage] = []

    private static func timeNames(_ prefix: String) -> [String] { TimeColumns.names(prefix: prefix + "_") }

    private static let chatColumns = [
        "file_id", "analyzer_id", "analyzer_version", "location", "chat_key", "platform", "format", "native_id", "title",
        "title_nfc", "chat_type", "left_chat", "exporting_user", "date_order", "date_order_proven", "date_order_reason",
        "clock", "language", "part", "guild_name", "guild_id", "category", "notes",
    ] + timeNames("exported") + ["owner"]
    private static let messageColumns = [
        "chat_id", "file_id", "analyzer_id", "analyzer_version", "location", "sequence", "native_id", "kind",
        "participant_id", "sender_name", "sender_nfc", "sender_native_id", "from_device_owner",
    ] + timeNames("sent") + timeNames("touched") + [
        "text", "text_nfc", "entities", "reply_to_native_id", "reply_to_chat_native_id", "forwarded_from",
        "forwarded_from_native_id", "saved_from", "via_bot", "author_signature", "reactions", "service_action",
        "service_actor", "service_actor_native_id", "service_details", "edited_marker", "deleted", "poll", "extra",
        "recovered",
    ]
    private static let attachmentColumns = [
        "message_id", "file_id", "analyzer_id", "analyzer_version", "location", "ordinal", "reference", "resolved_path",
        "kind", "file_name", "mime_type", "declared_size", "width", "height", "duration_seconds", "thumbnail",
        "thumbnail_resolved_path", "status", "missing_reason", "device_paths", "app_sha1",
    ]

    private static func insertSQL(_ table: String, _ columns: [String]) -> String {
        "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
    }

    init(_ db: Database) throws {
        self.db = db
        insertChat = try db.cachedStatement(sql: Self.insertSQL("chats", Self.chatColumns))
        insertParticipant = try db.cachedStatement(sql: Self.insertSQL("participants", [
            "chat_id", "file_id", "analyzer_id", "analyzer_version", "ordinal", "display_name", "display_name_nfc",
            "native_id", "is_device_owner",
        ]))
        insertMessage = try db.cachedStatement(sql: Self.insertSQL("messages", Self.messageColumns))
        insertAttachment = try db.cachedStatement(sql: Self.insertSQL("attachments", Self.attachmentColumns))
        insertFTS = try db.cachedStatement(sql: "INSERT INTO chat_fts (rowid, text, sender, chat) VALUES (?, ?, ?, ?)")
        insertBigrams = try db.cachedStatement(sql: "INSERT INTO chat_bigrams (rowid, grams) VALUES (?, ?)")
        recoveredRecords = try RecoveryRowWriter(db)
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// Starts a new file: chat keys of the previous file no longer apply.
    mutating func beginFile() {
        chats.removeAll(keepingCapacity: true)
        participants.removeAll(keepingCapacity: true)
        participantOrdinal = 0
        pendingRecovered.removeAll(keepingCapacity: true)
    }

    /// Removes everything an earlier commit of `fileID` stored (a redo replaces a file's rows),
    /// search rows first: the indexes are not linked to the tables by triggers.
    func deleteFile(_ fileID: Int64) throws {
        let has = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM chats WHERE file_id = ?)", arguments: [fileID]) ?? false
        guard has else { return }
        try Self.deleteSearchRows(db, whereSQL: "m.file_id = ?", arguments: [fileID])
        try db.execute(sql: "UPDATE chats SET copy_of = NULL WHERE copy_of IN (SELECT id FROM chats WHERE file_id = ?)",
                       arguments: [fileID])
        try db.execute(sql: "DELETE FROM chats WHERE file_id = ?", arguments: [fileID])
    }

    /// Deletes the search rows of the messages selected by `whereSQL` (over `messages m`). The
    /// trigram index is told the old values from its source view; the contentless bigram index
    /// is told the same bigrams it was given, recomputed from the stored text.
    static func deleteSearchRows(_ db: Database, whereSQL: String, arguments: StatementArguments) throws {
        try db.execute(sql: """
            INSERT INTO chat_fts (chat_fts, rowid, text, sender, chat)
            SELECT 'delete', s.message_id, s.text, s.sender, s.chat FROM chat_search_source s
            WHERE s.message_id IN (SELECT m.id FROM messages m WHERE \(whereSQL))
            """, arguments: arguments)
        let rows = try Row.fetchAll(db, sql: """
            SELECT s.message_id, s.text, s.sender, s.chat FROM chat_search_source s
            WHERE s.message_id IN (SELECT m.id FROM messages m WHERE \(whereSQL))
            """, arguments: arguments)
        let delete = try db.cachedStatement(sql: "INSERT INTO chat_bigrams (chat_bigrams, rowid, grams) VALUES ('delete', ?, ?)")
        for row in rows {
            let id: Int64 = try row.decode(forColumn: "message_id")
            let texts = [try row.decode(String?.self, forColumn: "text"), try row.decode(String?.self, forColumn: "sender"),
                         try row.decode(String?.self, forColumn: "chat")].compactMap { $0 }
            try delete.execute(arguments: [id, SearchText.bigrams(texts)])
        }
    }

    private func json<T: Encodable>(_ value: T?) -> String? {
        guard let value else { return nil }
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Stores one chat finding. Returns a problem sentence (and stores nothing) when the finding
    /// names a chat not reported before it in this file, or repeats a chat key.
    mutating func write(_ finding: Finding, fileID: Int64, analyzerID: String, analyzerVersion: String) throws -> String? {
        switch finding {
        case .chat(let c):
            guard chats[c.chatKey] == nil else { return "chat key \(c.chatKey) reported twice in one file" }
            let titleNFC = c.title.map(SearchText.nfc)
            let values: [(any DatabaseValueConvertible)?] = [
                fileID, analyzerID, analyzerVersion, FileRowWriter.locationText(c.location), c.chatKey,
                PluginPlatformName.stored(c), c.format.rawValue, c.nativeID, c.title, titleNFC, c.chatType, c.left ? 1 : 0,
                c.exportingUserPlaceholder, c.dateOrder?.order.rawValue, c.dateOrder.map { $0.proven ? 1 : 0 },
                c.dateOrder?.reason, c.clock?.rawValue, c.language, c.part, c.guildName, c.guildID, c.category,
                c.notes.isEmpty ? nil : json(c.notes),
            ] + TimeColumns.values(c.exportedAt) + [c.owner]
            try insertChat.execute(arguments: StatementArguments(values))
            chats[c.chatKey] = (db.lastInsertedRowID, titleNFC)
            return nil
        case .participant(let p):
            guard let chat = chats[p.chatKey] else { return Self.unknownChat(p.chatKey) }
            // A device owner the source names by neither name nor id (app databases do not store
            // the owner's own name) is kept apart from an unknown sender with no name or id.
            let anonymousOwner = p.isDeviceOwner && p.displayName == nil && p.nativeID == nil
            let key = anonymousOwner ? Self.ownerKey(chat: p.chatKey)
                : Self.participantKey(chat: p.chatKey, name: p.displayName, nativeID: p.nativeID)
            guard participants[key] == nil else { return nil }
            try insertParticipant.execute(arguments: [
                chat.id, fileID, analyzerID, analyzerVersion, participantOrdinal, p.displayName,
                p.displayName.map(SearchText.nfc), p.nativeID, p.isDeviceOwner ? 1 : 0,
            ])
            participantOrdinal += 1
            participants[key] = db.lastInsertedRowID
        case .message(let m):
            guard let chat = chats[m.chatKey] else { return Self.unknownChat(m.chatKey) }
            try writeMessage(m, chat: chat, fileID: fileID, analyzerID: analyzerID, analyzerVersion: analyzerVersion)
        default:
            break
        }
        return nil
    }

    private static func unknownChat(_ key: String) -> String {
        "a finding names chat key \(key), which no chat finding before it in this file reported; not stored"
    }

    /// The key of a device owner reported with neither name nor id.
    private static func ownerKey(chat: String) -> String { "\(chat)\u{0}o" }

    /// The identity the analyzer reports participants by: native id, else display name.
    private static func participantKey(chat: String, name: String?, nativeID: String?) -> String {
        if let nativeID { return "\(chat)\u{0}i\(nativeID)" }
        return "\(chat)\u{0}n\(name ?? "")"
    }

    private mutating func writeMessage(_ m: MessageRecord, chat: (id: Int64, titleNFC: String?), fileID: Int64,
                                       analyzerID: String, analyzerVersion: String) throws {
        let participant = m.kind == .system && m.senderName == nil && m.senderNativeID == nil ? nil
            : participants[Self.participantKey(chat: m.chatKey, name: m.senderName, nativeID: m.senderNativeID)]
                ?? (m.fromDeviceOwner ? participants[Self.ownerKey(chat: m.chatKey)] : nil)
        let senderNFC = m.senderName.map(SearchText.nfc)
        let textNFC = SearchText.nfcIfDifferent(m.text)
        let location = FileRowWriter.locationText(m.location)
        var details: String? = nil, extra: String? = nil
        if let d = m.service?.details { details = jsonMemo.text(d) }
        if let e = m.extra { extra = jsonMemo.text(e) }
        // Typed values into a reused buffer, bound without validation: the statement's column
        // list is built from the same `messageColumns` (tested by every chat suite). An array of
        // existentials cost a dynamic cast per value, 60 per message.
        // Taken out of the stored property so the buffer stays uniquely referenced (no copy).
        var v: [DatabaseValue] = []
        swap(&v, &messageValues)
        v.removeAll(keepingCapacity: true)
        v.append(chat.id.databaseValue); v.append(fileID.databaseValue); v.append(analyzerID.databaseValue)
        v.append(analyzerVersion.databaseValue); v.append(location.dbValue); v.append(m.sequence.databaseValue)
        v.append(m.nativeID.dbValue); v.append(m.kind.rawValue.databaseValue); v.append(participant.dbValue)
        v.append(m.senderName.dbValue); v.append(senderNFC.dbValue); v.append(m.senderNativeID.dbValue)
        v.append((m.fromDeviceOwner ? 1 : 0).databaseValue)
        TimeColumns.append(m.sent, to: &v)
        TimeColumns.append(m.touched, to: &v)
        v.append(m.text.databaseValue); v.append(textNFC.dbValue)
        v.append((m.entities.isEmpty ? nil : json(m.entities)).dbValue)
        v.append(m.replyToNativeID.dbValue); v.append(m.replyToChatNativeID.dbValue); v.append(m.forwardedFrom.dbValue)
        v.append(m.forwardedFromNativeID.dbValue); v.append(m.savedFrom.dbValue); v.append(m.viaBot.dbValue)
        v.append(m.authorSignature.dbValue); v.append((m.reactions.isEmpty ? nil : json(m.reactions)).dbValue)
        v.append((m.service?.action).dbValue); v.append((m.service?.actorName).dbValue)
        v.append((m.service?.actorNativeID).dbValue)
        v.append(details.dbValue)
        v.append((m.editedMarker ? 1 : 0).databaseValue); v.append((m.deleted ? 1 : 0).databaseValue)
        v.append(json(m.poll).dbValue); v.append(extra.dbValue)
        v.append((m.recovered == nil ? 0 : 1).databaseValue)
        defer { messageValues = v }
        try insertMessage.execute(binding: v)
        let messageID = db.lastInsertedRowID
        if let r = m.recovered {
            pendingRecovered.append(PendingRecoveredMessage(messageID: messageID, record: r, analyzerID: analyzerID,
                                                            analyzerVersion: analyzerVersion))
        }
        // `nfcIfDifferent` returned nil: the text is NFC already (no second normalization).
        let searchText = textNFC ?? m.text
        try insertFTS.execute(binding: [messageID.databaseValue, searchText.databaseValue, senderNFC.dbValue,
                                        chat.titleNFC.dbValue])
        try insertBigrams.execute(binding: [messageID.databaseValue,
                                            bigrams.document([searchText, senderNFC, chat.titleNFC]).databaseValue])
        for (ordinal, a) in m.attachments.enumerated() {
            let (status, reason) = Self.initialStatus(a)
            try insertAttachment.execute(arguments: [
                messageID, fileID, analyzerID, analyzerVersion, location, ordinal, a.reference, a.resolvedPath,
                a.kind.rawValue, a.fileName, a.mimeType, a.size, a.width, a.height, a.durationSeconds, a.thumbnail,
                a.thumbnailResolvedPath, status, reason, a.devicePaths.isEmpty ? nil : json(a.devicePaths),
                a.sha1.map { $0.lowercased() },
            ])
        }
    }

    /// Status before resolution: what the export itself says is missing is `missing` with its
    /// reason; a URL is `remote`; anything naming a file waits (`pending`) for the end of intake.
    static func initialStatus(_ a: AttachmentRef) -> (String, String?) {
        if let reason = a.missingReason { return ("missing", reason) }
        if a.resolvedPath != nil || !a.devicePaths.isEmpty || a.sha1 != nil { return ("pending", nil) }
        if let r = a.reference, r.contains("://") { return ("remote", "not included in export (a link to \(r))") }
        return ("missing", "not included in export")
    }
}

extension Optional where Wrapped: DatabaseValueConvertible {
    /// The value, or SQL NULL — typed, so binding it needs no dynamic cast.
    var dbValue: DatabaseValue { self?.databaseValue ?? .null }
}

/// A plugin's own platform name (`signal`, `line-works`): ExhibitKit's `ChatPlatform` is a closed
/// set, so a chat from a plugin naming another platform is `.other` with the name in a note of a
/// fixed form; the store writes that name to `chats.platform`, so `messages`, the summary and the
/// report show it instead of `other` (issue 15, item 19).
public enum PluginPlatformName {
    /// The note a plugin chat carries (ExhibitKit, ChatWire.swift): this prefix, then the name as the plugin reported it.
    public static let notePrefix = ChatInfo.pluginPlatformNotePrefix

    /// A name that can stand in `chats.platform`: lower-case letters, digits, `.`, `_`, `-`, at
    /// most 32, starting with a letter.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.unicodeScalars.count <= 32 else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
    }

    /// The value written to `chats.platform` for `chat`.
    static func stored(_ chat: ChatInfo) -> String {
        guard chat.platform == .other, chat.format == .plugin,
              let note = chat.notes.first(where: { $0.hasPrefix(notePrefix) }) else { return chat.platform.rawValue }
        let name = String(note.dropFirst(notePrefix.count))
        return isValid(name) ? name : chat.platform.rawValue
    }
}
