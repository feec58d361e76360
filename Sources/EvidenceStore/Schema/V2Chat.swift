import GRDB

/// Migration `v2-chat`: chat exports (issue 3) — `chats`, `participants`, `messages`,
/// `attachments`, the view `chat_messages`, and the two search indexes (`chat_fts`, trigram, for
/// queries of 3+ characters; `chat_bigrams`, for 2-character queries such as 사진).
///
/// Every row keeps its provenance: the export file's `files` row (`file_id`), the analyzer's id
/// and version, and where in the file (`location`). Landed migrations are never edited.
/// Every table, column and view here is documented in docs/schema.md (a test compares them).
enum V2Chat {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-chat") { db in
            try db.execute(sql: chats)
            try db.execute(sql: messages)
            try db.execute(sql: attachments)
            try db.execute(sql: search)
            try db.execute(sql: view)
        }
    }

    /// The eight time columns of ``TimeColumns`` with a prefix (`sent_utc`, `sent_raw`, …).
    static func timeColumns(_ prefix: String) -> String {
        """
        \(prefix)_utc TEXT, \(prefix)_utc_us INTEGER, \(prefix)_raw TEXT, \
        \(prefix)_basis TEXT CHECK (\(prefix)_basis IN ('utc', 'offset', 'assumed-zone', 'unknown')), \
        \(prefix)_precision TEXT, \(prefix)_note TEXT, \(prefix)_alternate_utc TEXT, \(prefix)_local_wallclock TEXT
        """
    }

    private static let provenance = """
        file_id          INTEGER NOT NULL REFERENCES files(id),
            analyzer_id      TEXT NOT NULL,
            analyzer_version TEXT NOT NULL
        """

    private static let chats = """
        CREATE TABLE chats (
            id               INTEGER PRIMARY KEY,
            \(provenance),
            location         TEXT,
            chat_key         TEXT NOT NULL,
            platform         TEXT NOT NULL,
            format           TEXT NOT NULL,
            native_id        TEXT,
            title            TEXT,
            title_nfc        TEXT,
            chat_type        TEXT,
            left_chat        INTEGER NOT NULL DEFAULT 0 CHECK (left_chat IN (0, 1)),
            exporting_user   TEXT,
            date_order       TEXT,
            date_order_proven INTEGER CHECK (date_order_proven IN (0, 1)),
            date_order_reason TEXT,
            clock            TEXT,
            language         TEXT,
            part             INTEGER,
            guild_name       TEXT,
            guild_id         TEXT,
            category         TEXT,
            notes            TEXT,
            \(timeColumns("exported")),
            room_key         TEXT,
            copy_of          INTEGER REFERENCES chats(id) ON DELETE SET NULL,
            UNIQUE (file_id, chat_key)
        );
        CREATE INDEX chats_room ON chats(room_key);
        CREATE INDEX chats_native ON chats(platform, native_id);
        CREATE TABLE participants (
            id               INTEGER PRIMARY KEY,
            chat_id          INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
            \(provenance),
            ordinal          INTEGER NOT NULL,
            display_name     TEXT,
            display_name_nfc TEXT,
            native_id        TEXT,
            is_device_owner  INTEGER NOT NULL DEFAULT 0 CHECK (is_device_owner IN (0, 1))
        );
        CREATE INDEX participants_chat ON participants(chat_id);
        """

    private static let messages = """
        CREATE TABLE messages (
            id               INTEGER PRIMARY KEY,
            chat_id          INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
            \(provenance),
            location         TEXT,
            sequence         INTEGER NOT NULL,
            native_id        TEXT,
            kind             TEXT NOT NULL CHECK (kind IN ('message', 'service', 'system', 'unsupported')),
            participant_id   INTEGER REFERENCES participants(id) ON DELETE SET NULL,
            sender_name      TEXT,
            sender_nfc       TEXT,
            sender_native_id TEXT,
            from_device_owner INTEGER NOT NULL DEFAULT 0 CHECK (from_device_owner IN (0, 1)),
            \(timeColumns("sent")),
            \(timeColumns("touched")),
            text             TEXT NOT NULL,
            text_nfc         TEXT,
            entities         TEXT,
            reply_to_native_id TEXT,
            reply_to_chat_native_id TEXT,
            forwarded_from   TEXT,
            forwarded_from_native_id TEXT,
            saved_from       TEXT,
            via_bot          TEXT,
            author_signature TEXT,
            reactions        TEXT,
            service_action   TEXT,
            service_actor    TEXT,
            service_actor_native_id TEXT,
            service_details  TEXT,
            edited_marker    INTEGER NOT NULL DEFAULT 0 CHECK (edited_marker IN (0, 1)),
            deleted          INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
            poll             TEXT,
            extra            TEXT,
            UNIQUE (file_id, sequence)
        );
        CREATE INDEX messages_chat ON messages(chat_id, sequence);
        CREATE INDEX messages_sent ON messages(sent_utc_us);
        """

    private static let attachments = """
        CREATE TABLE attachments (
            id               INTEGER PRIMARY KEY,
            message_id       INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            \(provenance),
            location         TEXT,
            ordinal          INTEGER NOT NULL,
            reference        TEXT,
            resolved_path    TEXT,
            kind             TEXT NOT NULL,
            file_name        TEXT,
            mime_type        TEXT,
            declared_size    INTEGER,
            width            INTEGER,
            height           INTEGER,
            duration_seconds REAL,
            thumbnail        TEXT,
            thumbnail_resolved_path TEXT,
            status           TEXT NOT NULL CHECK (status IN ('pending', 'resolved', 'missing', 'remote')),
            missing_reason   TEXT,
            linked_file_id   INTEGER REFERENCES files(id),
            sha256           TEXT,
            size             INTEGER,
            thumbnail_file_id INTEGER REFERENCES files(id),
            thumbnail_sha256 TEXT
        );
        CREATE INDEX attachments_message ON attachments(message_id);
        CREATE INDEX attachments_sha256 ON attachments(sha256);
        CREATE INDEX attachments_status ON attachments(status);
        """

    /// The trigram index reads its text from `chat_search_source` (an external-content view, so
    /// no second copy of every message is stored); the bigram index is contentless. Both are
    /// kept in sync by the store's writer, not by triggers: their rows need Unicode NFC, which
    /// plain SQL cannot compute.
    private static let search = """
        CREATE VIEW chat_search_source AS
            SELECT m.id AS message_id, coalesce(m.text_nfc, m.text) AS text, m.sender_nfc AS sender,
                   c.title_nfc AS chat
            FROM messages m JOIN chats c ON c.id = m.chat_id;
        CREATE VIRTUAL TABLE chat_fts USING fts5(
            text, sender, chat, content='chat_search_source', content_rowid='message_id', tokenize='trigram');
        CREATE VIRTUAL TABLE chat_bigrams USING fts5(
            grams, content='', columnsize=0, detail=none, tokenize='unicode61 remove_diacritics 0');
        """

    private static let view = """
        CREATE VIEW chat_messages AS
            SELECT m.id AS message_id, c.id AS chat_id, coalesce(c.copy_of, c.id) AS room_id, c.platform,
                   c.title AS chat, e.label AS evidence, f.path AS export_path, f.sort_key AS export_sort_key,
                   m.sequence, m.native_id, m.kind, m.sender_name AS sender, m.from_device_owner,
                   m.sent_utc, m.sent_basis, m.sent_raw, m.sent_note, m.text,
                   (SELECT count(*) FROM attachments a WHERE a.message_id = m.id) AS attachments,
                   m.deleted, m.reply_to_native_id
            FROM messages m JOIN chats c ON c.id = m.chat_id JOIN files f ON f.id = m.file_id
                JOIN evidence e ON e.id = f.evidence_id;
        """
}
