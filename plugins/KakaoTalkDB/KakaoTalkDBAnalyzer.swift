import AppDatabaseKit
import ExhibitKit
import Foundation
import GRDB

/// Reads KakaoTalk for Android's own databases — `databases/KakaoTalk.db` (`chat_logs`,
/// `chat_rooms`) with `KakaoTalk2.db` beside it (`friends`, `open_profile`, `open_chat_member`,
/// `open_link`) — into chats, participants and messages, decrypting the encrypted columns with
/// the publicly documented scheme (``KakaoTalkCipher``; docs/analyzers.md, "kakaotalk-db").
///
/// The engine runs it after the walk with private copies of the database and its companions
/// (`-wal`, `-journal`, `KakaoTalk2.db` and its own `-wal`/`-journal`), so rows that exist only in
/// a WAL are read and the evidence is never opened. Messages stream from a cursor in `chat_logs`
/// rowid order (the order the app inserted them); memory holds the rooms, the names and one
/// derived key per (user id, enc type), never the messages.
public struct KakaoTalkDBAnalyzer: Analyzer {
    /// The analyzer id recorded on every finding.
    public static let id = "kakaotalk-db"

    /// Creates the analyzer (stateless).
    public init() {}

    /// What it accepts: KakaoTalk.db by device path (main user and secondary users/work
    /// profiles) or by name, with its WAL/journal and KakaoTalk2.db as companions.
    public var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(
            id: Self.id, version: "1.0.1",
            summary: "KakaoTalk for Android databases (KakaoTalk.db + KakaoTalk2.db), columns decrypted, into chats, participants and messages",
            accepts: Acceptance(
                pathGlobs: ["*/KakaoTalk.db"],
                devicePathGlobs: ["/data/data/com.kakao.talk/databases/KakaoTalk.db",
                                  "/data/user/*/com.kakao.talk/databases/KakaoTalk.db"],
                companions: ["{name}-wal", "{name}-journal", "KakaoTalk2.db", "KakaoTalk2.db-wal", "KakaoTalk2.db-journal"]),
            produces: [.artifact, .chat, .participant, .message],
            timeoutSeconds: 3600)
    }

    /// Findings are handed over as rows are read. Throws the
    /// ``AnalyzerError`` of ``AppDatabase/open(_:temporaryDirectory:timeLimit:)`` when SQLite
    /// cannot read `KakaoTalk.db` at all; every other problem is a warning.
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        let emit: (Finding) -> Void = { sink.emit($0) }
        // Deleted rows are carved from the bytes before SQLite opens the copy (opening replays a
        // hot journal, closing checkpoints the WAL); they become messages after the live ones.
        let recovered = RecoveredTable.carve(file, tables: ["chat_logs"], temporaryDirectory: context.temporaryDirectory)["chat_logs"]
        let db = try AppDatabase.open(file, temporaryDirectory: context.temporaryDirectory)
        let session = KakaoTalkSession(file: file, sink: sink)
        session.recovered = recovered
        emit(.artifact(db.artifact(app: "com.kakao.talk")))
        let aux = session.openCompanion(file, context: context)
        if let aux { emit(.artifact(aux.artifact(app: "com.kakao.talk"))) }
        session.run(main: db, aux: aux)
    }
}

/// The device-side owner of the data: the app's data folder (`/data/user/10/com.kakao.talk`),
/// from the device path, else the virtual folder above `databases/`.
enum KakaoTalkOwnerPath {
    static func of(_ file: EvidenceFile) -> String {
        if let device = file.devicePath {
            let parts = device.split(separator: "/").map(String.init)
            if let i = parts.firstIndex(of: "com.kakao.talk") { return "/" + parts[...i].joined(separator: "/") }
            return (device as NSString).deletingLastPathComponent
        }
        let dir = file.directoryPath
        return dir.hasSuffix("/databases") ? String(dir.dropLast("/databases".count)) : dir
    }
}

