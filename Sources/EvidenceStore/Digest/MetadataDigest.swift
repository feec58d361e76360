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

    /// An indicator and all its named times form one record (as artifacts do), so two
    /// indicators that differ only in their times still hash in a canonical order.
    static let indicators = DigestSection(name: "indicators") { db, hasher in
        let rows = try Row.fetchCursor(db, sql: """
            SELECT e.label, f.entry_key, i.id, i.kind, i.evidence_tag, i.location, i.summary, i.details,
                i.analyzer_id, i.analyzer_version,
                t.name, t.utc, t.utc_us, t.raw, t.basis, t.precision, t.note, t.alternate_utc, t.local_wallclock
            FROM indicators i JOIN files f ON f.id = i.file_id JOIN evidence e ON e.id = f.evidence_id
                LEFT JOIN indicator_times t ON t.indicator_id = i.id
            ORDER BY e.label, f.sort_key, i.id, t.name
            """)
        var group: [DatabaseValue]? = nil
        var records: [[UInt8]] = []
        var indicatorID: DatabaseValue? = nil
        var current: [DatabaseValue] = []
        func close() {
            if !current.isEmpty { records.append(DigestHasher.encode(current)) }
            current = []
        }
        while let row = try rows.next() {
            let values = Array(row.databaseValues)
            let key = Array(values.prefix(2))
            if key != group {
                close()
                hasher.flush(&records)
                group = key
                indicatorID = nil
            }
            if values[2] != indicatorID {
                close()
                indicatorID = values[2]
                // label, entry key, then the indicator's own columns (not its row id).
                current = Array(values[0..<2]) + Array(values[3..<10])
            }
            if !values[10].isNull { current += Array(values[10...]) }
        }
        close()
        hasher.flush(&records)
    }
}
