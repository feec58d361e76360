import Foundation

// Chat-export findings: the typed values the chat-export analyzer reports and the store persists
// into `chats`, `participants`, `messages` and `attachments`.
//
// Linking rule: every finding of one file names its chat by ``ChatInfo/chatKey``, a string unique
// within that file. Within a file the analyzer reports a chat before any participant or message
// that names it, and a participant before the first message it sent, so a streaming store can
// insert rows in arrival order.

/// The messaging service a chat export comes from. Stored in `chats.platform`.
public enum ChatPlatform: String, Sendable, Hashable, Codable, CaseIterable {
    case telegram, whatsapp, kakaotalk, discord, line
    /// Text messages of a phone (SMS/MMS), as read by a plugin from a device database.
    case sms
    /// A service Exhibit has no name for; an external plugin's chats whose platform is not listed.
    case other
}

/// The export format (and variant) a chat was read from. Stored in `chats.format`.
public enum ChatExportFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// Telegram Desktop `result.json` (single-chat or full export).
    case telegramJSON = "telegram-json"
    /// Telegram Desktop `messages.html`, `messages2.html`, …
    case telegramHTML = "telegram-html"
    /// WhatsApp "Export chat" from Android: `date, time - Name: text`.
    case whatsAppAndroid = "whatsapp-android"
    /// WhatsApp "Export chat" from iOS (`_chat.txt`): `[date, time] Name: text`.
    case whatsAppIOS = "whatsapp-ios"
    /// KakaoTalk mobile export from Android.
    case kakaoTalkAndroid = "kakaotalk-android"
    /// KakaoTalk mobile export from iOS.
    case kakaoTalkIOS = "kakaotalk-ios"
    /// KakaoTalk PC (Windows) export: dashed day lines, `[Name] [time] text`.
    case kakaoTalkWindows = "kakaotalk-windows"
    /// KakaoTalk for Mac CSV export: `Date,User,Message`.
    case kakaoTalkMacCSV = "kakaotalk-mac-csv"
    /// DiscordChatExporter JSON.
    case discordJSON = "discord-json"
    /// LINE "Save chat" text export.
    case lineText = "line-txt"
    /// Read by an external analyzer plugin (the plugin's id is the row's `analyzer_id`).
    case plugin
    /// Telegram for Android's own database (`files/cache4.db`, `files/account<N>/cache4.db`).
    case telegramAndroidDB = "telegram-android-db"
    /// Telegram for iOS's postbox database (`telegram-data/account-*/postbox/db/db_sqlite`).
    case telegramIOSDB = "telegram-ios-db"
    /// WhatsApp for Android's `databases/msgstore.db` (+ `wa.db`), current or legacy schema.
    case whatsAppAndroidDB = "whatsapp-android-db"
    /// WhatsApp for iOS's `ChatStorage.sqlite` (Core Data).
    case whatsAppIOSDB = "whatsapp-ios-db"
    /// KakaoTalk for Android's `databases/KakaoTalk.db` (+ `KakaoTalk2.db`), columns decrypted.
    case kakaoTalkAndroidDB = "kakaotalk-android-db"

    /// The platform this format belongs to.
    public var platform: ChatPlatform {
        switch self {
        case .telegramJSON, .telegramHTML, .telegramAndroidDB, .telegramIOSDB: return .telegram
        case .whatsAppAndroid, .whatsAppIOS, .whatsAppAndroidDB, .whatsAppIOSDB: return .whatsapp
        case .kakaoTalkAndroid, .kakaoTalkIOS, .kakaoTalkWindows, .kakaoTalkMacCSV, .kakaoTalkAndroidDB: return .kakaotalk
        case .discordJSON: return .discord
        case .lineText: return .line
        case .plugin: return .other
        }
    }
}

