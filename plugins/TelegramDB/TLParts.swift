import Foundation

/// A message's forward header (`messageFwdHeader`).
struct TLForward: Hashable {
    var from: TLPeer?
    var fromName: String?
    var date: Int32?
    var channelPost: Int32?
    var postAuthor: String?
    var savedFrom: TLPeer?
    var savedFromName: String?

    /// `messageFwdHeader#5f777dce` (layers 119–166) and `#4e4df4bb` (adds saved_from_id,
    /// saved_from_name, saved_date under bits 8–10).
    static func read(_ r: inout TLReader) throws(TLFailure) -> TLForward {
        let c = try r.u32("fwd_from")
        guard c == 0x5F77_7DCE || c == 0x4E4D_F4BB else { throw .unknownConstructor(c, field: "fwd_from") }
        let flags = UInt32(bitPattern: try r.i32("fwd_from.flags"))
        var f = TLForward()
        if flags & 1 != 0 { f.from = try r.nested("fwd_from.from_id") { r throws(TLFailure) in try TLPeer.read(&r, "fwd_from.from_id") } }
        if flags & (1 << 5) != 0 { f.fromName = try r.string("fwd_from.from_name") }
        f.date = try r.i32("fwd_from.date")
        if flags & (1 << 2) != 0 { f.channelPost = try r.i32("fwd_from.channel_post") }
        if flags & (1 << 3) != 0 { f.postAuthor = try r.string("fwd_from.post_author") }
        if flags & (1 << 4) != 0 {
            f.savedFrom = try TLPeer.read(&r, "fwd_from.saved_from_peer")
            _ = try r.i32("fwd_from.saved_from_msg_id")
        }
        if c == 0x4E4D_F4BB {
            if flags & (1 << 8) != 0 { _ = try TLPeer.read(&r, "fwd_from.saved_from_id") }
            if flags & (1 << 9) != 0 { f.savedFromName = try r.string("fwd_from.saved_from_name") }
            if flags & (1 << 10) != 0 { _ = try r.i32("fwd_from.saved_date") }
        }
        if flags & (1 << 6) != 0 { _ = try r.string("fwd_from.psa_type") }
        return f
    }
}

/// A message's reply header (`messageReplyHeader`, or a story reply).
struct TLReply: Hashable {
    var messageID: Int32?
    var peer: TLPeer?
    var topID: Int32?
    var quote: String?
    var storyID: Int32?

    static func read(_ r: inout TLReader) throws(TLFailure) -> TLReply {
        let c = try r.u32("reply_to")
        var x = TLReply()
        switch c {
        case 0xA6D5_7763:  // layers 119–160: reply_to_msg_id is always there
            let flags = UInt32(bitPattern: try r.i32("reply_to.flags"))
            x.messageID = try r.i32("reply_to.reply_to_msg_id")
            if flags & 1 != 0 { x.peer = try TLPeer.read(&r, "reply_to.reply_to_peer_id") }
            if flags & 2 != 0 { x.topID = try r.i32("reply_to.reply_to_top_id") }
        case 0xAFBC_09DB:  // layer 166+: quotes, replies to messages of other chats
            let flags = UInt32(bitPattern: try r.i32("reply_to.flags"))
            if flags & (1 << 4) != 0 { x.messageID = try r.i32("reply_to.reply_to_msg_id") }
            if flags & 1 != 0 { x.peer = try TLPeer.read(&r, "reply_to.reply_to_peer_id") }
            if flags & (1 << 5) != 0 { _ = try r.nested("reply_to.reply_from") { r throws(TLFailure) in try TLForward.read(&r) } }
            if flags & (1 << 8) != 0 { _ = try r.nested("reply_to.reply_media") { r throws(TLFailure) in try TLMedia.read(&r) } }
            if flags & 2 != 0 { x.topID = try r.i32("reply_to.reply_to_top_id") }
            if flags & (1 << 6) != 0 { x.quote = try r.string("reply_to.quote_text") }
            if flags & (1 << 7) != 0 { _ = try r.vector("reply_to.quote_entities", minElement: 12) { r throws(TLFailure) in try TLEntity.read(&r) } }
            if flags & (1 << 10) != 0 { _ = try r.i32("reply_to.quote_offset") }
        case 0x9C98_BFC1:  // messageReplyStoryHeader user_id:long story_id:int
            x.peer = .user(try r.i64("reply_to.user_id"))
            x.storyID = try r.i32("reply_to.story_id")
        case 0x0E5A_F939:  // messageReplyStoryHeader peer:Peer story_id:int
            x.peer = try TLPeer.read(&r, "reply_to.peer")
            x.storyID = try r.i32("reply_to.story_id")
        default:
            throw .unknownConstructor(c, field: "reply_to")
        }
        return x
    }
}

