import Foundation

/// How the UTC value of a ``TimeValue`` was obtained. Stored as text in every time column's
/// `_basis` companion; the vocabulary is part of the database contract (docs/schema.md).
public enum TimeBasis: String, Sendable, Codable, CaseIterable {
    /// The source itself is UTC (epoch seconds, `date_unixtime`, GPS time, zip 0x5455/NTFS fields).
    case utc
    /// The source carried its own UTC offset (EXIF OffsetTime*, ISO 8601 with offset).
    case offset
    /// A naive local time interpreted in the zone the examiner declared for the case or item.
    case assumedZone = "assumed-zone"
    /// A naive local time and no declared zone: no UTC value can be derived.
    case unknown
}

/// The finest unit a source can express. Lets a court see that "15:12" is not "15:12:00.000".
public enum TimePrecision: String, Sendable, Codable, CaseIterable {
    case day, minute, second
    /// DOS date-times (zip, cab, rar4) store even seconds only.
    case twoSeconds = "2s"
    case millisecond, microsecond
    /// Windows FILETIME and friends; stored values are truncated to microseconds.
    case hundredNanoseconds = "100ns"
}

/// A timestamp as evidence: the raw value exactly as found, its UTC instant when one can be
/// derived, *how* it was derived, and how precise the source is.
///
/// Never built from the machine's time zone: naive local times are interpreted only in a zone the
/// examiner declared (``NaiveDateTime/resolve(in:raw:precision:)``). Local times that fall in a DST
/// gap or fold are flagged in ``note``; for a fold both candidate instants are kept
/// (``utcMicros`` is the earlier, ``alternateUTCMicros`` the later).
public struct TimeValue: Sendable, Hashable, Codable {
    /// The value as it appeared in the source (text, or the number printed in decimal).
    public var raw: String
    /// Microseconds since 1970-01-01T00:00:00Z, or `nil` when the basis gives no instant.
    public var utcMicros: Int64?
    public var basis: TimeBasis
    public var precision: TimePrecision
    /// A short note on reliability ("QuickTime: many cameras store local time here").
    public var note: String?
    /// The second candidate instant of an ambiguous local time (DST fold).
    public var alternateUTCMicros: Int64?
    /// For naive local times (`assumed-zone`, `unknown`): the wall clock as
    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]`, so a later change of the declared zone can recompute
    /// ``utcMicros`` without re-reading the evidence.
    public var localWallClock: String?

    public init(raw: String, utcMicros: Int64?, basis: TimeBasis, precision: TimePrecision,
                note: String? = nil, alternateUTCMicros: Int64? = nil, localWallClock: String? = nil) {
        self.raw = raw
        self.utcMicros = utcMicros
        self.basis = basis
        self.precision = precision
        self.note = note
        self.alternateUTCMicros = alternateUTCMicros
        self.localWallClock = localWallClock
    }

    /// A UTC epoch value in seconds (plus optional nanoseconds). `raw` defaults to the decimal seconds.
    public static func unixSeconds(_ seconds: Int64, nanoseconds: Int64 = 0, raw: String? = nil,
                                   precision: TimePrecision? = nil, note: String? = nil) -> TimeValue {
        let micros = seconds.multipliedReportingOverflow(by: 1_000_000)
        let value: Int64? = micros.overflow ? nil : micros.partialValue.addingReportingOverflow(nanoseconds / 1000).partialValue
        let p = precision ?? (nanoseconds == 0 ? .second : (nanoseconds % 1000 == 0 ? .microsecond : .hundredNanoseconds))
        return TimeValue(raw: raw ?? (nanoseconds == 0 ? String(seconds) : "\(seconds).\(String(format: "%09lld", nanoseconds))"),
                         utcMicros: value, basis: .utc, precision: p, note: note)
    }

    /// The UTC value as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, or `nil`.
    public var utcString: String? { utcMicros.map(UTCFormat.string(micros:)) }
}

/// Formats and parses the one text form of UTC instants used everywhere in the database:
/// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` — `T`, `Z`, fraction only when non-zero.
public enum UTCFormat {
    /// Formats microseconds since the Unix epoch. Pure arithmetic: no calendar, no zone.
    public static func string(micros: Int64) -> String {
        var secs = micros / 1_000_000
        var frac = micros % 1_000_000
        if frac < 0 { frac += 1_000_000; secs -= 1 }
        let c = CivilTime(epochSeconds: secs)
        // Digits written into a byte buffer: `String(format:)` here cost more than the rest of a
        // timeline event's insert (every event and stored time goes through this).
        var b: [UInt8] = []
        b.reserveCapacity(32)
        let year = Int64(c.year)
        if year < 0 || year > 9999 {
            // Outside four digits (hostile or far-off times): the same text `%04lld` gave.
            b.append(contentsOf: Array(String(format: "%04lld", year).utf8))
        } else {
            pad(&b, year, 4)
        }
        b.append(UInt8(ascii: "-")); pad(&b, Int64(c.month), 2)
        b.append(UInt8(ascii: "-")); pad(&b, Int64(c.day), 2)
        b.append(UInt8(ascii: "T")); pad(&b, Int64(c.hour), 2)
        b.append(UInt8(ascii: ":")); pad(&b, Int64(c.minute), 2)
        b.append(UInt8(ascii: ":")); pad(&b, Int64(c.second), 2)
        if frac != 0 { b.append(UInt8(ascii: ".")); pad(&b, frac, 6) }
        b.append(UInt8(ascii: "Z"))
        return String(decoding: b, as: UTF8.self)
    }