/// The order of day, month and year chosen for an export's numeric dates, and whether the file
/// proved it (some date field > 12) or it was assumed (every date was ambiguous).
public struct DateOrderDecision: Sendable, Hashable, Codable {
    /// A reading of numeric dates.
    public enum Order: String, Sendable, Hashable, Codable, CaseIterable {
        /// `28/08/2024`, `28.08.24`.
        case dayMonthYear = "day-month-year"
        /// `8/28/24`.
        case monthDayYear = "month-day-year"
        /// `24. 8. 28.`, `2024-08-28`.
        case yearMonthDay = "year-month-day"
    }
    public var order: Order
    /// `true` when a date in the file can only be read this way (e.g. a day > 12).
    public var proven: Bool
    /// Why: the first proving line, or what the assumption rests on.
    public var reason: String

    public init(order: Order, proven: Bool, reason: String) {
        self.order = order; self.proven = proven; self.reason = reason
    }
}

/// Whether an export writes times on a 12-hour clock with a day-period marker or on 24 hours.
public enum ClockStyle: String, Sendable, Hashable, Codable, CaseIterable {
    case twelveHour = "12h"
    case twentyFourHour = "24h"
}

/// One chat (conversation, group, channel, room) found in an export file. Stored in `chats`.
///
/// Two exports of the same chat (JSON and HTML, or two exports in one evidence) stay two rows; the
/// store links them as copies by (``platform``, ``nativeID``) — or, where the format carries no id
/// (Telegram HTML, WhatsApp, KakaoTalk), by title and folder.
public struct ChatInfo: Sendable, Hashable, Codable {
    /// Unique within the file; every participant and message of this chat carries it.
    /// Positional, not the native id, because a hostile file can repeat ids
    /// (`chat`, `chats/3`, `left_chats/0`).
    public var chatKey: String
    public var platform: ChatPlatform
    public var format: ChatExportFormat
    /// The service's own id for the chat (Telegram `id`, Discord channel id), when exported.
    public var nativeID: String?
    /// The chat's name as exported (Telegram `name`, KakaoTalk header name, WhatsApp file name).
    public var title: String?
    /// The service's chat type as written (`personal_chat`, `private_supergroup`, `GuildTextChat`).
    public var chatType: String?
    /// Telegram full exports: the chat came from `left_chats` (the user had left it).
    public var left: Bool
    /// When the export was made, where the file says (`저장한 날짜`, `Saved on`, `exportedAt`).
    public var exportedAt: TimeValue?
    /// The word the export uses for the exporting user (`회원님`, `you`, `You`), when it uses one.
    public var exportingUserPlaceholder: String?
    /// How numeric dates were read (WhatsApp), proven or assumed.
    public var dateOrder: DateOrderDecision?
    /// 12- or 24-hour clock, for line-based exports.
    public var clock: ClockStyle?
    /// Language of the export's fixed phrases, detected from them (`en`, `de`, `ko`…), when known.
    public var language: String?
    /// Telegram HTML: the page number (`messages.html` = 1, `messages2.html` = 2).
    public var part: Int?
    /// Discord: the guild (server) name and id, and the channel's category.
    public var guildName: String?
    public var guildID: String?
    public var category: String?
    /// Where the chat's header was found.
    public var location: SourceLocation?
    /// Short remarks on how the chat was read ("header missing; title from file name").
    public var notes: [String]
    /// For chats read from an app's own database: whose data it is — the app's data folder and
    /// account on the device (`/data/user/10/org.telegram.messenger/files/account1`). Two chats with
    /// the same native id under different owners (a work profile, a second account) are different
    /// rooms. `nil` for exports.
    public var owner: String?

    public init(chatKey: String, platform: ChatPlatform, format: ChatExportFormat, nativeID: String? = nil,
                title: String? = nil, chatType: String? = nil, left: Bool = false, exportedAt: TimeValue? = nil,
                exportingUserPlaceholder: String? = nil, dateOrder: DateOrderDecision? = nil,
                clock: ClockStyle? = nil, language: String? = nil, part: Int? = nil, guildName: String? = nil,
                guildID: String? = nil, category: String? = nil, location: SourceLocation? = nil,
                notes: [String] = [], owner: String? = nil) {
        self.chatKey = chatKey; self.platform = platform; self.format = format; self.nativeID = nativeID
        self.title = title; self.chatType = chatType; self.left = left; self.exportedAt = exportedAt
        self.exportingUserPlaceholder = exportingUserPlaceholder; self.dateOrder = dateOrder
        self.clock = clock; self.language = language; self.part = part; self.guildName = guildName
        self.guildID = guildID; self.category = category; self.location = location; self.notes = notes
        self.owner = owner
    }
}

