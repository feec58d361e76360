import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// The store's bulk writers run without SQLite evaluating CHECK constraints row by row
/// (`Database.withTypedValueChecks`), and the findings digest reads its two largest tables one
/// file at a time. These tests pin what makes both safe: every value the writers can bind
/// satisfies the schema's CHECK lists, the checks are back on after every commit (also one that
/// fails), and the per-file digest equals the one-query digest it replaced.
@Suite("Bulk write path")
struct BulkWritePathTests {
    /// Every `column IN (…)` CHECK list of the tables the bulk writers fill, with the values the
    /// writers can bind to it (all cases of the Swift type they come from).
    static let fed: [String: [String]] = {
        let basis = TimeBasis.allCases.map(\.rawValue)
        let bool = ["0", "1"]
        return [
            "messages.kind": MessageKind.allCases.map(\.rawValue), "messages.sent_basis": basis,
            "messages.touched_basis": basis, "messages.from_device_owner": bool, "messages.edited_marker": bool,
            "messages.deleted": bool, "messages.recovered": bool,
            "chats.exported_basis": basis, "chats.left_chat": bool, "chats.date_order_proven": bool,
            "participants.is_device_owner": bool,
            // `ChatRowWriter.initialStatus` and the linking after intake.
            "attachments.status": ["pending", "resolved", "missing", "remote"],
            "files.is_container": bool,
            "file_times.kind": FileTimeKind.allCases.map(\.rawValue), "file_times.basis": basis,
            "analysis_errors.status": AnalysisStatus.allCases.map(\.rawValue),
            "artifact_times.basis": basis, "metadata.time_basis": basis, "indicator_times.basis": basis,
            "media_hashes.algorithm": MediaHashAlgorithm.allCases.map(\.rawValue),
            "recovered_records.source": RecoveredRecordSource.allCases.map(\.rawValue),
            "recovered_records.duplicate_of_live": bool,
            "events.basis": basis,
        ]
    }()

    /// Tables written inside `commit`, `commitStreaming` and `rebuildCaseFindings`.
    static let bulkTables = [
        "files", "file_times", "analysis_errors", "artifacts", "artifact_times", "chats", "participants", "messages",
        "attachments", "metadata", "indicators", "indicator_times", "media_hashes", "recovered_records", "events",
        "media_clusters",
    ]

