import Foundation

/// One `messages_v2.data` blob, decoded as far as its constructor's field list allows.
///
/// Every field is optional: a walk that stops (truncated blob, a nested constructor of a later
/// layer) keeps what it read before the stop and says where it stopped in ``stop``.
struct TLMessage {
    var constructor: UInt32
    var isService = false
    var flags: UInt32 = 0
    var id: Int32?
    var out = false
    var post = false
    var from: TLPeer?
    var peer: TLPeer?
    var forward: TLForward?
    var viaBotID: Int64?
    var reply: TLReply?
    var date: Int32?
    var text: String?
    var textLossy = false
    var media: TLMedia?
    var entities: [TLEntity] = []
    var views: Int32?
    var forwards: Int32?
    var editDate: Int32?
    var postAuthor: String?
    var groupedID: Int64?
    var reactions: [TLReactionCount] = []
    var restrictions: [String] = []
    var ttlPeriod: Int32?
    var action: TLAction?
    /// The client's trailing string: the local file path (`nil` when it wrote `" "`).
    var attachPath: String?
    /// `||key|=|value||` parameters the client keeps in front of the path for pending messages.
    var attachParams: [String: String] = [:]
    /// The path was found by scanning the blob's tail, because the walk stopped before it.
    var attachPathByScan = false
    /// Where and why the walk stopped, if it did.
    var stop: TLFailure?
}

/// Field lists of the message constructors Exhibit knows. Each layer that changed the message
/// added or widened fields; the walk follows the constructor's own list, never one fixed order.
struct TLMessageLayout {
    /// `flags2` follows `flags` (layer 178+).
    var flags2 = false
    /// `via_bot_id` is an int32 (layer ≤ 132).
    var viaBot32 = false
    var reactions = false
    var ttlPeriod = false
    var service = false

    static let known: [UInt32: TLMessageLayout] = [
        0x58AE_39C9: TLMessageLayout(viaBot32: true),                                  // layer 119–132
        0x85D6_CBE2: TLMessageLayout(ttlPeriod: true),                                 // layer 133–135
        0x3811_6EE0: TLMessageLayout(reactions: true, ttlPeriod: true),                // layer 136–165
        0x9434_5242: TLMessageLayout(flags2: true, reactions: true, ttlPeriod: true),  // layer 178–184
        0x286F_A604: TLMessageLayout(ttlPeriod: true, service: true),                  // service, layer 123–132
        0x2B08_5862: TLMessageLayout(ttlPeriod: true, service: true),                  // service, layer 133+
    ]
}

enum TLMessageDecoder {
    /// Decodes `blob`. Returns `nil` when its constructor is unknown (the caller records the id).
    static func decode(_ blob: [UInt8]) -> TLMessage? {
        var r = TLReader(blob)
        guard let c = try? r.u32("constructor"), let layout = TLMessageLayout.known[c] else { return nil }
        var m = TLMessage(constructor: c, isService: layout.service)
        do throws(TLFailure) {
            try walk(&r, layout, &m)
        } catch {
            m.stop = error
        }
        if m.stop == nil {
            readAttachPath(&r, &m)
        } else {
            scanAttachPath(blob, from: r.pos, &m)
        }
        return m
    }

