import GRDB

/// The metadata sections of ``FindingsDigest`` (migration `v3-metadata`). Rows are identified by
/// the file (evidence label + entry key) and their own values — namespace, tag, location,
/// value… — never by row ids; within a file the hasher puts records in canonical order. Empty
/// tables add nothing: digests of databases without metadata are unchanged by this migration.
extension FindingsDigest {
    static let metadata = DigestSection.grouped("metadata", sql: """
        SELECT e.label, f.entry_key, m.namespace, m.tag, m.location, m.value, m.raw_bytes, m.encoding,
            m.time_utc, m.time_utc_us, m.time_raw, m.time_basis, m.time_precision, m.time_note,
            m.time_alternate_utc, m.time_local_wallclock, m.analyzer_id, m.analyzer_version
        FROM metadata m JOIN files f ON f.id = m.file_id JOIN evidence e ON e.id = f.evidence_id
        ORDER BY e.label, f.sort_key
        """)

    /// Indicators with their named times (see ``DigestSection/withTimes(_:ownColumns:sql:)``).
    static let indicators = DigestSection.withTimes("indicators", ownColumns: 7, sql: """
        SELECT e.label, f.entry_key, i.id, i.kind, i.evidence_tag, i.location, i.summary, i.details,
            i.analyzer_id, i.analyzer_version,
            t.name, t.utc, t.utc_us, t.raw, t.basis, t.precision, t.note, t.alternate_utc, t.local_wallclock
        FROM indicators i JOIN files f ON f.id = i.file_id JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN indicator_times t ON t.indicator_id = i.id
        ORDER BY e.label, f.sort_key, i.id, t.name
        """)
}
