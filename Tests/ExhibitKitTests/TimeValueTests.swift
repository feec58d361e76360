import ExhibitTesting
import Foundation
import Testing
@testable import ExhibitKit

/// Time handling must never depend on the machine's zone: `make test` runs this suite under
/// TZ=UTC, Asia/Seoul and America/New_York and every expectation is an absolute UTC string.
@Suite("TimeModel", .tags(.timeZone))
struct TimeModelTests {
    @Test func formatsUTCWithFractionOnlyWhenNonZero() {
        #expect(UTCFormat.string(micros: 0) == "1970-01-01T00:00:00Z")
        #expect(UTCFormat.string(micros: 1_724_825_523_000_000) == "2024-08-28T06:12:03Z")
        #expect(UTCFormat.string(micros: 1_724_825_523_000_500) == "2024-08-28T06:12:03.000500Z")
        #expect(UTCFormat.string(micros: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(UTCFormat.string(micros: 951_782_400_000_000) == "2000-02-29T00:00:00Z")
    }

    @Test func unixSecondsAreUTCBasis() {
        let t = TimeValue.unixSeconds(1_724_825_523)
        #expect(t.basis == .utc)
        #expect(t.raw == "1724825523")
        #expect(t.utcString == "2024-08-28T06:12:03Z")
        #expect(t.precision == .second)
        let n = TimeValue.unixSeconds(1_724_825_523, nanoseconds: 123_456_789)
        #expect(n.utcString == "2024-08-28T06:12:03.123456Z")
        #expect(n.precision == .hundredNanoseconds)
    }

