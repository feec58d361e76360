import ExhibitKit
import Foundation
import GRDB

/// A chat account as CASE writes it: one per platform and identity (native id, else the NFC
/// display name).
public struct ChatAccountRow: Sendable, Hashable {
    /// Platform, identity, the smallest display name seen, whether it is the device owner (1/0).
    public var platform: String?, identifier: String?, displayName: String?, isDeviceOwner: Int64?
}

/// A message as CASE writes it, with where it came from and, for a recovered deleted record,
/// where in the database file it was found.
public struct MessageRecordRow: Sendable, Hashable {
    /// `messages.id`.
    public var id: Int64
    /// The export file's evidence label and entry key, and the message's sequence in it.
    public var evidenceLabel: String?, entryKey: String?, sequence: Int64?
    /// Native id, platform, the sender's identity (as ``ChatAccountRow/identifier``), text.
    public var nativeID: String?, platform: String?, senderIdentifier: String?, text: String?
    /// Sent instant (µs, UTC), raw value, basis and note.
    public var sentMicros: Int64?, sentRaw: String?, sentBasis: String?, sentNote: String?
    /// Message kind, chat title, export file path, service action.
    public var kind: String?, chatTitle: String?, exportPath: String?, serviceAction: String?
    /// 1 for a recovered deleted record; then its source, page, cell offset and WAL frame.
    public var recovered: Int64?, recoverySource: String?, recoveryPage: Int64?, recoveryCellOffset: Int64?, recoveryWALFrame: Int64?
}

/// An attachment resolved to an inventory file: its ordinal and the file's evidence label and key.
public struct LinkedAttachmentRow: Sendable, Hashable {
    /// `attachments.ordinal`, the linked file's evidence label and entry key.
    public var ordinal: Int64?, evidenceLabel: String?, entryKey: String?
}

/// The stable key of a message: its export file (evidence label, entry key) and sequence.
public struct MessageKeyRow: Sendable, Hashable {
    /// Evidence label, entry key, sequence.
    public var evidenceLabel: String?, entryKey: String?, sequence: Int64?
}

/// A chat as the transcripts head it, with its message count in the window.
public struct TranscriptChatRow: Sendable, Hashable {
    /// `chats.id`.
    public var id: Int64
    /// Platform, export format, title, chat type, the exporting user's name.
    public var platform: String?, format: String?, title: String?, chatType: String?, exportingUser: String?
    /// Date order, whether it was proven (1/0) and why.
    public var dateOrder: String?, dateOrderProven: Int64?, dateOrderReason: String?
    /// Notes, and the chat row this one is a copy of.
    public var notes: String?, copyOf: Int64?
    /// Export file path and SHA-256, evidence label.
    public var exportPath: String?, exportSHA256: String?, evidenceLabel: String?
    /// When the export was made: UTC text, basis, raw.
    public var exportedUTC: String?, exportedBasis: String?, exportedRaw: String?
    /// The chat's key within its export file.
    public var chatKey: String?
    /// Messages of the chat inside the window.
    public var messageCount: Int
}

/// A participant of a chat.
public struct ParticipantRow: Sendable, Hashable {
    /// Display name, native id, whether it is the device owner (1/0).
    public var displayName: String?, nativeID: String?, isDeviceOwner: Int64?
}

/// A message as the transcripts print it.
public struct TranscriptMessageRow: Sendable, Hashable {
    /// `messages.id`, sequence, native id.
    public var id: Int64, sequence: Int64?, nativeID: String?
    /// Sent time: UTC text, basis, raw, note.
    public var sentUTC: String?, sentBasis: String?, sentRaw: String?, sentNote: String?
    /// Sender, text, kind.
    public var senderName: String?, text: String?, kind: String?
    /// Deleted and edited marks (1/0).
    public var deleted: Int64?, editedMarker: Int64?
    /// Service action and actor, forwarded-from, reply target, when it was changed after sending.
    public var serviceAction: String?, serviceActor: String?, forwardedFrom: String?, replyToNativeID: String?, touchedUTC: String?
    /// 1 for a recovered deleted record, and its `recovered_records` id.
    public var recovered: Int64?, recoveredRecordID: Int64?
}

/// An attachment of a message as the transcripts list it.
public struct AttachmentRow: Sendable, Hashable {
    /// Kind, reference, file name, link status and why it is missing, the linked file's SHA-256 and size.
    public var kind: String?, reference: String?, fileName: String?, status: String?, missingReason: String?, sha256: String?, size: Int64?
}