/// One `MessageEntity`: a formatted or linked run, offsets in UTF-16 code units as Telegram counts.
struct TLEntity: Hashable {
    var type: String
    var offset: Int32
    var length: Int32
    var url: String?
    var userID: Int64?
    var language: String?
    var documentID: Int64?

    /// Constructor → export type name for the entities that carry only offset and length.
    static let plain: [UInt32: String] = [
        0xBB92_BA95: "unknown", 0xFA04_579D: "mention", 0x6F63_5B0D: "hashtag", 0x6CEF_8AC7: "bot_command",
        0x6ED0_2538: "link", 0x64E4_75C2: "email", 0xBD61_0BC9: "bold", 0x826F_8B60: "italic", 0x28A2_0571: "code",
        0x9B69_E34B: "phone", 0x4C4E_743F: "cashtag", 0x9C4E_7E8B: "underline", 0xBF06_93D4: "strikethrough",
        0x020D_F5D0: "blockquote", 0x761E_6AF4: "bank_card", 0x32CA_960F: "spoiler",
    ]

    static func read(_ r: inout TLReader) throws(TLFailure) -> TLEntity {
        let c = try r.u32("entity")
        if let name = plain[c] {
            return TLEntity(type: name, offset: try r.i32("entity.offset"), length: try r.i32("entity.length"))
        }
        switch c {
        case 0x7392_4BE0:  // pre offset length language
            var e = TLEntity(type: "pre", offset: try r.i32("entity.offset"), length: try r.i32("entity.length"))
            e.language = try r.string("entity.language")
            return e
        case 0x76A6_D327:  // textUrl offset length url
            var e = TLEntity(type: "text_link", offset: try r.i32("entity.offset"), length: try r.i32("entity.length"))
            e.url = try r.string("entity.url")
            return e
        case 0xDC7B_1140, 0x352D_CA58:  // mentionName user_id long (layer 133+) / int
            var e = TLEntity(type: "mention_name", offset: try r.i32("entity.offset"), length: try r.i32("entity.length"))
            e.userID = c == 0xDC7B_1140 ? try r.i64("entity.user_id") : Int64(try r.i32("entity.user_id"))
            return e
        case 0xF1CC_AAAC:  // blockquote flags offset length
            _ = try r.i32("entity.flags")
            return TLEntity(type: "blockquote", offset: try r.i32("entity.offset"), length: try r.i32("entity.length"))
        case 0xC8CF_05F8:  // customEmoji offset length document_id
            var e = TLEntity(type: "custom_emoji", offset: try r.i32("entity.offset"), length: try r.i32("entity.length"))
            e.documentID = try r.i64("entity.document_id")
            return e
        default:
            throw .unknownConstructor(c, field: "entity")
        }
    }
}

/// A reaction count on a message (`reactionCount` in `messageReactions.results`).
struct TLReactionCount: Hashable {
    var type: String
    var emoji: String
    var count: Int32
}

