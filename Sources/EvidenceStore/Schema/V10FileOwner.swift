import GRDB

/// Migration `v10-file-owner` (issue 19 item 8): the numeric owner (`uid:gid`) of each entry of
/// directory evidence, as the file system recorded it at ingest, so the directory manifest
/// (version 3) covers it and `exhibit verify` fails after a `chown` of an evidence file. NULL for
/// archive entries and for rows committed before this migration. Landed migrations are never
/// edited; documented in docs/schema.md (a test compares them).
enum V10FileOwner {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-file-owner") { db in
            try db.execute(sql: "ALTER TABLE files ADD COLUMN owner TEXT")
        }
    }
}
