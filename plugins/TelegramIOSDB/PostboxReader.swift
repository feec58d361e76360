import AppDatabaseKit
import ExhibitKit
import ExhibitSupport
import Foundation
import GRDB

/// One database's read: the peers of t2, then t7's messages in key order (so each chat's
/// messages come together, oldest first), reporting a chat before its first message and a
/// participant before the first message it sent (the linking rule of ChatFindings.swift).
final class PostboxReader {
    let db: AppDatabase
    let account: String
    let emit: (Finding) -> Void
    private let media: MediaReader
    var problems = ProblemTally()
    private(set) var peers: [Int64: Peer] = [:]
    /// Deleted t7 rows carved before the database was opened, made messages after the live ones
    /// (PostboxRecovered.swift).
    var recovered: RecoveredTable?
    /// Keys of the recovered rows, and identities of live messages with one of those keys.
    var watch: Set<[UInt8]> = []
    var seen: Set<MessageIdentity> = []
    var recoveredCounts = (reported: 0, copies: 0, damaged: 0)
    var sequence = 0
    private(set) var chatCount = 0
    private var chatKeys: [Int64: String] = [:]
    private var reported: Set<String> = []

    init(db: AppDatabase, account: String, emit: @escaping (Finding) -> Void) {
        self.db = db; self.account = account; self.emit = emit; self.media = MediaReader(account: account)
    }

    /// t2: key = peer id (INTEGER), value = the peer's Postbox root object.
    func readPeers() {
        guard db.columns(of: "t2") != nil else {
            problems.add("missing-table", "table t2 (peers) is missing: no names, chat types unknown", at: "sqlite_master")
            return
        }
        do {
            try db.read { database in
                let cursor = try Row.fetchCursor(database, sql: "SELECT key, value FROM t2 ORDER BY key")
                while let row = try cursor.next() {
                    guard let id = row.int64(0) else {
                        problems.add("bad-peer-key", "a t2 key is not an integer peer id; row skipped", at: "t2")
                        continue
                    }
                    guard let bytes = row.blob(1) else {
                        problems.add("value-not-blob", "a t2 value is not a BLOB; that peer has no name", at: "t2 key \(id)")
                        continue
                    }
                    var decoder = PostboxDecoder()
                    let object = decoder.root(bytes)
                    for e in decoder.errors { problems.add(e.code, "peer: " + e.text, at: "t2 key \(id)") }
                    guard let object else {
                        if decoder.errors.isEmpty {
                            problems.add("peer-not-decoded", "a t2 value holds no Postbox root object; that peer has no name", at: "t2 key \(id)")
                        }
                        continue
                    }
                    peers[id] = Peer(object)
                }
            }
        } catch {
            problems.add("t2-unreadable", "table t2 could not be read to the end (\(error)); peers read so far kept", at: "t2")
        }
    }

    /// t7: key = MessageIndex (20 bytes), value = the stored message. Streams through a cursor.
    func readMessages() {
        guard db.columns(of: "t7") != nil else {
            problems.add("missing-table", "table t7 (messages) is missing: no messages read", at: "sqlite_master")
            return
        }
        let hasMedia = db.columns(of: "t6") != nil
        do {
            try db.read { database in
                let cursor = try Row.fetchCursor(database, sql: "SELECT key, value FROM t7 ORDER BY key")
                while let row = try cursor.next() {
                    let keyBytes = row.blob(0) ?? []
                    let record = row.blob(0) == nil ? "t7 key \((row[0] as DatabaseValue).description)" : "t7 key " + Hex.encode(keyBytes)
                    guard let key = MessageKey(keyBytes) else {
                        problems.add("bad-message-key", "a t7 key is not a 20-byte MessageIndex; row skipped", at: record)
                        continue
                    }
                    let value = row.blob(1)
                    if value == nil {
                        problems.add("value-not-blob", "a t7 value is not a BLOB; only the key's facts (chat, time, id) are kept", at: record)
                    }
                    var stored = StoredMessage(value ?? [])
                    if value == nil { stored.problem = nil }  // already said: not a BLOB
                    message(key, stored, record: record) { ns, id in
                        guard hasMedia else { return nil }
                        let v = try? DatabaseValue.fetchOne(database, sql: "SELECT value FROM t6 WHERE key = ?",
                                                            arguments: [Data(StoredMedia.key(namespace: ns, id: id))])
                        if case .blob(let d)? = v?.storage { return d }
                        return nil
                    } t7: { k in
                        let v = try? DatabaseValue.fetchOne(database, sql: "SELECT value FROM t7 WHERE key = ?", arguments: [Data(k.bytes)])
                        if case .blob(let d)? = v?.storage { return Array(d) }
                        return nil
                    }
                }
            }
        } catch {
            problems.add("t7-unreadable", "table t7 could not be read to the end (\(error)); messages read so far kept", at: "t7")
        }
    }

