import AppDatabaseKit
import ExhibitKit
import Foundation

/// Reads WhatsApp for iOS's Core Data store — `ChatStorage.sqlite` in the app group folder, with
/// `ContactsV2.sqlite` beside it for address-book names — into chats, participants and messages.
///
/// Tables read (by what is present, never by a version number): `ZWACHATSESSION` (chats),
/// `ZWAGROUPMEMBER` (group members), `ZWAMESSAGE` (messages, in `Z_PK` order through one cursor),
/// `ZWAMEDIAITEM` (media and locations), `ZWAPROFILEPUSHNAME` (push names). Times are Core Data
/// seconds since 2001-01-01 UTC. docs/analyzers.md, "whatsapp-ios-db", lists every field.
public struct WhatsAppIOSDBAnalyzer: Analyzer {
    /// The analyzer id recorded on every finding.
    public static let id = "whatsapp-ios-db"

    /// A stateless analyzer: every call opens its own database.
    public init() {}

    /// Accepts ChatStorage.sqlite by device path (any app group) or by name; asks for its
    /// `-wal`/`-journal` and `ContactsV2.sqlite` (with its own) as companions.
    public var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(
            id: Self.id, version: "1.0.1",
            summary: "WhatsApp for iOS ChatStorage.sqlite (+ ContactsV2.sqlite) into chats, members and messages",
            accepts: Acceptance(
                pathGlobs: ["*/ChatStorage.sqlite"],
                devicePathGlobs: ["/private/var/mobile/Containers/Shared/AppGroup/*/ChatStorage.sqlite"],
                companions: ["{name}-wal", "{name}-journal", "ContactsV2.sqlite", "ContactsV2.sqlite-wal",
                             "ContactsV2.sqlite-journal"]),
            produces: [.artifact, .chat, .participant, .message],
            timeoutSeconds: 3600)
    }

    /// Reads one file. Throws ``AnalyzerError`` only when SQLite cannot read the database at all
    /// (empty, not a database, encrypted); any later problem is a warning and what was read is kept.
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        let emit: (Finding) -> Void = { sink.emit($0) }
        // Deleted rows are carved from the bytes before SQLite opens the copy (opening replays a
        // hot journal, closing checkpoints the WAL); they become messages after the live ones.
        let recovered = RecoveredTable.carve(file, tables: ["ZWAMESSAGE"], temporaryDirectory: context.temporaryDirectory)["ZWAMESSAGE"]
        let db = try AppDatabase.open(file, temporaryDirectory: context.temporaryDirectory)
        emit(.artifact(db.artifact(app: "whatsapp-ios")))
        var problems = ProblemTally()
        var names = NameBook()
        do {
            if let contacts = try AppDatabase.openCompanion(named: "ContactsV2.sqlite", of: file,
                                                            temporaryDirectory: context.temporaryDirectory) {
                emit(.artifact(contacts.artifact(app: "whatsapp-ios")))
                names.readAddressBook(contacts, problems: &problems)
            }
        } catch {
            problems.add("contacts-unreadable", "ContactsV2.sqlite beside the database cannot be read (\(error)); no address-book names",
                         at: "ContactsV2.sqlite")
        }
        let group = AppGroup(file: file)
        let session = IOSSession(group: group, emit: emit)
        session.problems = problems
        let reader = IOSReader(db: db, session: session)
        names.readPushNames(db, session: session)
        reader.readMembers(names: &names)
        session.names = names
        if db.columns(of: "ZWAMESSAGE") == nil {
            session.problems.add("not-whatsapp-schema", "\(file.name) has no ZWAMESSAGE table: no messages read", at: "sqlite_master")
        }
        for table in ["ZWACHATSESSION", "ZWAGROUPMEMBER", "ZWAMEDIAITEM", "ZWAPROFILEPUSHNAME"] where db.columns(of: table) == nil {
            session.problems.add("missing-table-\(table.lowercased())", "table \(table) is missing; what it holds is left out", at: "sqlite_master")
        }
        reader.readChats()
        var seen: Set<MessageIdentity> = []
        reader.readMessages(watch: recovered?.ids(ofColumn: "ZSTANZAID") ?? [], seen: &seen)
        let live = session.sequence
        var counts = (reported: 0, copies: 0, damaged: 0)
        if db.columns(of: "ZWAMESSAGE") != nil, let recovered { counts = reader.readRecovered(recovered, seen: &seen) }
        var recoveryCounts: [String: JSONValue] = [:]
        if counts.reported + counts.copies + counts.damaged > 0 {
            // Only when recovery found rows of the table: artifacts of other databases are unchanged.
            recoveryCounts = ["messages_recovered": .number(Double(counts.reported)),
                              "recovered_copies_of_live": .number(Double(counts.copies)),
                              "recovered_too_damaged": .number(Double(counts.damaged))]
        }
        emit(.artifact(Artifact(type: "whatsapp.chatstorage", properties: .object([
            "owner": .string(group.owner), "app_group": group.folder.map(JSONValue.string) ?? .null,
            "messages": .number(Double(live)), "chats": .number(Double(session.chatCount)),
            "address_book_names": .number(Double(names.addressBookRows)), "push_names": .number(Double(names.pushNameRows)),
        ].merging(recoveryCounts) { a, _ in a }), location: SourceLocation(record: "sqlite_master"))))
        for w in session.problems.warnings { sink.warn(w) }
    }
}
