import AppDatabaseKit
import ExhibitKit
import Foundation

/// Reads WhatsApp for Android's own database — `databases/msgstore.db` with `wa.db` for contact
/// names, of `com.whatsapp` and `com.whatsapp.w4b` (Business) — into chats, participants and
/// messages, and lists encrypted `msgstore*.db.crypt12/14/15` backups.
///
/// The schema is told by the tables present, never by a version number: the current one
/// (`message`, `chat`, `jid`, side tables), the legacy one (`messages` with `key_remote_jid`), or
/// both (a transitional database: the current table first, then legacy rows whose
/// (JID, from_me, key_id) it did not hold). Reads run on the engine's private copy of the
/// database with its `-wal`/`-journal` (``AppDatabase``); messages stream through a cursor in
/// rowid order. docs/analyzers.md, "whatsapp-db", lists the tables and fields read.
public struct WhatsAppDBAnalyzer: Analyzer {
    /// The analyzer id recorded on every finding.
    public static let id = "whatsapp-db"

    /// A stateless analyzer: every call opens its own database.
    public init() {}

    /// Accepts msgstore.db by device path or name and the encrypted backups by name; asks for the
    /// database's `-wal`/`-journal` and `wa.db` (with its own) as companions.
    public var descriptor: AnalyzerDescriptor {
        let packages = ["com.whatsapp", "com.whatsapp.w4b"]
        return AnalyzerDescriptor(
            id: Self.id, version: "1.0.1",
            summary: "WhatsApp for Android msgstore.db (+ wa.db), current and legacy schema, into chats and messages; encrypted backups listed",
            accepts: Acceptance(
                pathGlobs: ["*/msgstore.db", "*/msgstore*.db.crypt12", "*/msgstore*.db.crypt14", "*/msgstore*.db.crypt15"],
                devicePathGlobs: packages.flatMap { ["/data/data/\($0)/databases/msgstore.db", "/data/user/*/\($0)/databases/msgstore.db"] },
                companions: ["{name}-wal", "{name}-journal", "wa.db", "wa.db-wal", "wa.db-journal"]),
            produces: [.artifact, .chat, .participant, .message],
            timeoutSeconds: 3600)
    }

    /// Reads one file. Throws ``AnalyzerError`` only when SQLite cannot read the database at all
    /// (empty, not a database, encrypted); any later problem is a warning and what was read is kept.
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        let emit: (Finding) -> Void = { sink.emit($0) }
        if let version = EncryptedBackup.version(of: file.name) {
            EncryptedBackup.report(file, version: version, into: sink)
            return
        }
        // Deleted rows are carved from the bytes before SQLite opens the copy (opening replays a
        // hot journal, closing checkpoints the WAL); they become messages after the live ones.
        let carved = RecoveredTable.carve(file, tables: ["message", "messages", "messages_quotes"] + CurrentSchemaReader.sideTables,
                                          temporaryDirectory: context.temporaryDirectory)
        let recovered = carved["message"], recoveredLegacy = carved["messages"]
        let db = try AppDatabase.open(file, temporaryDirectory: context.temporaryDirectory)
        emit(.artifact(db.artifact(app: "whatsapp")))
        var problems = ProblemTally()
        var contacts = ContactBook()
        do {
            if let wa = try AppDatabase.openCompanion(named: "wa.db", of: file, temporaryDirectory: context.temporaryDirectory) {
                emit(.artifact(wa.artifact(app: "whatsapp")))
                contacts = ContactBook(db: wa, problems: &problems)
            }
        } catch {
            problems.add("wa-db-unreadable", "wa.db beside the database cannot be read (\(error)); no contact names", at: "wa.db")
        }
        let session = ChatSession(device: DeviceContext(file: file), contacts: contacts, emit: emit)
        session.problems = problems

        let hasCurrent = db.columns(of: "message") != nil
        let hasLegacy = db.columns(of: "messages") != nil
        let current = CurrentSchemaReader(db: db, session: session)
        let legacy = LegacySchemaReader(db: db, session: session)
        if !hasCurrent && !hasLegacy {
            session.problems.add("not-whatsapp-schema",
                                 "\(file.name) has neither a message table (current schema) nor a messages table (legacy schema): no messages read",
                                 at: "sqlite_master")
        }
        if hasCurrent { current.readChats() }
        if hasLegacy { legacy.readChats() }
        var keys: Set<String>? = hasCurrent && hasLegacy ? [] : nil
        var seen: Set<MessageIdentity> = []
        let watch = (recovered?.ids(ofColumn: "key_id") ?? []).union(recoveredLegacy?.ids(ofColumn: "key_id") ?? [])
        if hasCurrent { current.readMessages(keys: &keys, watch: watch, seen: &seen) }
        let currentCount = session.sequence
        let skipped = hasLegacy ? legacy.readMessages(skip: keys ?? [], watch: watch, seen: &seen) : 0
        let legacyCount = session.sequence - currentCount
        current.readCalls()
        let callCount = session.sequence - currentCount - legacyCount
        var recoveredCounts = (reported: 0, copies: 0, damaged: 0)
        if hasCurrent, let recovered {
            recoveredCounts = current.readRecovered(recovered, sideRows: carved.filter { CurrentSchemaReader.sideTables.contains($0.key) }, seen: &seen)
        }
        if hasLegacy, let recoveredLegacy {
            let c = legacy.readRecovered(recoveredLegacy, seen: &seen)
            recoveredCounts = (recoveredCounts.reported + c.reported, recoveredCounts.copies + c.copies, recoveredCounts.damaged + c.damaged)
        }

        var schemas: [JSONValue] = []
        if hasCurrent { schemas.append(.string("current")) }
        if hasLegacy { schemas.append(.string("legacy")) }
        emit(.artifact(Artifact(type: "whatsapp.msgstore", properties: .object([
            "schemas": .array(schemas), "package": .string(session.device.package), "owner": .string(session.device.owner),
            "messages_current": .number(Double(currentCount)), "messages_legacy": .number(Double(legacyCount)),
            "calls": .number(Double(callCount)), "legacy_duplicates_skipped": .number(Double(skipped)),
            "contacts": .number(Double(contacts.rows)),
        ].merging(Self.recoveryProperties(recoveredCounts)) { a, _ in a }), location: SourceLocation(record: "sqlite_master"))))
        for w in session.problems.warnings { sink.warn(w) }
    }

    /// Counts of recovered message rows for the `whatsapp.msgstore` artifact — only when recovery
    /// found any, so artifacts of databases without deleted rows are unchanged.
    static func recoveryProperties(_ c: (reported: Int, copies: Int, damaged: Int)) -> [String: JSONValue] {
        guard c.reported + c.copies + c.damaged > 0 else { return [:] }
        return ["messages_recovered": .number(Double(c.reported)), "recovered_copies_of_live": .number(Double(c.copies)),
                "recovered_too_damaged": .number(Double(c.damaged))]
    }
}
