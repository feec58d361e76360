import Foundation
import ExhibitKit

/// One line of a KakaoTalk text export, classified.
enum KakaoLine {
    /// A day separator: mobile `2024년 8월 28일 수요일`, `Wednesday, August 28, 2024`, or a bare
    /// timestamp (Android); PC `--------------- … ---------------`.
    case day(date: (Int, Int, Int)?, weekday: Bool, pc: Bool)
    /// Mobile `stamp, Name : text`.
    case message(stamp: KakaoStamp, name: String, text: String)
    /// Mobile `stamp, text` (Android) or `stamp: text` (iOS) with no `Name :`.
    case system(stamp: KakaoStamp, text: String, colon: Bool)
    /// PC `[Name] [clock] text`.
    case pcMessage(name: String, clock: ClockReading, raw: String, text: String)
    case other
}

/// A parsed mobile timestamp and how it was written.
struct KakaoStamp {
    var year: Int, month: Int, day: Int
    var clock: ClockReading
    var raw: String
    /// `2024. 8. 28.` (iOS Korean) or `Aug 28, 2024` (iOS English) rather than the Android forms.
    var iOSStyle: Bool
    /// Clock before the date (`8:34pm, July 9, 2015`): the Android app's English UI around 2015.
    var timeFirst = false
}

enum KakaoGrammar {
    static let placeholders: Set<String> = ["회원님", "you", "You", "나"]
    static let missingReason = "KakaoTalk text exports name the media kind only"
    static let mediaWords: [String: AttachmentKind] = [
        "사진": .photo, "동영상": .video, "이모티콘": .sticker, "음성메시지": .voice, "Photo": .photo, "Video": .video,
        "Emoticons": .sticker, "Emoticon": .sticker, "Voice Message": .voice, "Voice message": .voice,
    ]
    static let deleted: Set<String> = ["메시지가 삭제되었습니다.", "삭제된 메시지입니다.", "This message has been deleted.",
                                       "Deleted message.", "This message was deleted."]
    /// PC exports write system notices as bare lines; only these shapes are taken as notices
    /// (anything else without `[Name] [time]` continues the previous message).
    static func isPCSystemLine(_ s: String) -> Bool {
        let t = Invisible.matchingForm(s)
        if t.contains("님이") || t.contains("님을"), pcNoticeSuffixesKo.contains(where: { t.hasSuffix($0) }) { return true }
        return t.hasSuffix(".") && pcNoticePhrasesEn.contains { t.contains($0) }
    }
    static let pcNoticeSuffixesKo = ["초대했습니다.", "초대하였습니다.", "나갔습니다.", "들어왔습니다.", "내보냈습니다.", "님이 입장했습니다."]
    static let pcNoticePhrasesEn = [" invited ", " left this chatroom", " left the chatroom", " joined this chatroom", " has left", " was removed"]

    /// Byte literals the line grammar matches on every line, built once.
    static let yearWord = Array("년".utf8), monthWord = Array("월".utf8), dayWord = Array("일".utf8)
    static let pcDayRule = Array("----------".utf8)

    /// Parses a leading mobile date (Korean `2024년 8월 28일`, dotted `2024. 8. 28.`, English
    /// `August 28, 2024` / `Aug 28, 2024`) and returns (y, m, d, iOS-style).
    static func date(_ c: inout ByteCursor) -> (Int, Int, Int, Bool)? {
        let start = c.i
        if let y = c.number(maxDigits: 4), y.digits == 4 {
            c.skipSpaces()
            if c.consume(yearWord) {
                c.skipSpaces()
                guard let m = c.number(maxDigits: 2), c.consume(monthWord) else { c.i = start; return nil }
                c.skipSpaces()
                guard let d = c.number(maxDigits: 2), c.consume(dayWord) else { c.i = start; return nil }
                return (y.value, m.value, d.value, false)
            }
            if c.consume(0x2E) {
                c.skipSpaces()
                guard let m = c.number(maxDigits: 2), c.consume(0x2E) else { c.i = start; return nil }
                c.skipSpaces()
                guard let d = c.number(maxDigits: 2), c.consume(0x2E) else { c.i = start; return nil }
                return (y.value, m.value, d.value, true)
            }
            c.i = start
            return nil
        }
        c.i = start
        if let month = c.consumeAny(MonthNames.english) {
            let abbreviated = c.i - start <= 4
            c.skipSpaces()
            guard let d = c.number(maxDigits: 2), c.consume(0x2C) else { c.i = start; return nil }
            c.skipSpaces()
            guard let y = c.number(maxDigits: 4), y.digits == 4 else { c.i = start; return nil }
            return (y.value, month, d.value, abbreviated)
        }
        return nil
    }

