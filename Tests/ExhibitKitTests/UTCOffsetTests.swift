import Foundation
import Testing
@testable import ExhibitKit

/// The shared pieces of date-text parsing the chat and metadata parsers call.
@Suite struct UTCOffsetTests {
    @Test(arguments: [
        ("+09:00", 32_400 as Int?), ("-0530", -19_800), ("+09", 32_400), ("Z", 0), (" -05:00 ", -18_000), ("+18:59", 68_340),
        ("", nil), ("+", nil), ("+9", nil), ("+19:00", nil), ("+09:60", nil), ("+09:0", nil), ("09:00", nil), ("z", nil),
        ("+0x:00", nil), ("+09:00:00", nil),
    ])
    func offsetSeconds(_ text: String, _ seconds: Int?) {
        #expect(UTCFormat.offsetSeconds(text) == seconds, "\(text)")
    }

    @Test func digitsStayInsideTheBytes() {
        let b = Array("2024-08".utf8)
        #expect(UTCFormat.digits(b, at: 0, count: 4) == 2024)
        #expect(UTCFormat.digits(b, at: 5, count: 2) == 8)
        #expect(UTCFormat.digits(b, at: 5, count: 3) == nil)
        #expect(UTCFormat.digits(b, at: 3, count: 2) == nil)
        #expect(UTCFormat.digits(b, at: -1, count: 2) == nil)
        #expect(UTCFormat.digits(b, at: 0, count: 0) == 0)
        #expect(UTCFormat.digits([], at: 0, count: 1) == nil)
    }
}
