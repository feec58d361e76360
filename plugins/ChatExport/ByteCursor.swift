import Foundation

/// Invisible characters chat exports sprinkle into lines (WhatsApp's U+200E before attachments,
/// U+202F before AM/PM, NBSP, bidi embeddings). They are stripped or treated as spaces for
/// *matching only*; stored text keeps them.
enum Invisible {
    /// Length of a direction/format mark (U+200B–U+200F, U+202A–U+202E, U+2066–U+2069, U+FEFF,
    /// and U+061C ARABIC LETTER MARK, which Arabic-locale phones put beside numbers) starting at
    /// `i`, or 0.
    @inline(__always)
    static func markLength(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int {
        guard i + 1 < b.count else { return 0 }
        if b[i] == 0xD8 && b[i + 1] == 0x9C { return 2 }
        guard i + 2 < b.count else { return 0 }
        let b0 = b[i], b1 = b[i + 1], b2 = b[i + 2]
        if b0 == 0xE2 && b1 == 0x80 && ((b2 >= 0x8B && b2 <= 0x8F) || (b2 >= 0xAA && b2 <= 0xAE)) { return 3 }
        if b0 == 0xE2 && b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9 { return 3 }
        if b0 == 0xEF && b1 == 0xBB && b2 == 0xBF { return 3 }
        return 0
    }

    /// Length of a space-like character (space, tab, NBSP, U+202F, U+2009, U+2007) at `i`, or 0.
    @inline(__always)
    static func spaceLength(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int {
        guard i < b.count else { return 0 }
        let b0 = b[i]
        if b0 == 0x20 || b0 == 0x09 { return 1 }
        if b0 == 0xC2, i + 1 < b.count, b[i + 1] == 0xA0 { return 2 }
        if b0 == 0xE2, i + 2 < b.count, b[i + 1] == 0x80, b[i + 2] == 0xAF || b[i + 2] == 0x89 || b[i + 2] == 0x87 { return 3 }
        return 0
    }

    /// The string without direction/format marks, with NBSP and narrow spaces turned into spaces
    /// and surrounding whitespace trimmed: the form used to compare against fixed phrases.
    static func matchingForm(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u.value {
            case 0x200B...0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF, 0x061C: continue
            case 0x00A0, 0x202F, 0x2009, 0x2007: out.append(" ")
            default: out.append(u)
            }
        }
        return String(out).trimmingCharacters(in: .whitespaces)
    }

    /// The string with direction/format marks removed at both ends only (for file names written
    /// after U+200E).
    static func trimMarks(_ s: String) -> String {
        var scalars = Substring(s).unicodeScalars
        func isMark(_ u: Unicode.Scalar) -> Bool {
            switch u.value { case 0x200B...0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF, 0x061C: return true; default: return false }
        }
        while let f = scalars.first, isMark(f) || f == " " { scalars.removeFirst() }
        while let l = scalars.last, isMark(l) || l == " " { scalars.removeLast() }
        return String(scalars)
    }
}

/// A forward-only reader over one line's UTF-8 bytes, for the line grammars of text exports.
/// Parsing numerals and fixed words on bytes keeps WhatsApp parsing far from `DateFormatter` and
/// regex speeds.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var i: Int

    init(_ bytes: UnsafeRawBufferPointer, at i: Int = 0) { self.bytes = bytes; self.i = i }

    /// Runs `body` with a cursor over the UTF-8 bytes of `text` (header and saved-date values that
    /// arrive as Strings); the cursor is valid only during the call.
    static func reading<T>(_ text: String, _ body: (inout ByteCursor) -> T) -> T {
        Array(text.utf8).withUnsafeBytes { raw in
            var c = ByteCursor(raw)
            return body(&c)
        }
    }

    var atEnd: Bool { i >= bytes.count }
    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    /// Skips direction marks only.
    mutating func skipMarks() {
        while true { let k = Invisible.markLength(bytes, i); if k == 0 { return }; i += k }
    }

    /// Skips spaces, NBSP, narrow spaces and direction marks; returns how many bytes it skipped.
    @discardableResult
    mutating func skipSpaces() -> Int {
        let start = i
        while i < bytes.count {
            let k = Invisible.spaceLength(bytes, i)
            if k > 0 { i += k; continue }
            let m = Invisible.markLength(bytes, i)
            if m > 0 { i += m; continue }
            break
        }
        return i - start
    }

    /// Reads 1…`maxDigits` decimal digits: ASCII, Arabic-Indic (U+0660–0669, Arabic-locale
    /// phones) or Extended Arabic-Indic (U+06F0–06F9, Persian/Urdu). `digits` counts characters.
    mutating func number(maxDigits: Int = 4) -> (value: Int, digits: Int)? {
        var v = 0, d = 0
        while i < bytes.count, d < maxDigits {
            let b = bytes[i]
            if b >= 0x30, b <= 0x39 {
                v = v * 10 + Int(b - 0x30); d += 1; i += 1
            } else if let x = Self.arabicDigit(bytes, i) {
                v = v * 10 + x; d += 1; i += 2
            } else {
                break
            }
        }
        return d == 0 ? nil : (v, d)
    }

    /// The value of an Arabic-Indic (`D9 A0`–`D9 A9`) or Extended Arabic-Indic (`DB B0`–`DB B9`)
    /// digit at `k`, or nil.
    @inline(__always)
    static func arabicDigit(_ b: UnsafeRawBufferPointer, _ k: Int) -> Int? {
        guard k + 1 < b.count else { return nil }
        let b0 = b[k], b1 = b[k + 1]
        if b0 == 0xD9, b1 >= 0xA0, b1 <= 0xA9 { return Int(b1 - 0xA0) }
        if b0 == 0xDB, b1 >= 0xB0, b1 <= 0xB9 { return Int(b1 - 0xB0) }
        return nil
    }

    /// Consumes a comma: ASCII `,` or the Arabic comma U+060C.
    mutating func consumeComma() -> Bool {
        if consume(0x2C) { return true }
        return consume([0xD8, 0x8C])
    }

    mutating func consume(_ b: UInt8) -> Bool {
        if i < bytes.count, bytes[i] == b { i += 1; return true }
        return false
    }

    /// Consumes `literal` if the bytes continue with it.
    mutating func consume(_ literal: [UInt8]) -> Bool {
        guard i + literal.count <= bytes.count else { return false }
        for k in 0..<literal.count where bytes[i + k] != literal[k] { return false }
        i += literal.count
        return true
    }

    /// Consumes the first (longest-first ordered) word of `table` the bytes continue with.
    mutating func consumeAny<T>(_ table: [([UInt8], T)]) -> T? {
        for (word, value) in table where consume(word) { return value }
        return nil
    }

    /// Whether the bytes at the cursor continue with `literal`, without consuming.
    func hasPrefix(_ literal: [UInt8]) -> Bool {
        var c = self
        return c.consume(literal)
    }

    /// Index of the first occurrence of `needle` at or after `from`, or `nil`.
    func find(_ needle: [UInt8], from: Int? = nil) -> Int? {
        let n = needle.count
        guard n > 0 else { return nil }
        var k = from ?? i
        let first = needle[0]
        while k + n <= bytes.count {
            if bytes[k] == first {
                var ok = true
                for j in 1..<n where bytes[k + j] != needle[j] { ok = false; break }
                if ok { return k }
            }
            k += 1
        }
        return nil
    }

    func string(_ from: Int, _ to: Int) -> String {
        guard from < to, to <= bytes.count else { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
    }

    /// The rest of the line from the cursor.
    var rest: String { string(i, bytes.count) }
}
