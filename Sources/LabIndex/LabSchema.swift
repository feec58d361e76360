import Foundation

/// The lab index's schema as named, append-only migrations (as in the case database): a
/// migration once shipped is never edited; a change is a new migration at the end.
/// Every table but `lab_cases` is keyed by (case_id, the row's id in the case database), so a
/// published row names the case database row to open for the court-ready detail, and publishing
/// the same case again gives the same rows.
enum LabSchema {
    /// Advisory lock key serialising `lab init` (an arbitrary constant: "EXHB" + 1).
    static let migrationLock: Int64 = 0x4558_4842_0000_0001

    /// Named migrations, oldest first.
    static let migrations: [(name: String, statements: [String])] = [("v1-lab", v1), ("v2-queue", v2), ("v3-access", v3), ("v4-hashsets", v4),
                                                                     ("v5-partitions", v5), ("v6-pdq-keys", v6)]

    /// The distributed-ingest queue (`lab submit`, `lab worker`, `lab status`): one job per
    /// (case, item); a worker holds a job by a lease it renews (heartbeat); a job whose lease
    /// expired is claimed again, and the engine resumes the item from its committed state.
    static let v2: [String] = [
        """
        CREATE TABLE lab_jobs (
            job_id bigserial PRIMARY KEY,
            case_name text NOT NULL,
            examiner text NOT NULL,
            item_path text NOT NULL,
            ingest_arguments jsonb NOT NULL,
            state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
            attempts integer NOT NULL DEFAULT 0,
            worker text, lease_until timestamptz, heartbeat_at timestamptz,
            submitted_at timestamptz NOT NULL DEFAULT now(), started_at timestamptz, finished_at timestamptz,
            note text,
            UNIQUE (case_name, item_path))
        """,
        "CREATE INDEX lab_jobs_claim ON lab_jobs (state, job_id)",
        """
        CREATE TABLE lab_workers (
            worker text PRIMARY KEY, host text NOT NULL, pid integer NOT NULL,
            started_at timestamptz NOT NULL, heartbeat_at timestamptz NOT NULL,
            current_job bigint, items_done integer NOT NULL DEFAULT 0, last_error text)
        """,
    ]

    /// Cases, items, files, PDQ hashes with a multi-index, chats, messages (trigram search),
    /// attachments, known-bad matches.
    static let v1: [String] = [
        // Trigram indexes make ILIKE '%text%' searches (Korean included) index scans.
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        """
        CREATE TABLE lab_cases (
            case_id serial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            examiner text, assumed_zone text, created_utc text, tool_version text,
            db_path text NOT NULL,
            published_utc text NOT NULL,
            row_counts jsonb NOT NULL)
        """,
        """
        CREATE TABLE lab_evidence (
            case_id integer NOT NULL REFERENCES lab_cases, evidence_id bigint NOT NULL,
            label text, item text, description text, path text, kind text, size bigint,
            sha256 text, md5 text, sha1 text, format text, status text, complete integer, added_utc text,
            PRIMARY KEY (case_id, evidence_id))
        """,
        """
        CREATE TABLE lab_files (
            case_id integer NOT NULL REFERENCES lab_cases, file_id bigint NOT NULL, evidence_id bigint,
            entry_key text, path text, name text, kind text, size bigint,
            md5 text, sha1 text, sha256 text, mime text, status text, device_path text,
            modified_utc text, modified_utc_us bigint, modified_basis text,
            PRIMARY KEY (case_id, file_id))
        """,
        "CREATE INDEX lab_files_sha256 ON lab_files (sha256)",
        "CREATE INDEX lab_files_md5 ON lab_files (md5)",
        "CREATE INDEX lab_files_sha1 ON lab_files (sha1)",
        // PDQ: the hash as bit(256) for bit_count(a # b) distances, and its sixteen 16-bit chunks
        // (chunk 0 = the first four hex digits), each indexed: multi-index hashing as in the
        // in-case matcher (docs/lab.md).
        """
        CREATE TABLE lab_pdq (
            case_id integer NOT NULL REFERENCES lab_cases, media_hash_id bigint NOT NULL, file_id bigint,
            algorithm text, hash_hex text NOT NULL, hash bit(256) NOT NULL, quality integer,
            frame_index integer, frame_time_us bigint, variants text,
            \((0..<16).map { "c\($0) integer NOT NULL" }.joined(separator: ", ")),
            PRIMARY KEY (case_id, media_hash_id))
        """,
    ] + (0..<16).map { "CREATE INDEX lab_pdq_c\($0) ON lab_pdq (c\($0))" } + [
        "CREATE INDEX lab_pdq_file ON lab_pdq (case_id, file_id)",
        """
        CREATE TABLE lab_chats (
            case_id integer NOT NULL REFERENCES lab_cases, chat_id bigint NOT NULL, room_id bigint,
            file_id bigint, platform text, format text, native_id text, title text, chat_type text, owner text,
            PRIMARY KEY (case_id, chat_id))
        """,
        """
        CREATE TABLE lab_participants (
            case_id integer NOT NULL REFERENCES lab_cases, participant_id bigint NOT NULL, chat_id bigint,
            display_name text, native_id text, is_device_owner integer,
            PRIMARY KEY (case_id, participant_id))
        """,
        """
        CREATE TABLE lab_messages (
            case_id integer NOT NULL REFERENCES lab_cases, message_id bigint NOT NULL, chat_id bigint,
            file_id bigint, sequence bigint, native_id text, kind text,
            sender text, sender_native_id text, from_device_owner integer,
            sent_utc text, sent_utc_us bigint, sent_raw text, sent_basis text,
            text text, deleted integer,
            PRIMARY KEY (case_id, message_id))
        """,
        "CREATE INDEX lab_messages_text ON lab_messages USING gin (text gin_trgm_ops)",
        """
        CREATE TABLE lab_attachments (
            case_id integer NOT NULL REFERENCES lab_cases, attachment_id bigint NOT NULL, message_id bigint,
            ordinal integer, kind text, reference text, resolved_path text, status text,
            linked_file_id bigint, sha256 text, file_name text, mime_type text,
            PRIMARY KEY (case_id, attachment_id))
        """,
        "CREATE INDEX lab_attachments_sha256 ON lab_attachments (sha256)",
        """
        CREATE TABLE lab_known_matches (
            case_id integer NOT NULL REFERENCES lab_cases, match_id bigint NOT NULL, file_id bigint,
            hashset text, hashset_kind text, category text, algorithm text, distance integer, variant text,
            matched_hash text, label text, media_id text,
            PRIMARY KEY (case_id, match_id))
        """,
        "CREATE INDEX lab_known_matches_hash ON lab_known_matches (matched_hash)",
    ]
}
