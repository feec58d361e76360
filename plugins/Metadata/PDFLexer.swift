import Foundation
import ExhibitKit

/// Tokens of the PDF object syntax, enough to read an Info dictionary.
enum PDFToken: Equatable {
    case dictStart, dictEnd, arrayStart, arrayEnd
    case name(String)
    case number(Double)
    case string([UInt8])
    case keyword(String)
}

/// A bounded PDF tokenizer over one buffer. Nesting of skipped values is limited to 32 levels.
struct PDFLexer {
    let view: ByteView
    private(set) var position: Int

    init(view: ByteView, at: Int) { self.view = view; self.position = at }

    mutating func skip(_ n: Int) { position += n }

    static func isWhite(_ c: UInt8) -> Bool { c == 0 || c == 9 || c == 10 || c == 12 || c == 13 || c == 32 }
    static func isDelimiter(_ c: UInt8) -> Bool { "()<>[]{}/%".utf8.contains(c) }

    mutating func skipWhite() {
        while let c = view.u8(position) {
            if Self.isWhite(c) { position += 1 } else if c == 37 {  // % comment to end of line
                while let d = view.u8(position), d != 10, d != 13 { position += 1 }
            } else { return }
        }
    }

    mutating func next() -> PDFToken? {
        skipWhite()
        guard let c = view.u8(position) else { return nil }
        switch c {
        case 60:  // <
            if view.u8(position + 1) == 60 { position += 2; return .dictStart }
            return hexString()
        case 62:
            if view.u8(position + 1) == 62 { position += 2; return .dictEnd }
            position += 1; return next()
        case 91: position += 1; return .arrayStart
        case 93: position += 1; return .arrayEnd
        case 40: return literalString()
        case 47:
            position += 1
            let start = position
            while let d = view.u8(position), !Self.isWhite(d), !Self.isDelimiter(d) { position += 1 }
            return .name(nameText(view.bytes[start..<position]))
        default:
            let start = position
            while let d = view.u8(position), !Self.isWhite(d), !Self.isDelimiter(d) { position += 1 }
            if position == start { position += 1; return next() }
            let word = String(decoding: view.bytes[start..<position], as: UTF8.self)
            if let n = Double(word) { return .number(n) }
            return .keyword(word)
        }
    }

    /// A value for a dictionary key: strings, names and numbers are returned; an indirect
    /// reference `n g R` is returned as `.keyword("R")`; arrays and dictionaries are skipped.
    mutating func value() -> PDFToken? {
        guard let t = next() else { return nil }
        switch t {
        case .dictStart, .arrayStart:
            var depth = 1
            while depth > 0, depth < 32, let u = next() {
                if u == .dictStart || u == .arrayStart { depth += 1 } else if u == .dictEnd || u == .arrayEnd { depth -= 1 }
            }
            return .keyword("composite")
        case .number:
            let save = position
            if case .number? = next(), case .keyword("R")? = next() { return .keyword("R") }
            position = save
            return t
        default: return t
        }
    }

    /// `#xx` escapes in names.
    func nameText(_ s: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == 35, i + 2 < s.endIndex, let v = UInt8(String(decoding: s[i + 1...i + 2], as: UTF8.self), radix: 16) {
                out.append(v); i += 3
            } else { out.append(s[i]); i += 1 }
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func hexString() -> PDFToken {
        position += 1
        var digits: [UInt8] = []
        while let c = view.u8(position), c != 62 {
            if let v = Int(String(UnicodeScalar(c)), radix: 16) { digits.append(UInt8(v)) }
            position += 1
        }
        position += 1
        if digits.count % 2 == 1 { digits.append(0) }
        return .string(stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] })
    }

    mutating func literalString() -> PDFToken {
        position += 1
        var out: [UInt8] = []
        var depth = 1
        while let c = view.u8(position) {
            position += 1
            switch c {
            case 40: depth += 1; out.append(c)
            case 41:
                depth -= 1
                if depth == 0 { return .string(out) }
                out.append(c)
            case 92:
                guard let e = view.u8(position) else { return .string(out) }
                position += 1
                switch e {
                case 110: out.append(10)
                case 114: out.append(13)
                case 116: out.append(9)
                case 98: out.append(8)
                case 102: out.append(12)
                case 10: break
                case 13: if view.u8(position) == 10 { position += 1 }
                case 48...55:
                    var v = Int(e - 48)
                    for _ in 0..<2 {
                        guard let d = view.u8(position), d >= 48, d <= 55 else { break }
                        v = v * 8 + Int(d - 48); position += 1
                    }
                    out.append(UInt8(v & 0xff))
                default: out.append(e)
                }
            default: out.append(c)
            }
        }
        return .string(out)
    }
}

/// PDF text strings (UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding ≈ Latin-1) and dates.
enum PDFText {
    static func decode(_ raw: [UInt8]) -> (text: String, encoding: String?) {
        if raw.starts(with: [0xfe, 0xff]) {
            return (String(decoding: MetadataText.utf16(raw.dropFirst(2), bigEndian: true), as: UTF16.self), "utf-16be")
        }
        if raw.starts(with: [0xef, 0xbb, 0xbf]) { return (String(decoding: raw.dropFirst(3), as: UTF8.self), "utf-8") }
        if raw.allSatisfy({ $0 < 0x80 }) { return (String(decoding: raw, as: UTF8.self), nil) }
        return (MetadataText.latin1(raw), "pdfdoc (as latin-1)")
    }

    /// `D:YYYYMMDDHHmmSSOHH'mm'` → ExifTool's `YYYY:MM:DD HH:MM:SS+HH:MM`, and its TimeValue.
    static func date(_ text: String, zone: TimeZone?) -> (String, TimeValue?) {
        var s = Array(text.utf8)
        if s.starts(with: Array("D:".utf8)) { s.removeFirst(2) }
        func num(_ at: Int, _ len: Int) -> Int? { UTCFormat.digits(s, at: at, count: len) }
        guard let y = num(0, 4) else { return (text, nil) }
        let mo = num(4, 2) ?? 1, d = num(6, 2) ?? 1, h = num(8, 2) ?? 0, mi = num(10, 2) ?? 0, sec = num(12, 2) ?? 0
        var printed = String(format: "%04d:%02d:%02d %02d:%02d:%02d", y, mo, d, h, mi, sec)
        var offset: Int?
        if s.count > 14 {
            let sign = s[14]
            if sign == 90 { offset = 0; printed += "Z" } else if sign == 43 || sign == 45, let oh = num(15, 2) {
                let om = num(18, 2) ?? 0
                offset = (sign == 45 ? -1 : 1) * (oh * 3600 + om * 60)
                printed += String(format: "%@%02d:%02d", sign == 45 ? "-" : "+", oh, om)
            }
        }
        let naive = NaiveDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: sec)
        guard naive.isValid else { return (printed, nil) }
        let precision: TimePrecision = s.count >= 14 ? .second : .day
        if let offset { return (printed, naive.withOffset(seconds: offset, raw: text, precision: precision)) }
        return (printed, naive.resolve(in: zone, raw: text, precision: precision))
    }
}
