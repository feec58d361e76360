import ExhibitKit
import Foundation
import Testing

/// `UTCFormat.string(micros:)` writes its digits by hand (it is on every stored time and event);
/// it must give exactly the text the `String(format:)` version gave, for every instant.
@Suite struct UTCFormatTests {
    /// The reference: the documented layout computed with Foundation's UTC calendar.
    private static func reference(_ micros: Int64) -> String {
        var secs = micros / 1_000_000
        var frac = micros % 1_000_000
        if frac < 0 { frac += 1_000_000; secs -= 1 }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(secs)))
        var s = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        if frac != 0 { s += String(format: ".%06lld", frac) }
        return s + "Z"
    }

    @Test func knownValues() {
        #expect(UTCFormat.string(micros: 0) == "1970-01-01T00:00:00Z")
        #expect(UTCFormat.string(micros: 1_724_825_523_000_000) == "2024-08-28T06:12:03Z")
        #expect(UTCFormat.string(micros: 1_724_825_523_000_007) == "2024-08-28T06:12:03.000007Z")
        #expect(UTCFormat.string(micros: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(UTCFormat.string(micros: 253_402_300_799_999_999) == "9999-12-31T23:59:59.999999Z")
        #expect(UTCFormat.string(micros: -62_135_596_800_000_000) == "0001-01-01T00:00:00Z")
        #expect(UTCFormat.string(micros: 253_402_300_800_000_000) == "10000-01-01T00:00:00Z")
    }

    @Test func agreesWithTheCalendarOverManyInstants() {
        var state: UInt64 = 0x5454_4346
        var checked = 0
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Years 1600 to 9999 (Foundation's calendar turns Julian before 1582), with and
            // without a fraction.
            let span: UInt64 = 265_078_396_800_000_000
            var micros = Int64(state % span) - 11_676_096_000_000_000
            if state & 1 == 0 { micros -= micros % 1_000_000 }
            #expect(UTCFormat.string(micros: micros) == Self.reference(micros), "\(micros)")
            checked += 1
        }
        #expect(checked == 20_000)
    }
}
