import GRDB

/// Migration group `v1-…`: the foundation tables of issue 2 (cases, evidence items, the file
/// inventory with its times, analysis errors, generic artifacts, ingest runs, the audit log).
///
/// Landed migrations are never edited: a later change is a new migration in a new file.
/// Every table and column here is documented in docs/schema.md (a test compares the two).
enum V1Foundation {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-foundation") { db in
            // Marks the file as an Exhibit case database, so `openExisting` can refuse others.
            try db.execute(sql: "PRAGMA application_id = \(EvidenceDatabase.applicationID)")
            try db.execute(sql: casesAndEvidence)
            try db.execute(sql: runsAndFiles)
            try db.execute(sql: findings)
            try db.execute(sql: auditLog)
        }
    }

    private static let casesAndEvidence = """
        CREATE TABLE cases (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL,
            examiner      TEXT,
            assumed_zone  TEXT,
            created_utc   TEXT NOT NULL,
            tool_version  TEXT NOT NULL
        );
        CREATE TABLE evidence (
            id               INTEGER PRIMARY KEY,
            case_id          INTEGER NOT NULL REFERENCES cases(id),
            label            TEXT NOT NULL UNIQUE,
            path             TEXT NOT NULL,
            kind             TEXT NOT NULL CHECK (kind IN ('file', 'directory')),
            size             INTEGER NOT NULL,
            md5              TEXT,
            sha1             TEXT,
            sha256           TEXT,
            hash_kind        TEXT NOT NULL CHECK (hash_kind IN ('container', 'manifest')),
            expected_sha256  TEXT,
            expected_match   INTEGER CHECK (expected_match IN (0, 1)),
            item             TEXT,
            description      TEXT,
            seized_by        TEXT,
            seized_at_utc    TEXT,
            seized_at_raw    TEXT,
            seized_at_basis  TEXT CHECK (seized_at_basis IN ('utc', 'offset', 'assumed-zone', 'unknown')),
            assumed_zone     TEXT,
            status           TEXT,
            message          TEXT,
            format           TEXT,
            entry_count      INTEGER,
            expanded_bytes   INTEGER,
            complete         INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
            added_utc        TEXT NOT NULL
        );
        """

    private static let runsAndFiles = """
        CREATE TABLE ingest_runs (
            id               INTEGER PRIMARY KEY,
            started_utc      TEXT NOT NULL,
            finished_utc     TEXT,
            tool_version     TEXT NOT NULL,
            command_line     TEXT NOT NULL,
            options          TEXT NOT NULL,
            jobs             INTEGER NOT NULL,
            status           TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
            files_committed  INTEGER NOT NULL DEFAULT 0,
            signature        TEXT,
            public_key       TEXT,
            chain_head       TEXT
        );
        CREATE TABLE files (
            id               INTEGER PRIMARY KEY,
            evidence_id      INTEGER NOT NULL REFERENCES evidence(id),
            entry_key        TEXT NOT NULL,
            sort_key         TEXT NOT NULL,
            parent_key       TEXT,
            depth            INTEGER NOT NULL,
            path             TEXT NOT NULL,
            name             TEXT NOT NULL,
            raw_name         BLOB NOT NULL,
            name_encoding    TEXT NOT NULL,
            kind             TEXT NOT NULL,
            mode             INTEGER,
            link_target      TEXT,
            size             INTEGER NOT NULL,
            declared_size    INTEGER,
            md5              TEXT,
            sha1             TEXT,
            sha256           TEXT,
            mime             TEXT,
            status           TEXT NOT NULL,
            message          TEXT,
            flags            TEXT NOT NULL DEFAULT '',
            is_container     INTEGER NOT NULL DEFAULT 0 CHECK (is_container IN (0, 1)),
            container_format TEXT,
            container_flags  TEXT NOT NULL DEFAULT '',
            expanded_bytes   INTEGER,
            run_id           INTEGER REFERENCES ingest_runs(id),
            UNIQUE (evidence_id, entry_key)
        );
        CREATE INDEX files_order ON files(evidence_id, sort_key);
        CREATE INDEX files_sha256 ON files(sha256);
        CREATE INDEX files_md5 ON files(md5);
        CREATE INDEX files_sha1 ON files(sha1);
        CREATE INDEX files_path ON files(path);
        CREATE INDEX files_mime ON files(mime);
        CREATE INDEX files_status ON files(status);
        CREATE TABLE file_times (
            file_id          INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            kind             TEXT NOT NULL CHECK (kind IN ('modified', 'accessed', 'changed', 'created')),
            \(timeColumns),
            PRIMARY KEY (file_id, kind)
        ) WITHOUT ROWID;
        CREATE INDEX file_times_utc ON file_times(utc_us);
        """

    private static let findings = """
        CREATE TABLE analysis_errors (
            id               INTEGER PRIMARY KEY,
            evidence_id      INTEGER NOT NULL REFERENCES evidence(id),
            entry_key        TEXT NOT NULL,
            path             TEXT NOT NULL,
            analyzer_id      TEXT NOT NULL,
            analyzer_version TEXT NOT NULL,
            status           TEXT NOT NULL CHECK (status IN ('warning', 'error', 'crashed', 'timeout')),
            code             TEXT NOT NULL,
            message          TEXT NOT NULL,
            location         TEXT,
            run_id           INTEGER REFERENCES ingest_runs(id)
        );
        CREATE INDEX analysis_errors_entry ON analysis_errors(evidence_id, entry_key);
        CREATE INDEX analysis_errors_status ON analysis_errors(status);
        CREATE TABLE artifacts (
            id               INTEGER PRIMARY KEY,
            file_id          INTEGER REFERENCES files(id) ON DELETE CASCADE,
            analyzer_id      TEXT NOT NULL,
            analyzer_version TEXT NOT NULL,
            type             TEXT NOT NULL,
            properties       TEXT NOT NULL,
            location         TEXT
        );
        CREATE INDEX artifacts_file ON artifacts(file_id);
        CREATE INDEX artifacts_type ON artifacts(type);
        CREATE TABLE artifact_times (
            artifact_id      INTEGER NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
            name             TEXT NOT NULL,
            \(timeColumns),
            PRIMARY KEY (artifact_id, name)
        ) WITHOUT ROWID;
        CREATE INDEX artifact_times_utc ON artifact_times(utc_us);
        """

    /// The columns every stored time carries (see ``TimeColumns``): the derived instant in two
    /// forms, and everything needed to explain or recompute it.
    private static let timeColumns = """
        utc              TEXT,
                    utc_us           INTEGER,
                    raw              TEXT NOT NULL,
                    basis            TEXT NOT NULL CHECK (basis IN ('utc', 'offset', 'assumed-zone', 'unknown')),
                    precision        TEXT NOT NULL,
                    note             TEXT,
                    alternate_utc    TEXT,
                    local_wallclock  TEXT
        """

    private static let auditLog = """
        CREATE TABLE audit_log (
            seq        INTEGER PRIMARY KEY,
            utc        TEXT NOT NULL,
            action     TEXT NOT NULL,
            details    TEXT NOT NULL,
            prev_hash  TEXT NOT NULL,
            hash       TEXT NOT NULL
        );
        -- Append-only: the database itself refuses edits, so rewriting history needs deliberate
        -- schema surgery, which the hash chain then exposes.
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        """
}
