import GRDB

/// Migration `v5-timeline` (issue 6): `events`, the one case timeline built by case analyzers
/// from every time-bearing finding, and the views `timeline` (events in words) and
/// `media_spread` (every appearance of a media content: messages that carried it, file copies),
/// and `media_clusters` (contents grouped by perceptual hash, so re-encoded copies count as one).
///
/// Events are derived data: a case analyzer's rebuild deletes its own rows (`builder`) and writes
/// them again, so they carry copies of the source time (raw, basis, precision, note) rather than
/// pointers, and `exhibit case set-tz` rebuilds them after recomputing the sources.
/// Indexes serve the timeline's keyset pages: by time, by sender then time, by kind then time,
/// by chat then time, and lookups by file and message. Landed migrations are never edited;
/// every table, column and view is documented in docs/schema.md (a test compares them).
enum V5Timeline {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-timeline") { db in
            try db.execute(sql: events)
            try db.execute(sql: views)
        }
    }

    private static let events = """
        CREATE TABLE events (
            id               INTEGER PRIMARY KEY,
            utc              TEXT,
            utc_us           INTEGER,
            raw              TEXT NOT NULL,
            basis            TEXT NOT NULL CHECK (basis IN ('utc', 'offset', 'assumed-zone', 'unknown')),
            precision        TEXT NOT NULL,
            note             TEXT,
            kind             TEXT NOT NULL,
            description      TEXT NOT NULL,
            source           TEXT NOT NULL,
            builder          TEXT NOT NULL,
            builder_version  TEXT NOT NULL,
            evidence_id      INTEGER REFERENCES evidence(id),
            file_id          INTEGER REFERENCES files(id) ON DELETE CASCADE,
            message_id       INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            chat_id          INTEGER REFERENCES chats(id) ON DELETE CASCADE,
            sender           TEXT,
            provenance       TEXT NOT NULL
        );
        CREATE INDEX events_time ON events(utc_us);
        CREATE INDEX events_sender ON events(sender, utc_us) WHERE sender IS NOT NULL;
        CREATE INDEX events_kind ON events(kind, utc_us);
        CREATE INDEX events_chat ON events(chat_id, utc_us) WHERE chat_id IS NOT NULL;
        CREATE INDEX events_file ON events(file_id) WHERE file_id IS NOT NULL;
        CREATE INDEX events_message ON events(message_id) WHERE message_id IS NOT NULL;
        CREATE INDEX events_builder ON events(builder);
        CREATE TABLE media_clusters (
            sha256           TEXT PRIMARY KEY,
            cluster          TEXT NOT NULL,
            method           TEXT NOT NULL,
            threshold        INTEGER NOT NULL,
            builder          TEXT NOT NULL,
            builder_version  TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX media_clusters_cluster ON media_clusters(cluster);
        """

    private static let views = """
        CREATE VIEW timeline AS
            SELECT ev.id AS event_id, ev.utc, ev.utc_us, ev.raw, ev.basis, ev.precision, ev.note, ev.kind,
                   ev.description, ev.source, f.path AS file_path, ev.file_id, ev.message_id, c.title AS chat,
                   ev.chat_id, ev.sender, f.sha256, e.label AS evidence, ev.builder, ev.provenance
            FROM events ev LEFT JOIN files f ON f.id = ev.file_id LEFT JOIN chats c ON c.id = ev.chat_id
                LEFT JOIN evidence e ON e.id = ev.evidence_id;
        CREATE VIEW media_spread AS
            SELECT coalesce(mc.cluster, a.sha256) AS content, a.sha256 AS sha256, 'message' AS appearance, m.id AS message_id, c.id AS chat_id,
                   coalesce(c.copy_of, c.id) AS room_id, c.platform, c.title AS chat, m.sender_name AS sender,
                   m.sent_utc AS utc, m.sent_utc_us AS utc_us, m.sent_basis AS basis, a.linked_file_id AS file_id,
                   lf.path AS path, ef.path AS export_path
            FROM attachments a JOIN messages m ON m.id = a.message_id JOIN chats c ON c.id = m.chat_id
                JOIN files ef ON ef.id = m.file_id LEFT JOIN files lf ON lf.id = a.linked_file_id
                LEFT JOIN media_clusters mc ON mc.sha256 = a.sha256
            WHERE a.sha256 IS NOT NULL
            UNION ALL
            SELECT coalesce(mc.cluster, f.sha256), f.sha256, 'file', NULL, NULL, NULL, NULL, NULL, NULL, t.utc, t.utc_us, t.basis, f.id, f.path, NULL
            FROM files f LEFT JOIN file_times t ON t.file_id = f.id AND t.kind = 'modified'
                LEFT JOIN media_clusters mc ON mc.sha256 = f.sha256
            WHERE f.sha256 IS NOT NULL AND f.kind = 'file' AND (f.mime LIKE 'image/%' OR f.mime LIKE 'video/%');
        """
}
