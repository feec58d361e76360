import Foundation
import ExhibitKit

/// Builds one WhatsApp message from its timestamped line and any continuation lines, then reads
/// the markers (attachments, omitted media, deleted, edited) from the finished text.
final class WhatsAppMessageBuilder {
    let file: EvidenceFile
    let zone: TimeZone?
    let order: DateOrderDecision
    let iOS: Bool
    let chatTitle: String?

    private let resolver: ZoneResolver
    private var pending: MessageRecord?
    private var text = ""
    private var firstLineEnd = 0
    private var startsWithMark = false
    /// The first line holds `<`, `(`, an invisible mark or NBSP: only then can it be a marker.
    private var markerBytes = false

    init(file: EvidenceFile, zone: TimeZone?, order: DateOrderDecision, iOS: Bool, chatTitle: String?) {
        self.file = file; self.zone = zone; self.order = order; self.iOS = iOS; self.chatTitle = chatTitle
        resolver = ZoneResolver(zone: zone)
    }

    var hasPending: Bool { pending != nil }

    func start(_ h: WhatsAppHeader, line: TextLine) {
        let c = ByteCursor(line.bytes)
        let raw = c.string(h.rawStart, h.rawEnd)
        let (year, month, day): (Int, Int, Int)
        var calendarNote: String?
        switch order.order {
        case .dayMonthYear, .monthDayYear:
            let (y, note) = h.date.calendar.ceYear(h.date.third, digits: h.date.thirdDigits)
            calendarNote = note
            (year, month, day) = order.order == .dayMonthYear ? (y, h.date.second, h.date.first) : (y, h.date.first, h.date.second)
        case .yearMonthDay: (year, month, day) = (PhoneLocalTime.fullYear(h.date.first, digits: h.date.firstDigits), h.date.second, h.date.third)
        }
        // A non-Gregorian year is converted, and the conversion recorded in the time's note.
        let sent = calendarNote.map { resolver.value(year: year, month: month, day: day, clock: h.clock, raw: raw,
                                                     note: PhoneLocalTime.phoneNote + "; " + $0) }
            ?? resolver.value(year: year, month: month, day: day, clock: h.clock, raw: raw)
        let (sender, textStart) = WhatsAppGrammar.splitSender(line.bytes, from: h.bodyStart)
        text = c.string(textStart, line.bytes.count)
        firstLineEnd = text.utf8.count
        startsWithMark = Invisible.markLength(line.bytes, textStart) > 0
        markerBytes = false
        var k = textStart
        let b = line.bytes
        while k < b.count { let x = b[k]; if x == 0x3C || x == 0x28 || x == 0xE2 || x == 0xC2 { markerBytes = true; break }; k += 1 }
        pending = MessageRecord(chatKey: WhatsAppTextParser.chatKey, sequence: 0, kind: sender == nil ? .system : .message,
                                senderName: sender, sent: sent, location: line.location)
    }

    func continueWith(_ line: TextLine) {
        guard pending != nil else { return }
        text += "\n"
        text += line.string
    }

    /// Completes the pending message, if any.
    func finish() -> MessageRecord? {
        guard var m = pending.take() else { return nil }
        m.text = text
        let firstLine = String(text.utf8.prefix(firstLineEnd)) ?? text
        readMarkers(&m, firstLine: firstLine)
        if text.utf8.last == 0x3E {
            // The edited marker ends the whole text, which may span lines.
            let tail = Invisible.matchingForm(String(text.suffix(64)))
            m.editedMarker = WhatsAppGrammar.editedMarkers.contains { tail.hasSuffix($0) }
        }
        if iOS, m.kind == .message, startsWithMark, m.attachments.isEmpty, !m.deleted {
            let form = Invisible.matchingForm(firstLine)
            if m.senderName == chatTitle || WhatsAppGrammar.systemPrefixes.contains(where: { form.hasPrefix($0) }) {
                // iOS writes system notices with the chat's name as author, after U+200E.
                m.kind = .system
                m.senderName = nil
            }
        }
        text = ""
        return m
    }

    private func readMarkers(_ m: inout MessageRecord, firstLine: String) {
        let bytes = firstLine.utf8
        guard let last = bytes.last else { return }
        // Markers contain `<`, `(`, an invisible mark, or are a deleted/omitted phrase: check the
        // cheap cases first, so ordinary text costs one scan and two set lookups.
        let candidate = bytes.count <= WhatsAppGrammar.longestPhrase + 1 && WhatsAppGrammar.phraseFirstBytes[Int(bytes.first ?? 0)]
        if candidate, WhatsAppGrammar.deletedSet.contains(firstLine) || (last == 0x2E && WhatsAppGrammar.deletedSet.contains(String(firstLine.dropLast()))) {
            m.deleted = true
            return
        }
        guard markerBytes || (candidate && WhatsAppGrammar.omittedSet.contains(firstLine)) else { return }
        let form = Invisible.matchingForm(firstLine)
        if WhatsAppGrammar.mediaOmitted.contains(form) {
            m.attachments.append(AttachmentRef(reference: nil, resolvedPath: nil, kind: .other, missingReason: form))
            return
        }
        if let (phrase, kind) = WhatsAppGrammar.iOSOmitted.first(where: { $0.0 == form }) {
            m.attachments.append(AttachmentRef(reference: nil, resolvedPath: nil, kind: kind, missingReason: phrase))
            return
        }
        if form.hasSuffix(")"), let open = form.range(of: " (", options: .backwards) {
            let phrase = String(form[open.upperBound..<form.index(before: form.endIndex)])
            if WhatsAppGrammar.attachedPhrases.contains(phrase) {
                addFile(&m, name: Invisible.trimMarks(String(form[..<open.lowerBound])))
                return
            }
        }
        if iOS || form.hasPrefix("<"), form.hasPrefix("<"), form.hasSuffix(">"), let colon = form.firstIndex(of: ":") {
            let word = form[form.index(after: form.startIndex)..<colon]
            let name = Invisible.trimMarks(String(form[form.index(after: colon)..<form.index(before: form.endIndex)]))
            if word.count <= 24, !word.contains(" ") || word.count <= 16, name.contains("."), !name.contains("/") {
                addFile(&m, name: name)
                return
            }
        }
        let trimmed = form.hasSuffix(".") ? String(form.dropLast()) : form
        if WhatsAppGrammar.deletedPhrases.contains(trimmed) { m.deleted = true; return }
    }

    private func addFile(_ m: inout MessageRecord, name: String) {
        m.attachments.append(AttachmentRef(reference: name, resolvedPath: file.siblingPath(name),
                                           kind: WhatsAppGrammar.kind(ofFileName: name)))
    }
}