    /// Appends `value` (0 ≤ value < 10^width) as exactly `width` decimal digits.
    static func pad(_ b: inout [UInt8], _ value: Int64, _ width: Int) {
        var v = value
        let start = b.count
        b.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
        var i = start + width - 1
        while v > 0 && i >= start {
            b[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
    }

    /// Parses ISO 8601 user input: a date (`2024-08-01`), a date-time with or without seconds and
    /// fraction, with `Z`, `+09:00`/`+0900`, or nothing (taken as UTC). Returns microseconds and
    /// whether the input was a bare date.
    public static func parseUserInstant(_ text: String) -> (micros: Int64, dateOnly: Bool)? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let bytes = Array(t.utf8)
        func num(_ from: Int, _ len: Int) -> Int? { digits(bytes, at: from, count: len) }
        guard let y = num(0, 4), bytes.count >= 10, bytes[4] == 45, let mo = num(5, 2), bytes[7] == 45, let d = num(8, 2),
              NaiveDateTime(year: y, month: mo, day: d).isValid else { return nil }
        if bytes.count == 10 {
            return (NaiveDateTime(year: y, month: mo, day: d).epochSecondsIfUTC * 1_000_000, true)
        }
        guard bytes[10] == 84 || bytes[10] == 32, let h = num(11, 2), bytes.count >= 16, bytes[13] == 58, let mi = num(14, 2) else { return nil }
        var i = 16
        var sec = 0
        var micros = 0
        if i < bytes.count, bytes[i] == 58 {
            guard let s = num(i + 1, 2) else { return nil }
            sec = s; i += 3
            if i < bytes.count, bytes[i] == 46 || bytes[i] == 44 {
                i += 1
                var digits = 0
                while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                    if digits < 6 { micros = micros * 10 + Int(bytes[i] - 48); digits += 1 }
                    i += 1
                }
                guard digits > 0 else { return nil }
                while digits < 6 { micros *= 10; digits += 1 }
            }
        }
        // The rest is the zone: none (UTC), `Z`/`z`, or an offset `±HH[[:]MM]` within ±18:59.
        var offset = 0
        if i < bytes.count {
            let zone = String(decoding: bytes[i...], as: UTF8.self)
            guard let o = zone == "z" ? 0 : offsetSeconds(zone), !zone.contains(" ") else { return nil }
            offset = o
        }
        let naive = NaiveDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: sec)
        guard naive.isValid else { return nil }
        return ((naive.epochSecondsIfUTC - Int64(offset)) * 1_000_000 + Int64(micros), false)
    }
}