extension CaseOutputReader {
    /// The chat platforms of the case, sorted.
    public func chatPlatforms() throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT platform FROM chats ORDER BY platform")
    }

    /// One account per platform and identity, sorted by both.
    public func chatAccounts() throws -> QueryCursor<ChatAccountRow> {
        QueryCursor(try Row.fetchCursor(db, sql: """
            SELECT c.platform, coalesce(p.native_id, p.display_name_nfc) AS ident, min(p.display_name) AS display_name,
                   max(p.is_device_owner) AS is_device_owner
            FROM participants p JOIN chats c ON c.id = p.chat_id GROUP BY c.platform, ident ORDER BY c.platform, ident
            """)) { a in ChatAccountRow(platform: try a.decode(forColumn: "platform"),
                                        identifier: try a.decode(forColumn: "ident"),
                                        displayName: try a.decode(forColumn: "display_name"),
                                        isDeviceOwner: try a.decode(forColumn: "is_device_owner")) }
    }

    /// Every message sent inside `window`, in export order (evidence, file position, sequence).
    public func messageRecords(window: InstantWindow) throws -> QueryCursor<MessageRecordRow> {
        let (win, args) = window.sql("m.sent_utc_us")
        return QueryCursor(try Row.fetchCursor(db, sql: """
            SELECT m.id, e.label, f.entry_key, m.sequence, m.native_id, c.platform,
                   coalesce(p.native_id, p.display_name_nfc) AS sender_identifier, m.text, m.sent_utc_us, m.sent_raw,
                   m.sent_basis, m.kind, c.title, f.path, m.service_action, m.sent_note,
                   m.recovered, r.source, r.page, r.cell_offset, r.wal_frame
            FROM messages m JOIN chats c ON c.id = m.chat_id JOIN files f ON f.id = m.file_id JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN participants p ON p.id = m.participant_id LEFT JOIN recovered_records r ON r.id = m.recovered_record_id
            WHERE \(win)
            ORDER BY e.label, f.sort_key, m.sequence
            """, arguments: args)) { m in
            MessageRecordRow(id: try m.decode(forColumn: "id"), evidenceLabel: try m.decode(forColumn: "label"),
                             entryKey: try m.decode(forColumn: "entry_key"), sequence: try m.decode(forColumn: "sequence"),
                             nativeID: try m.decode(forColumn: "native_id"), platform: try m.decode(forColumn: "platform"),
                             senderIdentifier: try m.decode(forColumn: "sender_identifier"),
                             text: try m.decode(forColumn: "text"), sentMicros: try m.decode(forColumn: "sent_utc_us"),
                             sentRaw: try m.decode(forColumn: "sent_raw"), sentBasis: try m.decode(forColumn: "sent_basis"),
                             sentNote: try m.decode(forColumn: "sent_note"), kind: try m.decode(forColumn: "kind"),
                             chatTitle: try m.decode(forColumn: "title"), exportPath: try m.decode(forColumn: "path"),
                             serviceAction: try m.decode(forColumn: "service_action"),
                             recovered: try m.decode(forColumn: "recovered"),
                             recoverySource: try m.decode(forColumn: "source"),
                             recoveryPage: try m.decode(forColumn: "page"),
                             recoveryCellOffset: try m.decode(forColumn: "cell_offset"),
                             recoveryWALFrame: try m.decode(forColumn: "wal_frame"))
        }
    }

    /// The attachments of a message that resolved to an inventory file, by ordinal.
    public func linkedAttachments(messageID: Int64) throws -> [LinkedAttachmentRow] {
        let statement = try db.cachedStatement(sql: """
            SELECT a.ordinal, e.label, f.entry_key FROM attachments a JOIN files f ON f.id = a.linked_file_id
            JOIN evidence e ON e.id = f.evidence_id WHERE a.message_id = ? ORDER BY a.ordinal
            """)
        return try Row.fetchAll(statement, arguments: [messageID]).map {
            LinkedAttachmentRow(ordinal: try $0.decode(forColumn: "ordinal"), evidenceLabel: try $0.decode(forColumn: "label"),
                                entryKey: try $0.decode(forColumn: "entry_key"))
        }
    }

    /// The keys of the messages read from files that ingest run `runID` committed, sent inside `window`.
    public func messageKeys(runID: Int64, window: InstantWindow) throws -> QueryCursor<MessageKeyRow> {
        let (win, args) = window.sql("m.sent_utc_us")
        return QueryCursor(try Row.fetchCursor(db, sql: """
            SELECT e.label, f.entry_key, m.sequence FROM messages m JOIN files f ON f.id = m.file_id
            JOIN evidence e ON e.id = f.evidence_id WHERE f.run_id = ? AND \(win) ORDER BY e.label, f.sort_key, m.sequence
            """, arguments: [runID] + args)) { MessageKeyRow(evidenceLabel: try $0.decode(forColumn: "label"),
                                                             entryKey: try $0.decode(forColumn: "entry_key"),
                                                             sequence: try $0.decode(forColumn: "sequence")) }
    }

    /// Every chat (copies included) in export order, with its message count inside `window`.
    public func transcriptChats(window: InstantWindow) throws -> [TranscriptChatRow] {
        let (win, args) = window.sql("m.sent_utc_us")
        return try Row.fetchAll(db, sql: """
            SELECT c.id, c.platform, c.format, c.title, c.chat_type, c.exporting_user, c.date_order, c.date_order_proven,
                   c.date_order_reason, c.notes, c.copy_of, f.path, f.sha256, e.label, c.exported_utc, c.exported_basis,
                   c.exported_raw, c.chat_key,
                   (SELECT count(*) FROM messages m WHERE m.chat_id = c.id AND \(win)) AS message_count
            FROM chats c JOIN files f ON f.id = c.file_id JOIN evidence e ON e.id = f.evidence_id
            ORDER BY e.label, f.sort_key, c.chat_key
            """, arguments: args).map { c in
            TranscriptChatRow(id: try c.decode(forColumn: "id"), platform: try c.decode(forColumn: "platform"),
                              format: try c.decode(forColumn: "format"), title: try c.decode(forColumn: "title"),
                              chatType: try c.decode(forColumn: "chat_type"),
                              exportingUser: try c.decode(forColumn: "exporting_user"),
                              dateOrder: try c.decode(forColumn: "date_order"),
                              dateOrderProven: try c.decode(forColumn: "date_order_proven"),
                              dateOrderReason: try c.decode(forColumn: "date_order_reason"),
                              notes: try c.decode(forColumn: "notes"), copyOf: try c.decode(forColumn: "copy_of"),
                              exportPath: try c.decode(forColumn: "path"), exportSHA256: try c.decode(forColumn: "sha256"),
                              evidenceLabel: try c.decode(forColumn: "label"),
                              exportedUTC: try c.decode(forColumn: "exported_utc"),
                              exportedBasis: try c.decode(forColumn: "exported_basis"),
                              exportedRaw: try c.decode(forColumn: "exported_raw"),
                              chatKey: try c.decode(forColumn: "chat_key"),
                              messageCount: try c.decode(Int?.self, forColumn: "message_count") ?? 0)
        }
    }

    /// The participants of a chat, in their order.
    public func participants(chatID: Int64) throws -> [ParticipantRow] {
        try Row.fetchAll(db, sql: "SELECT display_name, native_id, is_device_owner FROM participants WHERE chat_id = ? ORDER BY ordinal",
                         arguments: [chatID]).map { ParticipantRow(displayName: try $0.decode(forColumn: "display_name"),
                                                                   nativeID: try $0.decode(forColumn: "native_id"),
                                                                   isDeviceOwner: try $0.decode(forColumn: "is_device_owner")) }
    }

    /// The messages of a chat sent inside `window`, by sequence.
    public func transcriptMessages(chatID: Int64, window: InstantWindow) throws -> QueryCursor<TranscriptMessageRow> {
        let (win, args) = window.sql("m.sent_utc_us")
        return QueryCursor(try Row.fetchCursor(db, sql: """
            SELECT m.id, m.sequence, m.native_id, m.sent_utc, m.sent_basis, m.sent_raw, m.sent_note, m.sender_name, m.text, m.kind,
                   m.deleted, m.edited_marker, m.service_action, m.service_actor, m.forwarded_from, m.reply_to_native_id, m.touched_utc,
                   m.recovered, m.recovered_record_id
            FROM messages m WHERE m.chat_id = ? AND \(win) ORDER BY m.sequence
            """, arguments: [chatID] + args)) { m in
            TranscriptMessageRow(id: try m.decode(forColumn: "id"), sequence: try m.decode(forColumn: "sequence"),
                                 nativeID: try m.decode(forColumn: "native_id"),
                                 sentUTC: try m.decode(forColumn: "sent_utc"),
                                 sentBasis: try m.decode(forColumn: "sent_basis"),
                                 sentRaw: try m.decode(forColumn: "sent_raw"),
                                 sentNote: try m.decode(forColumn: "sent_note"),
                                 senderName: try m.decode(forColumn: "sender_name"), text: try m.decode(forColumn: "text"),
                                 kind: try m.decode(forColumn: "kind"), deleted: try m.decode(forColumn: "deleted"),
                                 editedMarker: try m.decode(forColumn: "edited_marker"),
                                 serviceAction: try m.decode(forColumn: "service_action"),
                                 serviceActor: try m.decode(forColumn: "service_actor"),
                                 forwardedFrom: try m.decode(forColumn: "forwarded_from"),
                                 replyToNativeID: try m.decode(forColumn: "reply_to_native_id"),
                                 touchedUTC: try m.decode(forColumn: "touched_utc"),
                                 recovered: try m.decode(forColumn: "recovered"),
                                 recoveredRecordID: try m.decode(forColumn: "recovered_record_id"))
        }
    }

    /// The attachments of a message, by ordinal.
    public func attachments(messageID: Int64) throws -> [AttachmentRow] {
        let statement = try db.cachedStatement(sql: """
            SELECT kind, reference, file_name, status, missing_reason, sha256, size FROM attachments WHERE message_id = ? ORDER BY ordinal
            """)
        return try Row.fetchAll(statement, arguments: [messageID]).map {
            AttachmentRow(kind: try $0.decode(forColumn: "kind"), reference: try $0.decode(forColumn: "reference"),
                          fileName: try $0.decode(forColumn: "file_name"), status: try $0.decode(forColumn: "status"),
                          missingReason: try $0.decode(forColumn: "missing_reason"),
                          sha256: try $0.decode(forColumn: "sha256"), size: try $0.decode(forColumn: "size"))
        }
    }
}