/// A person (or bot, or channel) seen in a chat. Stored in `participants`.
///
/// Reported once per (chat, identity): by native id where the format has one, else by display
/// name. The exporting user's placeholder (`회원님`, `you`) is one participant with
/// ``isDeviceOwner`` set.
public struct ParticipantInfo: Sendable, Hashable, Codable {
    public var chatKey: String
    /// The name as exported (or the placeholder for the device owner).
    public var displayName: String?
    /// Telegram `from_id` (`user123`, `channel123`), Discord author id.
    public var nativeID: String?
    /// The exporting user (the device owner, where the export says who that is).
    public var isDeviceOwner: Bool

    public init(chatKey: String, displayName: String?, nativeID: String? = nil, isDeviceOwner: Bool = false) {
        self.chatKey = chatKey; self.displayName = displayName; self.nativeID = nativeID; self.isDeviceOwner = isDeviceOwner
    }
}

/// What kind of entry a chat line or record is.
public enum MessageKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Something a participant sent.
    case message
    /// A service event with an actor (Telegram service messages, calls, joins with a named actor).
    case service
    /// A line written by the app itself, with no sender (encryption notices, "X joined").
    case system
    /// A message the exporting app could not render (Telegram `unsupported`).
    case unsupported
}

/// A formatted or linked run inside a message's text (link, mention, hashtag, bold…).
public struct TextEntity: Sendable, Hashable, Codable {
    /// The format's own type name (`link`, `text_link`, `mention`, `mention_name`, `hashtag`, `bold`).
    public var type: String
    /// The run's text as it appears in the message text.
    public var text: String
    /// Start of the run in the message text, counted in Unicode scalars (SQLite `substr` units).
    public var offset: Int
    /// Length of the run in Unicode scalars.
    public var length: Int
    /// The link target for `text_link`, `link` (when it differs from the text), custom emoji files.
    public var href: String?
    /// The user id of a `mention_name`.
    public var userID: String?
    /// The language of a `pre` block.
    public var language: String?

    public init(type: String, text: String, offset: Int, length: Int, href: String? = nil, userID: String? = nil,
                language: String? = nil) {
        self.type = type; self.text = text; self.offset = offset; self.length = length
        self.href = href; self.userID = userID; self.language = language
    }
}

/// One reaction on a message.
public struct Reaction: Sendable, Hashable, Codable {
    /// `emoji`, `custom_emoji`, `paid` (Telegram) or `emoji` (Discord).
    public var type: String
    /// The emoji, or the custom emoji's name/document as exported.
    public var emoji: String
    /// How many reacted, when the export says.
    public var count: Int?
    /// Names of the reacting people the export lists (Telegram `recent`), in export order.
    public var actors: [String]

    public init(type: String, emoji: String, count: Int? = nil, actors: [String] = []) {
        self.type = type; self.emoji = emoji; self.count = count; self.actors = actors
    }
}

/// A service event (Telegram `action`): who did what, with the action's own fields.
public struct ServiceAction: Sendable, Hashable, Codable {
    /// The action as the export names it (`create_group`, `invite_members`, `phone_call`,
    /// `pin_message`); for text exports, a short stable name (`joined`, `left`, `invited`).
    public var action: String
    public var actorName: String?
    public var actorNativeID: String?
    /// The action's remaining fields as exported (`members`, `title`, `duration_seconds`,
    /// `discard_reason`, `message_id`…), as an object.
    public var details: JSONValue?

    public init(action: String, actorName: String? = nil, actorNativeID: String? = nil, details: JSONValue? = nil) {
        self.action = action; self.actorName = actorName; self.actorNativeID = actorNativeID; self.details = details
    }
}

