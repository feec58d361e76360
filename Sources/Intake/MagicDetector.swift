internal import CMagic
import Foundation

/// Owns one libmagic handle (MIME type mode) with its database loaded once.
///
/// libmagic handles are not thread-safe; one detector belongs to one walker.
final class MagicDetector {
    private let cookie: OpaquePointer
    /// Bytes handed to libmagic per entry: enough for every magic test that matters here.
    static let sniffBytes = 1 << 20

    init() throws {
        guard let c = magic_open(MAGIC_MIME_TYPE) else {
            throw IntakeError(operation: "open", path: "libmagic", message: "magic_open failed")
        }
        guard magic_load(c, nil) == 0 else {
            let msg = magic_error(c).map { String(cString: $0) } ?? "magic_load failed"
            magic_close(c)
            throw IntakeError(operation: "load libmagic database", path: Self.databasePath, message: msg)
        }
        cookie = c
    }

    deinit { magic_close(cookie) }

    /// MIME type of `bytes` (the first bytes of an entry), or `nil` if libmagic gives none.
    func mime(of bytes: UnsafeRawBufferPointer) -> String? {
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
