import Foundation

/// The t7 key: Telegram-iOS `MessageIndex` written big-endian — peer id (Int64), namespace
/// (Int32), timestamp (Int32, Unix seconds UTC), message id (Int32): 20 bytes.
struct MessageKey: Equatable, Sendable {
    var peerID: Int64
    var namespace: Int32
    var timestamp: Int32
    var id: Int32
}

extension MessageKey {
    /// The 20 key bytes as t7 stores them.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        withUnsafeBytes(of: peerID.bigEndian) { out += $0 }
        withUnsafeBytes(of: namespace.bigEndian) { out += $0 }
        withUnsafeBytes(of: timestamp.bigEndian) { out += $0 }
        withUnsafeBytes(of: id.bigEndian) { out += $0 }
        return out
    }

    /// Reads a t7 key; nil unless it is exactly 20 bytes.
    init?(_ bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        var c = ByteCursor(bytes)
        guard let p = try? c.i64BE(), let n = try? c.i32BE(), let t = try? c.i32BE(), let i = try? c.i32BE() else { return nil }
        peerID = p; namespace = n; timestamp = t; id = i
    }
}

/// A t7 value (Postbox's stored "intermediate message"): entry type 0, stable id and version,
/// data flags with the optional fields they announce, message flags and tags, forward info, an
/// optional author peer id, the text, then attributes and embedded media (each a Postbox root
/// object) and referenced media ids (namespace Int32 + id Int64). All little-endian.
struct StoredMessage {
    var flags: UInt32 = 0
    var authorID: Int64?
    var forwardAuthorID: Int64?
    var forwardDate: Int32?
    /// `nil` when the text could not be read (truncated, not UTF-8): never guessed.
    var text: String?
    var embeddedMedia: [PostboxObject] = []
    var referencedMedia: [(namespace: Int32, id: Int64)] = []
    /// The first problem met; everything before it is kept.
    var problem: PostboxError?
    /// Problems inside attribute or media objects.
    var objectProblems: [PostboxError] = []
    /// The entry type byte when it is not 0 (a layout the analyzer does not know).
    var unknownEntryType: UInt8?

    /// Whether the message flags were read (a value cut before them says nothing of direction).
    var flagsRead = false

    /// `Incoming` in the message flags (bit 2).
    var incoming: Bool { flags & 4 != 0 }

    /// Sent from this account: the flags were read and do not say `Incoming`.
    var outgoing: Bool { flagsRead && !incoming }

    init(_ bytes: [UInt8]) {
        var c = ByteCursor(bytes)
        do {
            let entry = try c.u8()
            guard entry == 0 else { unknownEntryType = entry; return }
            _ = try c.take(8)                       // stable id, stable version
            let dataFlags = try c.u8()
            if dataFlags & 1 != 0 { _ = try c.take(8) }    // globally unique id
            if dataFlags & 2 != 0 { _ = try c.take(4) }    // global tags
            if dataFlags & 4 != 0 { _ = try c.take(8) }    // grouping key
            if dataFlags & 8 != 0 { _ = try c.take(4) }    // group info stable id
            if dataFlags & 16 != 0 { _ = try c.take(4) }   // local tags
            if dataFlags & 32 != 0 { _ = try c.take(8) }   // thread id
            flags = try c.u32()
            flagsRead = true
            _ = try c.u32()                         // tags
            try readForward(&c)
            if try c.u8() == 1 { authorID = try c.i64() }
            let raw = try c.take(try c.length())
            guard let t = String(validating: raw, as: UTF8.self) else { throw PostboxError.notUTF8(key: "text") }
            text = t
            var decoder = PostboxDecoder()
            for _ in 0..<(try c.length(unit: 4)) { _ = decoder.root(try c.lengthPrefixed()) }  // attributes: not reported
            for _ in 0..<(try c.length(unit: 4)) {
                if let m = decoder.root(try c.lengthPrefixed()) { embeddedMedia.append(m) }
            }
            objectProblems = decoder.errors
            for _ in 0..<(try c.length(unit: 12)) { referencedMedia.append((try c.i32(), try c.i64())) }
        } catch let e as PostboxError {
            problem = e
        } catch {}
    }

    /// Forward info: a flags byte (0 = not forwarded), author Int64, date Int32, then the
    /// optional source id, source message id, signature, PSA type and flags its bits announce.
    private mutating func readForward(_ c: inout ByteCursor) throws {
        let f = try c.u8()
        guard f != 0 else { return }
        forwardAuthorID = try c.i64()
        forwardDate = try c.i32()
        if f & 2 != 0 { _ = try c.take(8) }
        if f & 4 != 0 { _ = try c.take(16) }
        if f & 8 != 0 { _ = try c.lengthPrefixed() }
        if f & 16 != 0 { _ = try c.lengthPrefixed() }
        if f & 32 != 0 { _ = try c.take(4) }
    }
}
