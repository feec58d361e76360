import GRDB

/// FTS5 settings of the two chat search indexes, applied when an ingest run starts.
///
/// Why: FTS5 collects the terms of new rows in memory and writes them out as a new index
/// segment whenever that buffer passes `hashsize` (1 MiB by default); segments are then merged
/// again and again as they pile up. A million-message export flushed a segment every few
/// thousand messages and spent most of its index time merging them. With a larger buffer the
/// same export writes a few dozen segments (measured in docs/BENCHMARKS.md, chat section).
/// The buffer is memory while a commit is open, so its size is part of the peak-RSS budget
/// (≤ 300 MB for a million-message export).
///
/// The values live in each index's own `_config` table, so they apply to every later writer
/// of the file; setting the value that is already there writes nothing.
enum SearchIndexTuning {
    /// Bytes of pending terms per index before FTS5 writes a segment.
    static let hashSizes: [(table: String, bytes: Int)] = [("chat_fts", 48 << 20), ("chat_bigrams", 16 << 20)]

    static func apply(_ db: Database) throws {
        for (table, bytes) in hashSizes {
            let current = try Int.fetchOne(db, sql: "SELECT v FROM \(table)_config WHERE k = 'hashsize'")
            guard current != bytes else { continue }
            try db.execute(sql: "INSERT INTO \(table) (\(table), rank) VALUES ('hashsize', ?)", arguments: [bytes])
        }
    }
}
