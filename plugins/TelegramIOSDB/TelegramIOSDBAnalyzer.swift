import AppDatabaseKit
import ExhibitKit
import Foundation

/// Reads Telegram for iOS's postbox database (`telegram-data/account-<id>/postbox/db/db_sqlite`
/// in the app group) into chats, participants and messages: peers from table `t2`, messages from
/// `t7` (keyed by the big-endian MessageIndex), media from the messages and from `t6`, all
/// decoded from Postbox's own keyed encoding. Cached media files (`postbox/media/<resource id>`)
/// are linked by device path. docs/analyzers.md, "telegram-ios-db", lists what is decoded.
public struct TelegramIOSDBAnalyzer: StreamingAnalyzer {
    /// The analyzer id recorded on every finding.
    public static let id = "telegram-ios-db"

    /// A stateless analyzer: every call opens its own database.
    public init() {}

    /// Accepts `db_sqlite` under `postbox/db/` by device path or name, with its `-wal`/`-journal`.
    public var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(
            id: Self.id, version: "1.0.0",
            summary: "Telegram for iOS postbox db_sqlite (peers t2, messages t7, media t6) into chats and messages",
            accepts: Acceptance(
                pathGlobs: ["*/postbox/db/db_sqlite"],
                devicePathGlobs: ["/private/var/mobile/Containers/Shared/AppGroup/*/telegram-data/account-*/postbox/db/db_sqlite",
                                  "*/telegram-data/account-*/postbox/db/db_sqlite"],
                companions: ["{name}-wal", "{name}-journal"]),
            produces: ["artifact", "chat", "participant", "message", "warning"],
            timeoutSeconds: 3600)
    }

    /// Reads the file and returns every finding (the same, in the same order, as the streaming entry point).
    public func analyze(_ file: EvidenceFile, context: AnalysisContext) async throws -> [Finding] {
        var findings: [Finding] = []
        try stream(file, context: context) { findings.append($0) }
        return findings
    }

    /// ``StreamingAnalyzer``: hands findings over as they are read.
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, emit: @escaping (Finding) -> Void) throws {
        try stream(file, context: context, emit)
    }

    /// Reads one file. Throws ``AnalyzerError`` only when SQLite cannot read the database at all
    /// (empty, not a database, encrypted); any later problem is a warning and what was read is kept.
    public func stream(_ file: EvidenceFile, context: AnalysisContext, _ emit: @escaping (Finding) -> Void) throws {
        let db = try AppDatabase.open(file, temporaryDirectory: context.temporaryDirectory)
        emit(.artifact(db.artifact(app: "telegram")))
        let reader = PostboxReader(db: db, account: Account.folder(of: file), emit: emit)
        reader.readPeers()
        reader.readMessages()
        emit(.artifact(Artifact(type: "telegram.postbox", properties: .object([
            "owner": .string(reader.account),
            "peers": .number(Double(reader.peers.count)),
            "messages": .number(Double(reader.sequence)),
            "chats": .number(Double(reader.chatCount)),
        ]), location: SourceLocation(record: "sqlite_master"))))
        for w in reader.problems.warnings { emit(.warning(w)) }
    }
}
