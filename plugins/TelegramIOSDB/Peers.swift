import ExhibitKit

/// A peer from table t2 (key: the peer id; value: the peer's Postbox root object).
struct Peer: Equatable {
    var typeHash: Int32
    /// `fn` + `ln` for users (or `@un` when both are empty), `t` for groups and channels.
    var name: String?
    var username: String?
    var phone: String?

    init(_ o: PostboxObject) {
        typeHash = o.typeHash
        username = o.string("un").flatMap { $0.isEmpty ? nil : $0 }
        phone = o.string("p").flatMap { $0.isEmpty ? nil : $0 }
        if o.typeHash == PostboxType.user {
            let full = [o.string("fn"), o.string("ln")].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            name = full.isEmpty ? username.map { "@" + $0 } : full
        } else {
            name = o.string("t").flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// `private`, `group`, `channel`, `secret`, or nil for a peer type the analyzer does not know.
    var chatType: String? {
        switch typeHash {
        case PostboxType.user: return "private"
        case PostboxType.group: return "group"
        case PostboxType.channel: return "channel"
        case PostboxType.secretChat: return "secret"
        default: return nil
        }
    }
}

/// Turns the media objects of a message (embedded, or stored in t6) into attachments. A cached
/// file lives in the account's `postbox/media/` folder under its resource id
/// (`telegram-cloud-photo-size-<dc>-<photo id>-<size>`, `telegram-cloud-document-<dc>-<file id>`),
/// with `_partial` appended while a download is unfinished.
struct MediaReader {
    /// The account folder on the device (or virtual path), `…/telegram-data/account-<id>`.
    let account: String

    private func paths(_ id: String) -> [String] {
        let base = account + "/postbox/media/" + id
        return [base, base + "_partial"].map(DevicePath.normalize)
    }

    /// The attachment for one media object, or nil (with the reason) when it is not a file
    /// (web page preview, service action) or of an unknown type.
    func attachment(_ m: PostboxObject) -> (AttachmentRef?, unknownType: String?) {
        switch m.typeHash {
        case PostboxType.image:
            // The largest representation is the full photo; smaller ones are thumbnails.
            let reps = m.objects("r").filter { $0.typeHash == PostboxType.imageRepresentation }
            let best = reps.max { ($0.integer("dx") ?? 0) * ($0.integer("dy") ?? 0) < ($1.integer("dx") ?? 0) * ($1.integer("dy") ?? 0) }
            var ref = AttachmentRef(reference: nil, resolvedPath: nil, kind: .photo)
            if let best, let r = best.object("r"), r.typeHash == PostboxType.photoSizeResource,
               let dc = r.integer("d"), let photo = r.integer("i"), let spec = r.string("s") {
                let id = "telegram-cloud-photo-size-\(dc)-\(photo)-\(spec)"
                ref.reference = id
                ref.devicePaths = paths(id)
                ref.width = best.integer("dx").map { Int($0) }
                ref.height = best.integer("dy").map { Int($0) }
                ref.size = r.integer("n").flatMap { $0 > 0 ? $0 : nil }
            } else {
                ref.missingReason = "the photo names no cloud photo resource the analyzer can read"
            }
            return (ref, nil)
        case PostboxType.file:
            let mime = m.string("mt")
            var ref = AttachmentRef(reference: nil, resolvedPath: nil, kind: Self.kind(mime: mime), mimeType: mime)
            ref.size = m.integer("s")
            if let r = m.object("r"), r.typeHash == PostboxType.documentResource, let dc = r.integer("d"), let f = r.integer("f") {
                let id = "telegram-cloud-document-\(dc)-\(f)"
                ref.reference = id
                ref.fileName = r.string("fn")
                ref.devicePaths = paths(id)
            } else {
                ref.missingReason = "the file names no cloud document resource the analyzer can read"
            }
            return (ref, nil)
        case PostboxType.webpage, PostboxType.action:
            return (nil, nil)
        default:
            return (AttachmentRef(reference: nil, resolvedPath: nil, kind: .other,
                                  missingReason: "media of \(PostboxType.name(m.typeHash)) is not decoded"),
                    PostboxType.name(m.typeHash))
        }
    }

    static func kind(mime: String?) -> AttachmentKind {
        guard let mime else { return .file }
        if mime.hasPrefix("image/") { return .photo }
        if mime.hasPrefix("video/") { return .video }
        if mime.hasPrefix("audio/") { return .audio }
        return .file
    }
}

/// A t6 value: entry type (0 = the media object itself, Int32 length + Postbox root object;
/// 1 = a reference to the message that embeds it), then a reference count.
enum StoredMedia {
    case direct(PostboxObject?)
    case inMessage(peerID: Int64, namespace: Int32, id: Int32, timestamp: Int32)

    static func key(namespace: Int32, id: Int64) -> [UInt8] {
        withUnsafeBytes(of: namespace.bigEndian) { Array($0) } + withUnsafeBytes(of: id.bigEndian) { Array($0) }
    }

    static func decode(_ bytes: [UInt8], decoder: inout PostboxDecoder) throws -> StoredMedia {
        var c = ByteCursor(bytes)
        switch try c.u8() {
        case 0: return .direct(decoder.root(try c.lengthPrefixed()))
        case 1: return .inMessage(peerID: try c.i64(), namespace: try c.i32(), id: try c.i32(), timestamp: try c.i32())
        case let t: throw PostboxError.unknownValueType(t, key: "t6 entry type")
        }
    }
}
