import Foundation
import ExhibitKit

/// QuickTime/MP4/3GP `moov`: movie, track and media headers (1904-epoch times, durations,
/// dimensions, codec), user data (`©xyz` ISO 6709, `©mak`…), iTunes-style `ilst` and Apple `mdta`
/// keys (`com.apple.quicktime.location.ISO6709`, `creationdate`, make/model/software).
struct QuickTimeParser {
    let view: ByteView
    let out: MetadataCollector

    /// Seconds between 1904-01-01 and 1970-01-01.
    static let epochDelta: Int64 = 2_082_844_800
    static let timeNote = "QuickTime header time: UTC by specification, but many cameras store local time"
    /// ExifTool's names for user-data / item-list atoms.
    static let atomNames: [String: String] = [
        "©xyz": "GPSCoordinates", "©mak": "Make", "©mod": "Model", "©swr": "Software", "©too": "Encoder",
        "©nam": "Title", "©day": "ContentCreateDate", "©ART": "Artist", "©cmt": "Comment", "©des": "Description",
    ]

    func parse(moov: BMFFBox) {
        var movieScale: Int64 = 0
        var track = 0
        for box in BMFFBoxes.children(view, of: moov, depth: 1, out: out) {
            switch box.type {
            case "mvhd": movieScale = header(box, prefix: "", scaleTag: "TimeScale", durationTag: "Duration", scale: nil)
            case "trak":
                track += 1
                trak(box, index: track, movieScale: movieScale)
            case "udta": userData(box, depth: 2)
            case "meta": meta(box, depth: 2)
            case "uuid": BMFFParser.uuidBox(box, view: view, out: out)
            default: break
            }
        }
    }

    /// mvhd/mdhd/tkhd common start: version, flags, creation, modification (and, for mvhd/mdhd,
    /// time scale and duration). Returns the time scale read.
    @discardableResult
    func header(_ box: BMFFBox, prefix: String, scaleTag: String?, durationTag: String, scale: Int64?, isTrack: Bool = false) -> Int64 {
        guard let version = view.u8(box.content) else { return 0 }
        let wide = version == 1
        let p = box.content + 4
        let step = wide ? 8 : 4
        guard let created = view.uintBE(p, size: step), let modified = view.uintBE(p + step, size: step) else {
            out.warn("quicktime-truncated", "\(box.type) is too short", offset: box.start, path: box.path)
            return 0
        }
        date(prefix + "CreateDate", created, at: p, path: box.path)
        date(prefix + "ModifyDate", modified, at: p + step, path: box.path)
        var q = p + 2 * step
        var timescale = scale ?? 0
        if isTrack { q += 8 } else if let scaleTag, let s = view.u32(q, bigEndian: true) {
            timescale = Int64(s)
            out.add(.quicktime, scaleTag, String(s), offset: q, path: box.path)
            q += 4
        }
        if let d = view.uintBE(q, size: step), d != (wide ? UInt64.max : UInt64(UInt32.max)) {
            let v = timescale > 0 ? TIFFValue.number(Double(d) / Double(timescale), significant: 15) : String(d)
            out.add(.quicktime, durationTag, v, offset: q, path: box.path)
        }
        return timescale
    }

    func date(_ tag: String, _ raw: UInt64, at: Int, path: String) {
        guard raw != 0, raw < UInt64(Int64.max / 1_000_000) else {
            out.add(.quicktime, tag, "0000:00:00 00:00:00", offset: at, path: path)
            return
        }
        let unix = Int64(raw) - Self.epochDelta
        let tv = TimeValue.unixSeconds(unix, raw: String(raw), note: Self.timeNote)
        let text = tv.utcString.map { String($0.dropLast()).replacingOccurrences(of: "-", with: ":").replacingOccurrences(of: "T", with: " ") } ?? String(raw)
        out.add(.quicktime, tag, text, offset: at, path: path, time: tv)
    }

    func trak(_ trak: BMFFBox, index: Int, movieScale: Int64) {
        let kids = BMFFBoxes.children(view, of: trak, depth: 2, out: out)
        for box in kids {
            if box.type == "tkhd" {
                header(box, prefix: "Track", scaleTag: nil, durationTag: "TrackDuration", scale: movieScale, isTrack: true)
                let wide = view.u8(box.content) == 1
                let w = box.content + (wide ? 88 : 76)
                if let width = view.u32(w, bigEndian: true), let height = view.u32(w + 4, bigEndian: true), width > 0 {
                    out.add(.quicktime, "ImageWidth", TIFFValue.number(Double(width) / 65536, significant: 15), offset: w, path: box.path)
                    out.add(.quicktime, "ImageHeight", TIFFValue.number(Double(height) / 65536, significant: 15), offset: w + 4, path: box.path)
                }
            } else if box.type == "mdia" {
                var handler = ""
                for m in BMFFBoxes.children(view, of: box, depth: 3, out: out) {
                    switch m.type {
                    case "mdhd": header(m, prefix: "Media", scaleTag: "MediaTimeScale", durationTag: "MediaDuration", scale: nil)
                    case "hdlr":
                        handler = view.fourCC(m.content + 8) ?? ""
                        out.add(.quicktime, "HandlerType", handler, offset: m.content + 8, path: m.path)
                    case "minf": sampleDescription(m, handler: handler)
                    default: break
                    }
                }
            } else if box.type == "udta" {
                userData(box, depth: 3)
            }
        }
    }

