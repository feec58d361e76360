import EvidenceStore
import ExhibitKit
import Foundation

/// One time as the review application shows it: the case's local wall clock with UTC beside it,
/// the basis (shown by the pages whenever it is not `utc`) and the raw value as found.
struct ShownTime: Codable, Sendable, Hashable {
    /// `2024-08-28 15:12:03 +09:00` in the case's zone, or `nil` without an instant or a zone.
    var local: String?
    /// `2024-08-28T06:12:03Z`, or `nil` without an instant.
    var utc: String?
    /// `utc`, `offset`, `assumed-zone`, `unknown`.
    var basis: String?
    /// The value exactly as the source wrote it.
    var raw: String?
}

/// Formats instants in the case's declared zone (never the machine's), and reads the times a
/// reviewer types into the timeline filter as that zone's wall clock.
struct CaseClock: Sendable {
    /// The case's zone, or `nil` when the examiner declared none (then UTC is shown alone).
    let zone: TimeZone?

    /// The zone's identifier, or `UTC`.
    var zoneName: String { zone?.identifier ?? "UTC" }

    /// A shown time from a stored UTC text or microseconds.
    func show(micros: Int64?, utc: String? = nil, basis: String? = nil, raw: String? = nil) -> ShownTime {
        let micros = micros ?? utc.flatMap { UTCFormat.parseUserInstant($0)?.micros }
        return ShownTime(local: micros.flatMap { m in zone.map { Self.format(micros: m, zone: $0) } },
                         utc: utc ?? micros.map { UTCFormat.string(micros: $0) }, basis: basis, raw: raw)
    }

    /// `2024-08-28 15:12:03 +09:00`: the wall clock in `zone` with its offset at that instant.
    static func format(micros: Int64, zone: TimeZone) -> String { CaseZoneFormat.local(micros: micros, zone: zone) }

    /// A reviewer's filter time: `2024-08-28`, `2024-08-28T15:00` or `2024-08-28 15:00:30` is the
    /// case zone's wall clock; text with `Z` or an offset is taken as written. Returns the instant
    /// and whether only a date was given (so an upper bound can include that whole day).
    func parse(_ text: String) -> (micros: Int64, dateOnly: Bool)? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
        let explicit = t.hasSuffix("Z") || t.dropFirst(10).contains("+") || t.dropFirst(10).contains("-")
        guard let parsed = UTCFormat.parseUserInstant(t) else { return nil }
        guard !explicit, let zone else { return (parsed.micros, parsed.dateOnly) }
        // The text was read as UTC wall clock; shift by the zone's offset near that instant
        // (twice, so an instant next to a DST change lands on the right side).
        let guess = parsed.micros / 1_000_000
        var offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(guess))))
        offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(guess - offset))))
        return (parsed.micros - offset * 1_000_000, parsed.dateOnly)
    }
}
