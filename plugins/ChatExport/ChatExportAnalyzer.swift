import Foundation
import ExhibitKit

/// Reads chat exports — Telegram Desktop (JSON and HTML), WhatsApp, KakaoTalk, Discord
/// (DiscordChatExporter JSON) and LINE — into chats, participants and messages.
///
/// The format is decided from the content, never from the name alone; a file named like an export
/// that is not one yields a warning, anything else that is not an export yields nothing. Parsers
/// stream: memory is bounded by the largest single message, not by the file.
public struct ChatExportAnalyzer: Analyzer {
    /// The analyzer id recorded on every finding.
    public static let id = "chat-export"

    public init() {}

    public var descriptor: AnalyzerDescriptor {
        AnalyzerDescriptor(
            id: Self.id, version: "1.1.0",
            summary: "Chat exports (Telegram JSON/HTML, WhatsApp, KakaoTalk, Discord, LINE) into chats, participants and messages",
            // No MIME type or name pattern: every text file is `text/plain` and most are not
            // exports, so acceptance is the sniff below, which turns them away from their head.
            accepts: Acceptance(sniff: true),
            produces: [.chat, .participant, .message],
            timeoutSeconds: 3600)
    }

    /// Says yes to files whose first bytes look like one of the supported exports, and to files
    /// named like one (so that a non-export under such a name earns its warning). An ordinary text
    /// file is turned away from the first ``Acceptance/sniffLength`` bytes (see
    /// ``FormatDetector/quickVerdict(_:wholeFile:)``); only a head that cannot be judged costs the full
    /// detection over the first 64 KiB.
    public func sniff(prefix: Data, file: EvidenceFile) -> Bool {
        // An app's SQLite database, its WAL or rollback journal (KakaoTalk.db, KakaoTalk.db-wal) is
        // named like an export but is never one: turned away silently, not warned about.
        if Self.isSQLiteFamily(prefix) { return false }
        if FormatDetector.nameSuggestsExport(file) { return true }
        switch prefix.withUnsafeBytes({ FormatDetector.quickVerdict($0, wholeFile: file.size <= Int64(prefix.count)) }) {
        case .no: return false
        case .yes: return true
        case .unsure:
            // The detection's own window, or the bytes given when the content is not at hand.
            let window = ByteInput(file: file).prefix(FormatDetector.prefixLength)
            return FormatDetector.detect(prefix: window.count > prefix.count ? window : [UInt8](prefix)) != nil
        }
    }

    /// SQLite's database header, its WAL header (`377F0682`/`377F0683`) or a rollback journal's.
    static func isSQLiteFamily(_ prefix: Data) -> Bool {
        let head = [UInt8](prefix.prefix(16))
        if head == Array("SQLite format 3\u{0}".utf8) { return true }
        if head.count >= 4, head[0] == 0x37, head[1] == 0x7F, head[2] == 0x06, head[3] == 0x82 || head[3] == 0x83 { return true }
        return head.starts(with: [0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7])
    }

    /// Parses the file and hands each finding to `sink` as soon as it is read: chats before their
    /// participants and messages, participants before their first message, warnings as they arise.
    /// Throws only when the file's bytes cannot be read at all.
    public func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws {
        let emitter = ChatEmitter(sink)
        let input = ByteInput(file: file)
        guard let format = FormatDetector.detect(prefix: input.prefix(FormatDetector.prefixLength)) else {
            if FormatDetector.nameSuggestsExport(file), file.size > 0 {
                emitter.warning("not-an-export", "\(file.name) is named like a chat export but its content is not one of the supported formats")
            }
            return
        }
        let zone = context.assumedZone
        switch format {
        case .telegramJSON: try TelegramJSONParser(file: file, zone: zone, emitter: emitter).parse()
        case .telegramHTML: try TelegramHTMLParser(file: file, zone: zone, emitter: emitter).parse()
        case .whatsApp: try WhatsAppTextParser(file: file, zone: zone, emitter: emitter).parse()
        case .kakaoTalk: try KakaoTalkTextParser(file: file, zone: zone, emitter: emitter).parse()
        case .kakaoTalkMacCSV: try KakaoTalkMacCSVParser(file: file, zone: zone, emitter: emitter).parse()
        case .discordJSON: try DiscordJSONParser(file: file, zone: zone, emitter: emitter).parse()
        case .lineText: try LINETextParser(file: file, zone: zone, emitter: emitter).parse()
        }
    }
}
