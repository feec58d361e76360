import GRDB

/// Migration `v4-media`: perceptual hashes and hash sets (issue 5) — `media_hashes` (PDQ of
/// images, per-frame PDQ of videos), `hashsets` (one imported list each), `hashset_entries`
/// (its digests), `hashset_matches` (files that match an entry, exact or near) and the views
/// `known_media` (matches with file, set and entry) and `known_good_files`.
///
/// `media_hashes` rows belong to their file (a redo replaces them, `ON DELETE CASCADE`); matches
/// are recomputed as a whole (`exhibit match`, end of ingest) from stored hashes, never from
/// evidence. Landed migrations are never edited. Every table, column and view here is
/// documented in docs/schema.md (a test compares them).
enum V4Media {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-media") { db in
            try db.execute(sql: mediaHashes)
            try db.execute(sql: hashSets)
            try db.execute(sql: matches)
        }
    }

    private static let mediaHashes = """
        CREATE TABLE media_hashes (
            id               INTEGER PRIMARY KEY,
            file_id          INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            analyzer_id      TEXT NOT NULL,
            analyzer_version TEXT NOT NULL,
            algorithm        TEXT NOT NULL CHECK (algorithm IN ('pdq', 'pdq-frame')),
            hash             TEXT NOT NULL CHECK (length(hash) = 64),
            quality          INTEGER NOT NULL,
            frame_index      INTEGER,
            frame_time_us    INTEGER,
            variants         TEXT
        );
        CREATE INDEX media_hashes_file ON media_hashes(file_id);
        CREATE INDEX media_hashes_hash ON media_hashes(hash);
        """

    private static let hashSets = """
        CREATE TABLE hashsets (
            id               INTEGER PRIMARY KEY,
            name             TEXT NOT NULL UNIQUE,
            kind             TEXT NOT NULL CHECK (kind IN ('known-bad', 'known-good')),
            format           TEXT NOT NULL,
            source_path      TEXT NOT NULL,
            source_sha256    TEXT NOT NULL,
            source_size      INTEGER NOT NULL,
            entry_count      INTEGER NOT NULL,
            rejected_count   INTEGER NOT NULL,
            skipped_count    INTEGER NOT NULL DEFAULT 0,
            rejected_examples TEXT NOT NULL DEFAULT '[]',
            categories       TEXT,
            imported_at_us   INTEGER NOT NULL,
            imported_at      TEXT NOT NULL
        );
        CREATE TABLE hashset_entries (
            id               INTEGER PRIMARY KEY,
            hashset_id       INTEGER NOT NULL REFERENCES hashsets(id) ON DELETE CASCADE,
            algorithm        TEXT NOT NULL CHECK (algorithm IN ('md5', 'sha1', 'sha256', 'pdq', 'pdq-frame')),
            hash             TEXT NOT NULL,
            quality          INTEGER,
            category         TEXT,
            label            TEXT,
            media_id         TEXT,
            frame_index      INTEGER,
            frame_time_us    INTEGER
        );
        CREATE INDEX hashset_entries_hash ON hashset_entries(algorithm, hash);
        CREATE INDEX hashset_entries_set ON hashset_entries(hashset_id);
        """

    private static let matches = """
        CREATE TABLE hashset_matches (
            id               INTEGER PRIMARY KEY,
            file_id          INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            hashset_id       INTEGER NOT NULL REFERENCES hashsets(id) ON DELETE CASCADE,
            entry_id         INTEGER NOT NULL REFERENCES hashset_entries(id) ON DELETE CASCADE,
            algorithm        TEXT NOT NULL CHECK (algorithm IN ('md5', 'sha1', 'sha256', 'pdq', 'pdq-frame')),
            distance         INTEGER NOT NULL,
            variant          TEXT,
            media_hash_id    INTEGER REFERENCES media_hashes(id) ON DELETE CASCADE,
            frames_matched   INTEGER,
            frames_known     INTEGER
        );
        CREATE INDEX hashset_matches_file ON hashset_matches(file_id);
        CREATE INDEX hashset_matches_set ON hashset_matches(hashset_id);
        CREATE VIEW known_media AS
            SELECT m.file_id, f.path, f.sha256, h.name AS hashset, h.kind, e.category, m.algorithm, m.distance,
                   m.variant, e.hash AS matched_hash, e.label, e.media_id, m.frames_matched, m.frames_known,
                   f.evidence_id, m.hashset_id, m.entry_id, m.id AS match_id
            FROM hashset_matches m JOIN files f ON f.id = m.file_id JOIN hashsets h ON h.id = m.hashset_id
                JOIN hashset_entries e ON e.id = m.entry_id;
        CREATE VIEW known_good_files AS
            SELECT DISTINCT m.file_id FROM hashset_matches m JOIN hashsets h ON h.id = m.hashset_id
            WHERE h.kind = 'known-good';
        """
}
