import ExhibitKit
import Foundation

/// The local time of a `utc_us` column as an SQL expression, so the timeline exports (whose rows
/// SQLite builds in one pass, docs/BENCHMARKS.md) can carry the case zone's wall clock without a
/// Swift call per row (issue 15, item 8). A zone's offset is constant between its transitions:
/// the expression is one `CASE` over the transitions within the exported range, each branch a
/// `strftime` of the shifted instant plus the offset's text — `2024-08-28 15:12:03 +09:00`, the
/// form of ``CaseTimeText/local(micros:zone:)``.
enum LocalTimeSQL {
    /// At most this many offset changes are written into one expression; a range spanning more
    /// (centuries of DST) gets NULL beyond the last one rather than an unbounded statement.
    static let maxTransitions = 2_000

    /// The expression for `column` (µs since the epoch, NULL allowed), or `NULL` without a zone.
    /// `range` is the smallest and largest value of the column in the rows exported.
    static func expression(_ column: String, clock: CaseTimeText, range: (Int64, Int64)?) -> String {
        guard let zone = clock.zone, let range else { return "NULL" }
        var spans: [(until: Int64?, offset: Int)] = []
        var at = Date(timeIntervalSince1970: TimeInterval(range.0 / 1_000_000 - 86_400))
        let end = Date(timeIntervalSince1970: TimeInterval(range.1 / 1_000_000 + 86_400))
        while spans.count < maxTransitions, let next = zone.nextDaylightSavingTimeTransition(after: at), next <= end {
            spans.append((Int64(next.timeIntervalSince1970) * 1_000_000, zone.secondsFromGMT(for: at)))
            at = next
        }
        spans.append((spans.count < maxTransitions ? nil : Int64(end.timeIntervalSince1970) * 1_000_000, zone.secondsFromGMT(for: at)))
        func local(_ offset: Int) -> String {
            let o = abs(offset)
            let text = "\(offset < 0 ? "-" : "+")\(String(format: "%02d:%02d", o / 3600, (o % 3600) / 60))"
            // Floor division: an instant before 1970 keeps its second (as UTCFormat does).
            return "strftime('%Y-%m-%d %H:%M:%S', ((\(column) - ((\(column) % 1000000) + 1000000) % 1000000) / 1000000) + \(offset), 'unixepoch') || ' \(text)'"
        }
        var sql = "CASE WHEN \(column) IS NULL THEN NULL"
        for s in spans {
            if let until = s.until { sql += " WHEN \(column) < \(until) THEN \(local(s.offset))" } else { sql += " ELSE \(local(s.offset))" }
        }
        return sql + (spans.last?.until == nil ? " END" : " ELSE NULL END")
    }
}
