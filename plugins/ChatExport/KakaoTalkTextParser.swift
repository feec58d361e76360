import Foundation
import ExhibitKit

/// KakaoTalk text exports: Android and iOS (Korean and English), and the Windows PC export
/// (dashed day lines, `[Name] [time] text`). Mobile lines carry the full date and time; PC lines only
/// the time, dated by the day line above. The exporting user appears as a placeholder (`회원님`,
/// `you`, `You`) on mobile: one participant flagged as the device owner.
///
/// Two passes: the first reads the header and decides the variant and placeholder (the chat is
/// reported before its first message), the second emits.
struct KakaoTalkTextParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    static let chatKey = "chat"

    private struct Survey {
        var title: String?
        var saved: TimeValue?
        var pc = 0, mobile = 0, iOSStamps = 0, timeFirst = 0, weekdayDays = 0, colonSystem = 0, twelveHour = 0
        var placeholder: String?
    }

    func parse() throws {
        let reader = TextLineReader(file: file)
        var s = Survey()
        let report = try reader.forEachLine { line in
            let text = { line.string }
            if line.number <= 3, s.title == nil, let t = KakaoGrammar.title(text()) { s.title = t; return true }
            if line.number <= 4, s.saved == nil, let d = KakaoGrammar.savedDate(text(), zone: zone) { s.saved = d; return true }
            switch KakaoGrammar.classify(line.bytes) {
            case .day(_, let weekday, let pc):
                if pc { s.pc += 1 } else if weekday { s.weekdayDays += 1 }
            case .message(let stamp, let name, _):
                s.mobile += 1
                if stamp.iOSStyle { s.iOSStamps += 1 }
                if stamp.timeFirst { s.timeFirst += 1 }
                if stamp.clock.twelveHour { s.twelveHour += 1 }
                if s.placeholder == nil, KakaoGrammar.placeholders.contains(name) { s.placeholder = name }
            case .system(let stamp, _, let colon):
                if colon { s.colonSystem += 1 }
                if stamp.iOSStyle { s.iOSStamps += 1 }
            case .pcMessage(_, let clock, _, _):
                s.pc += 1
                if clock.twelveHour { s.twelveHour += 1 }
            case .other: break
            }
            return true
        }
        let pc = s.pc > s.mobile
        guard pc || s.mobile > 0 else {
            emitter.warning("not-an-export", "no KakaoTalk message line found; nothing read")
            WhatsAppTextParser.reportDecoding(report, emitter)
            return
        }
        // Time-first stamps are the Android app's (English UI, 2015-era), whatever its day lines.
        let iOS = !pc && s.timeFirst * 2 <= s.mobile && (s.weekdayDays > 0 || s.colonSystem > 0 || s.iOSStamps * 2 > s.mobile)
        let format: ChatExportFormat = pc ? .kakaoTalkWindows : (iOS ? .kakaoTalkIOS : .kakaoTalkAndroid)
        var chat = ChatInfo(chatKey: Self.chatKey, platform: .kakaotalk, format: format,
                            title: s.title ?? file.name, exportedAt: s.saved, exportingUserPlaceholder: pc ? nil : s.placeholder,
                            clock: s.twelveHour > 0 ? .twelveHour : .twentyFourHour,
                            location: SourceLocation(offset: 0, record: "line 1"))
        if s.title == nil { chat.notes.append("no header line; title from the file name") }
        if report.encoding != .utf8 { chat.notes.append("decoded from \(report.encoding.rawValue)") }
        emitter.chat(chat)
        try emit(reader, placeholder: pc ? nil : s.placeholder, pc: pc)
        WhatsAppTextParser.reportDecoding(report, emitter)
    }

    private func emit(_ reader: TextLineReader, placeholder: String?, pc: Bool) throws {
        var pending: MessageRecord?
        var day: (Int, Int, Int)?
        var blanks = 0
        let resolver = ZoneResolver(zone: zone)
        func flush() {
            blanks = 0
            guard var m = pending else { return }
            if m.kind == .message { KakaoGrammar.markers(&m) }
            emitter.message(m)
            pending = nil
        }
        func record(_ kind: MessageKind, name: String?, text: String, sent: TimeValue?, line: TextLine) -> MessageRecord {
            MessageRecord(chatKey: Self.chatKey, sequence: 0, kind: kind, senderName: name,
                          fromDeviceOwner: name != nil && name == placeholder, sent: sent, text: text, location: line.location)
        }
        try reader.forEachLine { line in
            switch KakaoGrammar.classify(line.bytes) {
            case .day(let date, _, _):
                flush()
                if let date { day = date }
            case .message(let st, let name, let text):
                flush()
                let sent = resolver.value(year: st.year, month: st.month, day: st.day, clock: st.clock, raw: st.raw)
                pending = record(.message, name: name, text: text, sent: sent, line: line)
            case .system(let st, let text, _):
                flush()
                let sent = resolver.value(year: st.year, month: st.month, day: st.day, clock: st.clock, raw: st.raw)
                pending = record(.system, name: nil, text: text, sent: sent, line: line)
            case .pcMessage(let name, let clock, let raw, let text):
                flush()
                let sent = resolver.value(underDayLine: day, clock: clock, raw: raw)
                pending = record(.message, name: name, text: text, sent: sent, line: line)
            case .other:
                if line.isBlank { if pending != nil { blanks += 1 }; return true }
                let text = line.string
                if pc, day != nil, KakaoGrammar.isPCSystemLine(text) {
                    flush()
                    pending = record(.system, name: nil, text: text, sent: nil, line: line)
                    return true
                }
                guard pending != nil else { return true }  // header lines before the first message
                // Blank lines inside a message are kept; blank lines before a day line are not.
                pending?.text += String(repeating: "\n", count: blanks + 1) + text
                blanks = 0
            }
            return true
        }
        flush()
    }
}
