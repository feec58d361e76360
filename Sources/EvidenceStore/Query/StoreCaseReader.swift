import ExhibitKit
import Foundation
import GRDB

/// The store's ``CaseReader``: cursors over one connection inside the transaction that also
/// stores the case analyzer's output, so a rebuild reads and writes one consistent snapshot and
/// memory stays bounded by one row. Writes during a callback go to `events`, never to a table a
/// live cursor walks.
struct StoreCaseReader: CaseReader {
    let db: Database

    /// The eight time columns of a table with prefixed columns (`m.sent_utc`, …).
    private static func cols(_ p: String) -> String {
        ["utc", "utc_us", "raw", "basis", "precision", "note", "alternate_utc", "local_wallclock"]
            .map { "\(p)_\($0)" }.joined(separator: ", ")
    }

    /// A time from eight columns at `start`, or `nil` when the raw value is NULL (no time at all).
    private static func time(_ row: Row, _ start: Int) throws -> TimeValue? {
        guard try row.decode(String?.self, atIndex: start + 2) != nil else { return nil }
        return try TimeColumns.decode(row, from: start)
    }

    func forEachFileTime(_ body: (CaseFileTime) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT f.id, f.path, f.sha256, f.mime, f.kind, t.kind, t.utc, t.utc_us, t.raw, t.basis, t.precision, t.note, t.alternate_utc, t.local_wallclock
            FROM file_times t JOIN files f ON f.id = t.file_id ORDER BY f.id, t.kind
            """)
        while let row = try rows.next() {
            guard let time = try Self.time(row, 6) else { continue }
            try body(CaseFileTime(file: CaseFileRef(id: try row.decode(atIndex: 0), path: try row.decode(atIndex: 1),
                                                    sha256: try row.decode(atIndex: 2), mime: try row.decode(atIndex: 3)),
                                  kind: try row.decode(atIndex: 5), entryKind: try row.decode(atIndex: 4), time: time))
        }
    }

    func forEachMessage(_ body: (CaseMessage) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT m.id, m.chat_id, c.title, c.platform, m.kind, m.sender_name, m.text, m.service_action,
                   m.service_actor, (SELECT count(*) FROM attachments a WHERE a.message_id = m.id), m.deleted,
                   f.id, f.path, f.sha256, f.mime, m.analyzer_id, \(Self.cols("m.sent")), \(Self.cols("m.touched")), m.recovered
            FROM messages m JOIN chats c ON c.id = m.chat_id JOIN files f ON f.id = m.file_id
            WHERE c.copy_of IS NULL ORDER BY m.file_id, m.sequence
            """)
        while let row = try rows.next() {
            var message = CaseMessage(
                id: try row.decode(atIndex: 0), chatID: try row.decode(atIndex: 1), chat: try row.decode(atIndex: 2),
                platform: try row.decode(atIndex: 3), kind: try row.decode(atIndex: 4), sender: try row.decode(atIndex: 5),
                text: try row.decode(String?.self, atIndex: 6) ?? "", serviceAction: try row.decode(atIndex: 7),
                serviceActor: try row.decode(atIndex: 8), sent: try Self.time(row, 16), touched: try Self.time(row, 24),
                attachmentCount: try row.decode(atIndex: 9), deleted: try row.decode(Int.self, atIndex: 10) != 0,
                exportFile: CaseFileRef(id: try row.decode(atIndex: 11), path: try row.decode(atIndex: 12),
                                        sha256: try row.decode(atIndex: 13), mime: try row.decode(atIndex: 14)),
                analyzerID: try row.decode(atIndex: 15))
            message.recovered = try row.decode(Int.self, atIndex: 32) != 0
            try body(message)
        }
    }

    func forEachMetadataTime(_ body: (CaseMetadataTime) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT f.id, f.path, f.sha256, f.mime, m.analyzer_id, m.namespace, m.tag, m.value, \(Self.cols("m.time"))
            FROM metadata m JOIN files f ON f.id = m.file_id WHERE m.time_raw IS NOT NULL ORDER BY m.file_id, m.id
            """)
        while let row = try rows.next() {
            guard let time = try Self.time(row, 8) else { continue }
            try body(CaseMetadataTime(
                file: CaseFileRef(id: try row.decode(atIndex: 0), path: try row.decode(atIndex: 1),
                                  sha256: try row.decode(atIndex: 2), mime: try row.decode(atIndex: 3)),
                analyzerID: try row.decode(atIndex: 4), namespace: try row.decode(atIndex: 5), tag: try row.decode(atIndex: 6),
                value: try row.decode(atIndex: 7), time: time))
        }
    }

    func forEachIndicator(_ body: (CaseIndicator) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT i.id, f.id, f.path, f.sha256, f.mime, i.analyzer_id, i.kind, i.summary, i.evidence_tag,
                   t.name, t.utc, t.utc_us, t.raw, t.basis, t.precision, t.note, t.alternate_utc, t.local_wallclock
            FROM indicators i JOIN files f ON f.id = i.file_id LEFT JOIN indicator_times t ON t.indicator_id = i.id
            ORDER BY i.file_id, i.id, t.name
            """)
        var current: (id: Int64, value: CaseIndicator)?
        while let row = try rows.next() {
            let id: Int64 = try row.decode(atIndex: 0)
            if current?.id != id {
                if let done = current { try body(done.value) }
                current = (id, CaseIndicator(
                    file: CaseFileRef(id: try row.decode(atIndex: 1), path: try row.decode(atIndex: 2),
                                      sha256: try row.decode(atIndex: 3), mime: try row.decode(atIndex: 4)),
                    analyzerID: try row.decode(atIndex: 5), kind: try row.decode(atIndex: 6),
                    summary: try row.decode(atIndex: 7), evidenceTag: try row.decode(atIndex: 8), times: [:]))
            }
            if let name: String = try row.decode(atIndex: 9), let time = try Self.time(row, 10) {
                current?.value.times[name] = time
            }
        }
        if let done = current { try body(done.value) }
    }

    func forEachArtifactTime(_ body: (CaseArtifactTime) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT f.id, f.path, f.sha256, f.mime, a.analyzer_id, a.type, t.name, a.location,
                   t.utc, t.utc_us, t.raw, t.basis, t.precision, t.note, t.alternate_utc, t.local_wallclock
            FROM artifact_times t JOIN artifacts a ON a.id = t.artifact_id LEFT JOIN files f ON f.id = a.file_id
            ORDER BY a.id, t.name
            """)
        while let row = try rows.next() {
            guard let time = try Self.time(row, 8) else { continue }
            let fileID: Int64? = try row.decode(atIndex: 0)
            let file = try fileID.map { CaseFileRef(id: $0, path: try row.decode(atIndex: 1), sha256: try row.decode(atIndex: 2),
                                                    mime: try row.decode(atIndex: 3)) }
            try body(CaseArtifactTime(file: file, analyzerID: try row.decode(atIndex: 4), type: try row.decode(atIndex: 5),
                                      name: try row.decode(atIndex: 6), time: time, location: try row.decode(atIndex: 7)))
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
            SELECT f.id, f.path, f.sha256, f.mime, hs.name, hs.kind, he.category, he.label, hm.algorithm,
                   coalesce(hm.distance, 0), m.id, c.id, c.title, m.sender_name,
                   \(Self.cols("m.sent")),
                   t.utc, t.utc_us, t.raw, t.basis, t.precision, t.note, t.alternate_utc, t.local_wallclock
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
                file: CaseFileRef(id: try row.decode(atIndex: 0), path: try row.decode(atIndex: 1),
                                  sha256: try row.decode(atIndex: 2), mime: try row.decode(atIndex: 3)),
                hashset: try row.decode(atIndex: 4), hashsetKind: try row.decode(atIndex: 5),
                category: try row.decode(atIndex: 6), label: try row.decode(atIndex: 7),
                algorithm: try row.decode(atIndex: 8), distance: try row.decode(atIndex: 9),
                messageID: try row.decode(atIndex: 10), chatID: try row.decode(atIndex: 11), chat: try row.decode(atIndex: 12),
                sender: try row.decode(atIndex: 13), sent: try Self.time(row, 14), fileModified: try Self.time(row, 22)))
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
            try body(CaseAttachment(messageID: try row.decode(atIndex: 0), sha256: try row.decode(atIndex: 1),
                                    sent: try Self.time(row, 2)))
        }
    }

    func forEachImageHash(_ body: (CaseImageHash) throws -> Void) throws {
        guard try Self.hasTables(db, ["media_hashes"]) else { return }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT f.id, f.path, f.sha256, f.mime, h.hash, h.quality, h.variants FROM media_hashes h JOIN files f ON f.id = h.file_id
            WHERE h.algorithm = 'pdq' ORDER BY h.file_id, h.id
            """)
        let decoder = JSONDecoder()
        while let row = try rows.next() {
            // `variants` is canonical JSON {"rot90": hex, …}; sorted keys give a fixed order.
            var variants: [String] = []
            if let text: String = try row.decode(atIndex: 6),
               case .object(let o)? = try? decoder.decode(JSONValue.self, from: Data(text.utf8)) {
                variants = o.keys.sorted().compactMap { if case .string(let h)? = o[$0] { return h } else { return nil } }
            }
            try body(CaseImageHash(file: CaseFileRef(id: try row.decode(atIndex: 0), path: try row.decode(atIndex: 1),
                                                     sha256: try row.decode(atIndex: 2), mime: try row.decode(atIndex: 3)),
                                   hash: try row.decode(atIndex: 4), quality: try row.decode(atIndex: 5), variants: variants))
        }
    }
}
