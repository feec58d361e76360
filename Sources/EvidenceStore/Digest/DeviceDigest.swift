import GRDB

/// A digest of **what a phone holds**, independent of how the extraction was packaged: files are
/// named by their device path (not by evidence label, entry position or the acquisition tool's
/// prefix), and the chats read from app databases by the database's device path and their keys.
/// The same phone as a tar with one vendor prefix, a zip with another, or a plain folder gives
/// the same device digest (`exhibit digest --device`). What it leaves out is packaging, not
/// content: directory rows, archive times and modes, evidence labels and virtual paths.
enum DeviceDigest {
    static let sections: [DigestSection] = [files, chats, participants, messages, attachments, errors]

    static func compute(_ db: Database) throws -> String {
        var hasher = DigestHasher()
        hasher.add(record: Array("exhibit-device-digest-v1".utf8))
        for section in sections {
            hasher.beginSection(section.name)
            try section.emit(db, &hasher)
        }
        return hasher.finish()
    }

    static let files = DigestSection.grouped("files", groupWidth: 1, sql: """
        SELECT device_path, kind, size, md5, sha1, sha256, mime, status, link_target
        FROM files WHERE device_path IS NOT NULL AND kind != 'directory'
        ORDER BY device_path
        """)

    static let chats = DigestSection.grouped("chats", groupWidth: 2, sql: """
        SELECT f.device_path, c.chat_key, c.analyzer_id, c.analyzer_version, c.location, c.platform, c.format,
            c.native_id, c.title, c.chat_type, c.notes, c.owner, c.exported_utc_us, c.exported_raw, c.exported_basis
        FROM chats c JOIN files f ON f.id = c.file_id
        WHERE f.device_path IS NOT NULL
        ORDER BY f.device_path, c.chat_key
        """)

    static let participants = DigestSection.grouped("participants", groupWidth: 2, sql: """
        SELECT f.device_path, p.ordinal, c.chat_key, p.analyzer_id, p.display_name, p.native_id, p.is_device_owner
        FROM participants p JOIN chats c ON c.id = p.chat_id JOIN files f ON f.id = p.file_id
        WHERE f.device_path IS NOT NULL
        ORDER BY f.device_path, p.ordinal
        """)

    static let messages = DigestSection.grouped("messages", groupWidth: 2, sql: """
        SELECT f.device_path, m.sequence, c.chat_key, m.analyzer_id, m.location, m.native_id, m.kind, m.sender_name,
            m.sender_native_id, m.from_device_owner, m.sent_utc_us, m.sent_raw, m.sent_basis, m.touched_utc_us,
            m.text, m.entities, m.reply_to_native_id, m.forwarded_from, m.forwarded_from_native_id, m.service_action,
            m.service_details, m.edited_marker, m.deleted, m.extra
        FROM messages m JOIN chats c ON c.id = m.chat_id JOIN files f ON f.id = m.file_id
        WHERE f.device_path IS NOT NULL
        ORDER BY f.device_path, m.sequence
        """)

    static let attachments = DigestSection.grouped("attachments", groupWidth: 3, sql: """
        SELECT f.device_path, m.sequence, a.ordinal, a.reference, a.kind, a.mime_type, a.declared_size, a.status,
            a.device_paths, a.app_sha1, lf.device_path, a.sha256
        FROM attachments a JOIN messages m ON m.id = a.message_id JOIN files f ON f.id = a.file_id
            LEFT JOIN files lf ON lf.id = a.linked_file_id
        WHERE f.device_path IS NOT NULL
        ORDER BY f.device_path, m.sequence, a.ordinal
        """)

    static let errors = DigestSection.grouped("analysis_errors", groupWidth: 1, sql: """
        SELECT f.device_path, x.analyzer_id, x.status, x.code, x.message, x.location
        FROM analysis_errors x JOIN evidence e ON e.id = x.evidence_id
            JOIN files f ON f.evidence_id = x.evidence_id AND f.entry_key = x.entry_key
        WHERE f.device_path IS NOT NULL
        ORDER BY f.device_path
        """)
}

extension EvidenceDatabase {
    /// SHA-256 over what the phones in this case hold, keyed by device path (see ``DeviceDigest``):
    /// equal for the same extraction whatever its packaging or vendor prefix.
    public func deviceDigest() throws -> String {
        try queue.read { db in try DeviceDigest.compute(db) }
    }
}
