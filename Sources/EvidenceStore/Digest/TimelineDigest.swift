import GRDB

/// The timeline section of ``FindingsDigest`` (migration `v5-timeline`). An event is identified by
/// the file it is about (evidence label + entry key; none for events without a file), the
/// message's place in its export (sequence) and its own values — never by row ids, which
/// depend on commit order. Empty tables add nothing.
extension FindingsDigest {
    static let events = DigestSection.grouped("events", sql: """
        SELECT e.label, f.entry_key, ev.kind, ev.utc, ev.utc_us, ev.raw, ev.basis, ev.precision, ev.note,
            ev.description, ev.source, ev.builder, ev.builder_version, ev.sender, m.sequence, mf.entry_key,
            c.chat_key, ev.provenance
        FROM events ev LEFT JOIN files f ON f.id = ev.file_id LEFT JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN messages m ON m.id = ev.message_id LEFT JOIN files mf ON mf.id = m.file_id
            LEFT JOIN chats c ON c.id = ev.chat_id
        ORDER BY e.label, f.sort_key
        """)
}

extension FindingsDigest {
    /// Content groups, keyed by SHA-256 (no row ids).
    static let mediaClusters = DigestSection.grouped("media_clusters", groupWidth: 1, sql: """
        SELECT sha256, cluster, method, threshold, builder, builder_version FROM media_clusters ORDER BY sha256
        """)
}
