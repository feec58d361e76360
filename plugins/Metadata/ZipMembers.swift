import Foundation
import ExhibitKit
internal import CArchive

/// Reads a few named members of a zip held in memory with libarchive (OOXML and ODF packages).
///
/// Each member is read up to ``memberLimit`` bytes, whatever size its header declares; the
/// archive is never extracted to disk.
enum ZipMembers {
    static let memberLimit = 16 << 20
    static let maxEntries = 100_000

    /// The wanted members found (by exact path), and an error text when the archive is damaged.
    static func read(_ bytes: [UInt8], wanted: Set<String>) -> (members: [String: [UInt8]], error: String?) {
        guard let a = archive_read_new() else { return ([:], "libarchive: out of memory") }
        defer { archive_read_free(a) }
        archive_read_support_format_zip(a)
        var found: [String: [UInt8]] = [:]
        return bytes.withUnsafeBytes { raw -> ([String: [UInt8]], String?) in
            guard archive_read_open_memory(a, raw.baseAddress, raw.count) == ARCHIVE_OK else {
                return ([:], archive_error_string(a).map { String(cString: $0) } ?? "not a zip")
            }
            var entry: OpaquePointer?
            var seen = 0
            while seen < maxEntries {
                let rc = archive_read_next_header(a, &entry)
                if rc == ARCHIVE_EOF { break }
                guard rc == ARCHIVE_OK || rc == ARCHIVE_WARN, let entry else {
                    return (found, archive_error_string(a).map { String(cString: $0) } ?? "damaged zip")
                }
                seen += 1
                guard let p = archive_entry_pathname(entry) else { continue }
                let name = String(cString: p)
                guard wanted.contains(name), found[name] == nil else { continue }
                var data: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 64 << 10)
                while data.count < memberLimit {
                    let n = chunk.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
                    if n <= 0 { break }
                    data += chunk[0..<min(n, memberLimit - data.count)]
                }
                found[name] = data
                if found.count == wanted.count { break }
            }
            return (found, nil)
        }
    }
}
