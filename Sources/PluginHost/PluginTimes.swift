import ExhibitKit
import Foundation

/// The host's side of protocol time objects: the form it sends (``encode(_:)``); reading one is
/// ExhibitKit's ``WireTime/timeValue(field:zone:)`` (docs/plugins.md, "Time values").
enum PluginTimes {
    /// A time object given as JSON text, through the real decoder: for tests.
    static func parse(json: String, field: String, zone: TimeZone?) throws -> TimeValue {
        try PluginWire.failing {
            let t: WireTime
            do { t = try JSONDecoder().decode(WireTime.self, from: Data(json.utf8)) } catch let e as DecodingError {
                throw WireInvalid(e, kind: field)
            }
            return try t.timeValue(field: field, zone: zone)
        }
    }

    /// The protocol form of a time the host sends (archive times of the file).
    static func encode(_ t: TimeValue) -> [String: Any] {
        var o: [String: Any] = ["raw": t.raw, "basis": t.basis.rawValue, "precision": t.precision.rawValue]
        if let u = t.utcMicros { o["utc_us"] = u; o["instant"] = UTCFormat.string(micros: u) }
        if let w = t.localWallClock { o["local"] = w }
        if let n = t.note { o["note"] = n }
        return o
    }
}