    /// `8:34pm, July 9, 2015` (time first, English month name). Leaves the cursor where it was
    /// when the line does not start so.
    static func timeFirst(_ c: inout ByteCursor) -> (ClockReading, Int, Int, Int)? {
        let start = c.i
        guard let b = c.peek, b >= 0x30, b <= 0x39, let clock = c.clock(), c.consume(0x2C) else { c.i = start; return nil }
        c.skipSpaces()
        guard let (y, m, d, _) = date(&c) else { c.i = start; return nil }
        return (clock, y, m, d)
    }

    static func classify(_ bytes: UnsafeRawBufferPointer) -> KakaoLine {
        var c = ByteCursor(bytes)
        c.skipMarks()
        if c.hasPrefix(pcDayRule) { return .day(date: pcDay(c.rest), weekday: true, pc: true) }
        if c.peek == 0x5B { return pcMessage(c) }
        let start = c.i
        // English weekday day line (iOS): "Wednesday, August 28, 2024".
        var w = c
        if w.consumeAny(MonthNames.englishWeekdays) != nil, w.consume(0x2C) {
            w.skipSpaces()
            if let (y, m, d, _) = date(&w) { return .day(date: (y, m, d), weekday: true, pc: false) }
        }
        let stamp: KakaoStamp
        if let (y, m, d, iOS) = date(&c) {
            let afterDate = c.i
            _ = c.consume(0x2C)
            c.skipSpaces()
            if c.consumeAny(MonthNames.koreanWeekdays) != nil { return .day(date: (y, m, d), weekday: true, pc: false) }
            guard let clock = c.clock() else { c.i = afterDate; return .other }
            stamp = KakaoStamp(year: y, month: m, day: d, clock: clock, raw: c.string(start, c.i), iOSStyle: iOS)
        } else if let (clock, y, m, d) = timeFirst(&c) {
            stamp = KakaoStamp(year: y, month: m, day: d, clock: clock, raw: c.string(start, c.i), iOSStyle: false, timeFirst: true)
        } else {
            return .other
        }
        let (y, m, d) = (stamp.year, stamp.month, stamp.day)
        c.skipMarks()
        if c.atEnd { return .day(date: (y, m, d), weekday: false, pc: false) }
        if c.consume([0x3A, 0x20]) { return .system(stamp: stamp, text: c.rest, colon: true) }
        guard c.consume([0x2C, 0x20]) else { return .other }
        let bodyStart = c.i
        if let sep = c.find([0x20, 0x3A, 0x20], from: bodyStart) {
            return .message(stamp: stamp, name: c.string(bodyStart, sep), text: c.string(sep + 3, bytes.count))
        }
        return .system(stamp: stamp, text: c.rest, colon: false)
    }

    /// `[Name] [오후 3:01] text`.
    private static func pcMessage(_ start: ByteCursor) -> KakaoLine {
        var c = start
        guard let close = c.find([0x5D, 0x20, 0x5B], from: c.i + 1) else { return .other }
        let name = c.string(c.i + 1, close)
        c.i = close + 3
        let clockStart = c.i
        guard let clock = c.clock(), c.peek == 0x5D else { return .other }
        let raw = c.string(clockStart, c.i)
        c.i += 1
        _ = c.consume(0x20)
        return .pcMessage(name: name, clock: clock, raw: raw, text: c.rest)
    }