    func chat(_ peerID: Int64, record: String) -> String {
        if let key = chatKeys[peerID] { return key }
        let key = "chat\(chatCount)"
        chatCount += 1
        chatKeys[peerID] = key
        let peer = peers[peerID]
        var notes: [String] = []
        if peer == nil { notes.append("peer \(peerID) is not in t2") }
        if let peer, peer.chatType == nil { notes.append("peer of \(PostboxType.name(peer.typeHash)) (type not decoded)") }
        emit(.chat(ChatInfo(chatKey: key, platform: .telegram, format: .telegramIOSDB, nativeID: String(peerID),
                            title: peer?.name, chatType: peer?.chatType, location: SourceLocation(record: record),
                            notes: notes, owner: account)))
        return key
    }

    private func participant(_ chatKey: String, _ id: Int64, owner: Bool) {
        guard reported.insert("\(chatKey)\u{0}\(id)\u{0}\(owner)").inserted else { return }
        emit(.participant(ParticipantInfo(chatKey: chatKey, displayName: peers[id]?.name, nativeID: String(id), isDeviceOwner: owner)))
    }

    /// A media object's id: its `i` bytes, namespace Int32 + id Int64, little-endian.
    static func mediaID(_ m: PostboxObject) -> (Int32, Int64)? {
        guard case .bytes(let b)? = m["i"], b.count == 12 else { return nil }
        var c = ByteCursor(b)
        guard let ns = try? c.i32(), let id = try? c.i64() else { return nil }
        return (ns, id)
    }

    func message(_ key: MessageKey, _ stored: StoredMessage, record: String, t6: (Int32, Int64) -> Data?,
                 t7: (MessageKey) -> [UInt8]?, recovered: RecoveredMessage? = nil) {
        let chatKey = chat(key.peerID, record: record)
        let isPrivate = peers[key.peerID]?.chatType == "private"
        // Outgoing messages carry the account's own peer id as author; incoming ones in a 1:1
        // chat may carry none, the sender then being the chat's peer.
        let outgoing = stored.outgoing
        var sender = stored.authorID
        if sender == nil, stored.incoming, isPrivate { sender = key.peerID }
        if let sender { participant(chatKey, sender, owner: outgoing) }
        else if outgoing { ownerWithoutID(chatKey) }

        if let t = stored.unknownEntryType {
            problems.add("unknown-entry-type", "a t7 value starts with entry type \(t), not 0; only the key (chat, time, id) is kept", at: record)
        }
        if let p = stored.problem { problems.add(p.code, "message: " + p.text + "; fields after it are not read", at: record) }
        for p in stored.objectProblems { problems.add(p.code, "message media/attribute: " + p.text, at: record) }

        var attachments: [AttachmentRef] = []
        for m in stored.embeddedMedia { attachments += attachment(m, record: record) }
        for (ns, id) in stored.referencedMedia { attachments += referenced(ns, id, record: record, t6: t6, t7: t7) }

        var extra: [String: JSONValue] = ["namespace": .number(Double(key.namespace)), "flags": .number(Double(stored.flags))]
        if let f = stored.forwardDate { extra["forward_date"] = .string(TimeValue.unixSeconds(Int64(f)).utcString ?? String(f)) }
        let msg = MessageRecord(
            chatKey: chatKey, sequence: sequence, nativeID: String(key.id),
            senderName: sender.flatMap { peers[$0]?.name }, senderNativeID: sender.map(String.init),
            fromDeviceOwner: outgoing, sent: TimeValue.unixSeconds(Int64(key.timestamp)), text: stored.text ?? "",
            forwardedFrom: stored.forwardAuthorID.flatMap { peers[$0]?.name },
            forwardedFromNativeID: stored.forwardAuthorID.map(String.init),
            attachments: attachments, extra: .object(extra), location: SourceLocation(record: record))
        emitMessage(msg, key: key, recovered: recovered)
    }