extension UTCFormat {
    /// The value of the `count` ASCII digits at `at`, or `nil` when the range leaves `bytes` or
    /// holds a non-digit: the fixed-width fields of date texts (`2024`, `08`).
    public static func digits(_ bytes: [UInt8], at: Int, count: Int) -> Int? {
        guard at >= 0, count >= 0, at + count <= bytes.count else { return nil }
        var v = 0
        for b in bytes[at..<at + count] { guard b >= 48 && b <= 57 else { return nil }; v = v * 10 + Int(b - 48) }
        return v
    }

    /// Parses a UTC offset as sources write it after a time: `+09:00`, `-0530`, `+09`, or `Z`
    /// (surrounding spaces ignored). Returns seconds east of UTC, or `nil` for anything else and
    /// for hours above 18 or minutes above 59.
    public static func offsetSeconds(_ text: String) -> Int? {
        let t = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        if t == [90] { return 0 }
        guard t.count >= 3, t[0] == 43 || t[0] == 45 else { return nil }
        let digits = t.dropFirst().filter { $0 != 58 }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let v = digits.map { Int($0 - 48) }
        let h = v[0] * 10 + v[1], m = v.count == 4 ? v[2] * 10 + v[3] : 0
        guard h <= 18, m < 60 else { return nil }
        return (t[0] == 45 ? -1 : 1) * (h * 3600 + m * 60)
    }
}

/// Broken-down UTC time computed from epoch seconds with the days-from-civil algorithm.
struct CivilTime {
    var year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int
    init(epochSeconds: Int64) {
        var days = epochSeconds / 86_400
        var rem = epochSeconds % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        hour = Int(rem / 3600); minute = Int(rem % 3600 / 60); second = Int(rem % 60)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }
}

