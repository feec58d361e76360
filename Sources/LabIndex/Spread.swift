import Foundation
import PostgresNIO

/// A content found by a lab spread: exactly the asked picture, or a near-duplicate by PDQ.
public struct LabContent: Sendable, Codable, Equatable {
    /// The content's SHA-256.
    public var sha256: String
    /// `exact` (the SHA-256 asked, or the file given) or `pdq` (a near-duplicate).
    public var match: String
    /// Smallest PDQ distance to the asked picture (0 for exact).
    public var distance: Int
    /// Memberwise.
    public init(sha256: String, match: String, distance: Int) { self.sha256 = sha256; self.match = match; self.distance = distance }
}

/// One place a picture appears lab-wide, naming the case database row that holds the detail.
public struct LabAppearance: Sendable, Codable, Equatable {
    /// Case name.
    public var caseName: String
    /// The case database to open (`exhibit messages --db …`, `sqlite3 …`).
    public var database: String
    /// Evidence item label within the case.
    public var evidence: String?
    /// `message` (sent as an attachment) or `file` (a copy in the inventory).
    public var appearance: String
    /// Case-database table holding the row (`messages` or `files`).
    public var table: String
    /// The row's id in that table.
    public var row: Int
    /// For messages: the `attachments.id` that carried the picture.
    public var attachmentID: Int?
    /// The content's SHA-256.
    public var sha256: String
    /// Virtual path of the file (the attachment's linked file, or the copy).
    public var path: String?
    /// Where the file lived on the seized phone, when known.
    public var devicePath: String?
    /// Messages: `telegram`, `whatsapp`, …
    public var platform: String?
    /// Messages: the chat's title.
    public var chat: String?
    /// Messages: the room (`coalesce(copy_of, id)` in the case database).
    public var roomID: Int?
    /// Messages: the sender as exported.
    public var sender: String?
    /// Sent time (messages) or modification time (files), UTC text; nil when unknown.
    public var utc: String?
    /// The same instant in microseconds.
    public var utcUS: Int?
    /// Basis of that time (`utc`, `offset`, `assumed-zone`, `unknown`).
    public var basis: String?

    /// Memberwise.
    public init(caseName: String, database: String, evidence: String?, appearance: String, table: String, row: Int, attachmentID: Int?,
                sha256: String, path: String?, devicePath: String?, platform: String?, chat: String?, roomID: Int?, sender: String?,
                utc: String?, utcUS: Int?, basis: String?) {
        self.caseName = caseName; self.database = database; self.evidence = evidence; self.appearance = appearance; self.table = table
        self.row = row; self.attachmentID = attachmentID; self.sha256 = sha256; self.path = path; self.devicePath = devicePath
        self.platform = platform; self.chat = chat; self.roomID = roomID; self.sender = sender; self.utc = utc; self.utcUS = utcUS
        self.basis = basis
    }
}

/// The answer to `exhibit lab spread`.
public struct LabSpread: Sendable, Codable, Equatable {
    /// The contents considered the same picture: the asked one and its near-duplicates.
    public var contents: [LabContent]
    /// Every appearance, earliest first (unknown times last), then by case and row.
    public var appearances: [LabAppearance]
    /// The first appearance lab-wide with a known instant.
    public var first: LabAppearance?
    /// Cases the picture appears in.
    public var cases: Int
    /// Rooms (per case) it was sent in.
    public var rooms: Int
    /// Distinct sender names.
    public var senders: Int
}

extension LabIndex {
    /// PDQ distance at or under which two pictures are one content (as in the case database).
    public static let pdqThreshold = 31