/// One analysis call's state: the cipher and its key cache, problem tallies, rooms and names,
/// what was already emitted, the running message sequence.
final class KakaoTalkSession {
    let file: EvidenceFile
    let emit: (Finding) -> Void
    let sink: any FindingSink
    let cipher = KakaoTalkCipher()
    let problems = KakaoTalkProblems()
    var directory = KakaoTalkDirectory()
    var owner = OwnerChoice(id: nil, method: "none", openProfileIDs: [], membership: [])
    var rooms: [Int64: KakaoRoom] = [:]
    var chatKeys: Set<String> = []
    /// chat id → chat key, so a million rows do not format the key again.
    var keyOf: [Int64: String] = [:]
    var participants: Set<ParticipantKey> = []
    struct ParticipantKey: Hashable { let chat: String; let user: Int64 }
    var sequence = 0
    let ownerPath: String
    /// Deleted `chat_logs` rows carved before the database was opened (reported after the live ones).
    var recovered: RecoveredTable?
    /// The log ids of the recovered rows, and the identities of live messages with one of them.
    var watch: Set<String> = []
    var seen: Set<MessageIdentity> = []
    var recoveredCounts = (reported: 0, copies: 0, damaged: 0)

    init(file: EvidenceFile, sink: any FindingSink) {
        self.file = file; self.sink = sink; emit = { sink.emit($0) }; ownerPath = KakaoTalkOwnerPath.of(file)
    }

    func warn(_ code: String, _ message: String, _ record: String? = nil) {
        sink.warn(AnalysisWarning(code: code, message: message, location: record.map { SourceLocation(record: $0) }))
    }

    /// Opens the KakaoTalk2.db companion (with its own WAL/journal), or warns why not.
    func openCompanion(_ file: EvidenceFile, context: AnalysisContext) -> AppDatabase? {
        guard let aux = file.companion(named: "KakaoTalk2.db") else {
            warn("kakaotalk2-missing", "KakaoTalk2.db is not beside \(file.name): friend and open-chat names, open-chat titles and open_profile are not available")
            return nil
        }
        let companions = file.companions.filter { $0.name == "KakaoTalk2.db-wal" || $0.name == "KakaoTalk2.db-journal" }
        let auxFile = EvidenceFile(key: file.key + "#KakaoTalk2.db", virtualPath: aux.virtualPath, size: aux.size,
                                   hashes: FileHashes(md5: "", sha1: "", sha256: aux.sha256), mime: "application/vnd.sqlite3",
                                   content: .temporaryFile(aux.url), devicePath: aux.devicePath, companions: companions)
        do { return try AppDatabase.open(auxFile, temporaryDirectory: context.temporaryDirectory) } catch {
            warn("kakaotalk2-unreadable", "KakaoTalk2.db beside \(file.name) cannot be read (\(error)); names from it are not available")
            return nil
        }
    }

    func run(main: AppDatabase, aux: AppDatabase?) {
        do {
            try prepare(main: main, aux: aux)
            watch = recovered?.ids(ofColumn: "id") ?? []
            try main.read { db in try self.streamMessages(db, main: main) }
            if let recovered { try main.read { db in try self.readRecovered(recovered, db) } }
        } catch {
            warn("kakaotalk-read-interrupted", "reading \(file.name) stopped: \(error); findings so far are kept")
        }
        for w in problems.warnings() { sink.warn(w) }
    }

