import ExhibitKit
import GRDB

/// Chats and messages found for one platform.
public struct PlatformCount: Sendable, Hashable, Codable {
    /// `telegram`, `whatsapp`, `kakaotalk`, `sms`, …
    public var platform: String
    /// Rooms (chats rows).
    public var chats: Int
    /// Messages in them.
    public var messages: Int
}

/// How many analysis errors or warnings share a status and code.
public struct ProblemCount: Sendable, Hashable, Codable {
    /// `warning`, `error`, `crashed`, `timeout`.
    public var status: AnalysisStatus
    /// The analyzer's code (`not-a-database`, `intake-guard`, …).
    public var code: String
    /// How many rows.
    public var count: Int
}

/// One analysis error or warning with the file it is about.
public struct ProblemRow: Sendable, Hashable, Codable {
    /// Evidence item label.
    public var evidence: String
    /// Virtual path of the file.
    public var path: String
    /// The analyzer that said it (`intake…` for intake).
    public var analyzerID: String
    /// Whether it is a warning or which failure.
    public var status: AnalysisStatus
    /// Its code.
    public var code: String
    /// What it said.
    public var message: String
}

/// `analysis_errors.status` read as the typed value (the schema's CHECK admits only its cases).
extension AnalysisStatus: DatabaseValueConvertible {}

/// What an investigator wants first after an ingest (issue 15, item 10).
public struct CaseOverview: Sendable, Hashable, Codable {
    /// Chats and messages per platform, by platform name.
    public var platforms: [PlatformCount]
    /// Files matching a known-bad hash set, and the rooms whose messages carried them.
    public var knownBadFiles: Int
    public var knownBadRooms: [String]
    /// Analysis errors and warnings by status and code, most frequent first.
    public var problems: [ProblemCount]
}

extension EvidenceDatabase {
    /// The overview of the whole case (every item ingested so far).
    public func caseOverview() throws -> CaseOverview {
        try queue.read { db in
            let platforms = try Row.fetchAll(db, sql: """
                SELECT c.platform, count(DISTINCT c.id) AS chats, count(m.id) AS messages
                FROM chats c LEFT JOIN messages m ON m.chat_id = c.id GROUP BY c.platform ORDER BY c.platform
                """).map {
                PlatformCount(platform: try $0.decode(forColumn: "platform"), chats: try $0.decode(forColumn: "chats"),
                              messages: try $0.decode(forColumn: "messages"))
            }
            let knownBad = try Int.fetchOne(db, sql: """
                SELECT count(DISTINCT m.file_id) FROM hashset_matches m JOIN hashsets h ON h.id = m.hashset_id WHERE h.kind = 'known-bad'
                """) ?? 0
            let rooms = try String.fetchAll(db, sql: """
                SELECT DISTINCT coalesce(c.title, c.native_id, '(untitled)') FROM hashset_matches m
                JOIN hashsets h ON h.id = m.hashset_id AND h.kind = 'known-bad'
                JOIN attachments a ON a.linked_file_id = m.file_id JOIN messages msg ON msg.id = a.message_id
                JOIN chats c ON c.id = msg.chat_id ORDER BY 1
                """)
            let problems = try Row.fetchAll(db, sql: """
                SELECT status, code, count(*) AS n FROM analysis_errors GROUP BY status, code ORDER BY n DESC, status, code
                """).map {
                ProblemCount(status: try $0.decode(forColumn: "status"), code: try $0.decode(forColumn: "code"),
                             count: try $0.decode(forColumn: "n"))
            }
            return CaseOverview(platforms: platforms, knownBadFiles: knownBad, knownBadRooms: rooms, problems: problems)
        }
    }

    /// Analysis errors and warnings with their files, in evidence and path order.
    public func listProblems(status: AnalysisStatus? = nil, code: String? = nil, limit: Int = 1000, offset: Int = 0) throws -> [ProblemRow] {
        try queue.read { db in
            var sql = """
                SELECT ev.label, e.path, e.analyzer_id, e.status, e.code, e.message FROM analysis_errors e
                JOIN evidence ev ON ev.id = e.evidence_id WHERE 1
                """
            var args: [(any DatabaseValueConvertible)?] = []
            if let status { sql += " AND e.status = ?"; args.append(status.rawValue) }
            if let code { sql += " AND e.code = ?"; args.append(code) }
            sql += " ORDER BY ev.label, e.path, e.id LIMIT ? OFFSET ?"
            args += [limit, offset]
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map {
                ProblemRow(evidence: try $0.decode(forColumn: "label"), path: try $0.decode(forColumn: "path"),
                           analyzerID: try $0.decode(forColumn: "analyzer_id"), status: try $0.decode(forColumn: "status"),
                           code: try $0.decode(forColumn: "code"), message: try $0.decode(forColumn: "message"))
            }
        }
    }
}
