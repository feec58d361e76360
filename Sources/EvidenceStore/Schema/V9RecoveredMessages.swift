import GRDB

/// Migration `v9-recovered-messages` (issue 13 item 4): a message an app analyzer carved from
/// its database's free space or history (a deleted row) is kept in `messages` beside the live
/// ones, never merged with them, and marked: `recovered` = 1 and `recovered_record_id` naming
/// the `recovered_records` row of the same database file whose bytes it was read from.
///
/// Live messages have `recovered` = 0 and no record. The record link is set to NULL when the
/// record goes (a redo deletes a file's messages first, so it only guards hand edits). Indexed
/// by record so `exhibit recovered` can say which records became messages. Landed migrations
/// are never edited; documented in docs/schema.md (a test compares them).
enum V9RecoveredMessages {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-recovered-messages") { db in
            try db.execute(sql: """
                ALTER TABLE messages ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0 CHECK (recovered IN (0, 1));
                ALTER TABLE messages ADD COLUMN recovered_record_id INTEGER REFERENCES recovered_records(id) ON DELETE SET NULL;
                CREATE INDEX messages_recovered_record ON messages(recovered_record_id) WHERE recovered_record_id IS NOT NULL;
                """)
        }
    }
}
