import Foundation
import ExhibitKit

/// Telegram Desktop `result.json`: single-chat exports (`{name, type, id, messages}`) and full
/// exports (`chats.list[]`, `left_chats.list[]`, with `personal_information` naming the owner).
///
/// Streams: walks the document with ``JSONStreamReader`` and materialises one message at a time,
/// so a 500 MB export costs one message of memory. A truncated or damaged file keeps every message
/// before the damage and records a warning saying where it stopped.
struct TelegramJSONParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter

    /// Chat header fields seen before `messages`.
    private struct Header {
        var name: String?, type: String?, id: String?
        var offset: Int64 = 0
    }

    func parse() throws {
        let reader = JSONStreamReader(source: try PullSource(file: file))
        var mapper = TelegramMessageMapper(file: file, zone: zone)
        var chatsSeen = 0
        do {
            try reader.beginObject()
            var top = Header()
            var first = true
            var topIsChat = false
            while let key = try reader.nextKey(first: &first) {
                switch key {
                case "messages":
                    topIsChat = true
                    try messages(reader, header: top, key: "chat", left: false, mapper: mapper)
                    chatsSeen += 1
                case "chats", "left_chats":
                    chatsSeen += try chatList(reader, left: key == "left_chats", mapper: mapper)
                case "personal_information":
                    let info = try reader.readValue()
                    if let uid = info["user_id"]?.text { mapper.ownerID = "user" + uid }
                case "name", "type", "id":
                    let v = try reader.readValue()
                    if key == "name" { top.name = v.string } else if key == "type" { top.type = v.string } else { top.id = v.text }
                default:
                    try reader.skipValue()
                }
            }
            if !topIsChat && chatsSeen == 0 {
                emitter.warning("not-an-export", "JSON object without Telegram `messages` or `chats`: no chat read")
            }
        } catch let e as JSONStreamError {
            report(e, reader)
        }
        if reader.escapeRepairs > 0 {
            emitter.warning("repaired-escapes", "\(reader.escapeRepairs) invalid \\xNN escape(s) written by Telegram Desktop were read as control characters")
        }
        if reader.truncatedStrings > 0 {
            emitter.warning("long-string", "\(reader.truncatedStrings) string(s) longer than \(reader.maxStringBytes) bytes were cut")
        }
    }

    private func report(_ e: JSONStreamError, _ reader: JSONStreamReader) {
        let kept = "\(emitter.messageCount) message(s) before it were kept"
        switch e {
        case .truncated(let o):
            emitter.warning("truncated-json", "the JSON ends early at byte \(o); \(kept)", SourceLocation(offset: o))
        case .unexpected(let b, let o):
            emitter.warning("malformed-json", String(format: "unexpected byte 0x%02X at byte %lld; ", b, o) + kept, SourceLocation(offset: o))
        case .tooDeep(let o):
            emitter.warning("json-too-deep", "nesting deeper than \(reader.maxDepth) levels at byte \(o); \(kept)", SourceLocation(offset: o))
        case .io(let m):
            emitter.warning("read-error", "\(m); \(kept)")
        }
    }

    /// `{"about": …, "list": [chat, …]}` → each chat in turn. Returns the number of chats read.
    private func chatList(_ reader: JSONStreamReader, left: Bool, mapper: TelegramMessageMapper) throws -> Int {
        guard try reader.peek() == 0x7B else { try reader.skipValue(); return 0 }
        try reader.beginObject()
        var first = true
        var count = 0
        while let key = try reader.nextKey(first: &first) {
            guard key == "list", try reader.peek() == 0x5B else { try reader.skipValue(); continue }
            try reader.beginArray()
            var firstItem = true
            while try reader.nextElement(first: &firstItem) {
                let chatKey = (left ? "left_chats/" : "chats/") + String(count)
                try chat(reader, key: chatKey, left: left, mapper: mapper)
                count += 1
            }
        }
        return count
    }

    private func chat(_ reader: JSONStreamReader, key: String, left: Bool, mapper: TelegramMessageMapper) throws {
        guard try reader.peek() == 0x7B else { try reader.skipValue(); return }
        var header = Header(offset: reader.offset)
        try reader.beginObject()
        var first = true
        var sawMessages = false
        while let k = try reader.nextKey(first: &first) {
            switch k {
            case "name", "type", "id":
                let v = try reader.readValue()
                if k == "name" { header.name = v.string } else if k == "type" { header.type = v.string } else { header.id = v.text }
            case "messages" where !sawMessages:
                sawMessages = true
                try messages(reader, header: header, key: key, left: left, mapper: mapper)
            default:
                try reader.skipValue()
            }
        }
        if !sawMessages { emitter.chat(chatInfo(header, key: key, left: left)) }
    }

    private func chatInfo(_ h: Header, key: String, left: Bool) -> ChatInfo {
        ChatInfo(chatKey: key, platform: .telegram, format: .telegramJSON, nativeID: h.id, title: h.name, chatType: h.type,
                 left: left, location: SourceLocation(offset: h.offset, record: key))
    }

    /// Streams a `messages` array: the chat is reported first, then each message as it is read.
    private func messages(_ reader: JSONStreamReader, header: Header, key: String, left: Bool,
                          mapper: TelegramMessageMapper) throws {
        emitter.chat(chatInfo(header, key: key, left: left))
        guard try reader.peek() == 0x5B else { try reader.skipValue(); return }
        try reader.beginArray()
        var first = true
        while try reader.nextElement(first: &first) {
            let offset = reader.offset
            let value = try reader.readValue()
            guard case .object = value else { continue }
            let id = value["id"]?.text
            let record = mapper.map(value, chatKey: key, location: SourceLocation(offset: offset, record: id.map { "message \($0)" }))
            emitter.message(record)
        }
    }
}
