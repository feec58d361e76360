import Foundation
import ExhibitKit

/// DiscordChatExporter JSON: `{guild, channel, dateRange, exportedAt, messages:[…]}`. Streams the
/// messages array like the Telegram reader. Times are ISO 8601 with an offset (basis `offset`).
/// Attachment `url`s are local relative paths when the export downloaded media, else CDN URLs.
struct DiscordJSONParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    static let chatKey = "chat"
    /// Message types that are something a person wrote; every other type is a service event.
    static let messageTypes: Set<String> = ["Default", "Reply", "ThreadStarterMessage", "ChatInputCommand", "ContextMenuCommand"]

    func parse() throws {
        let reader = JSONStreamReader(source: try PullSource(file: file))
        var guild: JValue?, channel: JValue?, exportedAt: JValue?
        var sawMessages = false
        do {
            try reader.beginObject()
            var first = true
            while let key = try reader.nextKey(first: &first) {
                switch key {
                case "guild": guild = try reader.readValue()
                case "channel": channel = try reader.readValue()
                case "exportedAt": exportedAt = try reader.readValue()
                case "messages" where !sawMessages:
                    sawMessages = true
                    emitter.chat(chatInfo(guild, channel, exportedAt))
                    guard try reader.peek() == 0x5B else { try reader.skipValue(); continue }
                    try reader.beginArray()
                    var firstItem = true
                    while try reader.nextElement(first: &firstItem) {
                        let offset = reader.offset
                        let v = try reader.readValue()
                        emitter.message(message(v, offset: offset))
                    }
                default: try reader.skipValue()
                }
            }
        } catch let e as JSONStreamError {
            emitter.warning(e.isTruncation ? "truncated-json" : "malformed-json",
                            "the JSON is damaged at byte \(e.offset ?? -1); \(emitter.messageCount) message(s) before it were kept",
                            SourceLocation(offset: e.offset))
        }
        if !sawMessages && emitter.chatCount == 0 { emitter.chat(chatInfo(guild, channel, exportedAt)) }
    }

    private func chatInfo(_ guild: JValue?, _ channel: JValue?, _ exportedAt: JValue?) -> ChatInfo {
        ChatInfo(chatKey: Self.chatKey, platform: .discord, format: .discordJSON, nativeID: channel?["id"]?.text,
                 title: channel?["name"]?.string, chatType: channel?["type"]?.string,
                 exportedAt: exportedAt?.string.map(Self.time), guildName: guild?["name"]?.string, guildID: guild?["id"]?.text,
                 category: channel?["category"]?.string, location: SourceLocation(offset: 0, record: "channel"))
    }

    private func message(_ v: JValue, offset: Int64) -> MessageRecord {
        let type = v["type"]?.string ?? "Default"
        let author = v["author"]
        var m = MessageRecord(chatKey: Self.chatKey, sequence: 0, nativeID: v["id"]?.text,
                              kind: Self.messageTypes.contains(type) ? .message : .service,
                              senderName: author?["nickname"]?.string ?? author?["name"]?.string,
                              senderNativeID: author?["id"]?.text,
                              sent: v["timestamp"]?.string.map(Self.time), touched: v["timestampEdited"]?.string.map(Self.time),
                              text: v["content"]?.string ?? "", replyToNativeID: v["reference"]?["messageId"]?.text,
                              location: SourceLocation(offset: offset, record: v["id"]?.text.map { "message \($0)" }))
        if m.kind == .service { m.service = ServiceAction(action: type, actorName: m.senderName, actorNativeID: m.senderNativeID) }
        m.reactions = (v["reactions"]?.array ?? []).map {
            Reaction(type: "emoji", emoji: $0["emoji"]?["name"]?.string ?? "", count: $0["count"]?.int,
                     actors: ($0["users"]?.array ?? []).compactMap { $0["nickname"]?.string ?? $0["name"]?.string })
        }
        m.attachments = (v["attachments"]?.array ?? []).compactMap { a in
            guard let url = a["url"]?.string else { return nil }
            let remote = url.hasPrefix("http://") || url.hasPrefix("https://")
            let name = a["fileName"]?.string ?? url
            return AttachmentRef(reference: url, resolvedPath: remote ? nil : file.siblingPath(url),
                                 kind: WhatsAppGrammar.kind(ofExtension: name), fileName: a["fileName"]?.string,
                                 size: a["fileSizeBytes"]?.int64)
        }
        return m
    }

    /// ISO 8601 with offset (`2024-08-28T15:10:00.000+09:00`): basis `offset`.
    static func time(_ s: String) -> TimeValue {
        guard let parsed = UTCFormat.parseUserInstant(s) else {
            return TimeValue(raw: s, utcMicros: nil, basis: .unknown, precision: .second, note: "unreadable ISO 8601 time")
        }
        let fraction = s.contains(".")
        return TimeValue(raw: s, utcMicros: parsed.micros, basis: .offset, precision: fraction ? .millisecond : .second)
    }
}

extension JSONStreamError {
    var isTruncation: Bool { if case .truncated = self { return true }; return false }
}
