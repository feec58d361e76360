import Foundation

// The chat kinds on the plugin wire (docs/plugins.md, "Finding kinds"): `chat`, `participant`
// and `message` (with attachments), in the built-in chat model's order — a chat before any
// participant or message naming it.

extension ChatInfo: WireSendable {
    /// The note a plugin's own platform name is kept in (EvidenceStore writes the name to
    /// `chats.platform` when it is a plain lower-case word).
    public static let pluginPlatformNotePrefix = "platform as reported by the plugin: "

    public static let wireForm = WireForm(
        "chat", mirror: "Chat", summary: "a chat. Stored in `chats`, like the built-in chat analyzers' chats.",
        fields: [
            WireField("chatKey", .string, required: true, alias: "chat", example: #""c""#, "your key for it, unique within the reply"),
            WireField("platform", .string, example: #""sms""#, helper: HelperParameter(positional: true),
                      "`sms`, `telegram`, `whatsapp`, `kakaotalk`, `discord`, `line`, or your own lower-case name"),
            WireField("title", .string), WireField("nativeID", .string), WireField("chatType", .string),
            WireField("format", .string, "your format name; kept in `notes` (the `format` column says `plugin`)"),
            WireField("notes", .strings), WireField("exportedAt", .time), WireField("location", .location),
        ],
        pythonParameters: ["chat_key", "platform", "title", "native_id", "chat_type", "format", "notes", "location", "exported_at"])

    /// The chat key under its name or protocol-1 alias; a participant or message must name a
    /// chat reported earlier in the reply.
    static func chatKey(_ d: WireRecord, _ kind: FindingKind, state: WireReplyState) throws -> String {
        let chatKey = try d.requiredString("chat_key")
        if kind != .chat, !state.chats.contains(chatKey) {
            throw WireInvalid("\(kind.rawValue) names chat \"\(chatKey)\", which no chat finding before it in this reply reported")
        }
        return chatKey
    }

    public static func finding(wire d: WireRecord, state: inout WireReplyState) throws -> Finding {
        let chatKey = try chatKey(d, .chat, state: state)
        guard !state.chats.contains(chatKey) else { throw WireInvalid("chat \"\(chatKey)\" reported twice in one reply") }
        state.chats.insert(chatKey)
        let platformName = try d.string("platform") ?? "other"
        let platform = ChatPlatform(rawValue: platformName) ?? .other
        var notes = try (d.strings("notes") ?? []).map { n in
            guard !n.isEmpty else { throw WireInvalid("chat.notes[] is required (non-empty string)") }
            return n
        }
        // A name ExhibitKit does not list is kept (chats.platform shows it) when it is a plain
        // lower-case word; anything else stays `other`, the name in the note only.
        if platform.rawValue != platformName { notes.append(pluginPlatformNotePrefix + platformName) }
        if let f = try d.string("format") { notes.append("format as reported by the plugin: \(f)") }
        return .chat(ChatInfo(chatKey: chatKey, platform: platform, format: .plugin, nativeID: try d.string("native_id"),
                              title: try d.string("title"), chatType: try d.string("chat_type"),
                              exportedAt: try d.time("exported_at", zone: state.zone), location: try d.location(), notes: notes))
    }
}

extension ParticipantInfo: WireSendable {
    public static let wireForm = WireForm(
        "participant", mirror: "Participant", summary: "a participant of a chat reported before it. Stored in `participants`.",
        fields: [
            WireField("chatKey", .string, required: true, alias: "chat", example: #""c""#),
            WireField("displayName", .string, example: #""Kim""#, "this and/or `native_id` (one required)"),
            WireField("nativeID", .string),
            WireField("isDeviceOwner", .bool, alias: "device_owner", helper: HelperParameter(pythonValue: "bool($)")),
        ],
        pythonParameters: ["chat_key", "display_name", "native_id", "is_device_owner", "device_owner"])

    public static func finding(wire d: WireRecord, state: inout WireReplyState) throws -> Finding {
        let chatKey = try ChatInfo.chatKey(d, .participant, state: state)
        let displayName = try d.string("display_name"), nativeID = try d.string("native_id")
        guard displayName != nil || nativeID != nil else { throw WireInvalid("participant needs display_name or native_id") }
        return .participant(ParticipantInfo(chatKey: chatKey, displayName: displayName, nativeID: nativeID,
                                            isDeviceOwner: try d.bool("is_device_owner") ?? false))
    }
}

extension MessageRecord: WireSendable {
    public static let wireForm = WireForm(
        "message", mirror: "Message", summary: "a message of a chat reported before it. Stored in `messages` (+ `attachments`, full-text search).",
        fields: [
            WireField("chatKey", .string, required: true, alias: "chat", example: #""c""#),
            WireField("text", .string, example: #""hi""#, helper: HelperParameter(pythonDefault: #""""#)),
            WireField("senderName", .string, alias: "sender"), WireField("senderNativeID", .string),
            WireField("fromDeviceOwner", .bool, helper: HelperParameter(pythonDefault: "False")),
            WireField("sent", .time, example: #"{"unix_s": 1724825523}"#),
            WireField("touched", .time, alias: "edited", "changed after sending: an edit, or a reaction on some services"),
            WireField("nativeID", .string),
            WireField("kind", .string, "`message`, `service`, `system`, `unsupported` (default `message`)"),
            WireField("replyToNativeID", .string, alias: "reply_to", "the `native_id` replied to"),
            WireField("forwardedFrom", .string),
            WireField("deleted", .bool, helper: HelperParameter(pythonDefault: "False")),
            WireField("sequence", .integer, "increasing within the reply; default: arrival order"),
            WireField("attachments", .records(AttachmentRef.wireForm)),
            WireField("extra", .object, "fields you keep that have no column"),
            WireField("location", .location),
        ],
        pythonParameters: ["chat_key", "text", "sender_name", "sender_native_id", "from_device_owner", "sent", "native_id", "kind",
                           "deleted", "attachments", "extra", "location", "sequence", "touched", "reply_to_native_id",
                           "forwarded_from", "sender", "edited", "reply_to"])

    public static func finding(wire d: WireRecord, state: inout WireReplyState) throws -> Finding {
        let zone = state.zone
        let chatKey = try ChatInfo.chatKey(d, .message, state: state)
        let k = try d.string("kind") ?? "message"
        guard let mk = MessageKind(rawValue: k) else { throw WireInvalid("message.kind \"\(k)\" is not message, service, system or unsupported") }
        var sequence = state.nextSequence
        if let s = try d.integer("sequence") {
            guard s >= state.nextSequence else { throw WireInvalid("message.sequence \(s) is not increasing within the reply") }
            sequence = s
        }
        // Counted even when a later field is refused, as when the line was read field by field.
        state.nextSequence = sequence + 1
        let file = state.file
        let atts = try d.records("attachments").map { try AttachmentRef(wire: $0, file: file) }
        let extra = try d.object("extra")
        let touched = try d.wireTime("touched")
        return .message(MessageRecord(
            chatKey: chatKey, sequence: sequence, nativeID: try d.string("native_id"), kind: mk,
            senderName: try d.string("sender_name"), senderNativeID: try d.string("sender_native_id"),
            fromDeviceOwner: try d.bool("from_device_owner") ?? false, sent: try d.time("sent", zone: zone),
            touched: try touched.map { try $0.timeValue(field: "message.touched", zone: zone) },
            text: try d.string("text") ?? "", replyToNativeID: try d.string("reply_to_native_id"),
            forwardedFrom: try d.string("forwarded_from"), deleted: try d.bool("deleted") ?? false,
            attachments: atts, extra: extra, location: try d.location() ?? SourceLocation()))
    }
}

extension AttachmentRef {
    /// One item of a message's `attachments` on the wire.
    public static let wireForm = WireForm(
        "attachment", mirror: "Attachment",
        summary: "one item of a message's `attachments`: `reference` relative to the analysed file's folder (linked to that file's row) or a URL.",
        fields: [
            WireField("reference", .string),
            WireField("kind", .string, helper: HelperParameter(pythonDefault: #""file""#),
                      "`photo`, `video`, `file`, `voice`, `sticker`, `animation`, `video_message`, `audio` or `other`"),
            WireField("fileName", .string), WireField("mimeType", .string), WireField("size", .integer64),
            WireField("width", .integer), WireField("height", .integer), WireField("missingReason", .string),
        ])

    /// An attachment reference; a relative reference is resolved against the file's folder like
    /// the built-in chat analyzer does, so the store can link it to a file row.
    init(wire a: WireRecord, file: EvidenceFile) throws {
        let k = try a.string("kind") ?? "file"
        guard let kind = AttachmentKind(rawValue: k) else {
            throw WireInvalid("\(a.field("kind")) \"\(k)\" is not one of \(AttachmentKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let ref = try a.string("reference")
        let isURL = ref.map { $0.contains("://") || $0.hasPrefix("/") } ?? true
        self.init(reference: ref, resolvedPath: isURL ? nil : ref.map(file.siblingPath), kind: kind,
                  fileName: try a.string("file_name"), mimeType: try a.string("mime_type"),
                  size: try a.integer("size").map(Int64.init), width: try a.integer("width"), height: try a.integer("height"),
                  missingReason: try a.string("missing_reason"))
    }
}