    /// Where a picture appears lab-wide. `sha256`: that content and, through the PDQ hashes the
    /// lab holds for files with it (and their turned/flipped variants), its near-duplicates;
    /// `pdq`: hashes of the picture itself (a file's hash and variants, or one hash given).
    public func spread(sha256: String?, pdq: [String], exactOnly: Bool = false) async throws -> LabSpread {
        try await requireSchema()
        var queries = Set(pdq.map { $0.lowercased() })
        var contents: [String: LabContent] = [:]
        if let sha = sha256?.lowercased() {
            contents[sha] = LabContent(sha256: sha, match: "exact", distance: 0)
            if !exactOnly {
                let rows = try await connection.query("""
                    SELECT DISTINCT p.hash_hex, p.variants FROM lab_pdq p
                    JOIN lab_files f ON f.case_id = p.case_id AND f.file_id = p.file_id
                    WHERE f.sha256 = \(sha) AND p.algorithm = 'pdq' AND p.quality >= 50
                    """, logger: logger)
                for try await (hex, variants) in rows.decode((String, String?).self) {
                    queries.insert(hex)
                    if let v = variants, let d = try? JSONSerialization.jsonObject(with: Data(v.utf8)) as? [String: String] {
                        queries.formUnion(d.values.map { $0.lowercased() })
                    }
                }
            }
        }
        if !exactOnly {
            for q in queries.sorted() {
                for (sha, d) in try await nearDuplicates(q, maxDistance: Self.pdqThreshold) {
                    if let old = contents[sha], old.distance <= d { continue }
                    contents[sha] = LabContent(sha256: sha, match: "pdq", distance: d)
                }
            }
        }
        let shas = contents.keys.sorted()
        var appearances = try await messageAppearances(shas) + fileAppearances(shas)
        appearances.sort { a, b in
            switch (a.utcUS, b.utcUS) {
            case let (x?, y?) where x != y: return x < y
            case (nil, _?): return false
            case (_?, nil): return true
            default: break
            }
            if a.caseName != b.caseName { return a.caseName < b.caseName }
            if a.appearance != b.appearance { return a.appearance == "message" }
            return (a.row, a.attachmentID ?? 0) < (b.row, b.attachmentID ?? 0)
        }
        let rooms = Set(appearances.compactMap { a in a.roomID.map { "\(a.caseName)\u{0}\($0)" } })
        return LabSpread(contents: shas.compactMap { contents[$0] }.sorted { ($0.distance, $0.sha256) < ($1.distance, $1.sha256) },
                         appearances: appearances, first: appearances.first { $0.utcUS != nil },
                         cases: Set(appearances.map(\.caseName)).count, rooms: rooms.count,
                         senders: Set(appearances.compactMap(\.sender)).count)
    }