    /// minf/stbl/stsd: the first sample entry's format (codec) and, for video, its size.
    func sampleDescription(_ minf: BMFFBox, handler: String) {
        guard let stbl = BMFFBoxes.children(view, of: minf, depth: 4, out: out).first(where: { $0.type == "stbl" }),
              let stsd = BMFFBoxes.children(view, of: stbl, depth: 5, out: out).first(where: { $0.type == "stsd" }),
              let format = view.fourCC(stsd.content + 12) else { return }
        let tag = handler == "soun" ? "AudioFormat" : handler == "vide" ? "CompressorID" : "Format"
        out.add(.quicktime, tag, format, offset: stsd.content + 12, path: stsd.path)
    }

    /// `udta`: QuickTime-style `©xxx` atoms (2-byte length, 2-byte language, text) and `meta`.
    func userData(_ udta: BMFFBox, depth: Int) {
        for box in BMFFBoxes.children(view, of: udta, depth: depth, out: out) {
            if box.type == "meta" { meta(box, depth: depth + 1); continue }
            if box.type == "loci" { location3GPP(box); continue }
            if box.type == "date", let text = view.slice(box.content, box.end - box.content) {
                // UserData `date` (ExifTool's UserData:DateTimeOriginal): a plain ISO 8601 string,
                // no length/language prefix; trailing NULs dropped.
                value("DateTimeOriginal", text: Array(text.reversed().drop(while: { $0 == 0 }).reversed()), at: box.content, path: box.path)
                continue
            }
            guard let name = Self.atomNames[box.type], let len = view.u16(box.content, bigEndian: true),
                  let text = view.slice(box.content + 4, min(Int(len), box.end - box.content - 4)) else { continue }
            value(name, text: Array(text), at: box.content + 4, path: box.path)
        }
    }

    /// 3GPP `loci`: version/flags, language (2), name NUL, role (1), then longitude, latitude and
    /// altitude as signed 16.16 fixed point.
    func location3GPP(_ box: BMFFBox) {
        let nameEnd = view.firstIndex(of: 0, from: box.content + 6, to: box.end) ?? box.end
        let p = nameEnd + 2
        guard let lon = view.u32(p, bigEndian: true), let lat = view.u32(p + 4, bigEndian: true),
              let alt = view.u32(p + 8, bigEndian: true) else {
            out.warn("quicktime-truncated", "loci is too short", offset: box.start, path: box.path)
            return
        }
        // ExifTool prints loci coordinates with 5 decimals and derives its Composite tags from that text.
        func fixed(_ v: UInt32) -> Double {
            let d = Double(Int32(bitPattern: v)) / 65536
            return Double(String(format: "%.5f", d)) ?? d
        }
        out.add(.gps, "GPSLatitude", TIFFValue.number(fixed(lat), significant: 15), offset: p + 4, path: box.path)
        out.add(.gps, "GPSLongitude", TIFFValue.number(fixed(lon), significant: 15), offset: p, path: box.path)
        out.add(.gps, "GPSAltitude", TIFFValue.number(fixed(alt), significant: 15), offset: p + 8, path: box.path)
    }

    /// `meta` (full box in MP4, plain in QuickTime): `keys` + `ilst` (mdta) or `ilst` alone.
    func meta(_ meta: BMFFBox, depth: Int) {
        // QuickTime's meta has no version/flags; MP4's has 4 bytes. Tell them apart by where `hdlr` is.
        let skip = view.fourCC(meta.content + 4) == "hdlr" ? 0 : 4
        var keys: [String] = []
        for box in BMFFBoxes.children(view, of: meta, skip: skip, depth: depth, out: out) {
            if box.type == "keys" {
                var p = box.content + 8
                while p + 8 <= box.end, keys.count < 10_000, let size = view.u32(p, bigEndian: true), size >= 8,
                      Int(size) <= box.end - p {
                    keys.append(String(decoding: view.bytes[p + 8..<p + Int(size)], as: UTF8.self))
                    p += Int(size)
                }
            } else if box.type == "ilst" {
                for item in BMFFBoxes.children(view, of: box, depth: depth + 1, out: out) {
                    let name: String
                    var itemPath = item.path
                    if let n = Self.atomNames[item.type] { name = n } else if let idx = view.u32(item.start + 4, bigEndian: true),
                        idx >= 1, Int(idx) <= keys.count {
                        name = Self.keyName(keys[Int(idx) - 1])
                        itemPath = box.path + "/" + keys[Int(idx) - 1]
                    } else { continue }
                    guard let data = BMFFBoxes.children(view, of: item, depth: depth + 2, out: out).first(where: { $0.type == "data" }),
                          let type = view.u32(data.content, bigEndian: true), data.content + 8 <= data.end else { continue }
                    let payload = Array(view.bytes[data.content + 8..<data.end])
                    if type & 0xffffff == 1 || type & 0xffffff == 0 {
                        value(name, text: payload, at: data.content + 8, path: itemPath)
                    } else {
                        out.add(.quicktime, name, payload.map { String($0) }.joined(separator: " "), offset: data.content + 8, path: itemPath)
                    }
                }
            }
        }
    }

