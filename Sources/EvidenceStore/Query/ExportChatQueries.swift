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
            SELECT c.platform, coalesce(p.native_id, p.display_name_nfc) AS ident, min(p.display_name), max(p.is_device_owner)
            FROM participants p JOIN chats c ON c.id = p.chat_id GROUP BY c.platform, ident ORDER BY c.platform, ident
            """)) { a in ChatAccountRow(platform: a[0], identifier: a[1], displayName: a[2], isDeviceOwner: a[3]) }
    }

    /// Every message sent inside `window`, in export order (evidence, file position, sequence).
    public func messageRecords(window: InstantWindow) throws -> QueryCursor<MessageRecordRow> {
        let (win, args) = window.sql("m.sent_utc_us")
        return QueryCursor(try Row.fetchCursor(db, sql: """
            SELECT m.id, e.label, f.entry_key, m.sequence, m.native_id, c.platform, coalesce(p.native_id, p.display_name_nfc),
                   m.text, m.sent_utc_us, m.sent_raw, m.sent_basis, m.kind, c.title, f.path, m.service_action, m.sent_note,
                   m.recovered, r.source, r.page, r.cell_offset, r.wal_frame
            FROM messages m JOIN chats c ON c.id = m.chat_id JOIN files f ON f.id = m.file_id JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN participants p ON p.id = m.participant_id LEFT JOIN recovered_records r ON r.id = m.recovered_record_id
            WHERE \(win)
            ORDER BY e.label, f.sort_key, m.sequence
            """, arguments: args)) { m in
            MessageRecordRow(id: m[0], evidenceLabel: m[1], entryKey: m[2], sequence: m[3], nativeID: m[4], platform: m[5],
                             senderIdentifier: m[6], text: m[7], sentMicros: m[8], sentRaw: m[9], sentBasis: m[10], sentNote: m[15],
                             kind: m[11], chatTitle: m[12], exportPath: m[13], serviceAction: m[14], recovered: m[16],
                             recoverySource: m[17], recoveryPage: m[18], recoveryCellOffset: m[19], recoveryWALFrame: m[20])
        }
    }

    /// The attachments of a message that resolved to an inventory file, by ordinal.
    public func linkedAttachments(messageID: Int64) throws -> [LinkedAttachmentRow] {
        let statement = try db.cachedStatement(sql: """
            SELECT a.ordinal, e.label, f.entry_key FROM attachments a JOIN files f ON f.id = a.linked_file_id
            JOIN evidence e ON e.id = f.evidence_id WHERE a.message_id = ? ORDER BY a.ordinal
            """)
        return try Row.fetchAll(statement, arguments: [messageID]).map { LinkedAttachmentRow(ordinal: $0[0], evidenceLabel: $0[1], entryKey: $0[2]) }
    }

    /// The keys of the messages read from files that ingest run `runID` committed, sent inside `window`.
    public func messageKeys(runID: Int64, window: InstantWindow) throws -> QueryCursor<MessageKeyRow> {
        let (win, args) = window.sql("m.sent_utc_us")
        return QueryCursor(try Row.fetchCursor(db, sql: """
            SELECT e.label, f.entry_key, m.sequence FROM messages m JOIN files f ON f.id = m.file_id
            JOIN evidence e ON e.id = f.evidence_id WHERE f.run_id = ? AND \(win) ORDER BY e.label, f.sort_key, m.sequence
            """, arguments: [runID] + args)) { MessageKeyRow(evidenceLabel: $0[0], entryKey: $0[1], sequence: $0[2]) }
    }

    /// Every chat (copies included) in export order, with its message count inside `window`.
    public func transcriptChats(window: InstantWindow) throws -> [TranscriptChatRow] {
        let (win, args) = window.sql("m.sent_utc_us")
        return try Row.fetchAll(db, sql: """
            SELECT c.id, c.platform, c.format, c.title, c.chat_type, c.exporting_user, c.date_order, c.date_order_proven,
                   c.date_order_reason, c.notes, c.copy_of, f.path, f.sha256, e.label, c.exported_utc, c.exported_basis,
                   c.exported_raw, c.chat_key,
                   (SELECT count(*) FROM messages m WHERE m.chat_id = c.id AND \(win))
            FROM chats c JOIN files f ON f.id = c.file_id JOIN evidence e ON e.id = f.evidence_id
            ORDER BY e.label, f.sort_key, c.chat_key
            """, arguments: args).map { c in
            TranscriptChatRow(id: c[0], platform: c[1], format: c[2], title: c[3], chatType: c[4], exportingUser: c[5], dateOrder: c[6],
                              dateOrderProven: c[7], dateOrderReason: c[8], notes: c[9], copyOf: c[10], exportPath: c[11],
                              exportSHA256: c[12], evidenceLabel: c[13], exportedUTC: c[14], exportedBasis: c[15], exportedRaw: c[16],
                              chatKey: c[17], messageCount: c[18] ?? 0)
        }
    }

    /// The participants of a chat, in their order.
    public func participants(chatID: Int64) throws -> [ParticipantRow] {
        try Row.fetchAll(db, sql: "SELECT display_name, native_id, is_device_owner FROM participants WHERE chat_id = ? ORDER BY ordinal",
                         arguments: [chatID]).map { ParticipantRow(displayName: $0[0], nativeID: $0[1], isDeviceOwner: $0[2]) }
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
            TranscriptMessageRow(id: m[0], sequence: m[1], nativeID: m[2], sentUTC: m[3], sentBasis: m[4], sentRaw: m[5], sentNote: m[6],
                                 senderName: m[7], text: m[8], kind: m[9], deleted: m[10], editedMarker: m[11], serviceAction: m[12],
                                 serviceActor: m[13], forwardedFrom: m[14], replyToNativeID: m[15], touchedUTC: m[16],
                                 recovered: m[17], recoveredRecordID: m[18])
        }
    }

    /// The attachments of a message, by ordinal.
    public func attachments(messageID: Int64) throws -> [AttachmentRow] {
        let statement = try db.cachedStatement(sql: """
            SELECT kind, reference, file_name, status, missing_reason, sha256, size FROM attachments WHERE message_id = ? ORDER BY ordinal
            """)
        return try Row.fetchAll(statement, arguments: [messageID]).map {
            AttachmentRow(kind: $0[0], reference: $0[1], fileName: $0[2], status: $0[3], missingReason: $0[4], sha256: $0[5], size: $0[6])
        }
    }
}