    /// SHA-256s of files whose PDQ hash (quality ≥ 50) is within `maxDistance` of `hex`, with the
    /// smallest distance. Two stages in one query: multi-index hashing over the eleven keys of
    /// `PDQKeys` — a row qualifies only if one of its keys is within ⌊maxDistance/11⌋ bit flips of
    /// the query's (pigeonhole), which the key indexes answer — then every candidate's full Hamming
    /// distance. Beyond 2 flips per key (distance > 32) the key lists would grow into the
    /// thousands each; such a question scans the hashes instead (the same answer, slower).
    public func nearDuplicates(_ hex: String, maxDistance: Int) async throws -> [(sha256: String, distance: Int)] {
        guard let q = PDQChunks(hex: hex.lowercased()) else { throw LabError("'\(hex)' is not a PDQ hash (64 hex digits)") }
        let d = max(0, min(maxDistance, 255))
        var binds = PostgresBindings()
        binds.append(q.bitString)
        let probe: String
        if PDQKeys.flips(forDistance: d) <= 2 {
            probe = Self.keyCondition(firstParameter: 2)
            for values in Self.keyValues(q, maxDistance: d) { binds.append(values) }
        } else {
            probe = "true"
        }
        let sql = """
            SELECT f.sha256, min(bit_count(p.hash # $1::bit(256)))::integer FROM lab_pdq p
            JOIN lab_files f ON f.case_id = p.case_id AND f.file_id = p.file_id
            WHERE (\(probe)) AND p.quality >= 50 AND bit_count(p.hash # $1::bit(256)) <= \(d) AND f.sha256 IS NOT NULL
            GROUP BY f.sha256 ORDER BY 2, 1
            """
        return try await connection.withTransaction(logger: logger) { c in
            // No parallel workers: over partitions the planner picks a Parallel Append whose worker
            // start-up and planning cost several times the probe itself (docs/BENCHMARKS.md: 60 ms
            // against 25 ms at 200,000 hashes). A generic plan: the key lists are parameters, so
            // the planner does not estimate 3,119 values once per partition (it assumes a short
            // list, which leads it to the key indexes as the real lists should). SET LOCAL keeps
            // both settings inside this query.
            try await c.query("SET LOCAL max_parallel_workers_per_gather = 0", logger: self.logger)
            try await c.query("SET LOCAL plan_cache_mode = force_generic_plan", logger: self.logger)
            var out: [(String, Int)] = []
            for try await (sha, dist) in try await c.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger).decode((String, Int).self) {
                out.append((sha, dist))
            }
            return out
        }
    }

    /// `key0 = ANY($n) OR … OR key10 = ANY($n+10)`, the keys spelled as their indexes spell them.
    static func keyCondition(firstParameter n: Int) -> String {
        PDQKeys.widths.indices.map { k in "\(PDQKeys.expression(k, prefix: "p.")) = ANY($\(n + k)::integer[])" }.joined(separator: " OR ")
    }

    /// Per key, every value within ⌊d/11⌋ bit flips of the query's (numbers we computed).
    static func keyValues(_ q: PDQChunks, maxDistance d: Int) -> [[Int32]] {
        let flips = PDQKeys.flips(forDistance: d)
        return zip(PDQKeys(q).keys, PDQKeys.widths).map { v, w in PDQKeys.neighbours(v, width: w, flips: flips).map { Int32($0) } }
    }

    private func messageAppearances(_ shas: [String]) async throws -> [LabAppearance] {
        guard !shas.isEmpty else { return [] }
        let rows = try await connection.query("""
            SELECT c.name, c.db_path, e.label, m.message_id, a.attachment_id, a.sha256, coalesce(lf.path, a.resolved_path), lf.device_path,
                   ch.platform, ch.title, ch.room_id, m.sender, m.sent_utc, m.sent_utc_us, m.sent_basis
            FROM lab_attachments a
            JOIN lab_messages m ON m.case_id = a.case_id AND m.message_id = a.message_id
            JOIN lab_chats ch ON ch.case_id = m.case_id AND ch.chat_id = m.chat_id
            JOIN lab_cases c ON c.case_id = a.case_id
            LEFT JOIN lab_files lf ON lf.case_id = a.case_id AND lf.file_id = a.linked_file_id
            LEFT JOIN lab_files xf ON xf.case_id = m.case_id AND xf.file_id = m.file_id
            LEFT JOIN lab_evidence e ON e.case_id = xf.case_id AND e.evidence_id = xf.evidence_id
            WHERE a.sha256 = ANY(\(shas))
            """, logger: logger)
        var out: [LabAppearance] = []
        for try await r in rows.decode((String, String, String?, Int, Int, String, String?, String?, String?, String?, Int?, String?, String?, Int?, String?).self) {
            out.append(LabAppearance(caseName: r.0, database: r.1, evidence: r.2, appearance: "message", table: "messages", row: r.3,
                                     attachmentID: r.4, sha256: r.5, path: r.6, devicePath: r.7, platform: r.8, chat: r.9,
                                     roomID: r.10, sender: r.11, utc: r.12, utcUS: r.13, basis: r.14))
        }
        return out
    }

    private func fileAppearances(_ shas: [String]) async throws -> [LabAppearance] {
        guard !shas.isEmpty else { return [] }
        let rows = try await connection.query("""
            SELECT c.name, c.db_path, e.label, f.file_id, f.sha256, f.path, f.device_path, f.modified_utc, f.modified_utc_us, f.modified_basis
            FROM lab_files f JOIN lab_cases c ON c.case_id = f.case_id
            LEFT JOIN lab_evidence e ON e.case_id = f.case_id AND e.evidence_id = f.evidence_id
            WHERE f.sha256 = ANY(\(shas)) AND f.kind = 'file'
            """, logger: logger)
        var out: [LabAppearance] = []
        for try await r in rows.decode((String, String, String?, Int, String, String?, String?, String?, Int?, String?).self) {
            out.append(LabAppearance(caseName: r.0, database: r.1, evidence: r.2, appearance: "file", table: "files", row: r.3,
                                     attachmentID: nil, sha256: r.4, path: r.5, devicePath: r.6, platform: nil, chat: nil,
                                     roomID: nil, sender: nil, utc: r.7, utcUS: r.8, basis: r.9))
        }
        return out
    }
}