    /// The wall-clock text is written digit by digit; it must be `String(format:)`'s text for
    /// every value, those the format pads (DOS times, chat times) and those it does not (hostile
    /// fields: a five-digit or negative year, a negative or oversized field).
    @Test func wallClockTextIsTheFormatText() {
        func formatText(_ n: NaiveDateTime) -> String {
            var s = String(format: "%04d-%02d-%02d %02d:%02d:%02d", n.year, n.month, n.day, n.hour, n.minute, n.second)
            if n.microsecond != 0 { s += String(format: ".%06d", n.microsecond) }
            return s
        }
        let cases = [
            NaiveDateTime(year: 1980, month: 1, day: 1), NaiveDateTime(year: 2107, month: 15, day: 31, hour: 31, minute: 63, second: 62),
            NaiveDateTime(year: 0, month: 0, day: 0), NaiveDateTime(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 60, microsecond: 999_999),
            NaiveDateTime(year: 2024, month: 8, day: 28, hour: 15, minute: 12, second: 3, microsecond: 250),
            NaiveDateTime(year: 10_000, month: 1, day: 1), NaiveDateTime(year: -1, month: 1, day: 1),
            NaiveDateTime(year: 2024, month: -3, day: 100, hour: 7, minute: 0, second: 0, microsecond: -5),
            NaiveDateTime(year: 2024, month: 1, day: 1, microsecond: 1_000_000),
        ]
        for n in cases {
            #expect(n.text == formatText(n), "\(n)")
            #expect(n.text(separator: UInt8(ascii: "T")) == formatText(n).replacingOccurrences(of: " ", with: "T"), "\(n)")
        }
        #expect(NaiveDateTime(year: 2024, month: 8, day: 28, hour: 15, minute: 12, second: 3).resolve(in: nil).localWallClock
                == "2024-08-28T15:12:03")
    }

    @Test func naiveTimeInSeoulIsAssumedZone() throws {
        let naive = NaiveDateTime(year: 2024, month: 8, day: 28, hour: 15, minute: 12, second: 3)
        let t = naive.resolve(in: try #require(TimeZone(identifier: "Asia/Seoul")), raw: "28.08.2024 15:12:03")
        #expect(t.basis == .assumedZone)
        #expect(t.utcString == "2024-08-28T06:12:03Z")
        #expect(t.raw == "28.08.2024 15:12:03")
        #expect(t.localWallClock == "2024-08-28T15:12:03")
        #expect(t.alternateUTCMicros == nil)
    }

    @Test func naiveTimeWithoutZoneHasNoInstant() {
        let t = NaiveDateTime(year: 2024, month: 8, day: 28, hour: 15, minute: 12).resolve(in: nil)
        #expect(t.basis == .unknown)
        #expect(t.utcMicros == nil)
        #expect(t.localWallClock == "2024-08-28T15:12:00")
    }

    @Test func dstFoldKeepsBothInstants() throws {
        // 2024-11-03 01:30 happens twice in New York (EDT, then EST).
        let ny = try #require(TimeZone(identifier: "America/New_York"))
        let t = NaiveDateTime(year: 2024, month: 11, day: 3, hour: 1, minute: 30).resolve(in: ny)
        #expect(t.utcString == "2024-11-03T05:30:00Z")
        #expect(t.alternateUTCMicros.map(UTCFormat.string(micros:)) == "2024-11-03T06:30:00Z")
        #expect(t.note?.contains("ambiguous") == true)
    }

    @Test func dstGapIsFlagged() throws {
        // 2024-03-10 02:30 does not exist in New York.
        let ny = try #require(TimeZone(identifier: "America/New_York"))
        let t = NaiveDateTime(year: 2024, month: 3, day: 10, hour: 2, minute: 30).resolve(in: ny)
        #expect(t.utcString == "2024-03-10T07:30:00Z")
        #expect(t.note?.contains("DST gap") == true)
    }

    @Test func invalidDateIsNotAnInstant() throws {
        let t = NaiveDateTime(year: 2023, month: 2, day: 29).resolve(in: TimeZone(identifier: "UTC"))
        #expect(t.utcMicros == nil)
        #expect(t.basis == .unknown)
    }

    @Test func offsetTimes() {
        let t = NaiveDateTime(year: 2024, month: 8, day: 28, hour: 15, minute: 12, second: 3)
            .withOffset(seconds: 9 * 3600, raw: "2024:08:28 15:12:03+09:00")
        #expect(t.basis == .offset)
        #expect(t.utcString == "2024-08-28T06:12:03Z")
    }

    @Test func wallClockRoundTrip() throws {
        let n = NaiveDateTime(year: 1999, month: 12, day: 31, hour: 23, minute: 59, second: 58, microsecond: 250)
        let back = try #require(NaiveDateTime(wallClock: n.resolve(in: nil).localWallClock ?? ""))
        #expect(back == n)
    }

    @Test(arguments: [
        ("2024-08-01", "2024-08-01T00:00:00Z", true),
        ("2024-08-01T15:12", "2024-08-01T15:12:00Z", false),
        ("2024-08-01T15:12:03Z", "2024-08-01T15:12:03Z", false),
        ("2024-08-01T15:12:03+09:00", "2024-08-01T06:12:03Z", false),
        ("2024-08-01 15:12:03.5-0400", "2024-08-01T19:12:03.500000Z", false),
        ("2024-02-29T23:00:00+09", "2024-02-29T14:00:00Z", false),
        ("2024-08-01T15:12:03z", "2024-08-01T15:12:03Z", false),
    ])
    func parsesUserInstants(input: String, expected: String, dateOnly: Bool) throws {
        let parsed = try #require(UTCFormat.parseUserInstant(input))
        #expect(UTCFormat.string(micros: parsed.micros) == expected)
        #expect(parsed.dateOnly == dateOnly)
    }

    @Test(arguments: ["", "2024-13-01", "2024-08-01T25:00", "yesterday", "2024-08-01T10:00+9",
                      "2024-02-31", "2023-02-29T10:00", "2024-01-01T00:00:00+99:99", "2024-01-01T00:00:00+19:00",
                      "2024-01-01T00:00:00+09:60", "2024-01-01T00:00:00 +09:00"])
    func rejectsBadInstants(input: String) {
        #expect(UTCFormat.parseUserInstant(input) == nil)
    }
}
