import Foundation
import ExhibitKit

/// Day-period words (AM/PM) of the locales chat exports are written in, and the other localized
/// pieces of their timestamps. Tables are ordered longest first so `a. m.` wins over `a`.
enum DayPeriod {
    /// Words that follow or precede a 12-hour time, with `true` for the afternoon.
    static let words: [([UInt8], Bool)] = {
        var list: [(String, Bool)] = [
            ("a. m.", false), ("p. m.", true), ("a.m.", false), ("p.m.", true), ("a.m", false), ("p.m", true),
            ("AM", false), ("PM", true), ("am", false), ("pm", true), ("A.M.", false), ("P.M.", true),
            ("오전", false), ("오후", true), ("午前", false), ("午後", true), ("上午", false), ("下午", true),
            ("vorm.", false), ("nachm.", true), ("vm", false), ("nm", true),
            // Arabic: ص (ṣabāḥan, morning) and م (masāʾan, evening), after the time.
            ("\u{0635}", false), ("\u{0645}", true),
        ]
        // Spanish and others write the inner space as NBSP or U+202F.
        for (w, pm) in list where w.contains(" ") {
            list.append((w.replacingOccurrences(of: " ", with: "\u{00A0}"), pm))
            list.append((w.replacingOccurrences(of: " ", with: "\u{202F}"), pm))
        }
        return list.sorted { $0.0.utf8.count > $1.0.utf8.count }.map { (Array($0.0.utf8), $0.1) }
    }()

    /// Which bytes can start a period word: most lines (24-hour clocks) skip the table at once.
    static let firstBytes: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for (w, _) in words { t[Int(w[0])] = true }
        return t
    }()

    /// 24-hour value of a 12-hour clock reading.
    static func hour24(_ h: Int, pm: Bool) -> Int { pm ? (h % 12) + 12 : h % 12 }
}

/// English month names, full and abbreviated (KakaoTalk English, LINE English).
enum MonthNames {
    static let english: [([UInt8], Int)] = {
        let full = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                    "October", "November", "December"]
        var list: [(String, Int)] = []
        for (i, m) in full.enumerated() {
            list.append((m, i + 1))
            list.append((String(m.prefix(3)), i + 1))
            list.append((m.prefix(4) == "Sept" ? "Sept" : String(m.prefix(3)) + ".", i + 1))
        }
        return list.sorted { $0.0.count > $1.0.count }.map { (Array($0.0.utf8), $0.1) }
    }()

    static let englishWeekdays: [([UInt8], Int)] = {
        let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        var list: [(String, Int)] = []
        for (i, n) in names.enumerated() { list.append((n, i)); list.append((String(n.prefix(3)), i)) }
        return list.sorted { $0.0.count > $1.0.count }.map { (Array($0.0.utf8), $0.1) }
    }()

    static let koreanWeekdays: [([UInt8], Int)] = ["월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일", "월", "화", "수", "목", "금", "토", "일"]
        .enumerated().map { (Array($0.element.utf8), $0.offset % 7) }
}

/// A clock reading parsed from a line: hour (0–23), minute, optional second.
struct ClockReading {
    var hour: Int, minute: Int, second: Int?
    var twelveHour: Bool
}

extension ByteCursor {
    /// Reads `[period] H:MM[:SS] [period]` (period = AM/PM/오전/오후/…, before or after, spaces
    /// of any kind between). Returns nil, leaving the cursor where it was, if no time is there.
    mutating func clock(allowTrailingPeriod: Bool = true) -> ClockReading? {
        let start = i
        var pm: Bool? = nil
        if let b = peek, DayPeriod.firstBytes[Int(b)], let p = consumeAny(DayPeriod.words) { pm = p; skipSpaces() }
        guard let h = number(maxDigits: 2), consume(0x3A), let m = number(maxDigits: 2), m.digits == 2 else { i = start; return nil }
        var sec: Int? = nil
        let afterMinutes = i
        if consume(0x3A) { if let s = number(maxDigits: 2), s.digits == 2 { sec = s.value } else { i = afterMinutes } }
        if pm == nil && allowTrailingPeriod {
            let beforePeriod = i
            // Tabs separate fields (LINE), so only real spaces may precede a trailing period word.
            // Arabic locales may put a direction mark (RLM, ALM) before ص/م.
            while i < bytes.count, bytes[i] != 0x09 {
                let k = Invisible.spaceLength(bytes, i) + Invisible.markLength(bytes, i)
                if k == 0 { break }
                i += k
            }
            // A period word is a whole word (`م` is also the first letter of Arabic words), and a
            // 24-hour reading followed by such a word keeps its hour rather than failing.
            if let b = peek, DayPeriod.firstBytes[Int(b)], let p = consumeAny(DayPeriod.words),
               !(peek.map { Self.isASCIILetter($0) || ($0 >= 0xD8 && $0 <= 0xDB) } ?? false),
               h.value >= 1, h.value <= 12 { pm = p } else { i = beforePeriod }
        }
        var hour = h.value
        if let pm {
            guard hour >= 1 && hour <= 12 else { i = start; return nil }
            hour = DayPeriod.hour24(hour, pm: pm)
        }
        guard hour < 24, m.value < 60, (sec ?? 0) < 61 else { i = start; return nil }
        return ClockReading(hour: hour, minute: m.value, second: sec, twelveHour: pm != nil)
    }
}

