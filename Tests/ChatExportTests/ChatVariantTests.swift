import Foundation
import Testing
import ExhibitKit
import ExhibitTesting
@testable import ChatExport

/// Export variants that read as nothing before (issue 14, item 5): non-Gregorian calendars,
/// Arabic-Indic digits, time-first stamps. Whole-file behaviour is in the goldens
/// (corpora/chat/whatsapp/ios-ar, ios-vi, ios-buddhist, ios-japanese-era, kakaotalk/android-en-2015);
/// these pin single lines, the conversions and the look-alikes that must stay unread.
@Suite("Chat variants Time", .tags(.timeZone))
struct ChatVariantTimeTests {
    static func whatsApp(_ lines: [String]) async throws -> Split {
        try await ChatHostileTests.run(Data(lines.joined(separator: "\r\n").utf8), path: "e.zip!/WhatsApp Chat - X.zip!/_chat.txt")
    }

    /// The issue's own example: 2565 BE is 2022 CE; the raw value stays as written and the note
    /// says what was converted.
    @Test func buddhistYearIsConvertedAndNoted() async throws {
        let r = try await Self.whatsApp(["[3/18/2565 BE, 14:56:01] Dmitry: Hello", "[3/27/2565 BE, 21:41:35] Elon: Hi"])
        try #require(r.messages.count == 2)
        let t = try #require(r.messages[0].sent)
        #expect(t.raw == "3/18/2565 BE, 14:56:01")
        #expect(t.utcString == "2022-03-18T14:56:01Z")
        #expect(t.note == PhoneLocalTime.phoneNote + "; year 2565 BE (Buddhist calendar, device setting) read as 2022 CE")
        #expect(r.chats.first?.notes.contains { $0.contains("Buddhist calendar") } == true)
        #expect(r.messages.map(\.senderName) == ["Dmitry", "Elon"])
    }

    /// `R4` = Reiwa 4 = 2022; `H31` = Heisei 31 = 2019 (the year Reiwa began).
    @Test(arguments: [("[3/18/R4, 14:56:01] A: x", "2022-03-18T14:56:01Z", "year R4 (Japanese calendar, Reiwa 4, device setting) read as 2022 CE"),
                      ("[4/30/H31, 09:00:00] A: x", "2019-04-30T09:00:00Z", "year H31 (Japanese calendar, Heisei 31, device setting) read as 2019 CE"),
                      ("[12/30/S63, 09:00:00] A: x", "1988-12-30T09:00:00Z", "year S63 (Japanese calendar, Shōwa 63, device setting) read as 1988 CE")])
    func japaneseEraYear(_ line: String, _ utc: String, _ note: String) async throws {
        let r = try await Self.whatsApp([line, line])
        let t = try #require(r.messages.first?.sent)
        #expect(t.utcString == utc)
        #expect(t.note == PhoneLocalTime.phoneNote + "; " + note)
    }

    /// Arabic-Indic digits, RLM inside the date, the Arabic comma, ALM before م; a contact shown
    /// as a phone number in LRE…PDF is one participant, its text keeps every mark.
    @Test func arabicLine() async throws {
        let line = "[٢٨\u{200F}/٨\u{200F}/٢٠٢٤\u{060C} ٣:٠٦:٠٠ \u{061C}م] \u{202A}+82 10-1234-5678\u{202C}: \u{200F}نعم"
        let r = try await Self.whatsApp([line, line.replacingOccurrences(of: "٣:٠٦", with: "٩:٤٠").replacingOccurrences(of: "م]", with: "ص]")])
        try #require(r.messages.count == 2)
        #expect(r.messages.map { $0.sent?.utcString } == ["2024-08-28T15:06:00Z", "2024-08-28T09:40:00Z"])
        #expect(r.messages[0].sent?.raw == "٢٨\u{200F}/٨\u{200F}/٢٠٢٤\u{060C} ٣:٠٦:٠٠ \u{061C}م")
        #expect(r.participants.map(\.displayName) == ["+82 10-1234-5678"])
        #expect(r.messages[0].text == "\u{200F}نعم")
    }

    /// `م` starting an Arabic word after a 24-hour time is text, not the evening marker.
    @Test func arabicWordAfterTwentyFourHourClock() throws {
        let line = Array("١٥:٠٦ مرحبا".utf8)
        let clock = line.withUnsafeBytes { raw -> ClockReading? in var c = ByteCursor(raw); return c.clock() }
        #expect(clock?.hour == 15 && clock?.minute == 6 && clock?.twelveHour == false)
        let evening = Array("٣:٠٦ م]".utf8)
        let pm = evening.withUnsafeBytes { raw -> ClockReading? in var c = ByteCursor(raw); return c.clock() }
        #expect(pm?.hour == 15 && pm?.twelveHour == true)
    }

    /// Vietnamese iOS writes the time first.
    @Test func timeFirstBracket() async throws {
        let r = try await Self.whatsApp(["[14:56:01, 3/18/22] Lan: Chào", "[09:05:00, 3/19/22] Minh: Xem rồi"])
        #expect(r.messages.map { $0.sent?.utcString } == ["2022-03-18T14:56:01Z", "2022-03-19T09:05:00Z"])
        #expect(r.messages.map { $0.sent?.raw } == ["14:56:01, 3/18/22", "09:05:00, 3/19/22"])
        #expect(r.chats.first?.dateOrder?.order == .monthDayYear)
    }

    /// Look-alikes stay prose: `BE` glued to a word, an era letter without a year, an unknown
    /// era initial, time first outside brackets.
    @Test(arguments: ["[3/18/2565 BEST, 14:56:01] A: x", "[3/18/R, 14:56:01] A: x", "[3/18/Q4, 14:56:01] A: x",
                      "14:56:01, 3/18/22 - A: x", "[14:56:01 3/18] A: x"])
    func lookAlikesAreNotHeaders(_ line: String) async throws {
        let r = try await Self.whatsApp([line, line, line])
        #expect(r.messages.isEmpty)
    }

    /// KakaoTalk Android, English UI, 2015: `8:34pm, July 9, 2015, name : text`.
    @Test func kakaoTimeFirstLine() throws {
        let line = Array("8:34pm, July 9, 2015, Minji : hello : there".utf8)
        let kind = line.withUnsafeBytes { KakaoGrammar.classify($0) }
        guard case .message(let stamp, let name, let text) = kind else { Issue.record("not a message: \(kind)"); return }
        #expect(stamp.raw == "8:34pm, July 9, 2015" && stamp.timeFirst && !stamp.iOSStyle)
        #expect((stamp.year, stamp.month, stamp.day, stamp.clock.hour, stamp.clock.minute) == (2015, 7, 9, 20, 34))
        #expect(name == "Minji" && text == "hello : there")
        // A continuation line that merely starts with a time is not a stamp.
        let prose = Array("8:34pm, see you then".utf8)
        guard case .other = prose.withUnsafeBytes({ KakaoGrammar.classify($0) }) else { Issue.record("prose read as a stamp"); return }
    }
}
