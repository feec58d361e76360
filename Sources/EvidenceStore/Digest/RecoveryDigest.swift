import GRDB

/// The recovered-message mark (migration `v9-recovered-messages`): one row per message with
/// `recovered` = 1, keyed like the `messages` section (label, entry key, sequence) and naming
/// its record by place in the same file (source, page, cell offset, WAL frame), never by row id.
/// Live messages add nothing, so digests of cases without recovered messages are unchanged.
extension FindingsDigest {
    static let recoveredMessages = DigestSection.grouped("recovered_messages", groupWidth: 3, sql: """
        SELECT e.label, f.entry_key, m.sequence, m.recovered, r.source, r.page, r.cell_offset, r.wal_frame
        FROM messages m JOIN files f ON f.id = m.file_id JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN recovered_records r ON r.id = m.recovered_record_id
        WHERE m.recovered = 1
        ORDER BY e.label, f.sort_key, m.sequence
        """)
}
