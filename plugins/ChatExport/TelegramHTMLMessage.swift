import Foundation
import ExhibitKit

/// The pieces of one `div.message` of a Telegram Desktop HTML page, gathered while SAX events
/// arrive, and turned into a ``MessageRecord`` when the div closes.
struct TelegramHTMLMessage {
    var id: String
    var isService: Bool
    var joined: Bool
    var line: Int
    var dateTitle: String?
    var fromName = ""
    var forwardedName = ""
    var text = ""
    var textScalars = 0
    var entities: [TextEntity] = []
    var replyHref: String?
    var serviceText = ""
    var serviceLink: String?
    var signature = ""
    var media: [Media] = []
    var reactions: [Reaction] = []
    var pollQuestion = ""
    var pollAnswers: [String] = []
    var pollTotal = ""
    var pollClosed: Bool?

    /// One `media_wrap` block.
    struct Media {
        var classes: Set<String>
        var href: String?
        var title = ""
        var description = ""
        var status = ""
    }

    static let offsetNote = "Telegram HTML: tdesktop writes the zone's standard UTC offset, so during daylight saving time this may be 1 h off"
    static let noOffsetNote = "Telegram HTML without UTC offset (tdesktop < 3.7.6): the exporting PC's local time"

    /// Parses `DD.MM.YYYY HH:MM:SS[ UTC±HH:MM]`: with the offset basis `offset`, without it the
    /// naive time in the declared zone.
    static func time(_ title: String, zone: TimeZone?) -> TimeValue {
        let b = Array(title.utf8)
        func n(_ i: Int, _ len: Int) -> Int? { UTCFormat.digits(b, at: i, count: len) }
        guard let d = n(0, 2), let mo = n(3, 2), let y = n(6, 4), let h = n(11, 2), let mi = n(14, 2), let s = n(17, 2) else {
            return TimeValue(raw: title, utcMicros: nil, basis: .unknown, precision: .second, note: "unreadable Telegram HTML date")
        }
        let naive = NaiveDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
        let rest = title.utf8.count > 19 ? String(decoding: b[19...], as: UTF8.self).trimmingCharacters(in: .whitespaces) : ""
        if rest.hasPrefix("UTC"), let offset = rest == "UTC" ? 0 : UTCFormat.offsetSeconds(String(rest.dropFirst(3))) {
            return naive.withOffset(seconds: offset, raw: title, precision: .second, note: offsetNote)
        }
        return naive.resolve(in: zone, raw: title, precision: .second, note: noOffsetNote)
    }

