import ExhibitKit
import Foundation
import GRDB

/// The eight columns every stored time carries (`file_times`, `artifact_times`):
/// `utc, utc_us, raw, basis, precision, note, alternate_utc, local_wallclock`.
///
/// `utc` is the text form `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` for people and tools; `utc_us` the same
/// instant as an integer for range queries. Raw value and basis are always kept, so a court can
/// see what the source said and how the instant was derived.
enum TimeColumns {
    /// The column list, in the order ``values(_:)`` produces them.
    static let names = "utc, utc_us, raw, basis, precision, note, alternate_utc, local_wallclock"

    /// The column names with a prefix (`time_utc, time_utc_us, …` in `metadata`), as an array.
    static func names(prefix: String) -> [String] {
        names.split(separator: ",").map { prefix + $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Column values for an optional time: eight NULLs when there is none.
    static func values(_ time: TimeValue?) -> [(any DatabaseValueConvertible)?] {
        guard let time else { return Array(repeating: nil, count: 8) }
        return values(time)
    }

    /// Column values for `time`, in the order of ``names``.
    static func values(_ time: TimeValue) -> [(any DatabaseValueConvertible)?] {
        [
            time.utcMicros.map(UTCFormat.string(micros:)), time.utcMicros, time.raw, time.basis.rawValue,
            time.precision.rawValue, time.note, time.alternateUTCMicros.map(UTCFormat.string(micros:)),
            time.localWallClock,
        ]
    }

    /// Appends the eight column values of an optional time (eight NULLs when there is none), typed:
    /// the hot writers bind these without a dynamic cast per value.
    static func append(_ time: TimeValue?, to v: inout [DatabaseValue]) {
        guard let time else {
            v.append(contentsOf: repeatElement(DatabaseValue.null, count: 8))
            return
        }
        v.append(time.utcMicros.map(UTCFormat.string(micros:)).dbValue)
        v.append(time.utcMicros.dbValue)
        v.append(time.raw.databaseValue)
        v.append(time.basis.rawValue.databaseValue)
        v.append(time.precision.rawValue.databaseValue)
        v.append(time.note.dbValue)
        v.append(time.alternateUTCMicros.map(UTCFormat.string(micros:)).dbValue)
        v.append(time.localWallClock.dbValue)
    }

    /// The eight columns of table alias `table` renamed with `prefix` (`t.utc AS time_utc, …`),
    /// for a query that also selects another table's columns of the same names.
    static func selected(from table: String, as prefix: String) -> String {
        names(prefix: "").map { "\(table).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }

    /// Rebuilds a TimeValue from the eight columns named `prefix` + the names of ``names``
    /// (`time_utc_us`, `time_raw`…; an empty prefix for a time table's own columns). Tolerates
    /// values another tool may have written (unknown basis → `unknown`, unknown precision →
    /// `second`) rather than failing a whole query over one odd row.
    static func decode(_ row: Row, prefix: String) throws -> TimeValue {
        let micros: Int64? = try row.decode(forColumn: prefix + "utc_us")
        let raw: String? = try row.decode(forColumn: prefix + "raw")
        let basis: String? = try row.decode(forColumn: prefix + "basis")
        let precision: String? = try row.decode(forColumn: prefix + "precision")
        let note: String? = try row.decode(forColumn: prefix + "note")
        let alternate: String? = try row.decode(forColumn: prefix + "alternate_utc")
        let wall: String? = try row.decode(forColumn: prefix + "local_wallclock")
        return make(micros: micros, raw: raw, basis: basis, precision: precision, note: note, alternate: alternate, wall: wall)
    }

    /// A time from eight consecutive columns in ``names`` order starting at position `first`
    /// (`utc`, then `utc_us`, …), or `nil` when the raw value is NULL (no time at all): the
    /// positional form of ``decode(_:prefix:)`` for readers that walk every message.
    static func decode(_ row: Row, from first: Int) throws -> TimeValue? {
        guard let raw: String = try row.decode(atIndex: first + 2) else { return nil }
        return make(micros: try row.decode(atIndex: first + 1), raw: raw, basis: try row.decode(atIndex: first + 3),
                    precision: try row.decode(atIndex: first + 4), note: try row.decode(atIndex: first + 5),
                    alternate: try row.decode(atIndex: first + 6), wall: try row.decode(atIndex: first + 7))
    }

    private static func make(micros: Int64?, raw: String?, basis: String?, precision: String?, note: String?,
                             alternate: String?, wall: String?) -> TimeValue {
        TimeValue(raw: raw ?? "", utcMicros: micros,
                         basis: basis.flatMap(TimeBasis.init(rawValue:)) ?? .unknown,
                         precision: precision.flatMap(TimePrecision.init(rawValue:)) ?? .second,
                         note: note,
                         alternateUTCMicros: alternate.flatMap { UTCFormat.parseUserInstant($0)?.micros },
                         localWallClock: wall)
    }
}

/// The four archive time kinds of ``EntryTimes``, as stored in `file_times.kind`.
enum FileTimeKind: String, CaseIterable {
    case modified, accessed, changed, created

    /// The (kind, value) pairs present in `times`.
    static func pairs(_ times: EntryTimes) -> [(FileTimeKind, TimeValue)] {
        var out: [(FileTimeKind, TimeValue)] = []
        if let t = times.modified { out.append((.modified, t)) }
        if let t = times.accessed { out.append((.accessed, t)) }
        if let t = times.changed { out.append((.changed, t)) }
        if let t = times.created { out.append((.created, t)) }
        return out
    }

    func set(_ value: TimeValue, in times: inout EntryTimes) {
        switch self {
        case .modified: times.modified = value
        case .accessed: times.accessed = value
        case .changed: times.changed = value
        case .created: times.created = value
        }
    }
}

/// The store's clock: only ever UTC instants, never the machine's zone.
enum StoreClock {
    /// Now, as microseconds since the epoch.
    static func nowMicros() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// Now, as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.
    static func nowText() -> String { UTCFormat.string(micros: nowMicros()) }
}