    private func ownerWithoutID(_ chatKey: String) {
        guard reported.insert("\(chatKey)\u{0}owner").inserted else { return }
        emit(.participant(ParticipantInfo(chatKey: chatKey, displayName: nil, nativeID: nil, isDeviceOwner: true)))
    }

    private func attachment(_ m: PostboxObject, record: String) -> [AttachmentRef] {
        let (ref, unknown) = media.attachment(m)
        if let unknown { problems.add("unknown-media-type", "media of \(unknown) is not decoded; the message is kept with an empty attachment", at: record) }
        return ref.map { [$0] } ?? []
    }

    /// Media a message names by id: its t6 entry (the object itself), or a note when t6 points at
    /// the message that embeds it or holds nothing.
    private func referenced(_ ns: Int32, _ id: Int64, record: String, t6: (Int32, Int64) -> Data?,
                            t7: (MessageKey) -> [UInt8]?) -> [AttachmentRef] {
        guard let data = t6(ns, id) else {
            problems.add("missing-media", "a message names media \(ns):\(id) that t6 does not hold", at: record)
            return [AttachmentRef(reference: nil, resolvedPath: nil, kind: .other, missingReason: "media \(ns):\(id) is not in t6")]
        }
        var decoder = PostboxDecoder()
        do {
            switch try StoredMedia.decode(Array(data), decoder: &decoder) {
            case .direct(let object?):
                for e in decoder.errors { problems.add(e.code, "t6 media: " + e.text, at: record) }
                return attachment(object, record: record)
            case .direct(nil):
                throw PostboxError.truncated(offset: 1, need: 0)
            case .inMessage(let peer, let mns, let mid, let ts):
                // The media object lives in that message's embedded media (t7), found by its id.
                if let value = t7(MessageKey(peerID: peer, namespace: mns, timestamp: ts, id: mid)),
                   let object = StoredMessage(value).embeddedMedia.first(where: { Self.mediaID($0).map { $0 == (ns, id) } ?? false }) {
                    return attachment(object, record: record)
                }
                problems.add("missing-media", "a message names media \(ns):\(id) that t6 places in a message t7 does not hold (or without it)", at: record)
                return [AttachmentRef(reference: nil, resolvedPath: nil, kind: .other,
                                      missingReason: "t6 says media \(ns):\(id) is stored with message \(mid) (namespace \(mns)) of peer \(peer) at \(ts), which does not hold it")]
            }
        } catch let e as PostboxError {
            problems.add(e.code, "t6 media: " + e.text, at: record)
        } catch {}
        return [AttachmentRef(reference: nil, resolvedPath: nil, kind: .other, missingReason: "t6 entry of media \(ns):\(id) could not be decoded")]
    }
}

extension Row {
    /// A BLOB column's bytes; nil for any other storage class. (GRDB's typed subscripts stop the
    /// process when a value has an unexpected type, which hostile evidence may well have.)
    func blob(_ index: Int) -> [UInt8]? {
        if case .blob(let d) = (self[index] as DatabaseValue).storage { return Array(d) }
        return nil
    }

    /// An INTEGER column's value; nil for any other storage class.
    func int64(_ index: Int) -> Int64? {
        if case .int64(let v) = (self[index] as DatabaseValue).storage { return v }
        return nil
    }
}
