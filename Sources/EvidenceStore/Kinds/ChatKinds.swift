import ExhibitKit
import GRDB

/// Chat findings: ``ChatInfo`` → `chats`, ``ParticipantInfo`` → `participants`,
/// ``MessageRecord`` → `messages` + `attachments` and the search rows (migrations `v2-chat`,
/// `v9-recovered-messages`). The three kinds share one writer because a participant or message
/// names its chat by a key reported earlier in the same file. Its writer is ``ChatRowWriter``
/// (Writer/ChatCommit.swift, with ChatLinking and ChatTimes beside it), its digest sections are
/// in Digest/ChatDigest.swift and Digest/RecoveryDigest.swift: the family is too large for one file.
enum ChatKinds: StoredKind {
    static let kinds: [FindingKind] = [.chat, .participant, .message]
    static let tables = ["chats", "participants", "messages", "attachments"]
    static let migrations: [KindMigration] = []
    static let digestSections = [
        FindingsDigest.chats, FindingsDigest.participants, FindingsDigest.messages, FindingsDigest.attachments,
        FindingsDigest.recoveredMessages,
    ]
    static func writer(_ db: Database) throws -> any KindWriter { try ChatRowWriter(db) }
}

extension ChatRowWriter: KindWriter {
    /// A finding out of order (a chat key not reported before it) is recorded once per file as
    /// `chat-finding-order`: a broken analyzer would otherwise repeat it per message.
    mutating func write(_ produced: ProducedFinding, fileID: Int64) throws -> KindProblem? {
        try write(produced.finding, fileID: fileID, analyzerID: produced.analyzerID, analyzerVersion: produced.analyzerVersion)
            .map { KindProblem(code: "chat-finding-order", message: $0, oncePerFile: true) }
    }

    /// Links the file's recovered messages to their `recovered_records` rows, which the
    /// recovery analyzer may have sent after the app analyzer's messages.
    func finish(fileID: Int64) throws {
        try recoveredRecords.link(pendingRecovered, fileID: fileID)
    }
}
