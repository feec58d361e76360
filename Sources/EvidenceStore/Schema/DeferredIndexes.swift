import GRDB

/// Indexes that an ingest run drops while it bulk-loads files and rebuilds when it ends.
///
/// Why: hash values are random, so every file inserted into a live hash index dirties a
/// different page of it, and with `synchronous=FULL` each batch commit must write and fsync all
/// of those pages — measured here, three hash indexes made a 200,000-file commit about four
/// times slower than everything else together. Building the same indexes once at the end
/// (a sorted bulk build) takes about a second for 200,000 files. Queries stay correct while
/// the indexes are absent, only slower; nothing depends on them for uniqueness.
///
/// The definitions are identical to the ones migration `v1-foundation` created (a test compares
/// the rebuilt schema with a freshly migrated one).
enum DeferredIndexes {
    /// `CREATE INDEX` statements, by index name.
    static let definitions: [(name: String, sql: String)] = [
        ("files_sha256", "CREATE INDEX IF NOT EXISTS files_sha256 ON files(sha256)"),
        ("files_md5", "CREATE INDEX IF NOT EXISTS files_md5 ON files(md5)"),
        ("files_sha1", "CREATE INDEX IF NOT EXISTS files_sha1 ON files(sha1)"),
    ]

    static func drop(_ db: Database) throws {
        for index in definitions { try db.execute(sql: "DROP INDEX IF EXISTS \(index.name)") }
    }

    static func restore(_ db: Database) throws {
        for index in definitions { try db.execute(sql: index.sql) }
    }

    /// Names of deferred indexes currently missing.
    static func missing(_ db: Database) throws -> [String] {
        let present = try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'"))
        return definitions.map(\.name).filter { !present.contains($0) }
    }
}
