import ExhibitKit
import Foundation

/// Turns one finding into timeline events: the kind from the documented vocabulary
/// (docs/timeline.md), a one-line description, and provenance without row ids.
enum EventMapping {
    /// `file.modified`, `file.accessed`, `file.changed`, `file.created` from `file_times`.
    static func fileEvent(_ t: CaseFileTime) -> TimelineEvent {
        let verb = fileVerbs[t.kind] ?? t.kind
        let what = t.entryKind == "file" ? "" : "\(t.entryKind) "
        return TimelineEvent(time: t.time, kind: "file.\(t.kind)", description: "\(what)\(t.file.path) \(verb)",
                             source: "intake", fileID: t.file.id,
                             provenance: ["table": .string("file_times"), "time": .string(t.kind)])
    }

    /// Built once, not per event (file times are the most numerous events).
    private static let fileVerbs = ["modified": "modified", "accessed": "accessed", "changed": "changed (inode)", "created": "created"]
    private static let platformNames = ["telegram": "Telegram", "whatsapp": "WhatsApp", "kakaotalk": "KakaoTalk", "discord": "Discord", "line": "LINE"]

    /// `message.sent` (or `chat.action` for service events, `chat.system` for system lines) at
    /// the sent time, and `message.touched` at the edit time when there is one.
    static func messageEvents(_ m: CaseMessage) -> [TimelineEvent] {
        var parts = MessageParts()
        var out: [TimelineEvent] = []
        messageEvents(m, parts: &parts) { out.append($0) }
        return out
    }

    /// What the events of consecutive messages of one chat and file share, made once for them
    /// (messages are read file by file, in order: a chat's messages come together).
    struct MessageParts {
        private var key: (platform: String, chat: String?, path: String, recovered: Bool)?
        private(set) var place = ""
        private(set) var provenance: [String: JSONValue] = [:]

        mutating func update(_ m: CaseMessage) {
            if let k = key, k.platform == m.platform, k.chat == m.chat, k.path == m.exportFile.path, k.recovered == m.recovered { return }
            key = (m.platform, m.chat, m.exportFile.path, m.recovered)
            place = "\(platformName(m.platform)) \(m.chat.map { "“\($0)”" } ?? "(untitled chat)")"
            provenance = ["table": .string("messages"), "export": .string(m.exportFile.path)]
            // A recovered deleted record says so in every event built from it (and only then, so
            // events of live messages are unchanged).
            if m.recovered { provenance["recovered"] = .bool(true) }
        }
    }

    /// ``messageEvents(_:)`` handing each event to `send`, with the parts shared by the
    /// previous message's events kept in `parts`.
    static func messageEvents(_ m: CaseMessage, parts: inout MessageParts, _ send: (TimelineEvent) throws -> Void) rethrows {
        parts.update(m)
        let place = parts.place, provenance = parts.provenance
        let mark = m.recovered ? "[recovered deleted record] " : ""
        let sent = m.sent ?? TimeValue(raw: "", utcMicros: nil, basis: .unknown, precision: .second,
                                       note: "the export gives no time for this message")
        switch m.kind {
        case "service":
            let actor = m.serviceActor ?? m.sender
            let action = m.serviceAction.map { humanAction($0) } ?? "service event"
            var line = mark + "\(actor ?? "someone"): \(action) in \(place)"
            if !m.text.isEmpty { line += " — " + clip(m.text, 60) }
            try send(TimelineEvent(time: sent, kind: "chat.action", description: line, source: m.analyzerID,
                                   fileID: m.exportFile.id, messageID: m.id, chatID: m.chatID, sender: actor,
                                   provenance: provenance.merging(["action": m.serviceAction.map(JSONValue.string) ?? .null]) { a, _ in a }))
        case "system":
            try send(TimelineEvent(time: sent, kind: "chat.system", description: mark + "\(place): \(clip(m.text, 80))",
                                   source: m.analyzerID, fileID: m.exportFile.id, messageID: m.id, chatID: m.chatID,
                                   provenance: provenance))
        default:
            var line = mark + "\(m.sender ?? "(unknown sender)") → \(place): "
            line += m.text.isEmpty ? "" : clip(m.text, 80)
            if m.attachmentCount > 0 { line += (m.text.isEmpty ? "" : " ") + "[\(m.attachmentCount) attachment\(m.attachmentCount == 1 ? "" : "s")]" }
            if m.deleted { line += " (deleted)" }
            try send(TimelineEvent(time: sent, kind: "message.sent", description: line, source: m.analyzerID,
                                   fileID: m.exportFile.id, messageID: m.id, chatID: m.chatID, sender: m.sender,
                                   provenance: provenance))
        }
        if let touched = m.touched {
            try send(TimelineEvent(time: touched, kind: "message.touched",
                                   description: mark + "\(m.sender ?? "(unknown sender)") edited a message in \(place): \(clip(m.text, 60))",
                                   source: m.analyzerID, fileID: m.exportFile.id, messageID: m.id, chatID: m.chatID,
                                   sender: m.sender, provenance: provenance))
        }
    }

