import ArgumentParser
import EvidenceStore
import ExhibitKit
import Foundation

/// The `--from`/`--to` window shared by `messages`, `timeline`, `export` and `report`: ISO 8601;
/// a date or a date-time without an offset is the wall clock of the display zone (the case's
/// declared zone, or `--tz`; UTC when there is none), text with `Z` or an offset is taken as
/// written. A date-only `--to` includes that local day, a date-time `--to` is inclusive to the
/// microsecond. Exits with code 2 on text that is not a date.
struct TimeWindow {
    /// First instant in the window (µs since the epoch), or `nil` for no lower bound.
    var fromMicros: Int64?
    /// First instant after the window, or `nil` for no upper bound.
    var beforeMicros: Int64?

    init(from: String?, to: String?, clock: CaseTimeText) {
        if let from {
            guard let t = clock.parse(from) else { fail("--from: '\(from)' is not an ISO 8601 date or date-time", code: 2) }
            fromMicros = t.micros
        }
        if let to {
            guard let t = clock.upperBound(to) else { fail("--to: '\(to)' is not an ISO 8601 date or date-time", code: 2) }
            beforeMicros = t
        }
    }

    /// Checks the text of `--from`/`--to` before anything is opened (the zone is not needed to
    /// know whether the text is a date).
    static func validate(from: String?, to: String?) throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, UTCFormat.parseUserInstant(value) == nil {
                throw ValidationError("\(name): '\(value)' is not an ISO 8601 date or date-time")
            }
        }
    }
}

/// `--tz`, shared by every command that shows times to a person (issue 15, item 8): by default
/// times are shown in the case's declared zone with UTC beside them; `--tz ZONE` shows them in
/// another zone, `--tz UTC` in UTC alone. Display only: stored times stay UTC.
struct ZoneOption: ParsableArguments {
    @Option(help: "Show local times in this IANA zone instead of the case's declared zone ('UTC' for UTC only; display only, stored times stay UTC).")
    var tz: String?

    func validate() throws {
        if let tz, Self.zone(tz) == nil {
            throw ValidationError("--tz: unknown time zone '\(tz)' (use an IANA name such as Asia/Seoul, or UTC)")
        }
    }

    /// The display clock: `--tz` if given, else the zone recorded in the case (`cases.assumed_zone`).
    func clock(_ db: EvidenceDatabase) -> CaseTimeText {
        if let tz { return CaseTimeText(zone: Self.isUTC(tz) ? nil : Self.zone(tz)) }
        return CaseTimeText(zoneIdentifier: (try? db.caseInfo())?.assumedZone ?? nil)
    }

    /// The clock for a database path (opened read-only); UTC when it cannot be read.
    func clock(path: String) -> CaseTimeText {
        if let tz { return CaseTimeText(zone: Self.isUTC(tz) ? nil : Self.zone(tz)) }
        guard let db = try? EvidenceDatabase.openExisting(path: path, readOnly: true) else { return CaseTimeText(zone: nil) }
        return clock(db)
    }

    /// For output spanning several cases (the lab index), whose zones may differ: `--tz`, else UTC.
    var explicitClock: CaseTimeText {
        guard let tz else { return CaseTimeText(zone: nil) }
        return CaseTimeText(zone: Self.isUTC(tz) ? nil : Self.zone(tz))
    }

    private static func isUTC(_ text: String) -> Bool { ["utc", "none", "z"].contains(text.lowercased()) }

    private static func zone(_ text: String) -> TimeZone? {
        isUTC(text) ? TimeZone(secondsFromGMT: 0) : TimeZone(identifier: text)
    }
}