    private static func walk(_ r: inout TLReader, _ l: TLMessageLayout, _ m: inout TLMessage) throws(TLFailure) {
        let flags = UInt32(bitPattern: try r.i32("flags"))
        m.flags = flags
        m.out = flags & 2 != 0
        m.post = flags & (1 << 14) != 0
        var flags2: UInt32 = 0
        if l.flags2 { flags2 = UInt32(bitPattern: try r.i32("flags2")) }
        m.id = try r.i32("id")
        if flags & (1 << 8) != 0 { m.from = try TLPeer.read(&r, "from_id") }
        if l.flags2, flags & (1 << 29) != 0 { _ = try r.i32("from_boosts_applied") }
        m.peer = try TLPeer.read(&r, "peer_id")
        if l.flags2, flags & (1 << 28) != 0 { _ = try TLPeer.read(&r, "saved_peer_id") }
        if l.service {
            if flags & 8 != 0 { m.reply = try r.nested("reply_to") { r throws(TLFailure) in try TLReply.read(&r) } }
            m.date = try r.i32("date")
            do throws(TLFailure) {
                m.action = try r.nested("action") { r throws(TLFailure) in try TLAction.read(&r) }
            } catch {
                if case .unknownConstructor(let c, "action") = error { m.action = TLAction(name: "unknown", constructor: c) }
                throw error
            }
            if l.ttlPeriod, flags & (1 << 25) != 0 { m.ttlPeriod = try r.i32("ttl_period") }
            return
        }
        if flags & 4 != 0 { m.forward = try r.nested("fwd_from") { r throws(TLFailure) in try TLForward.read(&r) } }
        if flags & (1 << 11) != 0 { m.viaBotID = l.viaBot32 ? Int64(try r.i32("via_bot_id")) : try r.i64("via_bot_id") }
        if l.flags2, flags2 & 1 != 0 { _ = try r.i64("via_business_bot_id") }
        if flags & 8 != 0 { m.reply = try r.nested("reply_to") { r throws(TLFailure) in try TLReply.read(&r) } }
        m.date = try r.i32("date")
        let raw = try r.bytesField("message")
        (m.text, m.textLossy) = TLReader.decode(raw)
        if flags & (1 << 9) != 0 { m.media = try r.nested("media") { r throws(TLFailure) in try TLMedia.read(&r) } }
        if flags & (1 << 6) != 0 { try r.nested("reply_markup") { r throws(TLFailure) in try TLSkip.replyMarkup(&r) } }
        if flags & (1 << 7) != 0 {
            m.entities = try r.vector("entities", minElement: 12) { r throws(TLFailure) in try TLEntity.read(&r) }
        }
        if flags & (1 << 10) != 0 { m.views = try r.i32("views"); m.forwards = try r.i32("forwards") }
        if flags & (1 << 23) != 0 { try r.nested("replies") { r throws(TLFailure) in try TLSkip.replies(&r) } }
        if flags & (1 << 15) != 0 { m.editDate = try r.i32("edit_date") }
        if flags & (1 << 16) != 0 { m.postAuthor = try r.string("post_author") }
        if flags & (1 << 17) != 0 { m.groupedID = try r.i64("grouped_id") }
        if l.reactions, flags & (1 << 20) != 0 {
            m.reactions = try r.nested("reactions") { r throws(TLFailure) in try TLReactions.read(&r) }
        }
        if flags & (1 << 22) != 0 { m.restrictions = try TLSkip.restrictionReasons(&r) }
        if l.ttlPeriod, flags & (1 << 25) != 0 { m.ttlPeriod = try r.i32("ttl_period") }
        if l.flags2 {
            if flags & (1 << 30) != 0 { _ = try r.i32("quick_reply_shortcut_id") }
            if flags2 & 4 != 0 { _ = try r.i64("effect") }
            if flags2 & 8 != 0 { throw .notDecoded(field: "factcheck") }
        }
    }

    /// After a complete walk: the client's `writeAttachPath` — a TL string, then an int32 when the
    /// message is a forward with a negative (local) id.
    private static func readAttachPath(_ r: inout TLReader, _ m: inout TLMessage) {
        guard !r.atEnd else { return }
        guard let raw = try? r.bytesField("attach_path") else {
            m.stop = .lengthPastEnd(field: "attach_path")
            return
        }
        setAttachPath(TLReader.decode(raw).text, &m)
    }

    /// After a stopped walk: the path is the blob's last TL string. Tries each 4-byte-aligned start
    /// after the stop, earliest first, and accepts only a strict UTF-8 string that ends exactly at
    /// the blob's end (or 4 bytes before it, for a forwarded local message) and looks like what
    /// the client writes: `" "`, an absolute path, or `||`-parameters.
    private static func scanAttachPath(_ blob: [UInt8], from stopPos: Int, _ m: inout TLMessage) {
        var p = max(4, (stopPos + 3) & ~3)
        while p + 4 <= blob.count {
            var r = TLReader(blob, at: p)
            if let raw = try? r.bytesField("attach_path"), r.atEnd || r.remaining == 4,
               let s = String(validating: raw, as: UTF8.self), s == " " || s.hasPrefix("/") || s.hasPrefix("||") {
                setAttachPath(s, &m)
                m.attachPathByScan = true
                return
            }
            p += 4
        }
    }

    private static func setAttachPath(_ s: String, _ m: inout TLMessage) {
        var path = s
        if path.hasPrefix("||") {
            let parts = path.components(separatedBy: "||")
            for part in parts.dropFirst().dropLast() {
                let kv = part.components(separatedBy: "|=|")
                if kv.count == 2 { m.attachParams[kv[0]] = kv[1] }
            }
            path = parts.last ?? ""
        }
        // The client writes " " for "no file" (and trims what it reads back).
        m.attachPath = path.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } ? nil : path
    }
}
