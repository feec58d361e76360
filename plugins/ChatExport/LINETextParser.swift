import Foundation
import ExhibitKit

/// LINE "Save chat history" text: `[LINE] Chat history with NAME` / `Saved on: …`, then day lines
/// (`Wed, 8/28/2024`, `2024. 8. 28. (수)`, `2024/08/28(Wed)`) and tab-separated lines
/// `time<TAB>sender<TAB>text` (`time<TAB>text` for notices). A text that spans lines is quoted.
struct LINETextParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    static let chatKey = "chat"
    static let missingReason = "LINE text exports name the media kind only"
    static let mediaWords: [String: AttachmentKind] = [
        "[Photo]": .photo, "[Video]": .video, "[Sticker]": .sticker, "[File]": .file, "[Voice message]": .voice,
        "[사진]": .photo, "[동영상]": .video, "[스티커]": .sticker, "[파일]": .file, "[음성메시지]": .voice,
        "[写真]": .photo, "[動画]": .video, "[スタンプ]": .sticker, "[ファイル]": .file,
    ]

    func parse() throws {
        var title: String?, saved: TimeValue?
        var day: (Int, Int, Int)?
        var pending: MessageRecord?
        var quoted = false
        var chatEmitted = false
        let resolver = ZoneResolver(zone: zone)
        func emitChat() {
            guard !chatEmitted else { return }
            chatEmitted = true
            emitter.chat(ChatInfo(chatKey: Self.chatKey, platform: .line, format: .lineText, title: title, exportedAt: saved,
                                  location: SourceLocation(offset: 0, record: "line 1")))
        }
        func flush() {
            guard var m = pending else { return }
            pending = nil
            if let kind = Self.mediaWords[Invisible.matchingForm(m.text)], m.kind == .message {
                m.attachments.append(AttachmentRef(reference: nil, resolvedPath: nil, kind: kind, missingReason: Self.missingReason))
            }
            emitChat()
            emitter.message(m)
        }
        let report = try TextLineReader(file: file).forEachLine { line in
            let text = line.string
            if quoted, pending != nil {
                // Inside a quoted multi-line text: the closing quote ends it.
                if text.hasSuffix("\"") { pending?.text += "\n" + String(text.dropLast()); quoted = false } else { pending?.text += "\n" + text }
                return true
            }
            if line.number <= 2 {
                let t = Invisible.matchingForm(text)
                if t.hasPrefix("[LINE]") { title = Self.title(t); return true }
                if let colon = t.firstIndex(where: { $0 == ":" || $0 == "：" }), t.hasPrefix("Saved on") || t.hasPrefix("저장한 날짜") || t.hasPrefix("保存日時") {
                    let value = t[t.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    saved = Self.savedTime(value, zone: zone)
                    return true
                }
            }
            if line.isBlank { return true }
            if let d = Self.dayLine(line.bytes) { flush(); day = d; return true }
            var c = ByteCursor(line.bytes)
            let clockStart = c.i
            if let clock = c.clock(allowTrailingPeriod: true), c.peek == 0x09 {
                flush()
                let raw = c.string(clockStart, c.i)
                c.i += 1
                let rest = c.rest
                let parts = rest.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
                let sent = resolver.value(underDayLine: day, clock: clock, raw: raw)
                if parts.count == 2 {
                    var body = String(parts[1])
                    if body.hasPrefix("\"") && !(body.count > 1 && body.hasSuffix("\"")) { quoted = true; body.removeFirst() }
                    else if body.count > 1, body.hasPrefix("\""), body.hasSuffix("\""), body.contains("\n") { body = String(body.dropFirst().dropLast()) }
                    pending = MessageRecord(chatKey: Self.chatKey, sequence: 0, senderName: String(parts[0]), sent: sent, text: body,
                                            location: line.location)
                } else {
                    pending = MessageRecord(chatKey: Self.chatKey, sequence: 0, kind: .system, sent: sent, text: rest, location: line.location)
                }
                return true
            }
            pending?.text += "\n" + text
            return true
        }
        flush()
        emitChat()
        if quoted { emitter.warning("truncated-text", "the file ends inside a quoted message") }
        WhatsAppTextParser.reportDecoding(report, emitter)
    }

    static func title(_ t: String) -> String? {
        var s = t.dropFirst("[LINE]".count).trimmingCharacters(in: .whitespaces)
        for p in ["Chat history with ", "Chat history in ", "Chat with "] where s.hasPrefix(p) { s = String(s.dropFirst(p.count)) }
        for suffix in ["님과의 대화", "과의 대화", "와의 대화", "とのトーク履歴", "のトーク履歴"] where s.hasSuffix(suffix) { s = String(s.dropLast(suffix.count)) }
        return s.isEmpty ? nil : s
    }

    /// `8/30/2024, 22:15` (month first), `2024. 8. 30. 22:15`, `2024/08/30 22:15`.
    static func savedTime(_ value: String, zone: TimeZone?) -> TimeValue? {
        return ByteCursor.reading(value) { c -> TimeValue? in
            guard let (y, m, d) = date(&c) else { return nil }
            _ = c.consume(0x2C); c.skipSpaces()
            guard let clock = c.clock() else { return nil }
            return PhoneLocalTime.value(year: y, month: m, day: d, clock: clock, raw: value, zone: zone)
        }
    }

    /// A day line: optional English weekday + `, `, a date, optional `(weekday)` or weekday word.
    static func dayLine(_ bytes: UnsafeRawBufferPointer) -> (Int, Int, Int)? {
        var c = ByteCursor(bytes)
        c.skipMarks()
        if c.consumeAny(MonthNames.englishWeekdays) != nil {
            guard c.consume(0x2C) else { return nil }
            c.skipSpaces()
        }
        guard let d = date(&c) else { return nil }
        c.skipSpaces()
        if c.atEnd || c.peek == 0x28 { return d }  // "(수)", "(Wed)"
        if c.consumeAny(MonthNames.englishWeekdays) != nil || c.consumeAny(MonthNames.koreanWeekdays) != nil { return c.atEnd ? d : nil }
        return nil
    }

    /// `M/D/YYYY`, `YYYY/MM/DD`, `YYYY. M. D.`, `YYYY.MM.DD`.
    static func date(_ c: inout ByteCursor) -> (Int, Int, Int)? {
        let start = c.i
        guard let n = c.numericDate() else { return nil }
        if n.firstDigits == 4 { return (n.first, n.second, n.third) }
        guard n.thirdDigits == 4 else { c.i = start; return nil }
        return (n.third, n.first, n.second)  // LINE's English export writes month first
    }
}