    /// `#go_to_message123`, `messages2.html#go_to_message123` → `123`.
    static func messageID(fromHref href: String) -> String? {
        guard let r = href.range(of: "go_to_message") else { return nil }
        let id = href[r.upperBound...]
        return id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) ? nil : String(id)
    }

    /// Service sentences tdesktop writes, mapped back to the JSON action names (actor = the text before).
    static let serviceVerbs: [(String, String)] = [
        (" created group ", "create_group"), (" invited ", "invite_members"), (" removed group photo", "delete_group_photo"),
        (" removed ", "remove_members"), (" pinned ", "pin_message"), (" changed group title to ", "edit_group_title"),
        (" changed group photo", "edit_group_photo"), (" joined group by link from ", "join_group_by_link"),
        (" joined group by request", "join_group_by_request"), (" converted this group to a supergroup", "migrate_to_supergroup"),
        (" converted a basic group to this supergroup ", "migrate_from_group"), (" took a screenshot", "take_screenshot"),
        (" joined Telegram", "joined_telegram"), (" scored ", "score_in_game"), (" started voice chat", "group_call"),
        (" has set messages to auto-delete", "set_messages_ttl"), (" changed chat theme to ", "edit_chat_theme"),
    ]

    func record(chatKey: String, file: EvidenceFile, zone: TimeZone?, sender: String?, location: SourceLocation) -> MessageRecord {
        var m = MessageRecord(chatKey: chatKey, sequence: 0, nativeID: id, kind: isService ? .service : .message, location: location)
        m.sent = dateTitle.map { Self.time($0, zone: zone) }
        if isService {
            let sentence = Self.collapse(serviceText)
            var actor: String?
            var action = "service"
            if sentence.hasPrefix("Channel ") { action = "create_channel" }
            for (verb, name) in Self.serviceVerbs {
                if let r = sentence.range(of: verb) { actor = String(sentence[..<r.lowerBound]); action = name; break }
            }
            if sentence == "History cleared" { action = "clear_history" }
            var details: [String: JSONValue] = ["description": .string(sentence)]
            if let link = serviceLink, let target = Self.messageID(fromHref: link) { details["message_id"] = .string(target) }
            m.senderName = actor
            m.service = ServiceAction(action: action, actorName: actor, details: .object(details))
            return m
        }
        var (name, via) = Self.splitVia(sender ?? "")
        if name.isEmpty { name = sender ?? "" }
        m.senderName = name.isEmpty ? nil : name
        m.viaBot = via
        let fwd = Self.collapse(forwardedName)
        if !fwd.isEmpty { m.forwardedFrom = Self.splitVia(fwd).0 }
        m.text = text
        m.entities = entities
        if let replyHref { m.replyToNativeID = Self.messageID(fromHref: replyHref) }
        let sig = Self.collapse(signature)
        if !sig.isEmpty { m.authorSignature = sig }
        m.reactions = reactions
        if !pollQuestion.isEmpty {
            m.poll = Poll(question: Self.collapse(pollQuestion), closed: pollClosed,
                          totalVoters: Int(Self.collapse(pollTotal).split(separator: " ").first ?? ""),
                          answers: pollAnswers.map(Self.pollAnswer))
        }
        for item in media {
            if item.classes.contains("media_call") {
                m.kind = .service
                let status = Self.collapse(item.status)
                var details: [String: JSONValue] = ["status": .string(status)]
                if let open = status.firstIndex(of: "("), let secs = Int(status[status.index(after: open)...].prefix { $0.isNumber }) {
                    details["duration_seconds"] = .number(Double(secs))
                }
                m.service = ServiceAction(action: "phone_call", actorName: m.senderName, details: .object(details))
            } else if let a = Self.attachment(item, file: file) {
                m.attachments.append(a)
            }
        }
        return m
    }

    static func splitVia(_ s: String) -> (String, String?) {
        let t = collapse(s)
        guard let r = t.range(of: " via @", options: .backwards) else { return (t, nil) }
        return (String(t[..<r.lowerBound]), "@" + t[r.upperBound...])
    }

    /// Trims the indentation tdesktop's writer puts around block content.
    static func collapse(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// `- Answer <span class="details">3 votes, chosen vote</span>` → answer.
    static func pollAnswer(_ raw: String) -> Poll.Answer {
        var t = collapse(raw)
        if t.hasPrefix("- ") { t.removeFirst(2) }
        // "Answer 3 votes, chosen vote": the count is the number before the first "vote…" word.
        let words = t.split(separator: " ", omittingEmptySubsequences: false)
        for i in stride(from: words.count - 2, through: 0, by: -1) {
            if let n = Int(words[i]), words[i + 1].hasPrefix("vote") {
                let rest = words[(i + 1)...].joined(separator: " ")
                return Poll.Answer(text: words[..<i].joined(separator: " "), voters: n, chosen: rest.contains("chosen"))
            }
        }
        return Poll.Answer(text: t, voters: nil, chosen: false)
    }

    static func attachment(_ item: Media, file: EvidenceFile) -> AttachmentRef? {
        let c = item.classes
        let title = collapse(item.title)
        let kind: AttachmentKind
        if c.contains("photo_wrap") || c.contains("media_photo") { kind = title == "Sticker" ? .sticker : .photo }
        else if c.contains("sticker_wrap") { kind = .sticker }
        else if c.contains("animated_wrap") { kind = .animation }
        else if c.contains("video_file_wrap") { kind = .video }
        else if c.contains("media_voice_message") { kind = .voice }
        else if c.contains("media_audio_file") { kind = .audio }
        else if c.contains("media_video") {
            kind = title == "Video message" ? .videoMessage : title == "Animation" ? .animation : .video
        }
        else if c.contains("media_file") { kind = .file }
        else if c.contains("media_contact") { kind = .file }
        else { return nil }  // location, venue, game, invoice: no file
        if c.contains("media_contact") && item.href == nil { return nil }
        var a = AttachmentRef(reference: nil, resolvedPath: nil, kind: kind)
        if let href = item.href, !href.isEmpty, !href.hasPrefix("http://"), !href.hasPrefix("https://") {
            a.reference = href
            a.resolvedPath = file.siblingPath(href)
        } else {
            let d = collapse(item.description)
            a.missingReason = d.isEmpty ? "no file link in the HTML export" : d
        }
        if kind == .file, !title.isEmpty, title != "File" { a.fileName = title }
        return a
    }
}