    /// Rooms, the owner's id, names; then the account artifact, and every room with its members.
    private func prepare(main: AppDatabase, aux: AppDatabase?) throws {
        let logColumns = main.columns(of: "chat_logs")
        var roomList: [KakaoRoom] = []
        if let cols = main.columns(of: "chat_rooms") {
            roomList = try main.read { try KakaoTalkDirectory.rooms($0, columns: cols, problems: self.problems) }
        } else {
            warn("kakaotalk-no-chat-rooms", "\(file.name) has no chat_rooms table: room types, members and open-chat links are unknown; rooms are named by chat id only")
        }
        var openProfile: [Int64] = []
        if let aux, let cols = aux.columns(of: "open_profile") {
            openProfile = try aux.read { try KakaoTalkDirectory.openProfileUsers($0, columns: cols) }
        } else if let cols = main.columns(of: "open_profile") {
            openProfile = try main.read { try KakaoTalkDirectory.openProfileUsers($0, columns: cols) }
        }
        let membership = try logColumns.map { cols in
            try main.read { try KakaoTalkDirectory.membershipCandidates($0, rooms: roomList, logColumns: cols) }
        } ?? []
        owner = KakaoTalkDirectory.chooseOwner(openProfile: openProfile, membership: membership)
        if owner.id == nil {
            warn("kakaotalk-owner-unknown", owner.note)
        } else if owner.method == "open_profile", let best = membership.first, best.id != owner.id {
            warn("kakaotalk-owner-conflict", owner.note)
        }
        // Names: each table from KakaoTalk2.db when it has it, else from KakaoTalk.db.
        let nameTables: Set<String> = ["friends", "open_profile", "open_chat_member", "open_link"]
        let inAux = nameTables.filter { aux?.columns(of: $0) != nil }
        if let aux { try aux.read { try self.directory.read($0, tables: inAux, facts: aux.facts.tables, owner: self.owner.id, cipher: self.cipher, problems: self.problems) } }
        let inMain = nameTables.subtracting(inAux).filter { main.columns(of: $0) != nil }
        try main.read { try self.directory.read($0, tables: inMain, facts: main.facts.tables, owner: self.owner.id, cipher: self.cipher, problems: self.problems) }

        emit(.artifact(accountArtifact()))
        for room in roomList where rooms[room.id] == nil {
            rooms[room.id] = room
            emitRoom(room)
        }
    }

    private func accountArtifact() -> Artifact {
        var props: [String: JSONValue] = [
            "method": .string(owner.method), "note": .string(owner.note),
            "open_profile_user_ids": .array(owner.openProfileIDs.map { .string(String($0)) }),
            "membership_candidates": .array(owner.membership.prefix(5).map {
                .object(["user_id": .string(String($0.id)), "rooms": .number(Double($0.rooms))])
            }),
            "owner": .string(ownerPath),
        ]
        props["user_id"] = owner.id.map { .string(String($0)) } ?? .null
        return Artifact(type: "kakaotalk.account", properties: .object(props), location: SourceLocation(record: "open_profile / chat_rooms.members"))
    }

    /// The chat, a `kakaotalk.chat_room` artifact with the decrypted `last_message`, the owner and the listed members.
    private func emitRoom(_ room: KakaoRoom) {
        let key = "room:\(room.id)"
        chatKeys.insert(key)
        let open = room.linkID.flatMap { $0 > 0 ? $0 : nil }
        var notes = [owner.note]
        var title: String?
        if let open {
            title = directory.openLinks[open]
            if title == nil { notes.append("open chat \(open): no open_link row, title unknown") }
        } else if let members = room.members, !members.isEmpty {
            title = members.map { directory.name(of: $0, link: nil, owner: owner.id) ?? String($0) }.joined(separator: ", ")
            notes.append("title made from the member names (the database stores no room name)")
        }
        emit(.chat(ChatInfo(chatKey: key, platform: .kakaotalk, format: .kakaoTalkAndroidDB, nativeID: String(room.id),
                            title: title, chatType: room.type, location: SourceLocation(record: "chat_rooms rowid \(room.rowid)"),
                            notes: notes, owner: ownerPath)))
        var props: [String: JSONValue] = ["chat_id": .string(String(room.id)), "type": room.type.map(JSONValue.string) ?? .null,
                                          "members": .array((room.members ?? []).map { .string(String($0)) }),
                                          "enc": room.enc.map { .number(Double($0)) } ?? .null]
        if let open { props["link_id"] = .string(String(open)) }
        if let raw = room.lastMessage, !raw.isEmpty {
            if let enc = room.enc, let id = owner.id {
                switch cipher.decrypt(raw, user: id, enc: enc) {
                case .success(let s): props["last_message"] = .string(s)
                case .failure(let f):
                    props["last_message_undecrypted"] = .string(raw)
                    problems.undecrypted(f, column: "chat_rooms.last_message", enc: enc, record: "chat_rooms rowid \(room.rowid)")
                }
            } else {
                props["last_message_undecrypted"] = .string(raw)
                if room.enc == nil { problems.undecrypted(.noEnc, column: "chat_rooms.last_message", enc: nil, record: "chat_rooms rowid \(room.rowid)") }
            }
        }
        emit(.artifact(Artifact(type: "kakaotalk.chat_room", properties: .object(props),
                                location: SourceLocation(record: "chat_rooms rowid \(room.rowid)"))))
        if let id = owner.id { participant(id, chatKey: key, link: open) }
        for m in room.members ?? [] { participant(m, chatKey: key, link: open) }
    }

