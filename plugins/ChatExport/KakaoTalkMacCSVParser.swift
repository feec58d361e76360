import Foundation
import ExhibitKit

/// KakaoTalk for Mac CSV export: `Date,User,Message`, one record per message, quoted fields that
/// may span lines (`""` is a quote), dates `2024-08-28 15:01:00` (the only KakaoTalk variant with
/// seconds). An empty `User` is a system notice. The owner appears under their own name.
struct KakaoTalkMacCSVParser {
    let file: EvidenceFile
    let zone: TimeZone?
    let emitter: ChatEmitter
    static let chatKey = "chat"
    /// A quoted field longer than this is cut (an unterminated quote would swallow the file).
    static let maxRecordBytes = 16 << 20

    func parse() throws {
        var name = file.name
        if name.lowercased().hasSuffix(".csv") { name = String(name.dropLast(4)) }
        if name.hasPrefix("KakaoTalk_Chat_") { name = String(name.dropFirst("KakaoTalk_Chat_".count)) }
        if let r = name.range(of: #"_\d{4}-\d{2}-\d{2}.*$"#, options: .regularExpression) { name = String(name[..<r.lowerBound]) }
        emitter.chat(ChatInfo(chatKey: Self.chatKey, platform: .kakaotalk, format: .kakaoTalkMacCSV, title: name.isEmpty ? nil : name,
                              location: SourceLocation(offset: 0, record: "line 1"),
                              notes: ["title from the file name; the Mac CSV has no header naming the chat"]))
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var recordStart = (number: 0, offset: Int64(0))
        var cut = 0
        let report = try TextLineReader(file: file).forEachLine { line in
            if !inQuotes { recordStart = (line.number, line.offset) }
            let text = line.string
            var it = text.unicodeScalars.makeIterator()
            var pendingQuote = false
            while let u = it.next() {
                if inQuotes {
                    if pendingQuote {
                        pendingQuote = false
                        if u == "\"" { field.unicodeScalars.append(u); continue }
                        inQuotes = false
                    } else if u == "\"" { pendingQuote = true; continue } else {
                        if field.utf8.count < Self.maxRecordBytes { field.unicodeScalars.append(u) } else { cut += 1 }
                        continue
                    }
                }
                if u == "\"" && field.isEmpty { inQuotes = true } else if u == "," { fields.append(field); field = "" } else { field.unicodeScalars.append(u) }
            }
            if pendingQuote { inQuotes = false }
            if inQuotes { field += "\n"; return true }
            fields.append(field); field = ""
            defer { fields.removeAll() }
            if recordStart.number == 1 && fields.first == "Date" { return true }
            guard fields.count >= 3 else { return true }
            let raw = fields[0]
            let sent = KakaoGrammar.stampValue(raw, zone: zone)
            let user = fields[1]
            let message = fields[2...].joined(separator: ",")
            var m = MessageRecord(chatKey: Self.chatKey, sequence: 0, kind: user.isEmpty ? .system : .message,
                                  senderName: user.isEmpty ? nil : user, sent: sent, text: message,
                                  location: SourceLocation(offset: recordStart.offset, record: "line \(recordStart.number)"))
            if m.kind == .message { KakaoGrammar.markers(&m) }
            emitter.message(m)
            return true
        }
        if inQuotes { emitter.warning("truncated-csv", "the CSV ends inside a quoted field; the last record was not read") }
        if cut > 0 { emitter.warning("long-field", "a field longer than \(Self.maxRecordBytes) bytes was cut") }
        WhatsAppTextParser.reportDecoding(report, emitter)
    }
}
