import GRDB

/// The phone sections of ``FindingsDigest`` (migration `v6-phones`): device paths of files, the
/// recognised layouts, chat owners and the device paths / app hashes attachments were named by.
/// Only rows that carry a value are hashed, so digests of cases without phones are unchanged.
extension FindingsDigest {
    static let devicePaths = DigestSection.grouped("device_paths", sql: """
        SELECT e.label, f.entry_key, f.device_path
        FROM files f JOIN evidence e ON e.id = f.evidence_id
        WHERE f.device_path IS NOT NULL
        ORDER BY e.label, f.sort_key
        """)

    static let deviceLayouts = DigestSection.grouped("device_layouts", sql: """
        SELECT e.label, d.container, d.root, d.platform, d.mount, d.kind, d.facts
        FROM device_layouts d JOIN evidence e ON e.id = d.evidence_id
        ORDER BY e.label, d.container, d.root
        """)

    static let chatOwners = DigestSection.grouped("chat_owners", groupWidth: 3, sql: """
        SELECT e.label, f.entry_key, c.chat_key, c.owner
        FROM chats c JOIN files f ON f.id = c.file_id JOIN evidence e ON e.id = f.evidence_id
        WHERE c.owner IS NOT NULL
        ORDER BY e.label, f.sort_key, c.chat_key
        """)

    static let attachmentHints = DigestSection.grouped("attachment_hints", groupWidth: 4, sql: """
        SELECT e.label, f.entry_key, m.sequence, a.ordinal, a.device_paths, a.app_sha1
        FROM attachments a JOIN messages m ON m.id = a.message_id JOIN files f ON f.id = a.file_id
            JOIN evidence e ON e.id = f.evidence_id
        WHERE a.device_paths IS NOT NULL OR a.app_sha1 IS NOT NULL
        ORDER BY e.label, f.sort_key, m.sequence, a.ordinal
        """)
}