/// A poll carried by a message.
public struct Poll: Sendable, Hashable, Codable {
    /// One answer and its votes.
    public struct Answer: Sendable, Hashable, Codable {
        public var text: String
        public var voters: Int?
        /// The exporting user chose this answer.
        public var chosen: Bool
        public init(text: String, voters: Int? = nil, chosen: Bool = false) {
            self.text = text; self.voters = voters; self.chosen = chosen
        }
    }
    public var question: String
    public var closed: Bool?
    public var totalVoters: Int?
    public var answers: [Answer]
    public init(question: String, closed: Bool? = nil, totalVoters: Int? = nil, answers: [Answer] = []) {
        self.question = question; self.closed = closed; self.totalVoters = totalVoters; self.answers = answers
    }
}

/// The kind of media an attachment reference names.
public enum AttachmentKind: String, Sendable, Hashable, Codable, CaseIterable {
    case photo, video, file, voice, sticker, animation
    case videoMessage = "video_message"
    case audio, other
}

/// A message's reference to a media file, exactly as the export wrote it, plus the virtual path it
/// names. The store resolves ``resolvedPath`` to a `files` row (comparing names in NFC) after
/// intake; a reference the export itself marks as not included carries ``missingReason``.
public struct AttachmentRef: Sendable, Hashable, Codable {
    /// The reference as written (`photos/photo_1@28-08-2024_15-12-03.jpg`,
    /// `IMG-20240828-WA0001.jpg`, a URL), with invisible direction marks around it removed.
    /// `nil` when the export names no file (`<Media omitted>`, KakaoTalk `사진`).
    public var reference: String?
    /// For a relative reference: the virtual path it names, from
    /// ``EvidenceFile/siblingPath(_:)``. `nil` for URLs and absent files.
    public var resolvedPath: String?
    public var kind: AttachmentKind
    /// The original file name the export records (Telegram `file_name`), when it differs from the reference.
    public var fileName: String?
    public var mimeType: String?
    /// Size in bytes as the export states it (not verified: the store compares with the file row).
    public var size: Int64?
    public var width: Int?
    public var height: Int?
    public var durationSeconds: Double?
    /// A thumbnail reference (Telegram `thumbnail`) and its virtual path.
    public var thumbnail: String?
    public var thumbnailResolvedPath: String?
    /// Why the file is not in the export, as the export says it ("(File not included. Change data
    /// exporting settings to download.)", `<Media omitted>`, `image omitted`) or, for formats that
    /// never include files, why (`KakaoTalk text exports name the media kind only`).
    public var missingReason: String?
    /// For references read from an app database: where the file may be on the device, normalised
    /// with ``DevicePath/normalize(_:)`` (`/data/media/0/WhatsApp/Media/…`), most likely first
    /// (WhatsApp moved its media folder; the database names it relative to either). The store
    /// links the first that names a file (`files.device_path`) in the same evidence item.
    public var devicePaths: [String]
    /// A SHA-1 (lower-case hex) the app recorded for the file (KakaoTalk `cs`); the store links by
    /// it, within the same evidence item, when no path names the file.
    public var sha1: String?

    public init(reference: String?, resolvedPath: String?, kind: AttachmentKind, fileName: String? = nil,
                mimeType: String? = nil, size: Int64? = nil, width: Int? = nil, height: Int? = nil,
                durationSeconds: Double? = nil, thumbnail: String? = nil, thumbnailResolvedPath: String? = nil,
                missingReason: String? = nil, devicePaths: [String] = [], sha1: String? = nil) {
        self.reference = reference; self.resolvedPath = resolvedPath; self.kind = kind; self.fileName = fileName
        self.mimeType = mimeType; self.size = size; self.width = width; self.height = height
        self.durationSeconds = durationSeconds; self.thumbnail = thumbnail
        self.thumbnailResolvedPath = thumbnailResolvedPath; self.missingReason = missingReason
        self.devicePaths = devicePaths; self.sha1 = sha1
    }
}

