import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The character encodings chat text exports turn up in. Phones write UTF-8 (often with a BOM);
/// re-saved files appear as UTF-16 (Windows Notepad "Unicode") or CP949 (Korean Windows "ANSI").
enum TextEncoding: String, Sendable {
    case utf8 = "UTF-8"
    case utf16LE = "UTF-16LE"
    case utf16BE = "UTF-16BE"
    case cp949 = "CP949"

    /// Decides the encoding from the first bytes: a BOM, the NUL pattern of BOM-less UTF-16, else
    /// UTF-8 unless the prefix is invalid UTF-8 but valid as CP949 (Korean legacy text).
    static func detect(_ prefix: [UInt8]) -> (encoding: TextEncoding, bomLength: Int) {
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        if prefix.starts(with: [0xFF, 0xFE]) { return (.utf16LE, 2) }
        if prefix.starts(with: [0xFE, 0xFF]) { return (.utf16BE, 2) }
        let sample = prefix.prefix(512)
        if sample.count >= 8 {
            var oddZeros = 0, evenZeros = 0
            for (i, b) in sample.enumerated() where b == 0 { if i % 2 == 0 { evenZeros += 1 } else { oddZeros += 1 } }
            let half = sample.count / 2
            if oddZeros * 3 > half && evenZeros * 10 < half { return (.utf16LE, 0) }
            if evenZeros * 3 > half && oddZeros * 10 < half { return (.utf16BE, 0) }
        }
        if !isValidUTF8Prefix(prefix), looksLikeCP949(prefix) { return (.cp949, 0) }
        return (.utf8, 0)
    }

    /// Whether `bytes` is valid UTF-8, allowing one incomplete sequence cut off at the end.
    static func isValidUTF8Prefix(_ bytes: [UInt8]) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            let len: Int
            if b < 0x80 { i += 1; continue } else if b & 0xE0 == 0xC0, b >= 0xC2 { len = 2 } else if b & 0xF0 == 0xE0 { len = 3 } else if b & 0xF8 == 0xF0, b <= 0xF4 { len = 4 } else { return false }
            if i + len > n { return true }
            for k in 1..<len where bytes[i + k] & 0xC0 != 0x80 { return false }
            i += len
        }
        return true
    }

    /// CP949 lead bytes 0x81–0xFE followed by trail bytes 0x41–0xFE, and no C0 controls but
    /// tab/CR/LF: enough to tell Korean legacy text from binary junk.
    static func looksLikeCP949(_ bytes: [UInt8]) -> Bool {
        var i = 0, pairs = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if b < 0x20 && b != 9 && b != 10 && b != 13 { return false }
                i += 1; continue
            }
            guard b >= 0x81, b <= 0xFE else { return false }
            guard i + 1 < bytes.count else { break }
            let t = bytes[i + 1]
            guard t >= 0x41, t <= 0xFE else { return false }
            pairs += 1; i += 2
        }
        return pairs > 0
    }
}

/// Streams bytes in some ``TextEncoding`` out as UTF-8 chunks, via glibc's iconv for the non-UTF-8
/// encodings. Invalid sequences become U+FFFD and are counted, never fatal.
final class UTF8Transcoder {
    let encoding: TextEncoding
    private var bomToSkip: Int
    private var cd: iconv_t?
    private var pending: [UInt8] = []
    private var output = [UInt8](repeating: 0, count: 1 << 18)
    /// Number of byte sequences that could not be decoded.
    private(set) var invalidSequences = 0

    init(encoding: TextEncoding, bomLength: Int) {
        self.encoding = encoding
        self.bomToSkip = bomLength
        if encoding != .utf8 {
            let h = iconv_open("UTF-8", encoding.rawValue)
            cd = (h == iconv_t(bitPattern: -1)) ? nil : h
        }
    }

    deinit { if let cd { iconv_close(cd) } }

    /// Whether the transcoder could be set up (iconv knows the encoding).
    var isUsable: Bool { encoding == .utf8 || cd != nil }

    /// Feeds one chunk; calls `emit` with UTF-8 output (possibly several times). Returns `false`
    /// when `emit` asked to stop.
    func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        var input = chunk
        if bomToSkip > 0 {
            let k = min(bomToSkip, input.count)
            bomToSkip -= k
            input = UnsafeRawBufferPointer(rebasing: input[k...])
        }
        guard let cd else { return input.isEmpty ? true : emit(input) }
        pending.append(contentsOf: input)
        return convert(cd, final: false, emit)
    }

    /// Flushes what is left at the end of the input.
    func finish(_ emit: (UnsafeRawBufferPointer) -> Bool) {
        guard let cd else { return }
        _ = convert(cd, final: true, emit)
    }

    private func convert(_ cd: iconv_t, final: Bool, _ emit: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        var consumed = 0
        var keepGoing = true
        let total = pending.count
        pending.withUnsafeMutableBytes { inRaw in
            output.withUnsafeMutableBytes { outRaw in
                // Both buffers are non-empty here (`consumed < total`, a fixed-size output buffer).
                guard let inBase = inRaw.baseAddress, let outBase = outRaw.baseAddress else { return }
                while consumed < total && keepGoing {
                    var inPtr: UnsafeMutablePointer<CChar>? = inBase.advanced(by: consumed).assumingMemoryBound(to: CChar.self)
                    var inLeft = total - consumed
                    var outPtr: UnsafeMutablePointer<CChar>? = outBase.assumingMemoryBound(to: CChar.self)
                    var outLeft = outRaw.count
                    let rc = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    let err = rc == -1 ? errno : 0
                    consumed = total - inLeft
                    let produced = outRaw.count - outLeft
                    if produced > 0 { keepGoing = emit(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(outRaw)[0..<produced])) }
                    if rc != -1 { break }
                    if err == E2BIG { continue }
                    if err == EINVAL && !final { break }  // incomplete sequence: wait for more bytes
                    // EILSEQ (or a truncated tail at the end): replace one unit and move on.
                    invalidSequences += 1
                    let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
                    keepGoing = keepGoing && replacement.withUnsafeBytes { emit($0) }
                    consumed = min(total, consumed + (encoding == .cp949 ? 1 : 2))
                }
            }
        }
        pending.removeFirst(consumed)
        return keepGoing
    }
}

/// What reading a text file found out about its bytes, for warnings and chat notes.
struct TextReadReport {
    var encoding: TextEncoding = .utf8
    var invalidSequences = 0
    var lines = 0
    /// Lines longer than the per-line limit (their tail was dropped).
    var truncatedLines = 0
    var decodedBytes: Int64 = 0
}
