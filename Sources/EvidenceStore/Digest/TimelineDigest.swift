import GRDB

/// The timeline section of ``FindingsDigest`` (migration `v5-timeline`). An event is identified by
/// the file it is about (evidence label + entry key; none for events without a file), the
/// message's place in its export (sequence) and its own values — never by row ids, which
/// depend on commit order. Empty tables add nothing.
extension FindingsDigest {
    /// Read one file at a time (events without a file first, the NULL key): the groups of one
    /// query `ORDER BY e.label, f.sort_key` in the same order, with no sort of every event (a
    /// group's rows are put in canonical order by the hasher whatever order they come in).
    static let events = DigestSection.groupedByFile("events", unfiledSQL: eventsSQL("ev.file_id IS NULL"), filesSQL: """
        SELECT f.id FROM files f JOIN evidence e ON e.id = f.evidence_id
        WHERE f.id IN (SELECT file_id FROM events WHERE file_id IS NOT NULL) ORDER BY e.label, f.sort_key
        """, sql: eventsSQL("ev.file_id = ?"))

    private static func eventsSQL(_ condition: String) -> String {
        """
        SELECT e.label, f.entry_key, ev.kind, ev.utc, ev.utc_us, ev.raw, ev.basis, ev.precision, ev.note,
            ev.description, ev.source, ev.builder, ev.builder_version, ev.sender, m.sequence, mf.entry_key,
            c.chat_key, ev.provenance
        FROM events ev LEFT JOIN files f ON f.id = ev.file_id LEFT JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN messages m ON m.id = ev.message_id LEFT JOIN files mf ON mf.id = m.file_id
            LEFT JOIN chats c ON c.id = ev.chat_id
        WHERE \(condition)
        """
    }
}

extension FindingsDigest {
    /// Content groups, keyed by SHA-256 (no row ids).
    static let mediaClusters = DigestSection.grouped("media_clusters", groupWidth: 1, sql: """
        SELECT sha256, cluster, method, threshold, builder, builder_version FROM media_clusters ORDER BY sha256
        """)
}
