import Foundation
import ExhibitKit

/// One line of a decoded text file: its UTF-8 bytes without the terminator, 1-based number and
/// byte offset of its start in the decoded UTF-8 stream (equal to the file offset for UTF-8 files).
/// The bytes are valid only during the callback.
struct TextLine {
    let bytes: UnsafeRawBufferPointer
    let number: Int
    let offset: Int64

    /// The line as a String (invalid UTF-8 becomes U+FFFD).
    var string: String { String(decoding: bytes, as: UTF8.self) }
    var isBlank: Bool { bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
    var location: SourceLocation { SourceLocation(offset: offset, record: "line \(number)") }
}

/// Splits a stream of UTF-8 chunks into lines: LF, CRLF and lone CR all end a line (KakaoTalk mixes
/// CRLF and LF in one file; old Mac tools write CR). Lines longer than `maxLineBytes` keep their
/// first `maxLineBytes` bytes and are counted, so one 2 GB "line" cannot exhaust memory.
struct LineSplitter {
    let maxLineBytes: Int
    private var carry: [UInt8] = []
    private var carryOverflowed = false
    private var skipLF = false
    private(set) var lineNumber = 0
    private var position: Int64 = 0
    private var lineStart: Int64 = 0
    private(set) var truncatedLines = 0

    init(maxLineBytes: Int = 16 << 20) { self.maxLineBytes = maxLineBytes }

    /// Feeds a chunk; returns `false` when `emit` asked to stop.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (TextLine) -> Bool) -> Bool {
        var i = 0
        let n = chunk.count
        if skipLF, n > 0 {
            skipLF = false
            if chunk[0] == 0x0A { i = 1; position += 1; lineStart = position }
        }
        var segStart = i
        while i < n {
            let b = chunk[i]
            if b == 0x0A || b == 0x0D {
                let piece = UnsafeRawBufferPointer(rebasing: chunk[segStart..<i])
                let go: Bool
                if carry.isEmpty && !carryOverflowed {
                    lineNumber += 1
                    let slice = piece.count > maxLineBytes ? UnsafeRawBufferPointer(rebasing: piece[0..<maxLineBytes]) : piece
                    if piece.count > maxLineBytes { truncatedLines += 1 }
                    go = emit(TextLine(bytes: slice, number: lineNumber, offset: lineStart))
                } else {
                    appendCarry(piece)
                    go = flushCarry(emit)
                }
                var consumed = i - segStart + 1
                if b == 0x0D {
                    if i + 1 < n { if chunk[i + 1] == 0x0A { i += 1; consumed += 1 } } else { skipLF = true }
                }
                position += Int64(consumed)
                lineStart = position
                i += 1
                segStart = i
                if !go { return false }
            } else {
                i += 1
            }
        }
        if segStart < n {
            let piece = UnsafeRawBufferPointer(rebasing: chunk[segStart..<n])
            appendCarry(piece)
            position += Int64(piece.count)
        }
        return true
    }

    /// Emits the last line if the stream did not end with a terminator.
    mutating func finish(_ emit: (TextLine) -> Bool) {
        if !carry.isEmpty || carryOverflowed { _ = flushCarry(emit) }
    }

    private mutating func appendCarry(_ piece: UnsafeRawBufferPointer) {
        let room = maxLineBytes - carry.count
        if piece.count <= room { carry.append(contentsOf: piece) } else {
            if room > 0 { carry.append(contentsOf: piece[0..<room]) }
            carryOverflowed = true
        }
    }

    private mutating func flushCarry(_ emit: (TextLine) -> Bool) -> Bool {
        lineNumber += 1
        if carryOverflowed { truncatedLines += 1 }
        let number = lineNumber, start = lineStart
        let go = carry.withUnsafeBytes { emit(TextLine(bytes: $0, number: number, offset: start)) }
        carry.removeAll(keepingCapacity: carry.count < (1 << 20))
        carryOverflowed = false
        return go
    }
}

/// Reads an evidence file as decoded lines: detects the encoding (BOM, UTF-16, CP949), transcodes
/// to UTF-8 and splits lines. Calling it twice gives two passes over the same bytes.
struct TextLineReader {
    let input: ByteInput
    let encoding: TextEncoding
    let bomLength: Int
    var maxLineBytes = 16 << 20

    init(file: EvidenceFile) {
        input = ByteInput(file: file)
        (encoding, bomLength) = TextEncoding.detect(input.prefix(64 << 10))
    }

    /// Calls `body` for every line until it returns `false`; returns what was learned on the way.
    @discardableResult
    func forEachLine(_ body: (TextLine) -> Bool) throws -> TextReadReport {
        var report = TextReadReport(encoding: encoding)
        let transcoder = UTF8Transcoder(encoding: encoding, bomLength: bomLength)
        var splitter = LineSplitter(maxLineBytes: maxLineBytes)
        var stopped = false
        var decoded: Int64 = 0
        try input.forEachChunk { chunk in
            let go = transcoder.feed(chunk) { utf8 in
                decoded += Int64(utf8.count)
                return splitter.feed(utf8, body)
            }
            if !go { stopped = true }
            return go
        }
        if !stopped {
            transcoder.finish { utf8 in decoded += Int64(utf8.count); return splitter.feed(utf8, body) }
            splitter.finish(body)
        }
        report.invalidSequences = transcoder.invalidSequences
        report.lines = splitter.lineNumber
        report.truncatedLines = splitter.truncatedLines
        report.decodedBytes = decoded
        return report
    }
}
