import Foundation
import ExhibitKit

/// Turns one Telegram Desktop JSON message object into a ``MessageRecord``.
struct TelegramMessageMapper {
    let file: EvidenceFile
    let zone: TimeZone?
    /// `user<id>` of the exporting account (full exports name it in `personal_information`).
    var ownerID: String?

    static let placeholderNote = "Telegram date: the exporting PC's local time (no date_unixtime: export older than tdesktop 3.7.6)"
    static let touchedNote = "Telegram `edited`: touched after sending (reactions set it too), not proof of an edit"

    /// Keys mapped to typed fields; everything else goes to `extra` (or the service details).
    static let mappedKeys: Set<String> = [
        "id", "type", "date", "date_unixtime", "edited", "edited_unixtime", "from", "from_id", "forwarded_from",
        "forwarded_from_id", "saved_from", "reply_to_message_id", "reply_to_peer_id", "via_bot", "author", "text",
        "text_entities", "reactions", "poll", "photo", "photo_file_size", "file", "file_name", "file_size",
        "thumbnail", "thumbnail_file_size", "media_type", "mime_type", "duration_seconds", "width", "height",
        "actor", "actor_id", "action", "contact_vcard", "contact_vcard_file_size",
    ]

    /// Keys every service message has; the rest are the action's own fields.
    static let serviceCommonKeys: Set<String> = ["id", "type", "date", "date_unixtime", "edited", "edited_unixtime",
                                                 "actor", "actor_id", "action", "text", "text_entities", "from", "from_id"]

    func map(_ v: JValue, chatKey: String, location: SourceLocation) -> MessageRecord {
        var m = MessageRecord(chatKey: chatKey, sequence: 0, location: location)
        m.nativeID = v["id"]?.text
        switch v["type"]?.string {
        case "service": m.kind = .service
        case "unsupported": m.kind = .unsupported
        default: m.kind = .message
        }
        m.sent = time(unix: v["date_unixtime"], local: v["date"], note: nil)
        m.touched = time(unix: v["edited_unixtime"], local: v["edited"], note: Self.touchedNote)
        let (text, entities) = Self.text(v["text"], entities: v["text_entities"])
        m.text = text
        m.entities = entities
        m.replyToNativeID = v["reply_to_message_id"]?.text
        m.replyToChatNativeID = v["reply_to_peer_id"]?.text
        m.forwardedFrom = v["forwarded_from"]?.string
        m.forwardedFromNativeID = v["forwarded_from_id"]?.text
        m.savedFrom = v["saved_from"]?.string
        m.viaBot = v["via_bot"]?.string
        m.authorSignature = v["author"]?.string
        m.reactions = Self.reactions(v["reactions"])
        m.poll = Self.poll(v["poll"])
        m.attachments = attachments(v)
        if m.kind == .service {
            m.senderName = v["actor"]?.string
            m.senderNativeID = v["actor_id"]?.text
            var details: [String: JSONValue] = [:]
            if case .object(let pairs) = v {
                for (k, x) in pairs where !Self.serviceCommonKeys.contains(k) { details[k] = x.jsonValue }
            }
            m.service = ServiceAction(action: v["action"]?.string ?? "unknown", actorName: m.senderName,
                                      actorNativeID: m.senderNativeID, details: details.isEmpty ? nil : .object(details))
        } else {
            m.senderName = v["from"]?.string
            m.senderNativeID = v["from_id"]?.text
            var extra: [String: JSONValue] = [:]
            if case .object(let pairs) = v {
                for (k, x) in pairs where !Self.mappedKeys.contains(k) { extra[k] = x.jsonValue }
            }
            m.extra = extra.isEmpty ? nil : .object(extra)
        }
        if let ownerID, let s = m.senderNativeID { m.fromDeviceOwner = s == ownerID }
        return m
    }