    /// The date inside a PC day line (`2024년 8월 28일 수요일`, `Wednesday, August 28, 2024`).
    private static func pcDay(_ s: String) -> (Int, Int, Int)? {
        let inner = s.trimmingCharacters(in: CharacterSet(charactersIn: "- "))
        return ByteCursor.reading(inner) { c -> (Int, Int, Int)? in
            if c.consumeAny(MonthNames.englishWeekdays) != nil { _ = c.consume(0x2C); c.skipSpaces() }
            guard let (y, m, d, _) = date(&c) else { return nil }
            return (y, m, d)
        }
    }

    /// `민지 님과 카카오톡 대화`, `KakaoTalk Chats with Minji`, `Minji KakaoTalk Chats` → the name.
    static func title(_ line: String) -> String? {
        let t = Invisible.matchingForm(line)
        for suffix in [" 님과 카카오톡 대화", "님과 카카오톡 대화", " KakaoTalk Chats"] where t.hasSuffix(suffix) {
            return String(t.dropLast(suffix.count))
        }
        if t.hasPrefix("KakaoTalk Chats with ") {
            var name = String(t.dropFirst("KakaoTalk Chats with ".count))
            if let paren = name.range(of: " (", options: .backwards) { name = String(name[..<paren.lowerBound]) }
            return name
        }
        return nil
    }

    /// The `저장한 날짜 :` / `Date Saved :` value, in any of the stamp forms or `2024-08-30 22:15:41`.
    static func savedDate(_ line: String, zone: TimeZone?) -> TimeValue? {
        let t = Invisible.matchingForm(line)
        guard let colon = t.range(of: ":"), t.hasPrefix("저장한 날짜") || t.hasPrefix("Date Saved") else { return nil }
        let value = t[colon.upperBound...].trimmingCharacters(in: .whitespaces)
        return stampValue(value, zone: zone)
    }

    /// Parses a stand-alone date-time in any KakaoTalk form (also ISO `2024-08-30 22:15:41`).
    static func stampValue(_ value: String, zone: TimeZone?) -> TimeValue? {
        if let iso = TelegramMessageMapper.isoLocal(value.replacingOccurrences(of: " ", with: "T")) {
            return iso.resolve(in: zone, raw: value, precision: .second, note: PhoneLocalTime.phoneNote)
        }
        return ByteCursor.reading(value) { c -> TimeValue? in
            if let (clock, y, m, d) = timeFirst(&c) {
                return PhoneLocalTime.value(year: y, month: m, day: d, clock: clock, raw: value, zone: zone)
            }
            guard let (y, m, d, _) = date(&c) else { return nil }
            _ = c.consume(0x2C); c.skipSpaces()
            guard let clock = c.clock() else { return nil }
            return PhoneLocalTime.value(year: y, month: m, day: d, clock: clock, raw: value, zone: zone)
        }
    }

    /// Attachment and deletion markers in a message text.
    static func markers(_ m: inout MessageRecord) {
        let t = Invisible.matchingForm(m.text)
        if let kind = mediaWords[t] ?? (t.hasPrefix("사진 ") && t.hasSuffix("장") ? .photo : nil) {
            m.attachments.append(AttachmentRef(reference: nil, resolvedPath: nil, kind: kind, missingReason: missingReason))
        } else if t.hasPrefix("파일: ") || t.hasPrefix("File: ") {
            let name = String(t.dropFirst(t.hasPrefix("파일: ") ? 4 : 6))
            m.attachments.append(AttachmentRef(reference: name, resolvedPath: nil, kind: .file, fileName: name,
                                               missingReason: missingReason))
        } else if deleted.contains(t) {
            m.deleted = true
        }
    }
}
