import GRDB

/// The chat sections of ``FindingsDigest`` (migration `v2-chat`). Rows are identified by the
/// export file (evidence label + entry key) and their key within it — chat key, participant
/// ordinal, message sequence, attachment ordinal — never by row ids; a linked file is named by
/// its label + entry key. Each group holds one row, so a million-message export is hashed
/// streaming, without sorting it in memory. Empty tables add nothing: digests of databases
/// without chats are unchanged by this migration.
extension FindingsDigest {
    private static let time = ["utc", "utc_us", "raw", "basis", "precision", "note", "alternate_utc", "local_wallclock"]
    private static func times(_ alias: String, _ prefix: String) -> String {
        time.map { "\(alias).\(prefix)_\($0)" }.joined(separator: ", ")
    }

    static let chats = DigestSection.grouped("chats", groupWidth: 3, sql: """
        SELECT e.label, f.entry_key, c.chat_key, c.analyzer_id, c.analyzer_version, c.location, c.platform, c.format,
            c.native_id, c.title, c.title_nfc, c.chat_type, c.left_chat, c.exporting_user, c.date_order,
            c.date_order_proven, c.date_order_reason, c.clock, c.language, c.part, c.guild_name, c.guild_id,
            c.category, c.notes, \(times("c", "exported")), c.room_key
        FROM chats c JOIN files f ON f.id = c.file_id JOIN evidence e ON e.id = f.evidence_id
        ORDER BY e.label, f.sort_key, c.chat_key
        """)

    static let participants = DigestSection.grouped("participants", groupWidth: 3, sql: """
        SELECT e.label, f.entry_key, p.ordinal, c.chat_key, p.analyzer_id, p.analyzer_version, p.display_name,
            p.display_name_nfc, p.native_id, p.is_device_owner
        FROM participants p JOIN chats c ON c.id = p.chat_id JOIN files f ON f.id = p.file_id
            JOIN evidence e ON e.id = f.evidence_id
        ORDER BY e.label, f.sort_key, p.ordinal
        """)

    /// Read one export file at a time, in `(file_id, sequence)` index order: the same rows in the
    /// same order as one query `ORDER BY e.label, f.sort_key, m.sequence`, without SQLite sorting
    /// every message with every column (see ``DigestHasher/addGroupedRows(_:unfiledSQL:filesSQL:sql:groupWidth:)``).
    static let messages = DigestSection.groupedByFile("messages", groupWidth: 3, filesSQL: """
        SELECT f.id FROM files f JOIN evidence e ON e.id = f.evidence_id
        WHERE f.id IN (SELECT file_id FROM messages) ORDER BY e.label, f.sort_key
        """, sql: """
        SELECT e.label, f.entry_key, m.sequence, c.chat_key, m.analyzer_id, m.analyzer_version, m.location,
            m.native_id, m.kind, p.ordinal, m.sender_name, m.sender_nfc, m.sender_native_id, m.from_device_owner,
            \(times("m", "sent")), \(times("m", "touched")), m.text, m.text_nfc, m.entities, m.reply_to_native_id,
            m.reply_to_chat_native_id, m.forwarded_from, m.forwarded_from_native_id, m.saved_from, m.via_bot,
            m.author_signature, m.reactions, m.service_action, m.service_actor, m.service_actor_native_id,
            m.service_details, m.edited_marker, m.deleted, m.poll, m.extra
        FROM messages m JOIN chats c ON c.id = m.chat_id JOIN files f ON f.id = m.file_id
            JOIN evidence e ON e.id = f.evidence_id LEFT JOIN participants p ON p.id = m.participant_id
        WHERE m.file_id = ? ORDER BY m.sequence
        """)

    static let attachments = DigestSection.grouped("attachments", groupWidth: 4, sql: """
        SELECT e.label, f.entry_key, m.sequence, a.ordinal, a.analyzer_id, a.analyzer_version, a.location,
            a.reference, a.resolved_path, a.kind, a.file_name, a.mime_type, a.declared_size, a.width, a.height,
            a.duration_seconds, a.thumbnail, a.thumbnail_resolved_path, a.status, a.missing_reason,
            le.label, lf.entry_key, a.sha256, a.size, te.label, tf.entry_key, a.thumbnail_sha256
        FROM attachments a JOIN messages m ON m.id = a.message_id JOIN files f ON f.id = a.file_id
            JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN files lf ON lf.id = a.linked_file_id LEFT JOIN evidence le ON le.id = lf.evidence_id
            LEFT JOIN files tf ON tf.id = a.thumbnail_file_id LEFT JOIN evidence te ON te.id = tf.evidence_id
        ORDER BY e.label, f.sort_key, m.sequence, a.ordinal
        """)
}
