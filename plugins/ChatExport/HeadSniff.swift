import Foundation
import ExhibitKit

/// What the first few kilobytes say about a file, before any real detection.
enum HeadVerdict: Equatable {
    /// The head starts like an export: run the analyzer (its detection has the last word).
    case yes
    /// The head cannot start any supported export: the file is not offered to the analyzer.
    case no
    /// The head alone cannot tell (JSON/HTML, UTF-16 or legacy encodings, very long lines).
    case unsure
}

extension FormatDetector {
    /// Non-blank lines of the head that must all fail to look like an export's first lines before
    /// a text file is turned away early. Detection itself reads 60 lines; an export preceded by this
    /// many lines, or a full head, of something else (a hand-edited file) is not offered to the analyzer.
    static let linesBeforeRejecting = 16

    /// A cheap, permissive look at a file's first bytes (the dispatcher's 4 KiB sniff window), so
    /// that the text files of a PC or phone dump that are not chat exports are turned away in
    /// microseconds without the 64 KiB detection. `.no` only where ``detect(prefix:)`` would find
    /// nothing in the same lines: binary data (NUL bytes that are not UTF-16), or UTF-8 text whose
    /// first ``linesBeforeRejecting`` non-blank lines (or whole head, or all of it for a file
    /// shorter than the head) hold no WhatsApp timestamp, no KakaoTalk header and no LINE /
    /// KakaoTalk Mac header.
    /// `wholeFile`: the head is the entire file (nothing follows it).
    static func quickVerdict(_ head: UnsafeRawBufferPointer, wholeFile: Bool) -> HeadVerdict {
        guard !head.isEmpty else { return .no }
        let bytes = [UInt8](head)
        let (encoding, bom) = TextEncoding.detect(bytes)
        guard encoding == .utf8 else { return .unsure }
        // UTF-8 with a NUL byte near the start is binary, exactly as ``detect(prefix:)`` decides.
        if bytes.dropFirst(bom).prefix(4096).contains(0) { return .no }
        return bytes.withUnsafeBytes { raw -> HeadVerdict in
            let b = UnsafeRawBufferPointer(rebasing: raw[bom...])
            guard let first = b.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else {
                return wholeFile ? .no : .unsure
            }
            if b[first] == 0x7B || b[first] == 0x3C { return .unsure }  // { or <: JSON / HTML detection
            var lineIndex = 0, nonBlank = 0, start = 0
            var i = 0
            while i <= b.count {
                let atEnd = i == b.count
                guard atEnd || b[i] == 0x0A || b[i] == 0x0D else { i += 1; continue }
                // The last piece of a head that is not the whole file may be a cut line: its start
                // still shows a timestamp, but it does not count as a line seen.
                if i > start {
                    let line = UnsafeRawBufferPointer(rebasing: b[start..<i])
                    if lineLooksLikeExport(line, index: lineIndex) { return .yes }
                    lineIndex += 1
                    if !atEnd || wholeFile, line.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                        nonBlank += 1
                        if nonBlank >= linesBeforeRejecting { return .no }
                    }
                }
                start = i + 1
                i += 1
            }
            // A full head of a few long lines (paragraphs), none starting like an export, is
            // refused too; only a head that is one unbroken line (or blank) is left undecided.
            return wholeFile || nonBlank > 0 ? .no : .unsure
        }
    }

    /// Whether one of the first lines starts like an export: the first line of LINE or the
    /// KakaoTalk Mac CSV, a KakaoTalk header in the first four, a WhatsApp timestamp in any.
    private static func lineLooksLikeExport(_ line: UnsafeRawBufferPointer, index: Int) -> Bool {
        if WhatsAppGrammar.header(line) != nil { return true }
        guard index < 4 else { return false }
        if index == 0, firstLineFormat(line) != nil { return true }
        return hasKakaoHeader(line)
    }

    /// LINE (`[LINE]`, `[ LINE ]`) or KakaoTalk Mac CSV (`Date,User,Message`) from the file's first
    /// line, after any spaces and direction marks. Bytes only, whatever the line's length:
    /// Foundation's string search folds character clusters and costs milliseconds on a long line.
    static func firstLineFormat(_ line: UnsafeRawBufferPointer) -> DetectedFormat? {
        var c = ByteCursor(line)
        c.skipSpaces()
        if c.hasPrefix(csvHeader) { return .kakaoTalkMacCSV }
        if c.consume(0x5B) {
            c.skipSpaces()
            if c.consume(lineWord) { c.skipSpaces(); if c.peek == 0x5D { return .lineText } }
        }
        return nil
    }

    /// A KakaoTalk header (`… 님과 카카오톡 대화`, `KakaoTalk Chats …`, the saved date) in the line.
    static func hasKakaoHeader(_ line: UnsafeRawBufferPointer) -> Bool {
        let c = ByteCursor(line)
        return kakaoHeaderWords.contains { c.find($0, from: 0) != nil }
    }

    private static let csvHeader = Array("Date,User,Message".utf8)
    private static let lineWord = Array("LINE".utf8)
    private static let kakaoHeaderWords = ["카카오톡 대화", "KakaoTalk Chats", "저장한 날짜", "Date Saved"].map { Array($0.utf8) }
}
