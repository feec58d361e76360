import GRDB

/// Migration `v6-phones` (issue 11): phones as they arrive. `files.device_path` is where a file
/// lived on the seized device, for every file inside a recognised phone extraction (whatever
/// prefix the acquisition tool wrote); `device_layouts` records each recognised layout (which
/// container, where its device tree starts, which device folder that is). Chats read from an
/// app's own database name their owner (the app's data folder and account on the device), and
/// attachments named by a database carry the device paths and the app's own hash that the
/// linker uses to find the file. Landed migrations are never edited; every table and column is
/// documented in docs/schema.md (a test compares them).
/// The `timeline` view gains the file's `device_path` (exports show it next to the virtual path).
enum V6Phones {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-phones") { db in
            try db.execute(sql: """
                ALTER TABLE files ADD COLUMN device_path TEXT;
                CREATE INDEX files_device_path ON files(evidence_id, device_path) WHERE device_path IS NOT NULL;
                CREATE TABLE device_layouts (
                    evidence_id  INTEGER NOT NULL REFERENCES evidence(id),
                    container    TEXT NOT NULL,
                    platform     TEXT NOT NULL CHECK (platform IN ('android', 'ios', 'unknown')),
                    root         TEXT NOT NULL,
                    mount        TEXT NOT NULL,
                    kind         TEXT NOT NULL DEFAULT 'tree' CHECK (kind IN ('tree', 'itunes-backup', 'ufdr')),
                    facts        TEXT,
                    PRIMARY KEY (evidence_id, container, root)
                );
                ALTER TABLE chats ADD COLUMN owner TEXT;
                ALTER TABLE attachments ADD COLUMN device_paths TEXT;
                ALTER TABLE attachments ADD COLUMN app_sha1 TEXT;
                DROP VIEW timeline;
                CREATE VIEW timeline AS
                    SELECT ev.id AS event_id, ev.utc, ev.utc_us, ev.raw, ev.basis, ev.precision, ev.note, ev.kind,
                           ev.description, ev.source, f.path AS file_path, ev.file_id, ev.message_id, c.title AS chat,
                           ev.chat_id, ev.sender, f.sha256, e.label AS evidence, ev.builder, ev.provenance,
                           f.device_path AS device_path
                    FROM events ev LEFT JOIN files f ON f.id = ev.file_id LEFT JOIN chats c ON c.id = ev.chat_id
                        LEFT JOIN evidence e ON e.id = ev.evidence_id;
                """)
        }
    }
}