/// One message, service event or system line of a chat. Stored in `messages` (+ `attachments`).
///
/// ``text`` is kept exactly as exported (no normalisation, invisible characters included); the
/// store computes an NFC copy for search.
public struct MessageRecord: Sendable, Hashable, Codable {
    public var chatKey: String
    /// 0-based order of the message in the file (across all chats of the file).
    public var sequence: Int
    /// The service's message id (Telegram `id`, Discord snowflake); `nil` for text exports.
    public var nativeID: String?
    public var kind: MessageKind
    /// The sender's name as exported; `nil` for system lines and deleted accounts.
    public var senderName: String?
    public var senderNativeID: String?
    /// Sent by the exporting user (the device owner), where the export says so.
    public var fromDeviceOwner: Bool
    /// When it was sent. `nil` when the source has no readable time.
    public var sent: TimeValue?
    /// Telegram `edited` / Discord `timestampEdited`: changed after sending. Telegram sets it for
    /// reactions too, so it means "touched", not proof of an edit.
    public var touched: TimeValue?
    /// The text exactly as exported ("" when none). For entity arrays: the parts joined with no separator.
    public var text: String
    public var entities: [TextEntity]
    /// The native id of the message this one replies to.
    public var replyToNativeID: String?
    /// Telegram `reply_to_peer_id`: the reply target lives in another chat.
    public var replyToChatNativeID: String?
    /// Who the message was forwarded from (name as exported) and their id, when exported.
    public var forwardedFrom: String?
    public var forwardedFromNativeID: String?
    /// Telegram `saved_from`.
    public var savedFrom: String?
    /// Telegram `via_bot` (`@botname`).
    public var viaBot: String?
    /// Channel post signature (Telegram `author`).
    public var authorSignature: String?
    public var reactions: [Reaction]
    /// For ``MessageKind/service`` (and system lines the parser understood).
    public var service: ServiceAction?
    /// The export marks the message as edited (WhatsApp `<This message was edited>`).
    public var editedMarker: Bool
    /// The export shows a deleted message ("This message was deleted", `메시지가 삭제되었습니다.`).
    public var deleted: Bool
    public var poll: Poll?
    public var attachments: [AttachmentRef]
    /// Fields of the record the analyzer keeps but has no column for (Telegram contact, location,
    /// venue, game, invoice, sticker emoji…), as an object; `nil` when there are none.
    public var extra: JSONValue?
    /// Where in the file: byte offset of the record's start, and `line N` / `message N`.
    public var location: SourceLocation
    /// Set when the message was not read from the app's live rows but carved from the
    /// database's free space or history (a deleted or superseded row, docs/recovery.md): the
    /// recovered row itself, with where its bytes were. The store links the message to the
    /// `recovered_records` row of the same file with the same source, page, cell offset and
    /// WAL frame (storing this one when recovery did not). `nil` for every live message.
    public var recovered: RecoveredRecord?

    public init(chatKey: String, sequence: Int, nativeID: String? = nil, kind: MessageKind = .message,
                senderName: String? = nil, senderNativeID: String? = nil, fromDeviceOwner: Bool = false,
                sent: TimeValue? = nil, touched: TimeValue? = nil, text: String = "", entities: [TextEntity] = [],
                replyToNativeID: String? = nil, replyToChatNativeID: String? = nil, forwardedFrom: String? = nil,
                forwardedFromNativeID: String? = nil, savedFrom: String? = nil, viaBot: String? = nil,
                authorSignature: String? = nil, reactions: [Reaction] = [], service: ServiceAction? = nil,
                editedMarker: Bool = false, deleted: Bool = false, poll: Poll? = nil,
                attachments: [AttachmentRef] = [], extra: JSONValue? = nil,
                location: SourceLocation = SourceLocation(), recovered: RecoveredRecord? = nil) {
        self.chatKey = chatKey; self.sequence = sequence; self.nativeID = nativeID; self.kind = kind
        self.senderName = senderName; self.senderNativeID = senderNativeID; self.fromDeviceOwner = fromDeviceOwner
        self.sent = sent; self.touched = touched; self.text = text; self.entities = entities
        self.replyToNativeID = replyToNativeID; self.replyToChatNativeID = replyToChatNativeID
        self.forwardedFrom = forwardedFrom; self.forwardedFromNativeID = forwardedFromNativeID
        self.savedFrom = savedFrom; self.viaBot = viaBot; self.authorSignature = authorSignature
        self.reactions = reactions; self.service = service; self.editedMarker = editedMarker
        self.deleted = deleted; self.poll = poll; self.attachments = attachments; self.extra = extra
        self.location = location; self.recovered = recovered
    }
}
