import ExhibitKit
import Foundation
import GRDB

/// The store's ``CaseReader``: cursors over one connection inside the transaction that also
/// stores the case analyzer's output, so a rebuild reads and writes one consistent snapshot and
/// memory stays bounded by one row. Writes during a callback go to `events`, never to a table a
/// live cursor walks.
struct StoreCaseReader: CaseReader {
    let db: Database

    /// The file a case row points at, selected as `file_id, file_path, file_sha256, file_mime`
    /// (``fileRef(_:)`` reads them by these names).
    private static let fileColumns = "f.id AS file_id, f.path AS file_path, f.sha256 AS file_sha256, f.mime AS file_mime"

    /// The file of ``fileColumns``.
    private static func fileRef(_ row: Row) throws -> CaseFileRef {
        CaseFileRef(id: try row.decode(forColumn: "file_id"), path: try row.decode(forColumn: "file_path"),
                    sha256: try row.decode(forColumn: "file_sha256"), mime: try row.decode(forColumn: "file_mime"))
    }

    /// A time from the eight columns named `prefix` + ``TimeColumns/names``, or `nil` when the
    /// raw value is NULL (no time at all).
    private static func time(_ row: Row, _ prefix: String) throws -> TimeValue? {
        guard try row.decode(String?.self, forColumn: prefix + "raw") != nil else { return nil }
        return try TimeColumns.decode(row, prefix: prefix)
    }

