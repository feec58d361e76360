import ExhibitKit

/// The `--from`/`--to` window shared by `messages`, `timeline`, `export` and `report`: ISO 8601,
/// UTC unless an offset is given; a date-only `--to` includes that day, a date-time `--to` is
/// inclusive to the microsecond. Exits with code 2 on text that is not a date.
struct TimeWindow {
    /// First instant in the window (µs since the epoch), or `nil` for no lower bound.
    var fromMicros: Int64?
    /// First instant after the window, or `nil` for no upper bound.
    var beforeMicros: Int64?

    init(from: String?, to: String?) {
        if let from {
            guard let t = UTCFormat.parseUserInstant(from) else { fail("--from: '\(from)' is not an ISO 8601 date or date-time", code: 2) }
            fromMicros = t.micros
        }
        if let to {
            guard let t = UTCFormat.parseUserInstant(to) else { fail("--to: '\(to)' is not an ISO 8601 date or date-time", code: 2) }
            beforeMicros = t.dateOnly ? t.micros + 86_400_000_000 : t.micros + 1
        }
    }
}
