import GRDB

/// Migration `v6-phones` (issue 11): phones as they arrive. `files.device_path` is where a file
/// lived on the seized device, for every file inside a recognised phone extraction (whatever
/// prefix the acquisition tool wrote); `device_layouts` records each recognised layout (which
/// container, where its device tree starts, which device folder that is). Chats read from an
/// app's own database name their owner (the app's data folder and account on the device), and
/// attachments named by a database carry the device paths and the app's own hash that the
/// linker uses to find the file. Landed migrations are never edited; every table and column is
/// documented in docs/schema.md (a test compares them).
enum V6Phones {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-phones") { db in
            try db.execute(sql: """
                ALTER TABLE files ADD COLUMN device_path TEXT;
                CREATE INDEX files_device_path ON files(evidence_id, device_path) WHERE device_path IS NOT NULL;
                CREATE TABLE device_layouts (
                    evidence_id  INTEGER NOT NULL REFERENCES evidence(id),
                    container    TEXT NOT NULL,
                    platform     TEXT NOT NULL CHECK (platform IN ('android', 'ios')),
                    root         TEXT NOT NULL,
                    mount        TEXT NOT NULL,
                    PRIMARY KEY (evidence_id, container, root)
                );
                ALTER TABLE chats ADD COLUMN owner TEXT;
                ALTER TABLE attachments ADD COLUMN device_paths TEXT;
                ALTER TABLE attachments ADD COLUMN app_sha1 TEXT;
                """)
        }
    }
}