    func forEachFileTime(_ body: (CaseFileTime) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(Self.fileColumns), f.kind AS entry_kind, t.kind AS time_kind, \(TimeColumns.selected(from: "t", as: "time_"))
            FROM file_times t JOIN files f ON f.id = t.file_id ORDER BY f.id, t.kind
            """)
        while let row = try rows.next() {
            guard let time = try Self.time(row, "time_") else { continue }
            try body(CaseFileTime(file: try Self.fileRef(row), kind: try row.decode(forColumn: "time_kind"),
                                  entryKind: try row.decode(forColumn: "entry_kind"), time: time))
        }
    }

    func forEachMessage(_ body: (CaseMessage) throws -> Void) throws {
        // `m.sent_*` and `m.touched_*` keep their table names (`sent_utc`, …), read by prefix.
        let statement = try db.makeStatement(sql: """
            SELECT m.id AS message_id, m.chat_id, c.title AS chat_title, c.platform, m.kind, m.sender_name, m.text,
                   m.service_action, m.service_actor,
                   (SELECT count(*) FROM attachments a WHERE a.message_id = m.id) AS attachment_count, m.deleted,
                   \(Self.fileColumns), m.analyzer_id, \(Self.cols("m.sent")), \(Self.cols("m.touched")), m.recovered
            FROM messages m JOIN chats c ON c.id = m.chat_id JOIN files f ON f.id = m.file_id
            WHERE c.copy_of IS NULL ORDER BY m.file_id, m.sequence
            """)
        // One row per message of the case: each column's position is looked up by its name once
        // per query, not per row (GRDB's lookup by name builds a lower-cased key per column read).
        let at = try ColumnPositions(statement)
        let id = try at["message_id"], chatID = try at["chat_id"], chat = try at["chat_title"]
        let platform = try at["platform"], kind = try at["kind"], sender = try at["sender_name"], text = try at["text"]
        let action = try at["service_action"], actor = try at["service_actor"], attachments = try at["attachment_count"]
        let deleted = try at["deleted"], analyzer = try at["analyzer_id"], recovered = try at["recovered"]
        let sent = try at["sent_utc"], touched = try at["touched_utc"]
        let file = try (id: at["file_id"], path: at["file_path"], sha256: at["file_sha256"], mime: at["file_mime"])
        let rows = try Row.fetchCursor(statement)
        while let row = try rows.next() {
            var message = CaseMessage(
                id: try row.decode(atIndex: id), chatID: try row.decode(atIndex: chatID),
                chat: try row.decode(atIndex: chat), platform: try row.decode(atIndex: platform),
                kind: try row.decode(atIndex: kind), sender: try row.decode(atIndex: sender),
                text: try row.decode(String?.self, atIndex: text) ?? "",
                serviceAction: try row.decode(atIndex: action), serviceActor: try row.decode(atIndex: actor),
                sent: try TimeColumns.decode(row, from: sent), touched: try TimeColumns.decode(row, from: touched),
                attachmentCount: try row.decode(atIndex: attachments),
                deleted: try row.decode(Int.self, atIndex: deleted) != 0,
                exportFile: CaseFileRef(id: try row.decode(atIndex: file.id), path: try row.decode(atIndex: file.path),
                                        sha256: try row.decode(atIndex: file.sha256), mime: try row.decode(atIndex: file.mime)),
                analyzerID: try row.decode(atIndex: analyzer))
            message.recovered = try row.decode(Int.self, atIndex: recovered) != 0
            try body(message)
        }
    }

    /// The eight time columns of a table with prefixed columns (`m.sent_utc`, …), which keep
    /// their names (`sent_utc`, …) in the result.
    private static func cols(_ p: String) -> String {
        TimeColumns.names(prefix: "\(p)_").joined(separator: ", ")
    }

    func forEachMetadataTime(_ body: (CaseMetadataTime) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(Self.fileColumns), m.analyzer_id, m.namespace, m.tag, m.value, \(Self.cols("m.time"))
            FROM metadata m JOIN files f ON f.id = m.file_id WHERE m.time_raw IS NOT NULL ORDER BY m.file_id, m.id
            """)
        while let row = try rows.next() {
            guard let time = try Self.time(row, "time_") else { continue }
            try body(CaseMetadataTime(
                file: try Self.fileRef(row), analyzerID: try row.decode(forColumn: "analyzer_id"),
                namespace: try row.decode(forColumn: "namespace"), tag: try row.decode(forColumn: "tag"),
                value: try row.decode(forColumn: "value"), time: time))
        }
    }

    func forEachIndicator(_ body: (CaseIndicator) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT i.id AS indicator_id, \(Self.fileColumns), i.analyzer_id, i.kind, i.summary, i.evidence_tag,
                   t.name AS time_name, \(TimeColumns.selected(from: "t", as: "time_"))
            FROM indicators i JOIN files f ON f.id = i.file_id LEFT JOIN indicator_times t ON t.indicator_id = i.id
            ORDER BY i.file_id, i.id, t.name
            """)
        var current: (id: Int64, value: CaseIndicator)?
        while let row = try rows.next() {
            let id: Int64 = try row.decode(forColumn: "indicator_id")
            if current?.id != id {
                if let done = current { try body(done.value) }
                current = (id, CaseIndicator(
                    file: try Self.fileRef(row), analyzerID: try row.decode(forColumn: "analyzer_id"),
                    kind: try row.decode(forColumn: "kind"), summary: try row.decode(forColumn: "summary"),
                    evidenceTag: try row.decode(forColumn: "evidence_tag"), times: [:]))
            }
            if let name: String = try row.decode(forColumn: "time_name"), let time = try Self.time(row, "time_") {
                current?.value.times[name] = time
            }
        }
        if let done = current { try body(done.value) }
    }

    func forEachArtifactTime(_ body: (CaseArtifactTime) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(Self.fileColumns), a.analyzer_id, a.type, t.name AS time_name, a.location,
                   \(TimeColumns.selected(from: "t", as: "time_"))
            FROM artifact_times t JOIN artifacts a ON a.id = t.artifact_id LEFT JOIN files f ON f.id = a.file_id
            ORDER BY a.id, t.name
            """)
        while let row = try rows.next() {
            guard let time = try Self.time(row, "time_") else { continue }
            let fileID: Int64? = try row.decode(forColumn: "file_id")
            let file = try fileID.map { _ in try Self.fileRef(row) }
            try body(CaseArtifactTime(file: file, analyzerID: try row.decode(forColumn: "analyzer_id"),
                                      type: try row.decode(forColumn: "type"), name: try row.decode(forColumn: "time_name"),
                                      time: time, location: try row.decode(forColumn: "location")))
        }
    }

    /// Ordered by content, never by file row ids (intake commits files in a concurrent order):
    /// the timeline keeps the first match per carrying message, so when several copies of one
    /// picture match (a chat export's photo and the same bytes in Downloads), the copy the
    /// message's attachment links to comes first, then by path. Ordered by `hm.file_id`, two
    /// ingests of the same items named different copies in one `media.known` event.
    func forEachHashSetMatch(_ body: (CaseHashSetMatch) throws -> Void) throws {
        // Hash sets arrive with migration v4-media; older databases simply have no matches.
        guard try Self.hasTables(db, ["hashset_matches", "hashsets", "hashset_entries"]) else { return }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(Self.fileColumns), hs.name AS hashset_name, hs.kind AS hashset_kind, he.category, he.label,
                   hm.algorithm, coalesce(hm.distance, 0) AS distance, m.id AS message_id, c.id AS chat_id,
                   c.title AS chat_title, m.sender_name, \(Self.cols("m.sent")),
                   \(TimeColumns.selected(from: "t", as: "modified_"))
            FROM hashset_matches hm JOIN files f ON f.id = hm.file_id JOIN hashsets hs ON hs.id = hm.hashset_id
                LEFT JOIN hashset_entries he ON he.id = hm.entry_id
                LEFT JOIN attachments a ON a.sha256 = f.sha256 AND f.sha256 IS NOT NULL
                LEFT JOIN messages m ON m.id = a.message_id
                LEFT JOIN chats c ON c.id = m.chat_id
                LEFT JOIN file_times t ON t.file_id = f.id AND t.kind = 'modified'
            WHERE hs.kind = 'known-bad' AND (c.id IS NULL OR c.copy_of IS NULL)
            ORDER BY CASE WHEN a.linked_file_id = f.id THEN 0 ELSE 1 END, f.path, hs.name, he.hash, hm.algorithm,
                     coalesce(hm.distance, 0), m.id, hm.id
            """)
        while let row = try rows.next() {
            try body(CaseHashSetMatch(
                file: try Self.fileRef(row), hashset: try row.decode(forColumn: "hashset_name"),
                hashsetKind: try row.decode(forColumn: "hashset_kind"), category: try row.decode(forColumn: "category"),
                label: try row.decode(forColumn: "label"), algorithm: try row.decode(forColumn: "algorithm"),
                distance: try row.decode(forColumn: "distance"), messageID: try row.decode(forColumn: "message_id"),
                chatID: try row.decode(forColumn: "chat_id"), chat: try row.decode(forColumn: "chat_title"),
                sender: try row.decode(forColumn: "sender_name"), sent: try Self.time(row, "sent_"),
                fileModified: try Self.time(row, "modified_")))
        }
    }

    /// Whether every named table exists (features landed by later migrations).
    static func hasTables(_ db: Database, _ names: [String]) throws -> Bool {
        let found = try Int.fetchOne(db, sql: """
            SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (\(names.map { _ in "?" }.joined(separator: ", ")))
            """, arguments: StatementArguments(names)) ?? 0
        return found == names.count
    }
}

extension StoreCaseReader {
    func forEachAttachment(_ body: (CaseAttachment) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT a.message_id, a.sha256, \(Self.cols("m.sent"))
            FROM attachments a JOIN messages m ON m.id = a.message_id JOIN chats c ON c.id = m.chat_id
            WHERE a.sha256 IS NOT NULL AND c.copy_of IS NULL ORDER BY a.message_id, a.ordinal
            """)
        while let row = try rows.next() {
            try body(CaseAttachment(messageID: try row.decode(forColumn: "message_id"), sha256: try row.decode(forColumn: "sha256"),
                                    sent: try Self.time(row, "sent_")))
        }
    }

    func forEachImageHash(_ body: (CaseImageHash) throws -> Void) throws {
        guard try Self.hasTables(db, ["media_hashes"]) else { return }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(Self.fileColumns), h.hash, h.quality, h.variants FROM media_hashes h JOIN files f ON f.id = h.file_id
            WHERE h.algorithm = 'pdq' ORDER BY h.file_id, h.id
            """)
        let decoder = JSONDecoder()
        while let row = try rows.next() {
            // `variants` is canonical JSON {"rot90": hex, …}; sorted keys give a fixed order.
            var variants: [String] = []
            if let text: String = try row.decode(forColumn: "variants"),
               case .object(let o)? = try? decoder.decode(JSONValue.self, from: Data(text.utf8)) {
                variants = o.keys.sorted().compactMap { if case .string(let h)? = o[$0] { return h } else { return nil } }
            }
            try body(CaseImageHash(file: try Self.fileRef(row), hash: try row.decode(forColumn: "hash"),
                                   quality: try row.decode(forColumn: "quality"), variants: variants))
        }
    }
}

/// Column positions of a prepared statement by name, looked up once per query so a hot loop
/// reads each row by index while its code still names the columns.
struct ColumnPositions {
    private let positions: [String: Int]

    init(_ statement: Statement) {
        var positions: [String: Int] = [:]
        for (i, name) in statement.columnNames.enumerated() where positions[name] == nil { positions[name] = i }
        self.positions = positions
    }

    /// The position of `name`; a name the query does not select is a programming error reported
    /// as a database error (the query and the names sit side by side).
    subscript(_ name: String) -> Int {
        get throws {
            guard let i = positions[name] else { throw DatabaseError(message: "the query selects no column \(name)") }
            return i
        }
    }
}
