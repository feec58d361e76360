import GRDB

/// Migration `v3-metadata`: file metadata (issue 4) — `metadata` (one row per EXIF/GPS/XMP/…
/// value), `indicators` (AI-generation and clock signals derived from them) and
/// `indicator_times` (the named times an indicator compares).
///
/// Every row keeps its provenance: the file's `files` row, the analyzer's id and version, and
/// where in the file (`location`). A file's rows go with it (`ON DELETE CASCADE`); a redo of the
/// file deletes and rewrites them. Landed migrations are never edited. Every table and column
/// here is documented in docs/schema.md (a test compares them).
enum V3Metadata {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-metadata") { db in
            try db.execute(sql: metadata)
            try db.execute(sql: indicators)
        }
    }

    private static let metadata = """
        CREATE TABLE metadata (
            id               INTEGER PRIMARY KEY,
            file_id          INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            analyzer_id      TEXT NOT NULL,
            analyzer_version TEXT NOT NULL,
            namespace        TEXT NOT NULL,
            tag              TEXT NOT NULL,
            value            TEXT NOT NULL,
            raw_bytes        BLOB,
            encoding         TEXT,
            location         TEXT,
            \(V2Chat.timeColumns("time"))
        );
        CREATE INDEX metadata_tag ON metadata(namespace, tag);
        CREATE INDEX metadata_file ON metadata(file_id);
        CREATE INDEX metadata_time ON metadata(time_utc_us);
        """

    private static let indicators = """
        CREATE TABLE indicators (
            id               INTEGER PRIMARY KEY,
            file_id          INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            analyzer_id      TEXT NOT NULL,
            analyzer_version TEXT NOT NULL,
            kind             TEXT NOT NULL,
            summary          TEXT NOT NULL,
            evidence_tag     TEXT NOT NULL,
            location         TEXT,
            details          TEXT NOT NULL
        );
        CREATE INDEX indicators_file ON indicators(file_id);
        CREATE INDEX indicators_kind ON indicators(kind);
        CREATE TABLE indicator_times (
            indicator_id     INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
            name             TEXT NOT NULL,
            utc              TEXT,
            utc_us           INTEGER,
            raw              TEXT NOT NULL,
            basis            TEXT NOT NULL CHECK (basis IN ('utc', 'offset', 'assumed-zone', 'unknown')),
            precision        TEXT NOT NULL,
            note             TEXT,
            alternate_utc    TEXT,
            local_wallclock  TEXT,
            PRIMARY KEY (indicator_id, name)
        ) WITHOUT ROWID;
        """
}
