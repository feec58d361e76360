import GRDB

/// The `recovered_records` section of ``FindingsDigest`` (migration `v7-recovery`): rows keyed by
/// evidence label, entry key, page, cell offset and WAL frame — never by row ids. An empty table
/// adds nothing, so digests of cases without SQLite databases are unchanged.
extension FindingsDigest {
    static let recoveredRecords = DigestSection.grouped("recovered_records", sql: """
        SELECT e.label, f.entry_key, r.page, r.cell_offset, r.wal_frame, r.source, r.table_name, r.rowid, r.values_json,
            r.duplicate_of_live, r.analyzer_id, r.analyzer_version
        FROM recovered_records r JOIN files f ON f.id = r.file_id JOIN evidence e ON e.id = f.evidence_id
        ORDER BY e.label, f.sort_key
        """)
}