    /// The kind of a metadata time: `photo.taken`, `media.created`, `media.modified`,
    /// `document.created`, `document.modified`, `document.printed`, `gps.fix`, else `metadata.time`.
    static func metadataKind(namespace: String, tag: String) -> String {
        let bare = tag.split(separator: ":").last.map(String.init) ?? tag
        switch namespace {
        case "gps":
            return "gps.fix"
        case "pdf", "ooxml", "odf":
            switch bare {
            case "CreateDate", "Creation-date", "created": return "document.created"
            case "ModifyDate", "Date", "modified": return "document.modified"
            case "LastPrinted", "Print-date": return "document.printed"
            default: return "metadata.time"
            }
        case "quicktime":
            if bare.hasSuffix("ModifyDate") { return "media.modified" }
            if bare.hasSuffix("CreateDate") || bare == "CreationDate" { return "media.created" }
            return "metadata.time"
        default:
            switch bare {
            case "DateTimeOriginal", "DateCreated": return "photo.taken"
            case "CreateDate", "DateTimeDigitized": return "media.created"
            case "ModifyDate", "DateTime", "MetadataDate": return "media.modified"
            case "GPSTimeStamp", "GPSDateTime": return "gps.fix"
            default: return "metadata.time"
            }
        }
    }

    static func metadataEvent(_ m: CaseMetadataTime) -> TimelineEvent {
        let kind = metadataKind(namespace: m.namespace, tag: m.tag)
        let phrase: String
        switch kind {
        case "photo.taken": phrase = "photo taken"
        case "media.created": phrase = "media created"
        case "media.modified": phrase = "media modified"
        case "document.created": phrase = "document created"
        case "document.modified": phrase = "document modified"
        case "document.printed": phrase = "document last printed"
        case "gps.fix": phrase = "GPS fix"
        default: phrase = "time"
        }
        return TimelineEvent(time: m.time, kind: kind, description: "\(phrase): \(m.file.path) (\(m.namespace) \(m.tag))",
                             source: m.analyzerID, fileID: m.file.id,
                             provenance: ["table": .string("metadata"), "namespace": .string(m.namespace), "tag": .string(m.tag)])
    }

    /// `clock.discrepancy` at the camera time for a camera-vs-GPS clock indicator; other
    /// indicators (AI generation) have no time of their own and give no event.
    static func indicatorEvent(_ i: CaseIndicator) -> TimelineEvent? {
        guard i.kind == IndicatorKind.clockDiscrepancy.rawValue else { return nil }
        let time = i.times["camera"] ?? i.times.sorted { $0.key < $1.key }.first?.value
        guard let time else { return nil }
        return TimelineEvent(time: time, kind: "clock.discrepancy", description: "\(i.file.path): \(i.summary)",
                             source: i.analyzerID, fileID: i.file.id,
                             provenance: ["table": .string("indicators"), "indicator": .string(i.kind),
                                          "evidence_tag": .string(i.evidenceTag)])
    }

    /// `artifact.<time name>` for a named time of a generic artifact (external plugins).
    static func artifactEvent(_ a: CaseArtifactTime) -> TimelineEvent {
        TimelineEvent(time: a.time, kind: "artifact.\(a.name)",
                      description: "\(a.type) \(a.name)\(a.file.map { ": \($0.path)" } ?? "")",
                      source: a.analyzerID, fileID: a.file?.id,
                      provenance: ["table": .string("artifact_times"), "type": .string(a.type), "time": .string(a.name),
                                   "location": a.location.map(JSONValue.string) ?? .null])
    }

    /// `media.known` at the carrying message's sent time, else at the file's modification time.
    static func knownMediaEvent(_ m: CaseHashSetMatch) -> TimelineEvent {
        let what = [m.category, m.label].compactMap { $0 }.joined(separator: ", ")
        let set = "\(m.hashset) (\(m.hashsetKind)\(what.isEmpty ? "" : ": \(what)"))"
        let how = m.distance == 0 ? m.algorithm : "\(m.algorithm) distance \(m.distance)"
        let time: TimeValue
        let description: String
        if m.messageID != nil {
            time = m.sent ?? TimeValue(raw: "", utcMicros: nil, basis: .unknown, precision: .second)
            description = "known media sent by \(m.sender ?? "(unknown sender)") in “\(m.chat ?? "(untitled chat)")”: \(m.file.path) matches \(set) by \(how)"
        } else {
            time = m.fileModified ?? TimeValue(raw: "", utcMicros: nil, basis: .unknown, precision: .second,
                                               note: "the file has no modification time")
            description = "known media on file: \(m.file.path) matches \(set) by \(how)"
        }
        return TimelineEvent(time: time, kind: "media.known", description: description, source: "hashset",
                             fileID: m.file.id, messageID: m.messageID, chatID: m.chatID, sender: m.sender,
                             provenance: ["table": .string("hashset_matches"), "hashset": .string(m.hashset),
                                          "algorithm": .string(m.algorithm), "distance": .number(Double(m.distance)),
                                          "at": .string(m.messageID == nil ? "file.modified" : "message.sent")])
    }

    static func platformName(_ p: String) -> String {
        platformNames[p] ?? p
    }

    /// `invite_members` → `invite members`.
    static func humanAction(_ a: String) -> String { a.replacingOccurrences(of: "_", with: " ") }

    /// The first `n` characters on one line, with an ellipsis when cut.
    static func clip(_ s: String, _ n: Int) -> String {
        // Same result as replacing "\n" with Foundation, without its per-call bridging (this
        // runs for every message event): scalars, so "\r\n" becomes "\r " as it did.
        var flat = s
        if s.utf8.contains(10) {
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: s.unicodeScalars.lazy.map { $0 == "\n" ? " " : $0 })
            flat = String(scalars)
        }
        // A character is at least one scalar: at most `n` scalars means at most `n` characters,
        // so most messages skip grapheme breaking (measured at 1.5 % of a chat ingest).
        var scalars = 0
        for byte in flat.utf8 where byte & 0xC0 != 0x80 {
            scalars += 1
            if scalars > n { break }
        }
        if scalars <= n { return flat }
        let head = flat.prefix(n + 1)
        return head.count <= n ? flat : String(flat.prefix(n)) + "…"
    }
}
