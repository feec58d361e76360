import GRDB

/// The first hits of a full-text search in thread order (evidence label, export file, sequence),
/// without sorting every hit.
///
/// Why: a common word matches hundreds of thousands of messages (딥페이크 in 40 % of a
/// 1,000,000-message export); sorting all of them by thread order to keep the first 100 cost
/// ~500 ms, nearly all in looking up and sorting hit rows — the FTS lookup itself takes a few ms.
/// Now: when the hits are few (≤ ``sortAllLimit``), sort them (cheap); when they are many, walk
/// the export files in thread order and, in each, the messages in sequence order through the
/// `(file_id, sequence)` index, keeping those in the hit list, until the page is full — dense
/// hits fill a page after a few hundred index entries.
enum SearchOrder {
    /// Up to this many hits are sorted outright.
    static let sortAllLimit = 5000

    /// Message ids of the first `limit` hits of `hitsSQL` (a `SELECT` of message ids taking
    /// `hitArgs`), in thread order; `copies` keeps chats that are copies of another export.
    static func firstHits(_ db: Database, hitsSQL: String, hitArgs: StatementArguments, includeCopies: Bool,
                          limit: Int, sortAllLimit: Int = SearchOrder.sortAllLimit) throws -> [Int64] {
        let copies = includeCopies ? "" : "AND m.chat_id IN (SELECT id FROM chats WHERE copy_of IS NULL)"
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(hitsSQL))", arguments: hitArgs) ?? 0
        if total == 0 || limit <= 0 { return [] }
        if total <= sortAllLimit {
            var args = hitArgs
            args += [limit]
            return try Int64.fetchAll(db, sql: """
                SELECT m.id FROM messages m JOIN files f ON f.id = m.file_id JOIN evidence e ON e.id = f.evidence_id
                WHERE m.id IN (\(hitsSQL)) \(copies) ORDER BY e.label, f.sort_key, m.sequence LIMIT ?
                """, arguments: args)
        }
        let files = try Int64.fetchAll(db, sql: """
            SELECT f.id FROM files f JOIN evidence e ON e.id = f.evidence_id
            WHERE f.id IN (SELECT DISTINCT file_id FROM chats) ORDER BY e.label, f.sort_key
            """)
        var out: [Int64] = []
        for file in files where out.count < limit {
            var args: StatementArguments = [file]
            args += hitArgs
            args += [limit - out.count]
            out += try Int64.fetchAll(db, sql: """
                SELECT m.id FROM messages m INDEXED BY sqlite_autoindex_messages_1
                WHERE m.file_id = ? AND m.id IN (\(hitsSQL)) \(copies) ORDER BY m.sequence LIMIT ?
                """, arguments: args)
        }
        return out
    }
}