/// A wall-clock date-time with no zone, as written by cameras, chat exports and DOS archives.
/// Turning it into an instant needs a declared zone; see ``resolve(in:raw:precision:note:)``.
public struct NaiveDateTime: Sendable, Hashable, Codable {
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    /// Fraction of the second in microseconds.
    public var microsecond: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second; self.microsecond = microsecond
    }

    /// Whether the fields name a real calendar date and time of day (leap second 60 allowed).
    public var isValid: Bool {
        guard (1...12).contains(month), day >= 1, hour >= 0, hour < 24, minute >= 0, minute < 60,
              second >= 0, second <= 60, microsecond >= 0, microsecond < 1_000_000 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= dim
    }

    /// Seconds since the epoch if these fields were UTC (proleptic Gregorian).
    public var epochSecondsIfUTC: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    }

    /// The wall-clock text `YYYY-MM-DD HH:MM:SS[.ffffff]`, used as a default raw value.
    public var text: String { text(separator: UInt8(ascii: " ")) }

    /// ``text`` with `separator` between date and time (`T`: the `localWallClock` form). Digits
    /// are written into a byte buffer: `String(format:)` cost ~2 µs per call, and every zip entry
    /// with a DOS time made two (its raw text and its wall clock). Fields outside the widths the
    /// format pads to (a year outside 0…9999, a negative field) take `String(format:)` itself, so
    /// the text is the same for every value.
    func text(separator: UInt8) -> String {
        let two = 0...99
        guard (0...9999).contains(year), two.contains(month), two.contains(day), two.contains(hour), two.contains(minute),
              two.contains(second), (0...999_999).contains(microsecond) else {
            var s = String(format: "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, second)
            if microsecond != 0 { s += String(format: ".%06d", microsecond) }
            return separator == UInt8(ascii: " ") ? s : s.replacingOccurrences(of: " ", with: String(UnicodeScalar(separator)))
        }
        var b: [UInt8] = []
        b.reserveCapacity(26)
        UTCFormat.pad(&b, Int64(year), 4)
        b.append(UInt8(ascii: "-")); UTCFormat.pad(&b, Int64(month), 2)
        b.append(UInt8(ascii: "-")); UTCFormat.pad(&b, Int64(day), 2)
        b.append(separator); UTCFormat.pad(&b, Int64(hour), 2)
        b.append(UInt8(ascii: ":")); UTCFormat.pad(&b, Int64(minute), 2)
        b.append(UInt8(ascii: ":")); UTCFormat.pad(&b, Int64(second), 2)
        if microsecond != 0 { b.append(UInt8(ascii: ".")); UTCFormat.pad(&b, Int64(microsecond), 6) }
        return String(decoding: b, as: UTF8.self)
    }

    /// Interprets the wall-clock time with a fixed UTC offset the source carried (basis `offset`).
    public func withOffset(seconds offset: Int, raw: String? = nil, precision: TimePrecision = .second,
                           note: String? = nil) -> TimeValue {
        TimeValue(raw: raw ?? text, utcMicros: (epochSecondsIfUTC - Int64(offset)) * 1_000_000 + Int64(microsecond),
                  basis: .offset, precision: precision, note: note)
    }

    /// Interprets the wall-clock time in a declared zone (basis `assumed-zone`), or records it with
    /// basis `unknown` and no instant when no zone was declared. DST gaps and folds are flagged.
    public func resolve(in zone: TimeZone?, raw: String? = nil, precision: TimePrecision = .second,
                        note: String? = nil) -> TimeValue {
        var value = resolveInstant(in: zone, raw: raw ?? text, precision: precision, note: note)
        if isValid { value.localWallClock = text(separator: UInt8(ascii: "T")) }
        return value
    }

    /// Parses the `localWallClock` form `YYYY-MM-DDTHH:MM:SS[.ffffff]` back into fields.
    public init?(wallClock: String) {
        guard let parsed = UTCFormat.parseUserInstant(wallClock + "Z"), !parsed.dateOnly else { return nil }
        let c = CivilTime(epochSeconds: parsed.micros >= 0 ? parsed.micros / 1_000_000 : (parsed.micros - 999_999) / 1_000_000)
        let frac = Int(((parsed.micros % 1_000_000) + 1_000_000) % 1_000_000)
        self.init(year: Int(c.year), month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second, microsecond: frac)
    }

    private func resolveInstant(in zone: TimeZone?, raw rawText: String, precision: TimePrecision,
                                note: String?) -> TimeValue {
        guard isValid else {
            return TimeValue(raw: rawText, utcMicros: nil, basis: .unknown, precision: precision,
                             note: join(note, "not a valid calendar date-time"))
        }
        guard let zone else {
            return TimeValue(raw: rawText, utcMicros: nil, basis: .unknown, precision: precision,
                             note: join(note, "local time, no time zone declared"))
        }
        let local = epochSecondsIfUTC
        func offset(at utc: Int64) -> Int64 { Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc)))) }
        // Offsets in force a day either side bound every candidate; keep those that round-trip.
        var candidates: [Int64] = []
        for o in Set([offset(at: local - 86_400), offset(at: local), offset(at: local + 86_400)]) {
            let utc = local - o
            if offset(at: utc) == o { candidates.append(utc) }
        }
        candidates = Array(Set(candidates)).sorted()
        let frac = Int64(microsecond)
        let zoneNote = "interpreted in \(zone.identifier)"
        if candidates.isEmpty {
            // Wall time skipped by a DST jump: use the offset before the jump and say so.
            let utc = local - offset(at: local - 86_400)
            return TimeValue(raw: rawText, utcMicros: utc * 1_000_000 + frac, basis: .assumedZone, precision: precision,
                             note: join(note, "\(zoneNote); local time does not exist (DST gap)"))
        }
        if candidates.count > 1 {
            return TimeValue(raw: rawText, utcMicros: candidates[0] * 1_000_000 + frac, basis: .assumedZone,
                             precision: precision,
                             note: join(note, "\(zoneNote); ambiguous local time (DST fold), two instants"),
                             alternateUTCMicros: candidates[candidates.count - 1] * 1_000_000 + frac)
        }
        return TimeValue(raw: rawText, utcMicros: candidates[0] * 1_000_000 + frac, basis: .assumedZone,
                         precision: precision, note: note)
    }

    private func join(_ a: String?, _ b: String) -> String { a.map { "\($0); \(b)" } ?? b }
}
