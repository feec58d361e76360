import ExhibitKit
import Foundation

/// Turns decoded TL values into Exhibit's chat model: names from the directory, ids the way
/// Telegram Desktop exports write them (`user123`, bare chat ids), times as UTC `TimeValue`s.
/// A class: the session calls it several times per message, and a struct holding the directory's
/// dictionaries would be copied (each dictionary retained and released) on every call.
final class TelegramMessageMapper {
    let directory: TelegramDirectory

    init(directory: TelegramDirectory) { self.directory = directory }

    /// A peer's display name: the user's first and last name, the chat's or channel's title.
    func name(_ p: TLPeer) -> String? {
        switch p {
        case .user(let id): return directory.users[id]?.displayName
        case .chat(let id), .channel(let id): return directory.chats[id]?.title
        }
    }

    /// The message's text entities, offsets converted from UTF-16 code units (Telegram's unit) to
    /// Unicode scalars (Exhibit's unit). Runs outside the text are clamped to it.
    static func entities(_ es: [TLEntity], text: String) -> [TextEntity] {
        guard !es.isEmpty else { return [] }
        let u16 = Array(text.utf16)
        var map = [Int](repeating: 0, count: u16.count + 1)
        var scalars = 0, i = 0
        while i < u16.count {
            map[i] = scalars
            if UTF16.isLeadSurrogate(u16[i]), i + 1 < u16.count, UTF16.isTrailSurrogate(u16[i + 1]) {
                map[i + 1] = scalars
                i += 2
            } else {
                i += 1
            }
            scalars += 1
        }
        map[u16.count] = scalars
        return es.map { e in
            let lo = min(max(Int(e.offset), 0), u16.count)
            let hi = min(lo + max(Int(e.length), 0), u16.count)
            var t = TextEntity(type: e.type, text: String(decoding: u16[lo..<hi], as: UTF16.self),
                               offset: map[lo], length: map[hi] - map[lo])
            t.href = e.url
            t.userID = e.userID.map { String($0) }
            t.language = e.language
            if let d = e.documentID { t.href = "document:\(d)" }
            return t
        }
    }

    /// The attachment a message's media names, with the local path the client appended.
    func attachment(_ media: TLMedia, path: String?) -> AttachmentRef? {
        guard media.type == "photo" || media.type == "document" else { return nil }
        let kind: AttachmentKind
        switch media.kindHint {
        case .photo: kind = .photo
        case .video: kind = .video
        case .videoMessage: kind = .videoMessage
        case .voice: kind = .voice
        case .audio: kind = .audio
        case .sticker: kind = .sticker
        case .animation: kind = .animation
        case .file: kind = .file
        }
        var ref = AttachmentRef(reference: path, resolvedPath: nil, kind: kind, fileName: media.fileName,
                                mimeType: media.mimeType, size: media.size, width: media.width, height: media.height,
                                durationSeconds: media.duration)
        if let path, path.hasPrefix("/") {
            ref.devicePaths = [DevicePath.normalize(path)]
        } else if path == nil {
            ref.missingReason = "the database records no local copy of this media (attach path \" \")"
        }
        return ref
    }

    /// `extra.media`: Telegram's ids of the file (strings: they exceed 2^53), type, MIME, size.
    static func mediaJSON(_ m: TLMedia) -> JSONValue {
        var o: [String: JSONValue] = ["type": .string(m.type), "constructor": .string(TLReader.hex(m.constructor))]
        if let id = m.photoID { o["photo_id"] = .string(String(id)) }
        if let id = m.documentID { o["document_id"] = .string(String(id)) }
        if let v = m.mimeType { o["mime_type"] = .string(v) }
        if let v = m.size { o["size"] = .number(Double(v)) }
        if let v = m.ttlSeconds { o["ttl_seconds"] = .number(Double(v)) }
        for (k, v) in m.fields { o[k] = .string(v) }
        return .object(o)
    }

    /// The service action's details, named as Telegram Desktop exports name them.
    func service(_ a: TLAction, actor: TLPeer?) -> ServiceAction {
        var d: [String: JSONValue] = [:]
        if let t = a.title { d["title"] = .string(t) }
        switch a.name {
        case "create_group", "invite_members", "remove_members":
            d["members"] = .array(a.users.map { id in name(.user(id)).map(JSONValue.string) ?? .null })
            d["member_ids"] = .array(a.users.map { .string("user\($0)") })
        case "join_by_link":
            if let id = a.users.first {
                d["inviter"] = name(.user(id)).map(JSONValue.string) ?? .null
                d["inviter_id"] = .string("user\(id)")
            }
        case "set_messages_ttl":
            if let p = a.period { d["period_seconds"] = .number(Double(p)) }
            if let f = a.autoSettingFrom { d["auto_setting_from"] = .string("user\(f)") }
        case "phone_call":
            if let c = a.callID { d["call_id"] = .string(String(c)) }
            if let v = a.duration { d["duration_seconds"] = .number(Double(v)) }
            if let v = a.discardReason { d["discard_reason"] = .string(v) }
            d["is_video"] = .bool(a.video)
        case "unknown":
            d["constructor"] = .string(TLReader.hex(a.constructor))
        default:
            break
        }
        return ServiceAction(action: a.name, actorName: actor.flatMap(name), actorNativeID: actor?.exportID,
                             details: .object(d))
    }

    /// Fields with no column of their own, for `MessageRecord.extra`.
    func extra(_ m: TLMessage, did: Int64) -> [String: JSONValue] {
        var o: [String: JSONValue] = ["dialog_id": .string(String(did)), "constructor": .string(TLReader.hex(m.constructor))]
        if let g = m.groupedID { o["grouped_id"] = .string(String(g)) }
        if let v = m.views { o["views"] = .number(Double(v)) }
        if let v = m.forwards { o["forwards"] = .number(Double(v)) }
        if let v = m.ttlPeriod { o["ttl_period"] = .number(Double(v)) }
        if m.post { o["post"] = .bool(true) }
        if let media = m.media { o["media"] = Self.mediaJSON(media) }
        if m.attachPathByScan { o["local_path_found_by_scan"] = .bool(true) }
        if !m.attachParams.isEmpty { o["attach_params"] = .object(m.attachParams.mapValues(JSONValue.string)) }
        if let media = m.media, media.type != "photo", media.type != "document", let p = m.attachPath {
            o["local_path"] = .string(p)
        }
        if !m.restrictions.isEmpty { o["restriction_reason"] = .array(m.restrictions.map(JSONValue.string)) }
        if m.textLossy { o["text_invalid_utf8"] = .bool(true) }
        if let v = m.viaBotID { o["via_bot_id"] = .string("user\(v)") }
        if let r = m.reply {
            if let t = r.topID { o["reply_to_top_id"] = .string(String(t)) }
            if let q = r.quote { o["reply_quote"] = .string(q) }
            if let s = r.storyID { o["reply_to_story_id"] = .string(String(s)) }
        }
        if let f = m.forward {
            if let d = f.date { o["forward_date"] = .string(TimeValue.unixSeconds(Int64(d)).utcString ?? String(d)) }
            if let p = f.channelPost { o["forward_channel_post"] = .string(String(p)) }
            if let a = f.postAuthor { o["forward_post_author"] = .string(a) }
        }
        if let s = m.stop { o["decode_stopped"] = .string(s.text) }
        return o
    }
}