    @Test("every CHECK list of a bulk-written table admits every value its writer can bind")
    func checkListsAdmitTypedValues() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir)
        let pattern = try Regex(#"CHECK \((\w+) IN \(([^)]*)\)\)"#)
        var seen = Set<String>()
        try db.queue.read { conn in
            for table in Self.bulkTables {
                let sql = try #require(try String.fetchOne(conn, sql: "SELECT sql FROM sqlite_master WHERE name = ?",
                                                           arguments: [table]), "table \(table)")
                for match in sql.matches(of: pattern) {
                    let column = String(try #require(match.output[1].substring))
                    let list = try #require(match.output[2].substring).split(separator: ",").map {
                        $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
                    }
                    let key = "\(table).\(column)"
                    let values = try #require(Self.fed[key], "\(key) has a CHECK list no test value covers: add it to `fed`")
                    for value in values { #expect(list.contains(value), "\(key) refuses \(value)") }
                    seen.insert(key)
                }
            }
        }
        // The lists this test exists for are found (a schema change would show here).
        #expect(seen.isSuperset(of: ["messages.kind", "messages.sent_basis", "events.basis", "file_times.kind",
                                     "recovered_records.source", "attachments.status"]))
    }

    static func outcome(_ key: String, path: String, kind: MessageKind = .message) -> FileOutcome {
        let chat = ChatInfo(chatKey: "c", platform: .whatsapp, format: .whatsAppAndroid, title: "Bench")
        let messages = (0..<3).map {
            MessageRecord(chatKey: "c", sequence: $0, kind: kind, senderName: "민지", sent: .unixSeconds(1_724_825_400 + Int64($0)),
                          text: "사진 \($0)")
        }
        let findings: [Finding] = [.chat(chat), .participant(ParticipantInfo(chatKey: "c", displayName: "민지"))]
            + messages.map { .message($0) }
        return FileOutcome(evidenceID: 1, record: StoreInputs.record(key, path: path),
                           findings: findings.map { ProducedFinding(analyzerID: "chat-export", analyzerVersion: "1", finding: $0) })
    }

    static func checksOn(_ db: EvidenceDatabase) throws -> Bool {
        try db.queue.read { try Bool.fetchOne($0, sql: "PRAGMA ignore_check_constraints") } == false
    }

    /// A hand insert the schema's CHECK refuses, on the store's own connection.
    static func badInsertRefused(_ db: EvidenceDatabase) throws -> Bool {
        do {
            try db.queue.write { conn in
                try conn.execute(sql: """
                    INSERT INTO messages (chat_id, file_id, analyzer_id, analyzer_version, sequence, kind, text)
                    SELECT chat_id, file_id, 'x', '1', 999, 'not-a-kind', '' FROM messages LIMIT 1
                    """)
            }
            return false
        } catch let error as DatabaseError {
            return error.resultCode == .SQLITE_CONSTRAINT
        }
    }

    @Test("checks are back on after a commit, a streaming commit, a failed commit and a case rebuild")
    func checksRestored() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir)
        try db.commit([Self.outcome("0", path: "a/WhatsApp Chat.txt")])
        #expect(try Self.checksOn(db))
        #expect(try Self.badInsertRefused(db))

        var batches = [[ProducedFinding]](), fed = false
        let streamed = Self.outcome("1", path: "b/WhatsApp Chat.txt")
        batches.append(streamed.findings)
        var head = streamed
        head.findings = []
        try db.commitStreaming(head, next: { fed ? nil : { fed = true; return batches[0] }() }, errors: { [] })
        #expect(try Self.checksOn(db))
        #expect(try db.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM messages") } == 6)

        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.commitStreaming(Self.outcome("2", path: "c/WhatsApp Chat.txt"), next: { throw Boom() }, errors: { [] })
        }
        #expect(try Self.checksOn(db))

        let timeline = AnalyzerDescriptor(id: "timeline", version: "1", summary: "test", accepts: Acceptance())
        let stats = try db.rebuildCaseFindings(analyzer: timeline) { reader, emit in
            try reader.forEachMessage { m in
                try emit(.event(TimelineEvent(time: m.sent ?? .unixSeconds(0), kind: "message.sent", description: m.text,
                                              source: "t", fileID: m.exportFile.id, messageID: m.id, chatID: m.chatID)))
            }
        }
        #expect(stats.written == 6)
        #expect(try Self.checksOn(db))
        #expect(try Self.badInsertRefused(db))
    }

    /// The digest sections as they were before they read one file at a time: one query each,
    /// ordered by the group key with every column.
    static let oneQueryMessages = """
        SELECT e.label, f.entry_key, m.sequence, c.chat_key, m.analyzer_id, m.analyzer_version, m.location,
            m.native_id, m.kind, p.ordinal, m.sender_name, m.sender_nfc, m.sender_native_id, m.from_device_owner,
            \(times("sent")), \(times("touched")), m.text, m.text_nfc, m.entities, m.reply_to_native_id,
            m.reply_to_chat_native_id, m.forwarded_from, m.forwarded_from_native_id, m.saved_from, m.via_bot,
            m.author_signature, m.reactions, m.service_action, m.service_actor, m.service_actor_native_id,
            m.service_details, m.edited_marker, m.deleted, m.poll, m.extra
        FROM messages m JOIN chats c ON c.id = m.chat_id JOIN files f ON f.id = m.file_id
            JOIN evidence e ON e.id = f.evidence_id LEFT JOIN participants p ON p.id = m.participant_id
        ORDER BY e.label, f.sort_key, m.sequence
        """
    static let oneQueryEvents = """
        SELECT e.label, f.entry_key, ev.kind, ev.utc, ev.utc_us, ev.raw, ev.basis, ev.precision, ev.note,
            ev.description, ev.source, ev.builder, ev.builder_version, ev.sender, m.sequence, mf.entry_key,
            c.chat_key, ev.provenance
        FROM events ev LEFT JOIN files f ON f.id = ev.file_id LEFT JOIN evidence e ON e.id = f.evidence_id
            LEFT JOIN messages m ON m.id = ev.message_id LEFT JOIN files mf ON mf.id = m.file_id
            LEFT JOIN chats c ON c.id = ev.chat_id
        ORDER BY e.label, f.sort_key
        """
    static func times(_ prefix: String) -> String {
        ["utc", "utc_us", "raw", "basis", "precision", "note", "alternate_utc", "local_wallclock"]
            .map { "m.\(prefix)_\($0)" }.joined(separator: ", ")
    }

    static func sectionDigest(_ db: EvidenceDatabase, _ emit: (Database, inout DigestHasher) throws -> Void) throws -> String {
        try db.queue.read { conn in
            var hasher = DigestHasher()
            hasher.beginSection("t")
            try emit(conn, &hasher)
            return hasher.finish()
        }
    }

    @Test("messages and events digested one file at a time equal the one-query digest")
    func perFileDigestEqualsOneQuery() throws {
        let dir = try TempDir()
        let (db, first) = try StoreInputs.database(in: dir, label: "z.zip")
        let second = try db.registerEvidence(EvidenceInput(label: "a.zip", path: "/evidence/a.zip", kind: .file, size: 1,
                                                           hashes: StoreInputs.hashes("a.zip")))
        // Committed against the canonical order: later label first, later entry keys first, so
        // row ids and key order disagree.
        var outcomes: [FileOutcome] = []
        for (evidence, label) in [(first, "z.zip"), (second, "a.zip")] {
            for key in ["10", "2", "1/3"] {
                var o = Self.outcome(key, path: "\(key)/WhatsApp Chat.txt", kind: key == "2" ? .system : .message)
                o.evidenceID = evidence
                o.record = StoreInputs.record(key, path: "\(key)/WhatsApp Chat.txt", label: label)
                outcomes.append(o)
            }
        }
        try db.commit(outcomes)
        let timeline = AnalyzerDescriptor(id: "timeline", version: "1", summary: "test", accepts: Acceptance())
        try db.rebuildCaseFindings(analyzer: timeline) { reader, emit in
            // Two events without a file, then one or two per message, in the reader's order.
            for n in 0..<2 {
                try emit(.event(TimelineEvent(time: .unixSeconds(Int64(n)), kind: "case.note", description: "no file \(n)",
                                              source: "t")))
            }
            try reader.forEachMessage { m in
                try emit(.event(TimelineEvent(time: m.sent ?? .unixSeconds(0), kind: "message.sent", description: m.text,
                                              source: "t", fileID: m.exportFile.id, messageID: m.id, chatID: m.chatID,
                                              sender: m.sender)))
                if m.id % 2 == 0 {
                    try emit(.event(TimelineEvent(time: .unixSeconds(m.id), kind: "message.touched", description: "edit",
                                                  source: "t", fileID: m.exportFile.id)))
                }
            }
        }
        #expect(try db.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM messages") } == 18)
        #expect(try db.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events WHERE file_id IS NULL") } == 2)
        let messages = try Self.sectionDigest(db) { try $1.addGroupedRows($0, sql: Self.oneQueryMessages, groupWidth: 3) }
        #expect(try Self.sectionDigest(db, FindingsDigest.messages.emit) == messages)
        let events = try Self.sectionDigest(db) { try $1.addGroupedRows($0, sql: Self.oneQueryEvents, groupWidth: 2) }
        #expect(try Self.sectionDigest(db, FindingsDigest.events.emit) == events)
        #expect(messages != events)
    }

    @Test("a JSON text is reused only for a value with the same text")
    func jsonReuse() {
        let nfc = "/e/caf\u{E9}.txt", nfd = "/e/cafe\u{301}.txt"
        let base: [String: JSONValue] = ["table": .string("messages"), "export": .string(nfc)]
        #expect(StoredJSON.identical(base, ["export": .string(nfc), "table": .string("messages")]))
        // Equal as Swift values, different texts: NFC/NFD strings and keys, 0 and -0.
        #expect(nfc == nfd)
        #expect(!StoredJSON.identical(base, ["table": .string("messages"), "export": .string(nfd)]))
        #expect(!StoredJSON.identical(.object([nfc: .null]), .object([nfd: .null])))
        #expect(JSONValue.number(0) == JSONValue.number(-0.0))
        #expect(!StoredJSON.identical(.number(0), .number(-0.0)))
        #expect(!StoredJSON.identical(base, base.merging(["recovered": .bool(true)]) { a, _ in a }))
        #expect(StoredJSON.identical(.array([.number(1), .null, .object(["a": .bool(true)])]),
                                     .array([.number(1), .null, .object(["a": .bool(true)])])))
        #expect(!StoredJSON.identical(.array([.number(1)]), .array([.number(1), .number(1)])))
        #expect(!StoredJSON.identical(.string("1"), .number(1)))
        // The memo gives each value its own text, whatever came before it.
        var memo = StoredJSONMemo()
        var values: [JSONValue] = [.number(0), .number(-0.0), .string(nfc), .string(nfd), .object(["message_type": .number(1)])]
        values += (0..<20).map { .object(["message_type": .number(Double($0 % 11))]) }
        for value in values + values.reversed() { #expect(memo.text(value) == value.canonicalText, "\(value)") }
    }
}
