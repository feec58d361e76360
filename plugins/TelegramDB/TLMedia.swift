import Foundation

/// A message's media (`MessageMedia`), reduced to what an examiner needs: which file (Telegram's
/// photo/document id), its type, size, dimensions, name, and a few non-file media (contact, place).
struct TLMedia: Hashable {
    /// `photo`, `document`, `contact`, `geo`, `empty`, `unsupported`.
    var type: String
    var constructor: UInt32
    var photoID: Int64?
    var documentID: Int64?
    var mimeType: String?
    var size: Int64?
    var width: Int?
    var height: Int?
    var duration: Double?
    var fileName: String?
    var kindHint: AttachmentKindHint = .file
    var ttlSeconds: Int32?
    /// Contact or place fields (`phone_number`, `first_name`, `latitude`…), for `extra`.
    var fields: [String: String] = [:]

    /// What the document attributes say the file is.
    enum AttachmentKindHint: String { case photo, video, videoMessage, voice, audio, sticker, animation, file }

    static func read(_ r: inout TLReader) throws(TLFailure) -> TLMedia {
        let c = try r.u32("media")
        var m = TLMedia(type: "unsupported", constructor: c)
        switch c {
        case 0x3DED_6320: m.type = "empty"
        case 0x9F84_F49E: m.type = "unsupported"
        case 0x6951_50D7:  // messageMediaPhoto flags photo:0?Photo ttl_seconds:2?int
            m.type = "photo"; m.kindHint = .photo; m.mimeType = "image/jpeg"
            let f = try r.i32("media.flags")
            if f & 1 != 0 { try r.nested("media.photo") { r throws(TLFailure) in try photo(&r, into: &m) } }
            if f & 4 != 0 { m.ttlSeconds = try r.i32("media.ttl_seconds") }
        case 0x9CB0_70D7, 0x4CF4_D72D:  // messageMediaDocument flags document:0? alt_document:5? ttl_seconds:2?
            m.type = "document"
            let f = try r.i32("media.flags")
            if f & 1 != 0 { try r.nested("media.document") { r throws(TLFailure) in try document(&r, into: &m) } }
            if f & (1 << 5) != 0 {
                var alt = TLMedia(type: "document", constructor: c)
                try r.nested("media.alt_document") { r throws(TLFailure) in try document(&r, into: &alt) }
            }
            if f & 4 != 0 { m.ttlSeconds = try r.i32("media.ttl_seconds") }
        case 0x7032_2949:  // messageMediaContact phone first last vcard user_id:long
            m.type = "contact"
            m.fields["phone_number"] = try r.string("media.phone_number")
            m.fields["first_name"] = try r.string("media.first_name")
            m.fields["last_name"] = try r.string("media.last_name")
            m.fields["vcard"] = try r.string("media.vcard")
            m.fields["user_id"] = String(try r.i64("media.user_id"))
        case 0x56E0_D474:  // messageMediaGeo geo:GeoPoint
            m.type = "geo"
            try geoPoint(&r, into: &m)
        default:
            throw .unknownConstructor(c, field: "media")
        }
        return m
    }

    private static func geoPoint(_ r: inout TLReader, into m: inout TLMedia) throws(TLFailure) {
        let c = try r.u32("geo")
        switch c {
        case 0x1117_DD5F: return  // geoPointEmpty
        case 0xB2A2_F663:
            let f = try r.i32("geo.flags")
            m.fields["longitude"] = String(try r.f64("geo.long"))
            m.fields["latitude"] = String(try r.f64("geo.lat"))
            _ = try r.i64("geo.access_hash")
            if f & 1 != 0 { m.fields["accuracy_radius"] = String(try r.i32("geo.accuracy_radius")) }
        default: throw .unknownConstructor(c, field: "geo")
        }
    }

