import EvidenceStore
import ExhibitKit
import Foundation

/// Chat findings over the protocol: `chat`, `participant` and `message` (with attachments), in
/// the built-in chat model's order — a chat before any participant or message naming it.
enum PluginChatWire {
    typealias W = PluginWire

    static func finding(kind: FindingKind, _ d: [String: Any], state: inout PluginWire.ReplyState) throws -> Finding {
        let zone = state.zone
        let chatKey = try W.string(W.aliased(d, "chat_key", old: "chat", kind.rawValue), "\(kind.rawValue).chat_key")
        if kind != .chat, !state.chats.contains(chatKey) {
            throw W.invalid("\(kind.rawValue) names chat \"\(chatKey)\", which no chat finding before it in this reply reported")
        }
        switch kind {
        case .chat:
            guard !state.chats.contains(chatKey) else { throw W.invalid("chat \"\(chatKey)\" reported twice in one reply") }
            state.chats.insert(chatKey)
            let platformName = try W.optString(d["platform"], "chat.platform") ?? "other"
            let platform = ChatPlatform(rawValue: platformName) ?? .other
            var notes = try (d["notes"] as? [Any] ?? []).map { try W.string($0, "chat.notes[]") }
            // A name ExhibitKit does not list is kept (chats.platform shows it) when it is a plain
            // lower-case word; anything else stays `other`, the name in the note only.
            if platform.rawValue != platformName { notes.append(PluginPlatformName.notePrefix + platformName) }
            if let f = try W.optString(d["format"], "chat.format") { notes.append("format as reported by the plugin: \(f)") }
            return .chat(ChatInfo(chatKey: chatKey, platform: platform, format: .plugin,
                                  nativeID: try W.optString(d["native_id"], "chat.native_id"),
                                  title: try W.optString(d["title"], "chat.title"),
                                  chatType: try W.optString(d["chat_type"], "chat.chat_type"),
                                  exportedAt: try d["exported_at"].map { try PluginTimes.parse($0, field: "chat.exported_at", zone: zone) },
                                  location: try W.location(d["location"], "chat.location"), notes: notes))
        case .participant:
            let name = try W.optString(d["display_name"], "participant.display_name")
            let native = try W.optString(d["native_id"], "participant.native_id")
            guard name != nil || native != nil else { throw W.invalid("participant needs display_name or native_id") }
            return .participant(ParticipantInfo(chatKey: chatKey, displayName: name, nativeID: native,
                                                isDeviceOwner: try W.bool(W.aliased(d, "is_device_owner", old: "device_owner", "participant"),
                                                                           "participant.is_device_owner")))
        default:
            let k = try W.optString(d["kind"], "message.kind") ?? "message"
            guard let mk = MessageKind(rawValue: k) else { throw W.invalid("message.kind \"\(k)\" is not message, service, system or unsupported") }
            var sequence = state.nextSequence
            if let s = try W.optInt(d["sequence"], "message.sequence") {
                guard s >= state.nextSequence else { throw W.invalid("message.sequence \(s) is not increasing within the reply") }
                sequence = s
            }
            state.nextSequence = sequence + 1
            let atts = try (d["attachments"] as? [Any] ?? []).enumerated().map { i, a in try attachment(a, "message.attachments[\(i)]", file: state.file) }
            if d["attachments"] != nil, !(d["attachments"] is [Any]) { throw W.invalid("message.attachments must be an array") }
            var extra: JSONValue?
            if let e = d["extra"], !(e is NSNull) {
                extra = try W.json(e, "message.extra")
                guard case .object = extra else { throw W.invalid("message.extra must be an object") }
            }
            return .message(MessageRecord(
                chatKey: chatKey, sequence: sequence, nativeID: try W.optString(d["native_id"], "message.native_id"), kind: mk,
                senderName: try W.optString(W.aliased(d, "sender_name", old: "sender", "message"), "message.sender_name"),
                senderNativeID: try W.optString(d["sender_native_id"], "message.sender_native_id"),
                fromDeviceOwner: try W.bool(d["from_device_owner"], "message.from_device_owner"),
                sent: try d["sent"].map { try PluginTimes.parse($0, field: "message.sent", zone: zone) },
                touched: try W.aliased(d, "touched", old: "edited", "message").map { try PluginTimes.parse($0, field: "message.touched", zone: zone) },
                text: try W.optString(d["text"], "message.text") ?? "",
                replyToNativeID: try W.optString(W.aliased(d, "reply_to_native_id", old: "reply_to", "message"), "message.reply_to_native_id"),
                forwardedFrom: try W.optString(d["forwarded_from"], "message.forwarded_from"),
                deleted: try W.bool(d["deleted"], "message.deleted"),
                attachments: atts, extra: extra,
                location: try W.location(d["location"], "message.location") ?? SourceLocation()))
        }
    }

    /// An attachment reference; a relative reference is resolved against the file's folder like
    /// the built-in chat analyzer does, so the store can link it to a file row.
    private static func attachment(_ v: Any, _ field: String, file: EvidenceFile) throws -> AttachmentRef {
        guard let a = v as? [String: Any] else { throw W.invalid("\(field) must be an object") }
        let k = try W.optString(a["kind"], "\(field).kind") ?? "file"
        guard let kind = AttachmentKind(rawValue: k) else {
            throw W.invalid("\(field).kind \"\(k)\" is not one of \(AttachmentKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let ref = try W.optString(a["reference"], "\(field).reference")
        let isURL = ref.map { $0.contains("://") || $0.hasPrefix("/") } ?? true
        return AttachmentRef(reference: ref, resolvedPath: isURL ? nil : ref.map(file.siblingPath), kind: kind,
                             fileName: try W.optString(a["file_name"], "\(field).file_name"),
                             mimeType: try W.optString(a["mime_type"], "\(field).mime_type"),
                             size: try W.optInt(a["size"], "\(field).size").map(Int64.init),
                             width: try W.optInt(a["width"], "\(field).width"), height: try W.optInt(a["height"], "\(field).height"),
                             missingReason: try W.optString(a["missing_reason"], "\(field).missing_reason"))
    }
}
