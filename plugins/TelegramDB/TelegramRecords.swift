import ExhibitKit
import Foundation

/// Building the chat, participant and message findings of one session.
extension TelegramSession {
    /// What kind of chat a dialog id names: user > 0, secret chats carry bit 62, groups and
    /// channels are negative (the chat's own id is the positive value).
    enum DialogKind { case user(Int64), secret(Int64), group(Int64), channel(Int64), unknownGroup(Int64) }

    func kind(of did: Int64, hint: TLPeer?) -> DialogKind {
        if did > 0, did & Self.secretBit != 0 { return .secret(did & 0xFFFF_FFFF) }
        if did > 0 { return .user(did) }
        let id = did == Int64.min ? 0 : -did
        switch directory.chats[id]?.kind {
        case .chat: return .group(id)
        case .channel, .supergroup: return .channel(id)
        case nil:
            if case .chat = hint { return .group(id) }
            if case .channel = hint { return .channel(id) }
            return .unknownGroup(id)
        }
    }

    func emitChat(_ did: Int64, hint: TLPeer?) {
        emittedChats.insert(did)
        var info = ChatInfo(chatKey: Self.chatKey(did), platform: .telegram, format: .telegramAndroidDB, owner: owner)
        var notes = ["dialog id \(did)"]
        switch kind(of: did, hint: hint) {
        case .user(let id):
            let u = directory.users[id]
            info.nativeID = String(id)
            info.title = u?.displayName
            info.chatType = id == directory.ownerID ? "saved_messages" : (u?.isBot == true ? "bot_chat" : "personal_chat")
            if let name = u?.username { notes.append("@\(name)") }
            if let phone = u?.phone { notes.append("phone +\(phone)") }
            if u?.nameFromColumn == true { notes.append("title from the lower-cased users.name column (blob unreadable)") }
            if u == nil { notes.append("user \(id) not in the users table") }
        case .secret(let enc):
            let s = directory.secretChats[enc]
            let peerName = s?.userID.flatMap { directory.users[$0]?.displayName }
            info.title = "Secret chat" + (peerName.map { " with \($0)" } ?? "")
            info.chatType = "secret_chat"
            var n = "secret chat \(enc)"
            if let u = s?.userID { n += " with user\(u)" }
            if let t = s?.ttl { n += ", self-destruct timer \(t) s" }
            if let l = s?.layer { n += ", layer \(l)" }
            if let st = s?.state { n += ", \(st)" }
            if let d = s?.date, let utc = TimeValue.unixSeconds(Int64(d)).utcString { n += ", created \(utc)" }
            notes.append(n)
        case .group(let id):
            let c = directory.chats[id]
            info.nativeID = String(id)
            info.title = c?.title
            info.chatType = "private_group"
            if c?.titleFromColumn == true { notes.append("title from the lower-cased chats.name column (blob unreadable)") }
        case .channel(let id):
            let c = directory.chats[id]
            info.nativeID = String(id)
            info.title = c?.title
            let isPublic = c?.username != nil
            info.chatType = c?.kind == .supergroup ? (isPublic ? "public_supergroup" : "private_supergroup")
                                                   : (isPublic ? "public_channel" : "private_channel")
            if let u = c?.username { notes.append("@\(u)") }
            if c?.titleFromColumn == true { notes.append("title from the lower-cased chats.name column (blob unreadable)") }
        case .unknownGroup(let id):
            info.nativeID = String(id)
            info.chatType = "group_or_channel"
            notes.append("chat \(id) not in the chats table")
        }
        if let d = directory.dialogs[did] {
            if d.folderID == 1 { notes.append("archived (dialogs.folder_id = 1)") }
            if let p = d.pinned, p != 0 { notes.append("pinned") }
            info.location = SourceLocation(record: "dialogs did \(did)")
        } else {
            notes.append("no dialogs row")
            info.location = SourceLocation(record: "messages_v2 uid \(did)")
        }
        info.notes = notes
        emit(.chat(info))
    }