    /// `photo#fb197a65 flags id access_hash file_reference date sizes video_sizes:1? dc_id`;
    /// `photoEmpty#2331b22d id`. The largest size gives dimensions and byte size.
    private static func photo(_ r: inout TLReader, into m: inout TLMedia) throws(TLFailure) {
        let c = try r.u32("photo")
        if c == 0x2331_B22D { m.photoID = try r.i64("photo.id"); return }
        guard c == 0xFB19_7A65 else { throw .unknownConstructor(c, field: "photo") }
        let f = try r.i32("photo.flags")
        m.photoID = try r.i64("photo.id")
        _ = try r.i64("photo.access_hash")
        _ = try r.bytesField("photo.file_reference")
        _ = try r.i32("photo.date")
        let sizes = try r.vector("photo.sizes", minElement: 8) { r throws(TLFailure) in try photoSize(&r) }
        if let best = sizes.compactMap({ $0 }).max(by: { $0.w * $0.h < $1.w * $1.h }) {
            m.width = best.w; m.height = best.h; m.size = best.size
        }
        if f & 2 != 0 { _ = try r.vector("photo.video_sizes", minElement: 8) { r throws(TLFailure) in try videoSize(&r) } }
        _ = try r.i32("photo.dc_id")
    }

    /// One `PhotoSize`; `nil` for the inline previews (stripped, path, empty).
    private static func photoSize(_ r: inout TLReader) throws(TLFailure) -> (w: Int, h: Int, size: Int64?)? {
        let c = try r.u32("photo_size")
        switch c {
        case 0x0E17_E23C: _ = try r.string("photo_size.type"); return nil
        case 0x75C7_8E60:
            _ = try r.string("photo_size.type")
            let w = Int(try r.i32("photo_size.w")), h = Int(try r.i32("photo_size.h"))
            return (w, h, Int64(try r.i32("photo_size.size")))
        case 0x021E_1AD6:
            _ = try r.string("photo_size.type")
            let w = Int(try r.i32("photo_size.w")), h = Int(try r.i32("photo_size.h"))
            let b = try r.bytesField("photo_size.bytes")
            return (w, h, Int64(b.count))
        case 0xE0B0_BC2E, 0xD821_4D41:
            _ = try r.string("photo_size.type"); _ = try r.bytesField("photo_size.bytes"); return nil
        case 0xFA3E_FB95:
            _ = try r.string("photo_size.type")
            let w = Int(try r.i32("photo_size.w")), h = Int(try r.i32("photo_size.h"))
            let sizes = try r.vector("photo_size.sizes") { r throws(TLFailure) in try r.i32("photo_size.sizes") }
            return (w, h, sizes.last.map(Int64.init))
        default:
            throw .unknownConstructor(c, field: "photo_size")
        }
    }

    /// `videoSize#de33b094 flags type w h size video_start_ts:0?double`.
    private static func videoSize(_ r: inout TLReader) throws(TLFailure) {
        let c = try r.u32("video_size")
        guard c == 0xDE33_B094 else { throw .unknownConstructor(c, field: "video_size") }
        let f = try r.i32("video_size.flags")
        _ = try r.string("video_size.type")
        _ = try r.i32("video_size.w"); _ = try r.i32("video_size.h"); _ = try r.i32("video_size.size")
        if f & 1 != 0 { _ = try r.f64("video_size.video_start_ts") }
    }

