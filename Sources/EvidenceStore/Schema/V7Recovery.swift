import GRDB

/// Migration `v7-recovery`: `recovered_records` (issue 13) — rows recovered from the free space
/// and history (freeblocks, unallocated gaps, freelist pages, WAL frames, rollback journals) of
/// SQLite databases found in the evidence, with page, cell offset and WAL frame as provenance.
///
/// Rows belong to the database file they were recovered from (a redo replaces them,
/// `ON DELETE CASCADE`); they never mix into live tables. Landed migrations are never edited.
/// Documented in docs/schema.md (a test compares them).
enum V7Recovery {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-recovery") { db in
            try db.execute(sql: recoveredRecords)
        }
    }

    private static let recoveredRecords = """
        CREATE TABLE recovered_records (
            id                INTEGER PRIMARY KEY,
            file_id           INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            analyzer_id       TEXT NOT NULL,
            analyzer_version  TEXT NOT NULL,
            table_name        TEXT,
            source            TEXT NOT NULL CHECK (source IN ('freeblock', 'unallocated', 'freelist', 'wal', 'journal')),
            page              INTEGER NOT NULL,
            cell_offset       INTEGER NOT NULL,
            wal_frame         INTEGER,
            rowid             INTEGER,
            values_json       TEXT NOT NULL,
            duplicate_of_live INTEGER NOT NULL CHECK (duplicate_of_live IN (0, 1))
        );
        CREATE INDEX recovered_records_file ON recovered_records(file_id);
        CREATE INDEX recovered_records_table ON recovered_records(table_name);
        """
}