    /// The sender: `from_id`; else the channel for broadcast posts; else the owner for outgoing
    /// messages; else the dialog's peer (an incoming private message carries no sender id).
    func sender(_ m: TLMessage?, did: Int64, out: Bool) -> TLPeer? {
        if let f = m?.from { return f }
        // A broadcast post carries no sender id even when the owner wrote it: it speaks as the channel.
        if m?.post == true, case .channel(let id)? = m?.peer { return .channel(id) }
        if out { return directory.ownerID.map { .user($0) } }
        switch kind(of: did, hint: m?.peer) {
        case .user(let id): return .user(id)
        case .secret(let enc): return directory.secretChats[enc]?.userID.map { .user($0) }
        case .channel(let id): return m?.post == true || m?.peer == .channel(id) ? .channel(id) : nil
        case .group, .unknownGroup: return nil
        }
    }

    func build(_ m: TLMessage?, did: Int64, mid: Int64?, rowDate: Int64?, rowOut: Bool, constructor: String?,
               location: SourceLocation) -> MessageRecord {
        let out = rowOut || m?.out == true
        let from = sender(m, did: did, out: out)
        var rec = MessageRecord(chatKey: cachedChatKey(did), sequence: sequence, location: location)
        sequence += 1
        // The row's mid is the table's key; the blob's own id is kept in extra when it differs.
        rec.nativeID = mid.map { String($0) } ?? m?.id.map { String($0) }
        rec.fromDeviceOwner = out
        if let from {
            rec.senderNativeID = from.exportID
            rec.senderName = mapper.name(from)
            let ownerPeer = directory.ownerID.map { TLPeer.user($0) }
            participant(from, isOwner: from == ownerPeer || (out && ownerPeer == nil && from == m?.from))
        }
        guard let m else {
            rec.kind = .unsupported
            rec.sent = rowDate.map { TimeValue.unixSeconds($0, note: "messages_v2.date; the data blob was not decoded") }
            var extra: [String: JSONValue] = ["dialog_id": .string(String(did)), "undecoded": .string("data blob not decoded: no text read")]
            if let constructor { extra["constructor"] = .string(constructor) }
            rec.extra = .object(extra)
            return rec
        }
        if let d = m.date {
            rec.sent = TimeValue.unixSeconds(Int64(d))
        } else if let rowDate {
            rec.sent = TimeValue.unixSeconds(rowDate, note: "messages_v2.date; the blob ended before its date")
        }
        rec.touched = m.editDate.map { TimeValue.unixSeconds(Int64($0)) }
        rec.text = m.text ?? ""
        rec.entities = TelegramMessageMapper.entities(m.entities, text: rec.text)
        if let r = m.reply {
            rec.replyToNativeID = r.messageID.map { String($0) }
            rec.replyToChatNativeID = r.peer.map { String($0.id) }
        }
        if let f = m.forward {
            rec.forwardedFrom = f.from.flatMap(mapper.name) ?? f.fromName
            rec.forwardedFromNativeID = f.from?.exportID
            rec.savedFrom = f.savedFrom.flatMap(mapper.name) ?? f.savedFromName
        }
        rec.viaBot = m.viaBotID.flatMap { directory.users[$0]?.username }.map { "@" + $0 }
        rec.authorSignature = m.postAuthor
        rec.reactions = m.reactions.map { Reaction(type: $0.type, emoji: $0.emoji, count: Int($0.count)) }
        if m.isService {
            rec.kind = .service
            if let a = m.action { rec.service = mapper.service(a, actor: from) }
            if m.action?.name == "unknown" {
                warnings.add("unknown-action", key: TLReader.hex(m.action?.constructor ?? 0), location: location,
                             message: "service action \(TLReader.hex(m.action?.constructor ?? 0)) is not known: recorded as action \"unknown\"")
            }
        }
        if let media = m.media, let a = mapper.attachment(media, path: m.attachPath) { rec.attachments = [a] }
        var extra = mapper.extra(m, did: did)
        if let id = m.id, let mid, Int64(id) != mid { extra["blob_message_id"] = .string(String(id)) }
        rec.extra = .object(extra)
        return rec
    }

    /// Emits the participant the first time it appears in the current chat.
    func participant(_ p: TLPeer, isOwner: Bool) {
        guard let chat = currentChat, chatParticipants.insert(ChatPeer(chat: chat, peer: p)).inserted else { return }
        emit(.participant(ParticipantInfo(chatKey: Self.chatKey(chat), displayName: mapper.name(p), nativeID: p.exportID,
                                          isDeviceOwner: isOwner)))
    }
}
