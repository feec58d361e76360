import AppDatabaseKit
import ExhibitKit
import Foundation

/// Reads Telegram for iOS's postbox database (`telegram-data/account-<id>/postbox/db/db_sqlite`
/// in the app group) into chats, participants and messages: peers from table `t2`, messages from
/// `t7` (keyed by the big-endian MessageIndex), media from the messages and from `t6`, all
/// decoded from Postbox's own keyed encoding. Cached media files (`postbox/media/<resource id>`)
/// are linked by device path. docs/analyzers.md, "telegram-ios-db", lists what is decoded.
public struct TelegramIOSDBAnalyzer: Analyzer {
    /// The analyzer id recorded on every finding.
    public static let id = "telegram-ios-db"

    /// A stateless analyzer: every call opens its own database.
    public init() {}

    /// Accepts `db_sqlite` under `postbox/db/` by device path or name, with its `-wal`/`-journal`.
    public var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(
            id: Self.id, version: "1.1.1",
            summary: "Telegram for iOS postbox db_sqlite (peers t2, messages t7, media t6) into chats and messages, with deleted t7 rows recovered",
            accepts: Acceptance(
                pathGlobs: ["*/postbox/db/db_sqlite"],
                devicePathGlobs: ["/private/var/mobile/Containers/Shared/AppGroup/*/telegram-data/account-*/postbox/db/db_sqlite",
                                  "*/telegram-data/account-*/postbox/db/db_sqlite"],
                companions: ["{name}-wal", "{name}-journal"]),
            produces: [.artifact, .chat, .participant, .message],
            timeoutSeconds: 3600)
    }

    /// Reads one file. Throws ``AnalyzerError`` only when SQLite cannot read the database at all
    /// (empty, not a database, encrypted); any later problem is a warning and what was read is kept.
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        let emit: (Finding) -> Void = { sink.emit($0) }
        // Deleted t7 rows are carved from the bytes before SQLite opens the copy (opening replays
        // a hot journal, closing checkpoints the WAL); they become messages after the live ones.
        let recovered = RecoveredTable.carve(file, tables: ["t7"], temporaryDirectory: context.temporaryDirectory)["t7"]
        let db = try AppDatabase.open(file, temporaryDirectory: context.temporaryDirectory)
        emit(.artifact(db.artifact(app: "telegram")))
        let reader = PostboxReader(db: db, account: Account.folder(of: file), emit: emit)
        reader.recovered = recovered
        reader.watch = Set(recovered?.rows.compactMap { r -> [UInt8]? in
            if case .blob(let k)? = r.values.first { return k }
            return nil
        } ?? [])
        reader.readPeers()
        reader.readMessages()
        reader.readRecovered()
        emit(.artifact(Artifact(type: "telegram.postbox", properties: .object([
            "owner": .string(reader.account),
            "peers": .number(Double(reader.peers.count)),
            "messages": .number(Double(reader.sequence)),
            "chats": .number(Double(reader.chatCount)),
        ]), location: SourceLocation(record: "sqlite_master"))))
        let c = reader.recoveredCounts
        if c.reported + c.copies + c.damaged > 0 {
            // Only when recovery found rows of t7: other databases' findings are unchanged.
            emit(.artifact(Artifact(type: "telegram.recovered-messages", properties: .object([
                "messages_recovered": .number(Double(c.reported)), "recovered_copies_of_live": .number(Double(c.copies)),
                "recovered_too_damaged": .number(Double(c.damaged)),
            ]), location: SourceLocation(record: "t7"))))
        }
        for w in reader.problems.warnings { sink.warn(w) }
    }
}
