internal import CMagic
import Foundation

/// Owns libmagic handles (MIME type mode) with the database loaded once.
///
/// Detection runs in two stages, because libmagic's "soft" rules cost ~2 ms on every text file
/// (hundreds of regular expressions fall through before it concludes "text") while they decide
/// binary formats in microseconds:
/// 1. the built-in tests only (encoding, JSON, CSV, tar, compression; no soft rules) over the
///    first 64 KiB: cheap, and final for JSON and CSV;
/// 2. for plain text that begins like markup or a script (``looksMarkedUp(_:)``), the full
///    database over the first 2 KiB, where the rules that name those formats look; other plain
///    text stays `text/plain` (libmagic's guesses at programming languages are not used); for
///    everything else, the full database over the whole head — what `file --mime-type` does.
/// A head cut from a longer entry is trimmed to a UTF-8 character boundary first: a multi-byte
/// character split at the cut (Korean text!) would otherwise make libmagic call the file binary.
///
/// libmagic handles are not thread-safe; one detector belongs to one walker.
final class MagicDetector {
    private let cookie: OpaquePointer
    private let builtinCookie: OpaquePointer
    /// Bytes handed to libmagic per entry: enough for every magic test that matters here.
    static let sniffBytes = 1 << 20
    static let builtinBytes = 64 << 10
    static let textRuleBytes = 2 << 10

    init() throws {
        cookie = try Self.open(MAGIC_MIME_TYPE)
        do { builtinCookie = try Self.open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_SOFT) } catch {
            magic_close(cookie)
            throw error
        }
    }

    private static func open(_ flags: Int32) throws -> OpaquePointer {
        guard let c = magic_open(flags) else {
            throw IntakeError(operation: "open", path: "libmagic", message: "magic_open failed")
        }
        guard magic_load(c, nil) == 0 else {
            let msg = magic_error(c).map { String(cString: $0) } ?? "magic_load failed"
            magic_close(c)
            throw IntakeError(operation: "load libmagic database", path: Self.databasePath, message: msg)
        }
        return c
    }

    deinit {
        magic_close(cookie)
        magic_close(builtinCookie)
    }

    /// MIME type of `bytes` (the first bytes of an entry; `complete` when they are all of it), or
    /// `nil` if libmagic gives none.
    func mime(of bytes: UnsafeRawBufferPointer, complete: Bool = true) -> String? {
        let head = complete ? bytes : Self.trimToUTF8Boundary(bytes)
        let quickBytes = head.count > Self.builtinBytes ? Self.trimToUTF8Boundary(UnsafeRawBufferPointer(rebasing: head.prefix(Self.builtinBytes))) : head
        let quick = Self.run(builtinCookie, quickBytes)
        switch quick {
        case "application/json", "text/csv":
            return quick
        case "text/plain":
            // The full rules name text formats (HTML, XML, scripts, PostScript, RTF…) by how they
            // begin; for anything else they only cost ~1 ms to conclude "text/plain" again.
            guard Self.looksMarkedUp(head) else { return quick }
            let textBytes = head.count > Self.textRuleBytes ? Self.trimToUTF8Boundary(UnsafeRawBufferPointer(rebasing: head.prefix(Self.textRuleBytes))) : head
            let full = Self.run(cookie, textBytes)
            return full == nil || full == "application/octet-stream" ? quick : full
        default:
            return Self.run(cookie, head)
        }
    }

    private static func run(_ cookie: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> String? {
        let result: UnsafePointer<CChar>?
        if let base = bytes.baseAddress, bytes.count > 0 {
            result = magic_buffer(cookie, base, bytes.count)
        } else {
            // libmagic wants a non-null pointer even for empty input.
            var zero: UInt8 = 0
            result = withUnsafePointer(to: &zero) { magic_buffer(cookie, $0, 0) }
        }
        return result.map { String(cString: $0) }
    }

    /// Whether text begins (after a BOM and white space) like a format the full rules name:
    /// markup `<`, a script or PostScript header `#!`/`%!`, RTF or TeX `{\`/`\`, troff `.`/`'`, `@`.
    static func looksMarkedUp(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        guard i < bytes.count else { return false }
        switch bytes[i] {
        case UInt8(ascii: "<"), UInt8(ascii: "\\"), UInt8(ascii: "."), UInt8(ascii: "'"), UInt8(ascii: "@"): return true
        case UInt8(ascii: "#"), UInt8(ascii: "%"):
            return i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "!")
        case UInt8(ascii: "{"):
            return i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\\")
        default: return false
        }
    }

    /// Drops a UTF-8 sequence cut off at the end of `bytes` (at most 3 bytes).
    static func trimToUTF8Boundary(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let n = bytes.count
        var i = n - 1
        var back = 0
        while i >= 0, back < 4, bytes[i] & 0xC0 == 0x80 { i -= 1; back += 1 }
        guard i >= 0, back < 4 else { return bytes }
        let lead = bytes[i]
        let need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return need > back + 1 ? UnsafeRawBufferPointer(rebasing: bytes[0..<i]) : bytes
    }

    /// libmagic's version (`5.44`).
    static var version: String {
        let v = magic_version()
        return "\(v / 100).\(v % 100)"
    }

    /// The database path libmagic loads by default.
    static var databasePath: String {
        magic_getpath(nil, 0).map { String(cString: $0) } ?? "(default)"
    }
}