    /// `document#8fd4c4d8` (size:long, layer 142+) and `document#1e87342b` (size:int):
    /// flags id access_hash file_reference date mime_type size thumbs:0? video_thumbs:1? dc_id attributes.
    private static func document(_ r: inout TLReader, into m: inout TLMedia) throws(TLFailure) {
        let c = try r.u32("document")
        if c == 0x36F8_C871 { m.documentID = try r.i64("document.id"); return }
        guard c == 0x8FD4_C4D8 || c == 0x1E87_342B else { throw .unknownConstructor(c, field: "document") }
        let f = try r.i32("document.flags")
        m.documentID = try r.i64("document.id")
        _ = try r.i64("document.access_hash")
        _ = try r.bytesField("document.file_reference")
        _ = try r.i32("document.date")
        m.mimeType = try r.string("document.mime_type")
        m.size = c == 0x8FD4_C4D8 ? try r.i64("document.size") : Int64(try r.i32("document.size"))
        if f & 1 != 0 { _ = try r.vector("document.thumbs", minElement: 8) { r throws(TLFailure) in try photoSize(&r) } }
        if f & 2 != 0 { _ = try r.vector("document.video_thumbs", minElement: 8) { r throws(TLFailure) in try videoSize(&r) } }
        _ = try r.i32("document.dc_id")
        m.kindHint = .file
        _ = try r.vector("document.attributes") { r throws(TLFailure) in try attribute(&r, into: &m) }
    }

    private static func attribute(_ r: inout TLReader, into m: inout TLMedia) throws(TLFailure) {
        let c = try r.u32("document_attribute")
        switch c {
        case 0x6C37_C15C:  // imageSize w h
            m.width = Int(try r.i32("attr.w")); m.height = Int(try r.i32("attr.h"))
        case 0x11B5_8939: m.kindHint = .animation  // animated
        case 0x9801_D2F7: break  // hasStickers
        case 0x1559_0068: m.fileName = try r.string("attr.file_name")
        case 0xEF02_CE77:  // video (layer ≤ 159) flags duration:int w h
            let f = try r.i32("attr.flags")
            m.duration = Double(try r.i32("attr.duration"))
            m.width = Int(try r.i32("attr.w")); m.height = Int(try r.i32("attr.h"))
            if m.kindHint != .animation { m.kindHint = f & 1 != 0 ? .videoMessage : .video }
        case 0xD38F_F1C2, 0x43C5_7C48:  // video flags duration:double w h preload:2? [start_ts:4? codec:5?]
            let f = try r.i32("attr.flags")
            m.duration = try r.f64("attr.duration")
            m.width = Int(try r.i32("attr.w")); m.height = Int(try r.i32("attr.h"))
            if f & 4 != 0 { _ = try r.i32("attr.preload_prefix_size") }
            if c == 0x43C5_7C48 {
                if f & 16 != 0 { _ = try r.f64("attr.video_start_ts") }
                if f & 32 != 0 { _ = try r.string("attr.video_codec") }
            }
            if m.kindHint != .animation { m.kindHint = f & 1 != 0 ? .videoMessage : .video }
        case 0x9852_F9C6:  // audio flags voice:10 duration title:0? performer:1? waveform:2?
            let f = try r.i32("attr.flags")
            m.duration = Double(try r.i32("attr.duration"))
            if f & 1 != 0 { m.fields["title"] = try r.string("attr.title") }
            if f & 2 != 0 { m.fields["performer"] = try r.string("attr.performer") }
            if f & 4 != 0 { _ = try r.bytesField("attr.waveform") }
            m.kindHint = f & (1 << 10) != 0 ? .voice : .audio
        case 0x6319_D612:  // sticker flags alt stickerset mask_coords:0?
            let f = try r.i32("attr.flags")
            m.fields["sticker_emoji"] = try r.string("attr.alt")
            try inputStickerSet(&r)
            if f & 1 != 0 { try r.skip(4 + 24, "attr.mask_coords") }
            m.kindHint = .sticker
        default:
            throw .unknownConstructor(c, field: "document_attribute")
        }
    }

    private static func inputStickerSet(_ r: inout TLReader) throws(TLFailure) {
        let c = try r.u32("stickerset")
        switch c {
        case 0xFFB6_2B95: return
        case 0x9DE7_A269: _ = try r.i64("stickerset.id"); _ = try r.i64("stickerset.access_hash")
        case 0x861C_C8A0: _ = try r.string("stickerset.short_name")
        default: throw .unknownConstructor(c, field: "stickerset")
        }
    }
}