    private func participant(_ user: Int64, chatKey: String, link: Int64?) {
        guard participants.insert(ParticipantKey(chat: chatKey, user: user)).inserted else { return }
        emit(.participant(ParticipantInfo(chatKey: chatKey, displayName: directory.name(of: user, link: link, owner: owner.id),
                                          nativeID: String(user), isDeviceOwner: user == owner.id)))
    }

    /// Streams `chat_logs` in rowid order; a room missing from `chat_rooms` is reported when first seen.
    private func streamMessages(_ db: Database, main: AppDatabase) throws {
        guard let cols = main.columns(of: "chat_logs") else {
            warn("kakaotalk-no-chat-logs", "\(file.name) has no chat_logs table: no messages to read")
            return
        }
        let plan = ColumnPlan(table: "chat_logs", wanted: KakaoTalkMessageMapper.columns, available: cols)
        if !plan.missing.isEmpty {
            warn("kakaotalk-missing-columns", "chat_logs lacks column(s) \(plan.missing.joined(separator: ", ")): read as empty" +
                 (plan.present.contains("v") ? "" : "; without v no enc type is known and encrypted values stay undecrypted"))
        }
        let mapper = KakaoTalkMessageMapper(plan: plan, owner: owner.id)
        let cursor = try Row.fetchCursor(db, sql: plan.select("ORDER BY rowid"))
        while let row = try cursor.next() {
            let d = mapper.decode(row, cipher: cipher, problems: problems)
            if let id = d.record.nativeID, watch.contains(id) { seen.insert(Self.identity(d)) }
            report(d)
        }
    }

    /// Reports one decoded `chat_logs` row: its room first when new (a room missing from
    /// `chat_rooms` gets a chat of its own), the sender as a participant, then the message.
    func report(_ d: KakaoTalkMessageMapper.Decoded) {
        var record = d.record
        let key: String
        if let chat = d.chatID {
            if let k = keyOf[chat] { key = k } else { key = "room:\(chat)"; keyOf[chat] = key }
        } else {
            key = "room:none"
            problems.note("no-chat-id", column: "chat_logs.chat_id", record: record.location.record ?? "")
        }
        let room = d.chatID.flatMap { rooms[$0] }
        if !chatKeys.contains(key) {
            chatKeys.insert(key)
            emit(.chat(ChatInfo(chatKey: key, platform: .kakaotalk, format: .kakaoTalkAndroidDB, nativeID: d.chatID.map { String($0) },
                                location: record.location, notes: [owner.note, "room not in chat_rooms: type, members and title unknown"],
                                owner: ownerPath)))
        }
        let link = room?.linkID.flatMap { $0 > 0 ? $0 : nil }
        if let user = d.user {
            participant(user, chatKey: key, link: link)
            record.senderName = directory.name(of: user, link: link, owner: owner.id)
        }
        record.chatKey = key
        record.sequence = sequence
        sequence += 1
        emit(.message(record))
    }
}
