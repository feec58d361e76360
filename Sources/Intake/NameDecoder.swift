import Foundation

/// Decodes entry names: UTF-8 first, then legacy charsets in the examiner's order, else lossy.
///
/// Conversion is strict (glibc iconv, no `//IGNORE`): a charset "decodes" a name only if every
/// byte sequence is valid in it. CP949 and Shift-JIS accept some of each other's byte pairs, so the
/// order is the examiner's call (`--name-charsets`); the raw bytes are always kept beside the result.
/// Decoding happens before any path clean-up: a Shift-JIS trail byte 0x5C is not a backslash.
final class NameDecoder {
    struct Decoded {
        var name: String
        var encoding: String
    }

    private let charsets: [String]
    private var converters: [String: iconv_t] = [:]

    init(charsets: [String]) {
        self.charsets = charsets
    }

    deinit {
        for (_, cd) in converters { iconv_close(cd) }
    }

    func decode(_ raw: [UInt8]) -> Decoded {
        if let s = String(validating: raw, as: UTF8.self) { return Decoded(name: s, encoding: "utf-8") }
        for cs in charsets {
            if let s = convert(raw, from: cs) { return Decoded(name: s, encoding: cs) }
        }
        return Decoded(name: String(decoding: raw, as: UTF8.self), encoding: "undecodable")
    }

    /// Strict conversion (no `//IGNORE`, no transliteration): `nil` if any byte sequence is invalid.
    private func convert(_ raw: [UInt8], from charset: String) -> String? {
        let cd: iconv_t
        if let c = converters[charset] {
            cd = c
        } else {
            // iconv_open signals failure with (iconv_t)-1.
            guard let c = iconv_open("UTF-8", charset), c != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
            converters[charset] = c
            cd = c
        }
        _ = iconv(cd, nil, nil, nil, nil)
        var input = raw.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: raw.count * 4 + 8)
        let capacity = output.count
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr = inBuf.baseAddress
                var inLeft = inBuf.count
                var outPtr = outBuf.baseAddress
                var outLeft = capacity
                guard iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1, inLeft == 0 else { return nil }
                // Flush any shift state.
                guard iconv(cd, nil, nil, &outPtr, &outLeft) != -1 else { return nil }
                return capacity - outLeft
            }
        }
        guard let produced else { return nil }
        let bytes = output[0..<produced].map { UInt8(bitPattern: $0) }
        // A decoding that yields control characters is not a name anyone typed.
        guard let s = String(validating: bytes, as: UTF8.self),
              !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return s
    }
}
