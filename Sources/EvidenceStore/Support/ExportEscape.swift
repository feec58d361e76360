import ExhibitSupport
import Foundation

/// Escaping for the text formats exports write. Each works on UTF-8 bytes appended to a buffer,
/// because exports of millions of rows spend most of their time here.
public enum ExportEscape {
    /// Appends `text` as a JSON string literal (quotes included): ExhibitSupport's canonical
    /// escapes for readers (controls as `\u00XX`, DEL, and U+2028/U+2029 so the line stays one
    /// JSONL line for JavaScript-based readers).
    public static func json(_ text: String, into out: inout [UInt8]) {
        CanonicalJSON.appendString(text, to: &out, escaping: .forReaders)
    }

    /// Appends UTF-8 `bytes` as a JSON string literal.
    public static func jsonBytes(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        CanonicalJSON.appendString(utf8: bytes, to: &out, escaping: .forReaders)
    }

    /// `text` as a JSON string literal.
    public static func json(_ text: String) -> String {
        var out: [UInt8] = []
        json(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values; drops C0 controls
    /// other than tab/newline (they are not allowed in HTML and some would hide text).
    public static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Escapes text for XML 1.0 element content and attribute values. Characters XML 1.0 cannot
    /// carry at all (C0 controls but tab/LF/CR, U+FFFE/U+FFFF) become U+FFFD; the `raw`
    /// argument of callers keeps the original where it matters.
    public static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Whether `text` survives ``xml(_:)`` unchanged apart from entity escaping.
    public static func isXMLClean(_ text: String) -> Bool {
        !text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || $0.value == 0xFFFE || $0.value == 0xFFFF }
    }

    /// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled).
    /// A field starting with `=`, `+`, `-`, `@`, tab or CR (and not a number) gets a leading
    /// apostrophe so a spreadsheet does not run evidence text as a formula (OWASP's list: some
    /// importers strip a leading tab or CR and then read what follows as a formula).
    public static func csv(_ text: String) -> String {
        var out: [UInt8] = []
        csvBytes(Data(text.utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `data` (UTF-8) as one RFC 4180 field; see ``csv(_:)``.
    public static func csvBytes(_ data: Data, into out: inout [UInt8]) {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var guardFormula = false
            let first: UInt8 = bytes.first ?? 0
            if first == 0x3D || first == 0x2B || first == 0x2D || first == 0x40 || first == 0x09 || first == 0x0D {
                guardFormula = Double(String(decoding: bytes, as: UTF8.self)) == nil
            }
            let quote = bytes.contains { (b: UInt8) -> Bool in b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D }
            if quote { out.append(0x22) }
            if guardFormula { out.append(0x27) }
            if quote {
                for b in bytes {
                    if b == 0x22 { out.append(0x22) }
                    out.append(b)
                }
                out.append(0x22)
            } else {
                out.append(contentsOf: bytes)
            }
        }
    }
}
