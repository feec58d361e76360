import EvidenceStore
import ExhibitKit
import Foundation

/// Wall-clock text of an instant in the case's declared zone (never the machine's), through the
/// one formatter (``CaseTimeText``) the CLI, the report and the review application share.
public enum CaseZoneFormat {
    /// `2024-08-28 15:12:03 +09:00`: the wall clock in `zone` with its offset at that instant.
    public static func local(micros: Int64, zone: TimeZone) -> String { CaseTimeText.local(micros: micros, zone: zone) }
}

extension MediaSpread {
    /// The court-form line of a picture group, as the overview of `exhibit serve` and the
    /// report's summary print it: "Known-bad picture (sets) pdq:19b3…  — 8 copies — shared in
    /// 2 rooms by 1 sender, first 2024-08-28 15:12:00 +09:00". `firstTime` is the first
    /// appearance already formatted (local time, or UTC without a zone).
    public func courtLine(firstTime: String?) -> String {
        let name = hashsets.isEmpty ? "Known-bad picture" : "Known-bad picture (\(hashsets.joined(separator: ", ")))"
        let count = { (n: Int, one: String, many: String) in "\(n) \(n == 1 ? one : many)" }
        var line = "\(name) \(content.prefix(20))… — \(count(files.count, "copy", "copies"))"
        line += " — shared in \(count(rooms, "room", "rooms")) by \(count(senders, "sender", "senders"))"
        if first != nil { line += ", first \(firstTime ?? "(no instant)")" }
        return line
    }
}
