import Foundation
import ExhibitKit

/// Date-time texts found in metadata (`2024:08:28 15:12:03`, `2024-08-28T15:12:03.5+09:00`,
/// `2024-08-28`) turned into ``TimeValue``s with the right basis — never with the machine's zone.
enum MetadataTime {
    /// A parsed date-time: the wall clock, its offset when the text carried one, and its precision.
    struct Parsed {
        var naive: NaiveDateTime
        /// Seconds east of UTC; `nil` for a naive local time.
        var offset: Int?
        var precision: TimePrecision
    }

    /// Parses EXIF (`:` date separators) and ISO 8601 forms. `nil` for anything else, including
    /// the all-zero dates cameras write when the clock was never set.
    static func parse(_ text: String) -> Parsed? {
        let b = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        func num(_ at: Int, _ len: Int) -> Int? { UTCFormat.digits(b, at: at, count: len) }
        guard let y = num(0, 4), b.count >= 10, b[4] == 58 || b[4] == 45, let mo = num(5, 2), b[7] == b[4],
              let d = num(8, 2) else { return nil }
        var naive = NaiveDateTime(year: y, month: mo, day: d)
        var precision = TimePrecision.day
        var i = 10
        if i < b.count, b[i] == 84 || b[i] == 32, let h = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let mi = num(i + 4, 2) {
            naive.hour = h; naive.minute = mi; precision = .minute; i += 6
            if i < b.count, b[i] == 58, let s = num(i + 1, 2) {
                naive.second = s; precision = .second; i += 3
                if i < b.count, b[i] == 46 || b[i] == 44 {
                    i += 1
                    var digits = 0, micros = 0
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        if digits < 6 { micros = micros * 10 + Int(b[i] - 48) }
                        digits += 1; i += 1
                    }
                    for _ in min(digits, 6)..<6 { micros *= 10 }
                    naive.microsecond = micros
                    precision = digits <= 3 ? .millisecond : .microsecond
                }
            }
        }
        var offset: Int?
        if i < b.count {
            if b[i] == 90 { offset = 0; i += 1 } else if let o = UTCFormat.offsetSeconds(String(decoding: b[i...], as: UTF8.self)) {
                offset = o; i = b.count
            }
        }
        guard i == b.count, naive.isValid, y > 0 else { return nil }
        return Parsed(naive: naive, offset: offset, precision: precision)
    }

    /// ExifTool's printed form of an ISO 8601 date (`2024-08-28T15:12:03+09:00` →
    /// `2024:08:28 15:12:03+09:00`); other texts are returned unchanged.
    static func exifToolForm(_ text: String) -> String {
        var b = Array(text.utf8)
        guard b.count >= 10, b[4] == 45, b[7] == 45, b[0...3].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return text }
        b[4] = 58; b[7] = 58
        if b.count > 10, b[10] == 84 { b[10] = 32 }
        return String(decoding: b, as: UTF8.self)
    }

    /// The TimeValue for a date text: basis `offset` when it (or `extraOffset`) carries one,
    /// else the naive time resolved in the declared zone (`assumed-zone`, or `unknown` without one).
    static func value(_ text: String, extraOffset: String? = nil, subSeconds: String? = nil, zone: TimeZone?,
                      note: String? = nil) -> TimeValue? {
        guard var p = parse(text) else { return nil }
        if let sub = subSeconds?.trimmingCharacters(in: .whitespaces), !sub.isEmpty, p.precision == .second,
           sub.allSatisfy(\.isNumber) {
            let digits = Array(sub.prefix(6))
            p.naive.microsecond = Int(String(digits) + String(repeating: "0", count: 6 - digits.count)) ?? 0
            p.precision = sub.count <= 3 ? .millisecond : .microsecond
        }
        let offset = p.offset ?? extraOffset.flatMap(UTCFormat.offsetSeconds)
        if let offset {
            return p.naive.withOffset(seconds: offset, raw: text, precision: p.precision, note: note)
        }
        return p.naive.resolve(in: zone, raw: text, precision: p.precision, note: note)
    }

    /// A UTC text (GPS time, QuickTime header times): basis `utc`.
    static func utcValue(_ naive: NaiveDateTime, raw: String, precision: TimePrecision, note: String? = nil) -> TimeValue {
        TimeValue(raw: raw, utcMicros: naive.epochSecondsIfUTC * 1_000_000 + Int64(naive.microsecond), basis: .utc,
                  precision: precision, note: note)
    }
}
