import AppDatabaseKit
import ExhibitKit
import Foundation

/// Reads Telegram for Android's own database, `files/cache4.db` (and `files/account<N>/cache4.db`
/// for further accounts), with its `-wal`: users, groups, channels, secret chats, the chat list
/// (archived folder), and every message of `messages_v2` decoded from its TL `data` blob.
///
/// The database is opened from the engine's private copy through ``AppDatabase`` (never the
/// evidence). Each TL constructor is walked by its own field list; a constructor Exhibit does not
/// know is recorded with its id and the row's own columns, never with guessed text. docs/analyzers.md
/// ("telegram-db") lists the constructors known and what is not read yet.
public struct TelegramDBAnalyzer: Analyzer {
    /// The analyzer id recorded on every finding.
    public static let id = "telegram-db"

    /// A stateless analyzer: every call opens its own copy of the database.
    public init() {}

    /// Accepts Telegram's database by device path (every package variant, every account, every
    /// Android user) and any loose `cache4.db`; asks for its WAL and rollback journal.
    public var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(
            id: Self.id, version: "1.0.1",
            summary: "Telegram for Android cache4.db (with its WAL): chats, users, secret chats, TL-decoded messages",
            accepts: Acceptance(
                pathGlobs: ["*/cache4.db"],
                devicePathGlobs: [
                    "/data/data/org.telegram.messenger*/files/cache4.db",
                    "/data/data/org.telegram.messenger*/files/account*/cache4.db",
                    "/data/user/*/org.telegram.messenger*/files/cache4.db",
                    "/data/user/*/org.telegram.messenger*/files/account*/cache4.db",
                ],
                companions: ["{name}-wal", "{name}-journal"]),
            produces: [.artifact, .chat, .participant, .message],
            timeoutSeconds: 3600)
    }

    /// Emits the database artifact, one `telegram.user` artifact per user, then per
    /// chat its ``ChatInfo``, participants
    /// (before their first message) and messages, then the aggregated warnings. Throws the
    /// ``AnalyzerError`` of ``AppDatabase/open(_:temporaryDirectory:timeLimit:)`` when SQLite cannot
    /// read the file at all (empty, a zip, encrypted).
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        let emit: (Finding) -> Void = { sink.emit($0) }
        // Deleted rows are carved from the bytes before SQLite opens the copy (opening replays a
        // hot journal, closing checkpoints the WAL); they become messages after the live ones.
        let recovered = RecoveredTable.carve(file, tables: ["messages_v2"], temporaryDirectory: context.temporaryDirectory)["messages_v2"]
        let db = try AppDatabase.open(file, temporaryDirectory: context.temporaryDirectory)
        emit(.artifact(db.artifact(app: "telegram-android")))
        let session = TelegramSession(db: db, owner: Self.owner(of: file), sink: sink)
        session.recovered = recovered
        session.run()
        let c = session.recoveredCounts
        if c.reported + c.copies + c.damaged > 0 {
            // Only when recovery found rows of the table: other databases' findings are unchanged.
            emit(.artifact(Artifact(type: "telegram.recovered-messages", properties: .object([
                "messages_recovered": .number(Double(c.reported)), "recovered_copies_of_live": .number(Double(c.copies)),
                "recovered_too_damaged": .number(Double(c.damaged)),
            ]), location: SourceLocation(record: "messages_v2"))))
        }
    }

    /// Whose data this is: the account folder on the device (`/data/data/org.telegram.messenger/files`,
    /// `…/files/account1`), from the device path, else the virtual path's folder.
    static func owner(of file: EvidenceFile) -> String {
        if let dp = file.devicePath, let slash = dp.lastIndex(of: "/"), slash > dp.startIndex {
            return String(dp[..<slash])
        }
        return file.directoryPath
    }
}
