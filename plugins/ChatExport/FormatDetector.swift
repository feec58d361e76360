import Foundation
import ExhibitKit

/// What a file's content says it is. Detection trusts content, not names: the name only decides
/// whether a file that is *not* an export deserves a warning (`result.json` that is something
/// else) or silence (any other `.txt`).
enum DetectedFormat: Equatable {
    case telegramJSON, telegramHTML, whatsApp, kakaoTalk, kakaoTalkMacCSV, discordJSON, lineText
}

enum FormatDetector {
    static let prefixLength = 64 << 10

    /// Decides the format from the first bytes of the file.
    static func detect(prefix raw: [UInt8]) -> DetectedFormat? {
        guard !raw.isEmpty else { return nil }
        let (encoding, bom) = TextEncoding.detect(raw)
        let bytes: [UInt8]
        if encoding == .utf8 {
            bytes = Array(raw.dropFirst(bom))
            // NUL bytes in UTF-8 text mean binary data, not an export.
            if bytes.prefix(4096).contains(0) { return nil }
        } else {
            let t = UTF8Transcoder(encoding: encoding, bomLength: bom)
            guard t.isUsable else { return nil }
            var out: [UInt8] = []
            raw.withUnsafeBytes { _ = t.feed($0) { out.append(contentsOf: $0); return true } }
            bytes = out
        }
        guard let firstIndex = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else { return nil }
        // Decoded to a String only for the markup formats, which search it for keys.
        switch bytes[firstIndex] {
        case 0x7B:  // {
            return detectJSON(String(decoding: bytes, as: UTF8.self))
        case 0x3C:  // <
            return detectHTML(String(decoding: bytes, as: UTF8.self))
        default:
            return detectText(bytes)
        }
    }

    static func detectJSON(_ text: String) -> DetectedFormat? {
        let head = String(text.prefix(16 << 10))
        if head.contains("\"guild\""), head.contains("\"channel\"") { return .discordJSON }
        if head.contains("\"personal_information\"") || head.contains("\"chats\"") && head.contains("\"list\"") { return .telegramJSON }
        if head.contains("\"messages\""), head.contains("\"type\""),
           head.contains("\"personal_chat\"") || head.contains("\"date_unixtime\"") || head.contains("\"from_id\"")
            || head.contains("\"text_entities\"") || telegramChatTypes.contains(where: { head.contains("\"\($0)\"") }) {
            return .telegramJSON
        }
        return nil
    }

    static let telegramChatTypes = ["personal_chat", "bot_chat", "saved_messages", "replies", "private_group",
                                    "private_supergroup", "public_supergroup", "private_channel", "public_channel"]

    static func detectHTML(_ text: String) -> DetectedFormat? {
        let head = text.prefix(32 << 10)
        if head.contains("page_header"), head.contains("class=\"history\"") || head.contains("message default")
            || head.contains("message service") || head.contains("chat_page") {
            return .telegramHTML
        }
        return nil
    }

    static func detectText(_ bytes: [UInt8]) -> DetectedFormat? {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A || b == 0x0D {
            if i > start { lines.append(bytes[start..<i]) }
            start = i + 1
            if lines.count >= 60 { break }
        }
        if lines.count < 60, start < bytes.count { lines.append(bytes[start...]) }
        guard let first = lines.first else { return nil }
        if let format = first.withUnsafeBytes({ firstLineFormat($0) }) { return format }
        if lines.prefix(4).contains(where: { line in line.withUnsafeBytes { hasKakaoHeader($0) } }) { return .kakaoTalk }
        var headers = 0, nonBlank = 0
        var firstIsHeader = false
        for line in lines {
            let isHeader = line.withUnsafeBytes { WhatsAppGrammar.header($0) != nil }
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            nonBlank += 1
            if isHeader { headers += 1; if nonBlank == 1 { firstIsHeader = true } }
        }
        // A chat export starts with timestamped lines: the first line, or most of the first lines.
        if headers >= 2 && (firstIsHeader || headers * 3 >= nonBlank) { return .whatsApp }
        if headers >= 1 && headers == nonBlank { return .whatsApp }
        return nil
    }

    /// Names that promise an export, so a non-export under such a name earns a warning.
    static func nameSuggestsExport(_ file: EvidenceFile) -> Bool {
        let n = file.name
        let lower = n.lowercased()
        return lower == "result.json" || (lower.hasPrefix("messages") && lower.hasSuffix(".html")) || n == "_chat.txt"
            || n.hasPrefix("WhatsApp Chat") || n.hasPrefix("KakaoTalk") || n.hasPrefix("[LINE]") || n.hasPrefix("Talk_")
    }
}
