import ExhibitKit
import Foundation
import Intake

/// `Manifest.mbdb`, the file list of iTunes backups before iOS 10 (public facts: the
/// "MbdbMbdxFormat" notes of the iPhone Backup Browser project; Practical Mobile Forensics).
/// Big-endian throughout: the header `mbdb\5\0`, then one record per file:
/// strings `Domain`, `Path`, `LinkTarget`, `DataHash`, `EncryptionKey` (each a u16 length or
/// `0xFFFF` for none, then UTF-8 bytes), `Mode` u16 (`0x8000` regular file, `0x4000` folder,
/// `0xA000` link), inode u64, user and group ids u32, three Unix times u32 (modified, accessed,
/// created), size u64, protection class u8, property count u8, then that many (name, value)
/// string pairs. Each regular file is stored flat in the backup folder under
/// `SHA-1(domain + "-" + path)` in hex (iOS 10 moved them into two-letter subfolders).
enum ManifestMBDB {
    /// One file record, as stored.
    struct Record: Equatable {
        var domain: String
        var path: String
        var mode: UInt16
        var size: UInt64
        var modifiedUnix: UInt32
        /// Whether the record names a regular file (the only kind stored in the backup).
        var isRegularFile: Bool { mode & 0xF000 == 0x8000 }
        /// The name the file is stored under: SHA-1 of `domain-path`, lower-case hex.
        var fileID: String {
            var hasher = MultiHasher()
            let bytes = Array("\(domain)-\(path)".utf8)
            bytes.withUnsafeBytes { hasher.update($0) }
            return hasher.finalize().sha1
        }
    }

    /// Every record read, and the problem that stopped the read (if any): a bad header, or a
    /// record cut short. Records before a stop are kept. Memory is bounded by the file: every
    /// record consumes at least 40 bytes, and every length is checked against what is left.
    static func parse(_ data: Data) -> (records: [Record], problem: String?) {
        let b = [UInt8](data)
        guard b.count >= 6, Array(b[0..<4]) == Array("mbdb".utf8) else {
            return ([], "Manifest.mbdb does not start with the 'mbdb' signature")
        }
        var at = 6
        var out: [Record] = []
        func int(_ n: Int) -> UInt64? {
            guard n <= b.count - at else { return nil }
            var v: UInt64 = 0
            for i in 0..<n { v = v << 8 | UInt64(b[at + i]) }
            at += n
            return v
        }
        func string() -> String?? {
            guard let len = int(2) else { return nil }
            if len == 0xFFFF { return .some(nil) }
            guard Int(len) <= b.count - at else { return nil }
            let s = String(decoding: b[at..<at + Int(len)], as: UTF8.self)
            at += Int(len)
            return .some(s)
        }
        while at < b.count {
            let start = at
            guard let domain = string(), let path = string(), string() != nil, string() != nil, string() != nil,
                  let mode = int(2), int(8) != nil, int(4) != nil, int(4) != nil,
                  let modified = int(4), int(4) != nil, int(4) != nil, let size = int(8),
                  int(1) != nil, let properties = int(1) else {
                return (out, "Manifest.mbdb: the record at byte \(start) is cut short; \(out.count) record(s) read before it")
            }
            for _ in 0..<properties {
                guard string() != nil, string() != nil else {
                    return (out, "Manifest.mbdb: the properties of the record at byte \(start) are cut short; \(out.count) record(s) read before it")
                }
            }
            out.append(Record(domain: domain ?? "", path: path ?? "", mode: UInt16(mode), size: size,
                              modifiedUnix: UInt32(truncatingIfNeeded: modified)))
        }
        return (out, nil)
    }

    /// Fills `map` from a `Manifest.mbdb`: each regular file stored at `<root><fileID>`.
    static func read(_ data: Data, root: String, into map: inout DeviceMap) {
        let (records, problem) = parse(data)
        if let problem { map.warnings.append(problem + ": files past it keep their SHA-1 names") }
        var unmapped = Set<String>()
        for r in records where r.isRegularFile {
            guard let device = DeviceMaps.devicePath(domain: r.domain, relativePath: r.path) else {
                unmapped.insert(r.domain.split(separator: "-").first.map(String.init) ?? r.domain)
                continue
            }
            map.paths[root + r.fileID] = device
        }
        map.facts["manifest_format"] = .string("mbdb")
        map.facts["manifest_files"] = .number(Double(map.paths.count))
        if !unmapped.isEmpty {
            map.warnings.append("Manifest.mbdb names domains with no known device folder: \(unmapped.sorted().joined(separator: ", ")); their files keep no device path")
        }
    }
}