/// The calendar a numeric date's year is written in. iOS writes the device's calendar setting
/// into WhatsApp exports: `3/18/2565 BE` (Buddhist), `3/18/R4` (Japanese era, Reiwa 4).
enum DateCalendar: Equatable {
    case gregorian
    /// Thai solar (Buddhist Era) year: CE + 543.
    case buddhist
    /// Japanese imperial era by its Latin initial (`M`, `T`, `S`, `H`, `R`).
    case japanese(era: UInt8)

    /// Era initial → (name, CE year of the era's year 1).
    static let japaneseEras: [UInt8: (String, Int)] = [
        0x4D: ("Meiji", 1868), 0x54: ("Taishō", 1912), 0x53: ("Shōwa", 1926), 0x48: ("Heisei", 1989), 0x52: ("Reiwa", 2019),
    ]

    /// The CE year of a year written in this calendar (two-digit Gregorian/Buddhist years are
    /// the 2000s / 2500s), and the note that records the conversion (nil for Gregorian).
    func ceYear(_ v: Int, digits: Int) -> (Int, String?) {
        switch self {
        case .gregorian:
            return (PhoneLocalTime.fullYear(v, digits: digits), nil)
        case .buddhist:
            let be = digits <= 2 ? 2500 + v : v
            return (be - 543, "year \(be) BE (Buddhist calendar, device setting) read as \(be - 543) CE")
        case .japanese(let era):
            let (name, first) = Self.japaneseEras[era] ?? ("?", 0)
            let ce = first + v - 1
            return (ce, "year \(Character(Unicode.Scalar(era)))\(v) (Japanese calendar, \(name) \(v), device setting) read as \(ce) CE")
        }
    }
}

/// A numeric date as written, before the order of its fields is known: `28/08/2024`, `8/28/24`,
/// `2024/08/28`, `24. 8. 28.`, `28-08-2024`, `3/18/2565 BE`, `3/18/R4`, `٢٨‏/٨‏/٢٠٢٤`.
struct NumericDate {
    var first: Int, firstDigits: Int
    var second: Int
    var third: Int, thirdDigits: Int
    /// The separator (`/`, `.` or `-`), the same between all three fields.
    var separator: UInt8
    /// Spaces after the first separator (`24. 8. 28.`).
    var spaced: Bool
    /// A dot after the last field of a dotted date.
    var trailingDot: Bool
    /// The calendar of the last field (the year): only month-day-year / day-month-year dates
    /// carry a non-Gregorian marker.
    var calendar: DateCalendar = .gregorian
}

extension ByteCursor {
    static let buddhistEra: [UInt8] = [0x42, 0x45]  // BE

    /// Reads `A<sep>B<sep>C` (sep `/`, `.` or `-`; spaces and direction marks may surround a
    /// separator; a dotted date may end with a dot; the year may carry a ` BE` suffix or a
    /// Japanese era initial). Returns nil, leaving the cursor where it was, if no date is there.
    mutating func numericDate() -> NumericDate? {
        let start = i
        guard let a = number(maxDigits: 4) else { return nil }
        skipMarks()
        guard let sep = peek, sep == 0x2F || sep == 0x2E || sep == 0x2D else { i = start; return nil }
        i += 1
        let spaced = skipSpaces() > 0
        guard let b = number(maxDigits: 2) else { i = start; return nil }
        skipMarks()
        guard consume(sep) else { i = start; return nil }
        skipSpaces()
        var calendar = DateCalendar.gregorian
        if let e = peek, DateCalendar.japaneseEras[e] != nil, i + 1 < bytes.count, bytes[i + 1] >= 0x30, bytes[i + 1] <= 0x39 {
            calendar = .japanese(era: e)
            i += 1
        }
        guard let y = number(maxDigits: calendar == .gregorian ? 4 : 2) else { i = start; return nil }
        let trailingDot = sep == 0x2E && consume(0x2E)
        if calendar == .gregorian {
            let beforeEra = i
            skipMarks()
            if Invisible.spaceLength(bytes, i) > 0 {
                skipSpaces()
                if consume(Self.buddhistEra), !(peek.map(Self.isASCIILetter) ?? false) { calendar = .buddhist } else { i = beforeEra }
            } else {
                i = beforeEra
            }
        }
        return NumericDate(first: a.value, firstDigits: a.digits, second: b.value, third: y.value, thirdDigits: y.digits,
                           separator: sep, spaced: spaced, trailingDot: trailingDot, calendar: calendar)
    }
}