    /// ExifTool's Keys tag names: the part after `com.apple.quicktime.`, first letter upper-cased.
    static func keyName(_ key: String) -> String {
        if key == "com.apple.quicktime.location.ISO6709" { return "GPSCoordinates" }
        if key == "com.apple.quicktime.creationdate" { return "CreationDate" }
        let last = key.hasPrefix("com.apple.quicktime.") ? String(key.dropFirst("com.apple.quicktime.".count)) : key
        let parts = last.split(whereSeparator: { $0 == "." || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return parts.joined()
    }

    /// Records a text atom; GPS coordinates and dates get their derived forms.
    func value(_ name: String, text: [UInt8], at: Int, path: String) {
        let d = MetadataText.decode(text)
        if name == "GPSCoordinates", let c = ISO6709.parse(d.text) {
            out.add(.quicktime, name, c.printed, offset: at, path: path, raw: Data(text))
            out.add(.gps, "GPSLatitude", TIFFValue.number(c.lat, significant: 15), offset: at, path: path)
            out.add(.gps, "GPSLongitude", TIFFValue.number(c.lon, significant: 15), offset: at, path: path)
            if let alt = c.alt { out.add(.gps, "GPSAltitude", TIFFValue.number(alt, significant: 15), offset: at, path: path) }
            return
        }
        if name == "CreationDate" || name == "ContentCreateDate" || name == "DateTimeOriginal", let p = MetadataTime.parse(d.text) {
            let tv = MetadataTime.value(d.text, zone: out.zone)
            var printed = String(format: "%04d:%02d:%02d %02d:%02d:%02d", p.naive.year, p.naive.month, p.naive.day,
                                 p.naive.hour, p.naive.minute, p.naive.second)
            if let o = p.offset {
                printed += String(format: "%@%02d:%02d", o < 0 ? "-" : "+", abs(o) / 3600, abs(o) % 3600 / 60)
            }
            out.add(.quicktime, name, printed, offset: at, path: path, raw: Data(text), time: tv)
            return
        }
        out.add(.quicktime, name, d.text, offset: at, path: path, raw: d.raw, encoding: d.encoding)
    }
}

/// ISO 6709 point strings (`+51.4169-000.0806/`, `+37.5665+126.9780+012.000/`), degrees form,
/// also DDMM(.m) and DDMMSS(.s) forms.
enum ISO6709 {
    static func parse(_ text: String) -> (lat: Double, lon: Double, alt: Double?, printed: String)? {
        var parts: [String] = []
        var cur = ""
        for ch in text {
            if ch == "+" || ch == "-" { if !cur.isEmpty { parts.append(cur) }; cur = String(ch) } else if ch == "/" { break } else { cur.append(ch) }
        }
        if !cur.isEmpty { parts.append(cur) }
        guard parts.count >= 2, let lat = degrees(parts[0], degreeDigits: 2), let lon = degrees(parts[1], degreeDigits: 3),
              abs(lat) <= 90, abs(lon) <= 180 else { return nil }
        let alt = parts.count > 2 ? Double(parts[2]) : nil
        let printed = ([lat, lon] + (alt.map { [$0] } ?? [])).map { TIFFValue.number($0, significant: 15) }.joined(separator: " ")
        return (lat, lon, alt, printed)
    }

    static func degrees(_ s: String, degreeDigits: Int) -> Double? {
        guard let sign = s.first, sign == "+" || sign == "-" else { return nil }
        let body = s.dropFirst()
        let intLen = body.firstIndex(of: ".").map { body.distance(from: body.startIndex, to: $0) } ?? body.count
        guard let v = Double(body) else { return nil }
        var deg = v
        if intLen == degreeDigits + 2 {
            let d = (v / 100).rounded(.towardZero); deg = d + (v - d * 100) / 60
        } else if intLen == degreeDigits + 4 {
            let d = (v / 10000).rounded(.towardZero), m = ((v - d * 10000) / 100).rounded(.towardZero)
            deg = d + m / 60 + (v - d * 10000 - m * 100) / 3600
        }
        return sign == "-" ? -deg : deg
    }
}
