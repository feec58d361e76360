import GRDB

/// The media sections of ``FindingsDigest`` (migration `v4-media`; perceptual hashes by file are
/// ``MediaHashKind``'s, `media_hashes`): hash sets by name and source digest (their entries are covered by the source file's SHA-256,
/// not hashed row by row), and matches by file, set and matched digest — never by row ids or
/// import times. Empty tables add nothing, so digests of databases without media are unchanged.
extension FindingsDigest {
    static let hashSets = DigestSection.grouped("hashsets", groupWidth: 1, sql: """
        SELECT name, kind, format, source_sha256, source_size, entry_count, rejected_count, skipped_count, categories
        FROM hashsets ORDER BY name
        """)

    static let hashSetMatches = DigestSection.grouped("hashset_matches", sql: """
        SELECT e.label, f.entry_key, s.name, m.algorithm, x.hash, x.media_id, x.frame_index, m.distance, m.variant,
            m.frames_matched, m.frames_known
        FROM hashset_matches m JOIN files f ON f.id = m.file_id JOIN evidence e ON e.id = f.evidence_id
            JOIN hashsets s ON s.id = m.hashset_id JOIN hashset_entries x ON x.id = m.entry_id
        ORDER BY e.label, f.sort_key
        """)
}
