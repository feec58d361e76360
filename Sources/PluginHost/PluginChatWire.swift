import EvidenceStore
import ExhibitKit
import Foundation

/// Chat findings over the protocol: `chat`, `participant` and `message` (with attachments), in
/// the built-in chat model's order — a chat before any participant or message naming it.
enum PluginChatWire {
    typealias W = PluginWire

    /// The chat key under its name or protocol-1 alias; a participant or message must name a
    /// chat reported earlier in the reply.
    private static func chatKey(_ key: String?, _ old: String?, _ kind: FindingKind, state: PluginWire.ReplyState) throws -> String {
        let chatKey = try W.string(W.aliased(key, old, "chat_key", old: "chat", kind.rawValue), "\(kind.rawValue).chat_key")
        if kind != .chat, !state.chats.contains(chatKey) {
            throw W.invalid("\(kind.rawValue) names chat \"\(chatKey)\", which no chat finding before it in this reply reported")
        }
        return chatKey
    }

    static func chat(_ d: WireChat, state: inout PluginWire.ReplyState) throws -> Finding {
        let chatKey = try chatKey(d.chatKey, d.chat, .chat, state: state)
        guard !state.chats.contains(chatKey) else { throw W.invalid("chat \"\(chatKey)\" reported twice in one reply") }
        state.chats.insert(chatKey)
        let platformName = d.platform ?? "other"
        let platform = ChatPlatform(rawValue: platformName) ?? .other
        var notes = try (d.notes ?? []).map { try W.string($0, "chat.notes[]") }
        // A name ExhibitKit does not list is kept (chats.platform shows it) when it is a plain
        // lower-case word; anything else stays `other`, the name in the note only.
        if platform.rawValue != platformName { notes.append(PluginPlatformName.notePrefix + platformName) }
        if let f = d.format { notes.append("format as reported by the plugin: \(f)") }
        return .chat(ChatInfo(chatKey: chatKey, platform: platform, format: .plugin, nativeID: d.nativeID, title: d.title, chatType: d.chatType,
                              exportedAt: try d.exportedAt.map { try PluginTimes.parse($0, field: "chat.exported_at", zone: state.zone) },
                              location: try W.location(d.location, "chat.location"), notes: notes))
    }

    static func participant(_ d: WireParticipant, state: inout PluginWire.ReplyState) throws -> Finding {
        let chatKey = try chatKey(d.chatKey, d.chat, .participant, state: state)
        guard d.displayName != nil || d.nativeID != nil else { throw W.invalid("participant needs display_name or native_id") }
        return .participant(ParticipantInfo(chatKey: chatKey, displayName: d.displayName, nativeID: d.nativeID,
                                            isDeviceOwner: try W.aliased(d.isDeviceOwner, d.deviceOwner, "is_device_owner", old: "device_owner",
                                                                         "participant") ?? false))
    }

    static func message(_ d: WireMessage, state: inout PluginWire.ReplyState) throws -> Finding {
        let zone = state.zone
        let chatKey = try chatKey(d.chatKey, d.chat, .message, state: state)
        let k = d.kind ?? "message"
        guard let mk = MessageKind(rawValue: k) else { throw W.invalid("message.kind \"\(k)\" is not message, service, system or unsupported") }
        var sequence = state.nextSequence
        if let s = try W.optInt(d.sequence, "message.sequence") {
            guard s >= state.nextSequence else { throw W.invalid("message.sequence \(s) is not increasing within the reply") }
            sequence = s
        }
        // Counted even when a later field is refused, as when the line was read field by field.
        state.nextSequence = sequence + 1
        let atts = try (d.attachments ?? []).enumerated().map { i, a in try attachment(a, "message.attachments[\(i)]", file: state.file) }
        let extra = try W.object(d.extra, "message.extra")
        let touched = try W.aliased(d.touched, d.edited, "touched", old: "edited", "message")
        let record = MessageRecord(
            chatKey: chatKey, sequence: sequence, nativeID: d.nativeID, kind: mk,
            senderName: try W.aliased(d.senderName, d.sender, "sender_name", old: "sender", "message"),
            senderNativeID: d.senderNativeID, fromDeviceOwner: d.fromDeviceOwner ?? false,
            sent: try d.sent.map { try PluginTimes.parse($0, field: "message.sent", zone: zone) },
            touched: try touched.map { try PluginTimes.parse($0, field: "message.touched", zone: zone) },
            text: d.text ?? "",
            replyToNativeID: try W.aliased(d.replyToNativeID, d.replyTo, "reply_to_native_id", old: "reply_to", "message"),
            forwardedFrom: d.forwardedFrom, deleted: d.deleted ?? false,
            attachments: atts, extra: extra,
            location: try W.location(d.location, "message.location") ?? SourceLocation())
        return .message(record)
    }

    /// An attachment reference; a relative reference is resolved against the file's folder like
    /// the built-in chat analyzer does, so the store can link it to a file row.
    private static func attachment(_ a: WireAttachment, _ field: String, file: EvidenceFile) throws -> AttachmentRef {
        let k = a.kind ?? "file"
        guard let kind = AttachmentKind(rawValue: k) else {
            throw W.invalid("\(field).kind \"\(k)\" is not one of \(AttachmentKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let ref = a.reference
        let isURL = ref.map { $0.contains("://") || $0.hasPrefix("/") } ?? true
        return AttachmentRef(reference: ref, resolvedPath: isURL ? nil : ref.map(file.siblingPath), kind: kind,
                             fileName: a.fileName, mimeType: a.mimeType,
                             size: try W.optInt(a.size, "\(field).size").map(Int64.init),
                             width: try W.optInt(a.width, "\(field).width"), height: try W.optInt(a.height, "\(field).height"),
                             missingReason: a.missingReason)
    }
}
