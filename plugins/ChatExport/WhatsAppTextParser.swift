import Foundation
import ExhibitKit

/// WhatsApp "Export chat" text (Android and iOS, any locale the line grammar knows).
///
/// Two passes over the lines: the first surveys every timestamp to decide the day/month order
/// from the whole file (a day > 12 proves it; otherwise the reading is assumed and recorded as
/// such) and where the chat really ends; the second emits messages. Neither pass keeps more than
/// one message in memory.
struct WhatsAppTextParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    static let chatKey = "chat"
    /// A run of unparsable lines after the last message longer than this, in a file where most
    /// lines do not parse, is not treated as the last message's continuation.
    static let trailingJunkLines = 20

    /// What the first pass learned.
    struct Survey {
        var headers = 0, iOSHeaders = 0, nonBlank = 0, twelveHour = 0
        var yearFirst = 0, spacedDots = 0
        var maxFirst = 0, maxSecond = 0
        var firstProvingDMY: Int?, firstProvingMDY: Int?
        var slash = 0
        var lastHeaderLine = 0
        var linesAfterLastHeader = 0
        var language: String?
        /// Headers whose year is in the Buddhist or a Japanese-era calendar.
        var buddhist = 0, japanese = 0
    }

    func survey(_ reader: TextLineReader) throws -> (Survey, TextReadReport) {
        var s = Survey()
        let report = try reader.forEachLine { line in
            if !line.isBlank { s.nonBlank += 1 }
            guard let h = WhatsAppGrammar.header(line.bytes) else {
                if !line.isBlank { s.linesAfterLastHeader += 1 }
                return true
            }
            s.headers += 1
            s.lastHeaderLine = line.number
            s.linesAfterLastHeader = 0
            if h.iOS { s.iOSHeaders += 1 }
            if h.clock.twelveHour { s.twelveHour += 1 }
            switch h.date.calendar {
            case .gregorian: break
            case .buddhist: s.buddhist += 1
            case .japanese: s.japanese += 1
            }
            if h.date.separator == 0x2F { s.slash += 1 }
            if s.language == nil, let last = line.bytes.last, last == 0x29 || last == 0x3E {
                let body = Invisible.matchingForm(ByteCursor(line.bytes, at: h.bodyStart).rest)
                s.language = WhatsAppGrammar.phraseLanguage.first { body.contains($0.key) }?.value
            }
            if h.date.firstDigits == 4 { s.yearFirst += 1; return true }
            if h.spacedDots { s.spacedDots += 1; return true }
            s.maxFirst = max(s.maxFirst, h.date.first)
            s.maxSecond = max(s.maxSecond, h.date.second)
            if h.date.first > 12, s.firstProvingDMY == nil { s.firstProvingDMY = line.number }
            if h.date.second > 12, s.firstProvingMDY == nil { s.firstProvingMDY = line.number }
            return true
        }
        return (s, report)
    }

    /// Chooses the date order from the survey; proven only when some date can be read one way only.
    static func decideOrder(_ s: Survey) -> DateOrderDecision {
        if s.yearFirst * 2 > s.headers {
            return DateOrderDecision(order: .yearMonthDay, proven: true, reason: "four-digit year first")
        }
        if s.spacedDots * 2 > s.headers {
            return DateOrderDecision(order: .yearMonthDay, proven: false,
                                     reason: "`yy. m. d.` style (Korean locale): year first assumed")
        }
        switch (s.firstProvingDMY, s.firstProvingMDY) {
        case (let d?, nil):
            return DateOrderDecision(order: .dayMonthYear, proven: true, reason: "line \(d): first field > 12 can only be a day")
        case (nil, let m?):
            return DateOrderDecision(order: .monthDayYear, proven: true, reason: "line \(m): second field > 12 can only be a day")
        case (let d?, let m?):
            return DateOrderDecision(order: d < m ? .dayMonthYear : .monthDayYear, proven: false,
                                     reason: "conflicting: line \(d) reads only day-first, line \(m) only month-first")
        case (nil, nil):
            if s.slash * 2 > s.headers && s.twelveHour * 2 > s.headers {
                return DateOrderDecision(order: .monthDayYear, proven: false,
                                         reason: "no field > 12; slashes with a 12-hour clock (en-US style) assumed month first")
            }
            return DateOrderDecision(order: .dayMonthYear, proven: false,
                                     reason: "no field > 12; day first assumed (most locales)")
        }
    }

    func parse() throws {
        let reader = TextLineReader(file: file)
        let (survey, report) = try survey(reader)
        guard survey.headers > 0 else {
            emitter.warning("not-an-export", "no line starts with a WhatsApp timestamp; nothing read")
            return
        }
        let order = Self.decideOrder(survey)
        let iOS = survey.iOSHeaders * 2 > survey.headers
        let dropTrailing = survey.linesAfterLastHeader > Self.trailingJunkLines && survey.headers * 2 < survey.nonBlank
        let title = Self.title(fromPath: file.virtualPath)
        var chat = ChatInfo(chatKey: Self.chatKey, platform: .whatsapp, format: iOS ? .whatsAppIOS : .whatsAppAndroid,
                            title: title, dateOrder: order,
                            clock: survey.twelveHour * 2 > survey.headers ? .twelveHour : .twentyFourHour,
                            language: survey.language ?? (survey.spacedDots * 2 > survey.headers ? "ko" : nil),
                            location: SourceLocation(offset: 0, record: "line 1"))
        if report.encoding != .utf8 { chat.notes.append("decoded from \(report.encoding.rawValue)") }
        if !order.proven { chat.notes.append("day/month order assumed: \(order.reason)") }
        if survey.buddhist > 0 { chat.notes.append("\(survey.buddhist) date(s) in the Buddhist calendar (year BE − 543 = CE); each time's note records its conversion") }
        if survey.japanese > 0 { chat.notes.append("\(survey.japanese) date(s) in the Japanese era calendar (e.g. R4 = Reiwa 4 = 2022 CE); each time's note records its conversion") }

        let builder = WhatsAppMessageBuilder(file: file, zone: zone, order: order, iOS: iOS, chatTitle: title)
        var chatEmitted = false
        var preamble = 0, binary = 0, dropped = 0
        try reader.forEachLine { line in
            if let h = WhatsAppGrammar.header(line.bytes) {
                if let done = builder.finish() { emit(done, &chat, &chatEmitted) }
                builder.start(h, line: line)
                return true
            }
            if line.isBlank && !builder.hasPending { return true }
            if !builder.hasPending { preamble += 1; return true }
            if dropTrailing && line.number > survey.lastHeaderLine { dropped += line.isBlank ? 0 : 1; return true }
            if Self.looksBinary(line.bytes) { binary += 1; return true }
            builder.continueWith(line)
            return true
        }
        if let done = builder.finish() { emit(done, &chat, &chatEmitted) }
        if !chatEmitted { emitter.chat(chat) }
        if preamble > 0 { emitter.warning("unparsed-lines", "\(preamble) line(s) before the first timestamped line were skipped") }
        if dropped > 0 {
            emitter.warning("unparsed-lines", "\(dropped) line(s) after the last timestamped line (line \(survey.lastHeaderLine)) do not look like chat text and were not attached",
                            SourceLocation(record: "line \(survey.lastHeaderLine + 1)"))
        }
        if binary > 0 { emitter.warning("binary-lines", "\(binary) line(s) with control characters were not attached to messages") }
        if survey.headers * 2 < survey.nonBlank {
            emitter.warning("mostly-unparsed", "only \(survey.headers) of \(survey.nonBlank) non-blank lines start with a WhatsApp timestamp")
        }
        if !order.proven && order.reason.hasPrefix("conflicting") {
            emitter.warning("conflicting-date-order", "dates in this file fit neither day-first nor month-first throughout: \(order.reason)")
        }
        Self.reportDecoding(report, emitter)
    }

    private func emit(_ m: MessageRecord, _ chat: inout ChatInfo, _ chatEmitted: inout Bool) {
        if !chatEmitted {
            emitter.chat(chat)
            chatEmitted = true
        }
        emitter.message(m)
    }

    /// Lines with C0 controls other than tab are not chat text (binary junk appended to a file).
    static func looksBinary(_ b: UnsafeRawBufferPointer) -> Bool {
        var controls = 0
        for x in b where x < 0x20 && x != 0x09 { controls += 1; if controls > 2 { return true } }
        return false
    }

    /// The chat name from the export's file name (`WhatsApp Chat with NAME.txt`) or, for iOS,
    /// from the zip holding `_chat.txt` (`WhatsApp Chat - NAME.zip`).
    static func title(fromPath path: String) -> String? {
        var name = path.split(separator: "/").last.map(String.init) ?? path
        if name == "_chat.txt" {
            let parts = path.components(separatedBy: "!/")
            if parts.count >= 2, let container = parts[parts.count - 2].split(separator: "/").last { name = String(container) }
        }
        for ext in [".txt", ".zip"] where name.lowercased().hasSuffix(ext) { name = String(name.dropLast(ext.count)) }
        let prefixes = ["WhatsApp Chat with ", "WhatsApp Chat - ", "WhatsApp-Chat mit ", "WhatsApp-chat met ",
                        "Discussion WhatsApp avec ", "Chat de WhatsApp con ", "Conversa do WhatsApp com ", "WhatsApp 채팅 - ",
                        "WhatsApp 대화 - "]
        for p in prefixes where name.hasPrefix(p) { return String(name.dropFirst(p.count)) }
        return name.isEmpty || name == "_chat" ? nil : name
    }

    static func reportDecoding(_ report: TextReadReport, _ emitter: ChatEmitter) {
        if report.encoding != .utf8 {
            emitter.warning("transcoded", "text was \(report.encoding.rawValue), decoded to UTF-8 for parsing (offsets are in the decoded text)")
        }
        if report.invalidSequences > 0 {
            emitter.warning("invalid-encoding", "\(report.invalidSequences) byte sequence(s) could not be decoded as \(report.encoding.rawValue) and became U+FFFD")
        }
        if report.truncatedLines > 0 {
            emitter.warning("long-line", "\(report.truncatedLines) line(s) exceeded the per-line limit; their tail was not read")
        }
    }
}
