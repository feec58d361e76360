import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// Recovered messages (v9-recovered-messages): a message an app analyzer carved from its
/// database is stored marked and linked to the `recovered_records` row of the same file at the
/// same place, whichever order the two analyzers' findings arrive in; with no such row the
/// message's own is stored; digests of cases without recovered messages are unchanged.
@Suite struct RecoveredMessageStoreTests {
    static let record = RecoveredRecord(
        tableName: "message", source: .freeblock, page: 7, cellOffset: 717, walFrame: nil, rowid: nil,
        values: [.missing, .integer(1), .text("K3"), .text("bring the cash")], duplicateOfLive: false)
    static let other = RecoveredRecord(tableName: "message", source: .wal, page: 7, cellOffset: 717, walFrame: 3, rowid: 9,
                                       values: [.integer(9), .integer(1), .text("K9"), .text("older")], duplicateOfLive: false)

    static func app(_ f: Finding) -> ProducedFinding { ProducedFinding(analyzerID: "whatsapp-db", analyzerVersion: "1.0.0", finding: f) }
    static func recovery(_ r: RecoveredRecord) -> ProducedFinding {
        ProducedFinding(analyzerID: "sqlite-recovery", analyzerVersion: "0.1.0", finding: .recoveredRecord(r))
    }

    /// A chat with one live message and one recovered message; `recoveryFirst` puts the recovery
    /// analyzer's rows before the app analyzer's findings, else after.
    static func outcome(evidence: Int64, recoveryFirst: Bool, withRecovery: Bool = true) -> FileOutcome {
        let chat = app(.chat(ChatInfo(chatKey: "c0", platform: .whatsapp, format: .whatsAppAndroidDB, nativeID: "j@s.whatsapp.net")))
        let live = app(.message(MessageRecord(chatKey: "c0", sequence: 0, nativeID: "K1", text: "live")))
        let carved = app(.message(MessageRecord(chatKey: "c0", sequence: 1, nativeID: "K3", text: "bring the cash",
                                                location: SourceLocation(record: "recovered message"), recovered: record)))
        let recovered = withRecovery ? [recovery(other), recovery(record)] : []
        let app = [chat, live, carved]
        return FileOutcome(evidenceID: evidence, record: StoreInputs.record("3", path: "data/msgstore.db", mime: "application/vnd.sqlite3"),
                           findings: recoveryFirst ? recovered + app : app + recovered)
    }

    static func messages(_ db: EvidenceDatabase) throws -> [Row] {
        try db.queue.read { c in
            try Row.fetchAll(c, sql: """
                SELECT m.native_id, m.recovered, r.analyzer_id, r.source, r.page, r.cell_offset, r.wal_frame, r.values_json
                FROM messages m LEFT JOIN recovered_records r ON r.id = m.recovered_record_id ORDER BY m.sequence
                """)
        }
    }

    @Test(arguments: [true, false]) func theMessageIsLinkedToTheRecoveryAnalyzersRow(recoveryFirst: Bool) throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        try db.commit([Self.outcome(evidence: ev, recoveryFirst: recoveryFirst)])
        let rows = try Self.messages(db)
        try #require(rows.count == 2)
        #expect(rows[0] == ["native_id": "K1", "recovered": 0, "analyzer_id": nil, "source": nil, "page": nil, "cell_offset": nil,
                            "wal_frame": nil, "values_json": nil])
        #expect(rows[1] == ["native_id": "K3", "recovered": 1, "analyzer_id": "sqlite-recovery", "source": "freeblock", "page": 7,
                            "cell_offset": 717, "wal_frame": nil, "values_json": #"[{"missing":true},1,"K3","bring the cash"]"#])
        // One recovered row per place: the message did not add a second.
        #expect(try db.recoveredRecords().count == 2)
        let listed = try db.chatMessages()
        #expect(listed.map(\.recovered) == [false, true])
        #expect(listed[1].recoveredRecordID != nil)
    }

    @Test func withoutTheRecoveryAnalyzerTheMessageStoresItsOwnRow() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        try db.commit([Self.outcome(evidence: ev, recoveryFirst: false, withRecovery: false)])
        let rows = try Self.messages(db)
        try #require(rows.count == 2)
        #expect(rows[1] == ["native_id": "K3", "recovered": 1, "analyzer_id": "whatsapp-db", "source": "freeblock", "page": 7,
                            "cell_offset": 717, "wal_frame": nil, "values_json": #"[{"missing":true},1,"K3","bring the cash"]"#])
        #expect(try db.recoveredRecords().count == 1)
    }

    @Test func aRedoReplacesMessagesAndRecordsTogether() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        try db.commit([Self.outcome(evidence: ev, recoveryFirst: true)])
        try db.commit([Self.outcome(evidence: ev, recoveryFirst: false)])
        #expect(try Self.messages(db).map { $0["analyzer_id"] as String? } == [nil, "sqlite-recovery"])
        #expect(try db.recoveredRecords().count == 2)
    }

    @Test func theDigestCarriesTheMarkWhateverTheOrder() throws {
        let dir = try TempDir()
        let (a, ea) = try StoreInputs.database(in: dir, name: "a.sqlite")
        let (b, eb) = try StoreInputs.database(in: dir, name: "b.sqlite")
        try a.commit([Self.outcome(evidence: ea, recoveryFirst: true)])
        try b.commit([Self.outcome(evidence: eb, recoveryFirst: false)])
        #expect(try a.digest() == b.digest())
        // Without the mark section the digest differs: the mark is hashed.
        #expect(try a.queue.read { try Self.digest($0, without: "recovered_messages") } != (try a.digest()))
    }

    /// Live messages add nothing to the `recovered_messages` section: a case without recovered
    /// messages hashes exactly as before this migration.
    @Test func liveMessagesLeaveTheDigestUnchanged() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        var live = Self.outcome(evidence: ev, recoveryFirst: false, withRecovery: false)
        live.findings.removeLast()
        try db.commit([live])
        #expect(try db.chatMessages().count == 1)
        #expect(try db.queue.read { try Self.digest($0, without: "recovered_messages") } == (try db.digest()))
    }

    /// The digest computed without one section.
    static func digest(_ db: Database, without name: String) throws -> String {
        var hasher = DigestHasher()
        hasher.add(record: Array(FindingsDigest.preamble.utf8))
        for section in FindingsDigest.sections where section.name != name {
            hasher.beginSection(section.name)
            try section.emit(db, &hasher)
        }
        return hasher.finish()
    }
}
