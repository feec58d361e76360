import ExhibitKit
import Foundation

/// Times as an investigator reads them (issue 15, item 8): the wall clock in the case's
/// declared zone (or the zone given with `--tz`) with UTC beside it, and the basis whenever it
/// is not `utc`. One formatter for every human output (the CLI's tables, the report, the
/// transcripts), so a time reads the same everywhere. The machine's own zone is never used:
/// without a declared zone, UTC is shown alone.
public struct CaseTimeText: Sendable, Hashable {
    /// The zone times are shown in, or `nil` for UTC only.
    public let zone: TimeZone?

    /// A formatter for `zone` (`nil`: UTC only).
    public init(zone: TimeZone?) { self.zone = zone }

    /// A formatter for an IANA identifier as stored in `cases.assumed_zone`; `nil` or an
    /// identifier this system does not know gives UTC only.
    public init(zoneIdentifier: String?) { zone = zoneIdentifier.flatMap(TimeZone.init(identifier:)) }

    /// The zone's IANA identifier, or `UTC`.
    public var zoneName: String { zone?.identifier ?? "UTC" }

    /// The machine-output local field: `2024-08-28 15:12:03 +09:00` (the form `exhibit timeline`
    /// and `exhibit serve` use), or `nil` without an instant or a zone.
    public func local(micros: Int64?) -> String? {
        guard let micros, let zone else { return nil }
        return Self.local(micros: micros, zone: zone)
    }

    /// The machine-output local field for a stored UTC text (`2024-08-28T06:12:03Z`).
    public func local(utc: String?) -> String? { local(micros: utc.flatMap { UTCFormat.parseUserInstant($0)?.micros }) }

    /// A time for a person: `2024-08-28 15:12:03 +09:00 (06:12:03Z)` — the UTC date is written
    /// out when it differs from the local one — with `, assumed-zone` (or any basis but `utc`)
    /// inside the brackets. Without a zone: `2024-08-28T06:12:03Z` (and ` (offset)` when the
    /// basis is not `utc`). Without an instant: the raw value and its basis, or `(no time)`.
    public func human(micros: Int64?, basis: String? = nil, raw: String? = nil) -> String {
        let shownBasis = basis.flatMap { $0 == "utc" || $0.isEmpty ? nil : $0 }
        guard let micros else {
            guard let raw, !raw.isEmpty else { return "(no time)" }
            return "\(raw) (\(basis ?? "unknown"))"
        }
        let utc = UTCFormat.string(micros: micros)
        guard let zone else { return utc + (shownBasis.map { " (\($0))" } ?? "") }
        let local = Self.local(micros: micros, zone: zone)
        // Same calendar day: the UTC time of day is enough beside the local date.
        let utcShown = local.prefix(10) == utc.prefix(10) ? String(utc.dropFirst(11)) : utc
        return "\(local) (\(utcShown)\(shownBasis.map { ", \($0)" } ?? ""))"
    }

    /// ``human(micros:basis:raw:)`` for a stored UTC text.
    public func human(utc: String?, basis: String? = nil, raw: String? = nil) -> String {
        human(micros: utc.flatMap { UTCFormat.parseUserInstant($0)?.micros }, basis: basis, raw: raw)
    }

    /// `2024-08-28 15:12:03 +09:00`: the wall clock in `zone`, to the second (the UTC beside it
    /// keeps any fraction), with the zone's offset at that instant.
    public static func local(micros: Int64, zone: TimeZone) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let text = UTCFormat.string(micros: (seconds + Int64(offset)) * 1_000_000).dropLast()
            .replacingOccurrences(of: "T", with: " ")
        let o = abs(offset)
        return "\(text) \(offset < 0 ? "-" : "+")\(String(format: "%02d:%02d", o / 3600, (o % 3600) / 60))"
    }

    /// A user's filter time read in this zone: a date (`2024-08-28`: that day in the zone) or a
    /// date-time without an offset is the zone's wall clock; text with `Z` or an offset is taken
    /// as written. Without a zone, everything is UTC. Returns the instant and whether only a
    /// date was given (so an upper bound can include that whole day), or `nil` for text that is
    /// not ISO 8601.
    public func parse(_ text: String) -> (micros: Int64, dateOnly: Bool)? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let parsed = UTCFormat.parseUserInstant(t) else { return nil }
        let tail = t.dropFirst(10)
        let explicit = tail.hasSuffix("Z") || tail.hasSuffix("z") || tail.contains("+") || tail.contains("-")
        guard !explicit, let zone else { return parsed }
        // The text was read as UTC wall clock; shift by the zone's offset near that instant
        // (twice, so an instant next to a DST change lands on the right side).
        let guess = parsed.micros / 1_000_000
        var offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(guess))))
        offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(guess - offset))))
        return (parsed.micros - offset * 1_000_000, parsed.dateOnly)
    }

    /// The end of a `--to` window: a date-only `to` includes that whole local day (to the next
    /// local midnight, 23 to 25 hours later across DST), a date-time is inclusive to the microsecond.
    public func upperBound(_ text: String) -> Int64? {
        guard let p = parse(text) else { return nil }
        guard p.dateOnly else { return p.micros + 1 }
        guard let next = nextDay(text) else { return p.micros + 86_400_000_000 }
        return parse(next)?.micros ?? p.micros + 86_400_000_000
    }

    /// `2024-08-29` for `2024-08-28` (pure calendar arithmetic, no zone).
    private func nextDay(_ date: String) -> String? {
        guard let p = UTCFormat.parseUserInstant(date), p.dateOnly else { return nil }
        return String(UTCFormat.string(micros: p.micros + 86_400_000_000).prefix(10))
    }
}