    /// `date_unixtime` (basis utc) when present, else the naive `date` in the declared zone.
    func time(unix: JValue?, local: JValue?, note: String?) -> TimeValue? {
        if let raw = unix?.text, let secs = Int64(raw) { return .unixSeconds(secs, raw: raw, note: note) }
        guard let raw = local?.string else { return nil }
        guard let naive = Self.isoLocal(raw) else {
            return TimeValue(raw: raw, utcMicros: nil, basis: .unknown, precision: .second, note: "unreadable Telegram date")
        }
        let n = note.map { "\($0); \(Self.placeholderNote)" } ?? Self.placeholderNote
        return naive.resolve(in: zone, raw: raw, precision: .second, note: n)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS`.
    static func isoLocal(_ s: String) -> NaiveDateTime? {
        let b = Array(s.utf8)
        guard b.count >= 19 else { return nil }
        func n(_ i: Int, _ len: Int) -> Int? { UTCFormat.digits(b, at: i, count: len) }
        guard let y = n(0, 4), let mo = n(5, 2), let d = n(8, 2), let h = n(11, 2), let mi = n(14, 2), let se = n(17, 2) else { return nil }
        return NaiveDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: se)
    }

    /// The message text (string, or parts joined with no separator) and its non-plain entities.
    static func text(_ t: JValue?, entities: JValue?) -> (String, [TextEntity]) {
        var parts: [(type: String, text: String, obj: JValue?)] = []
        if let list = entities?.array {
            for e in list { parts.append((e["type"]?.string ?? "plain", e["text"]?.string ?? "", e)) }
        } else if let list = t?.array {
            for e in list {
                if let s = e.string { parts.append(("plain", s, nil)) } else { parts.append((e["type"]?.string ?? "plain", e["text"]?.string ?? "", e)) }
            }
        }
        // The text itself comes from `text` as written; entities only add structure.
        var full = ""
        if let s = t?.string { full = s } else if let list = t?.array {
            for e in list { full += e.string ?? e["text"]?.string ?? "" }
        } else { full = parts.map(\.text).joined() }
        var out: [TextEntity] = []
        var offset = 0
        for p in parts {
            let len = p.text.unicodeScalars.count
            if p.type != "plain" {
                out.append(TextEntity(type: p.type, text: p.text, offset: offset, length: len,
                                      href: p.obj?["href"]?.string ?? p.obj?["document_id"]?.string,
                                      userID: p.obj?["user_id"]?.text, language: p.obj?["language"]?.string))
            }
            offset += len
        }
        return (full, out)
    }

    static func reactions(_ v: JValue?) -> [Reaction] {
        (v?.array ?? []).map { r in
            Reaction(type: r["type"]?.string ?? "emoji", emoji: r["emoji"]?.string ?? r["document_id"]?.string ?? "",
                     count: r["count"]?.int, actors: (r["recent"]?.array ?? []).compactMap { $0["from"]?.string })
        }
    }

    static func poll(_ v: JValue?) -> Poll? {
        guard let v, let q = v["question"]?.string else { return nil }
        return Poll(question: q, closed: v["closed"]?.bool, totalVoters: v["total_voters"]?.int,
                    answers: (v["answers"]?.array ?? []).map {
                        Poll.Answer(text: $0["text"]?.string ?? "", voters: $0["voters"]?.int, chosen: $0["chosen"]?.bool ?? false)
                    })
    }

    /// tdesktop writes a sentence in parentheses instead of a path when it skipped the file.
    static func isPlaceholder(_ s: String) -> Bool {
        s.hasPrefix("(") && s.hasSuffix(")") && (s.contains("not included") || s.contains("exceeds maximum size")
            || s.contains("unavailable") || s.contains("File ") || s.contains("Photo "))
    }

    func attachments(_ v: JValue) -> [AttachmentRef] {
        var out: [AttachmentRef] = []
        if let photo = v["photo"]?.string {
            var a = ref(photo, kind: .photo)
            a.size = v["photo_file_size"]?.int64
            a.width = v["width"]?.int; a.height = v["height"]?.int
            out.append(a)
        }
        if let f = v["file"]?.string {
            let kind: AttachmentKind
            switch v["media_type"]?.string {
            case "sticker": kind = .sticker
            case "video_message": kind = .videoMessage
            case "voice_message": kind = .voice
            case "animation": kind = .animation
            case "video_file": kind = .video
            case "audio_file": kind = .audio
            case nil: kind = .file
            default: kind = .other
            }
            var a = ref(f, kind: kind)
            a.fileName = v["file_name"]?.string
            a.size = v["file_size"]?.int64
            a.mimeType = v["mime_type"]?.string
            a.durationSeconds = v["duration_seconds"]?.double
            a.width = v["width"]?.int; a.height = v["height"]?.int
            if let t = v["thumbnail"]?.string, !Self.isPlaceholder(t) {
                a.thumbnail = t
                a.thumbnailResolvedPath = file.siblingPath(t)
            }
            out.append(a)
        }
        if let vcard = v["contact_vcard"]?.string {
            var a = ref(vcard, kind: .file)
            a.size = v["contact_vcard_file_size"]?.int64
            a.mimeType = "text/vcard"
            out.append(a)
        }
        return out
    }

    private func ref(_ s: String, kind: AttachmentKind) -> AttachmentRef {
        if Self.isPlaceholder(s) { return AttachmentRef(reference: nil, resolvedPath: nil, kind: kind, missingReason: s) }
        let isURL = s.hasPrefix("http://") || s.hasPrefix("https://")
        return AttachmentRef(reference: s, resolvedPath: isURL ? nil : file.siblingPath(s), kind: kind)
    }
}