/// `messageReactions#4f2b9479`: counts per reaction (and the recent reactors, skipped).
enum TLReactions {
    static func read(_ r: inout TLReader) throws(TLFailure) -> [TLReactionCount] {
        let c = try r.u32("reactions")
        guard c == 0x4F2B_9479 else { throw .unknownConstructor(c, field: "reactions") }
        let flags = UInt32(bitPattern: try r.i32("reactions.flags"))
        let results = try r.vector("reactions.results", minElement: 12) { r throws(TLFailure) -> TLReactionCount in
            let rc = try r.u32("reactionCount")
            guard rc == 0xA3D1_CB80 else { throw .unknownConstructor(rc, field: "reactionCount") }
            let f = UInt32(bitPattern: try r.i32("reactionCount.flags"))
            if f & 1 != 0 { _ = try r.i32("reactionCount.chosen_order") }
            let (type, emoji) = try reaction(&r)
            return TLReactionCount(type: type, emoji: emoji, count: try r.i32("reactionCount.count"))
        }
        if flags & 2 != 0 {
            _ = try r.vector("reactions.recent_reactions", minElement: 20) { r throws(TLFailure) in
                let pc = try r.u32("messagePeerReaction")
                guard pc == 0x8C79_B63C else { throw .unknownConstructor(pc, field: "messagePeerReaction") }
                _ = try r.i32("messagePeerReaction.flags")
                _ = try TLPeer.read(&r, "messagePeerReaction.peer_id")
                _ = try r.i32("messagePeerReaction.date")
                _ = try reaction(&r)
            }
        }
        if flags & (1 << 4) != 0 { throw .notDecoded(field: "reactions.top_reactors") }
        return results
    }

    static func reaction(_ r: inout TLReader) throws(TLFailure) -> (String, String) {
        let c = try r.u32("reaction")
        switch c {
        case 0x79F5_D419: return ("empty", "")
        case 0x1B22_86B8: return ("emoji", try r.string("reaction.emoticon"))
        case 0x8935_FC73: return ("custom_emoji", String(try r.i64("reaction.document_id")))
        case 0x523D_A4EB: return ("paid", "⭐")
        default: throw .unknownConstructor(c, field: "reaction")
        }
    }
}

/// Fields after the text that are read only to step over them.
enum TLSkip {
    /// `replyKeyboardHide` and `replyKeyboardForceReply`; keyboards with buttons stop the walk.
    static func replyMarkup(_ r: inout TLReader) throws(TLFailure) {
        let c = try r.u32("reply_markup")
        switch c {
        case 0xA03E_5B85: _ = try r.i32("reply_markup.flags")
        case 0x86B4_0B08:
            let f = try r.i32("reply_markup.flags")
            if f & (1 << 3) != 0 { _ = try r.string("reply_markup.placeholder") }
        default: throw .unknownConstructor(c, field: "reply_markup")
        }
    }

    /// `messageReplies#83d60fc2`.
    static func replies(_ r: inout TLReader) throws(TLFailure) {
        let c = try r.u32("replies")
        guard c == 0x83D6_0FC2 else { throw .unknownConstructor(c, field: "replies") }
        let f = UInt32(bitPattern: try r.i32("replies.flags"))
        _ = try r.i32("replies.replies")
        _ = try r.i32("replies.replies_pts")
        if f & 2 != 0 { _ = try r.vector("replies.recent_repliers", minElement: 8) { r throws(TLFailure) in try TLPeer.read(&r, "replies.recent_repliers") } }
        if f & 1 != 0 { _ = try r.i64("replies.channel_id") }
        if f & 4 != 0 { _ = try r.i32("replies.max_id") }
        if f & 8 != 0 { _ = try r.i32("replies.read_max_id") }
    }

    /// `Vector<restrictionReason#d72b3a52 platform reason text>`, returned as "platform: reason: text".
    static func restrictionReasons(_ r: inout TLReader) throws(TLFailure) -> [String] {
        try r.vector("restriction_reason", minElement: 16) { r throws(TLFailure) -> String in
            let c = try r.u32("restriction_reason")
            guard c == 0xD72B_3A52 else { throw .unknownConstructor(c, field: "restriction_reason") }
            return "\(try r.string("platform")): \(try r.string("reason")): \(try r.string("text"))"
        }
    }
}