extension ByteCursor {
    static func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
}

/// Turns parsed wall-clock fields into a ``TimeValue`` with basis `assumed-zone` (or `unknown`
/// when no zone was declared). Chat text exports never carry a zone: the phone's local time.
enum PhoneLocalTime {
    static let phoneNote = "phone-local time (the export carries no zone)"

    static func value(year: Int, month: Int, day: Int, clock: ClockReading?, raw: String, zone: TimeZone?,
                      note: String = phoneNote) -> TimeValue {
        let naive = NaiveDateTime(year: year, month: month, day: day, hour: clock?.hour ?? 0,
                                  minute: clock?.minute ?? 0, second: clock?.second ?? 0)
        let precision: TimePrecision = clock == nil ? .day : (clock?.second == nil ? .minute : .second)
        return naive.resolve(in: zone, raw: raw, precision: precision, note: note)
    }

    /// Two-digit years in chat exports are 20xx (the apps did not exist before 2009).
    static func fullYear(_ v: Int, digits: Int) -> Int { digits <= 2 ? 2000 + v : v }
}

/// Resolves naive local times in the declared zone, remembering the UTC offset of each 15-minute
/// local slot once it is known to be unambiguous. Foundation's zone lookups and `String(format:)`
/// dominate a million-line WhatsApp file otherwise. Real zones change offset only on 15-minute
/// boundaries, and DST gaps/folds are never cached (they take the full path every time), so
/// cached results equal ``NaiveDateTime/resolve(in:raw:precision:note:)``'s.
/// One instance per parse (not shared between threads).
final class ZoneResolver {
    let zone: TimeZone?
    private var offsets: [Int64: Int64] = [:]

    init(zone: TimeZone?) { self.zone = zone }

    func value(year: Int, month: Int, day: Int, clock: ClockReading?, raw: String, note: String = PhoneLocalTime.phoneNote) -> TimeValue {
        let naive = NaiveDateTime(year: year, month: month, day: day, hour: clock?.hour ?? 0,
                                  minute: clock?.minute ?? 0, second: clock?.second ?? 0)
        let precision: TimePrecision = clock == nil ? .day : (clock?.second == nil ? .minute : .second)
        guard zone != nil, naive.isValid else { return naive.resolve(in: zone, raw: raw, precision: precision, note: note) }
        let local = naive.epochSecondsIfUTC
        let slot = local >= 0 ? local / 900 : (local - 899) / 900
        if let offset = offsets[slot] {
            return TimeValue(raw: raw, utcMicros: (local - offset) * 1_000_000, basis: .assumedZone, precision: precision,
                             note: note, localWallClock: Self.wallClock(naive))
        }
        let v = naive.resolve(in: zone, raw: raw, precision: precision, note: note)
        if v.note == note, v.alternateUTCMicros == nil, let utc = v.utcMicros, offsets.count < 100_000 {
            offsets[slot] = local - utc / 1_000_000
        }
        return v
    }

    /// A time-only line (KakaoTalk PC, LINE) dated by the last day line above it; without one the
    /// reading has no date and no instant.
    func value(underDayLine day: (Int, Int, Int)?, clock: ClockReading, raw: String) -> TimeValue {
        guard let (y, m, d) = day else {
            return TimeValue(raw: raw, utcMicros: nil, basis: .unknown, precision: .minute, note: "no day line before this time")
        }
        return value(year: y, month: m, day: d, clock: clock, raw: raw, note: PhoneLocalTime.phoneNote + "; date from the day line above")
    }

    /// `YYYY-MM-DDTHH:MM:SS` without `String(format:)`.
    static func wallClock(_ n: NaiveDateTime) -> String {
        var b = [UInt8](repeating: 0x30, count: 19)
        func put(_ v: Int, _ at: Int, _ width: Int) {
            var x = v
            for k in stride(from: at + width - 1, through: at, by: -1) { b[k] = UInt8(0x30 + x % 10); x /= 10 }
        }
        put(n.year, 0, 4); b[4] = 0x2D; put(n.month, 5, 2); b[7] = 0x2D; put(n.day, 8, 2); b[10] = 0x54
        put(n.hour, 11, 2); b[13] = 0x3A; put(n.minute, 14, 2); b[16] = 0x3A; put(n.second, 17, 2)
        return String(decoding: b, as: UTF8.self)
    }
}
