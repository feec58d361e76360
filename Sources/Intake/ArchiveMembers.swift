import ExhibitKit
import Foundation

/// Reads a few named members of an evidence archive **before** its walk — the files that say where
/// every other file belongs (an iTunes backup's `Manifest.db`, a UFDR's `report.xml`), so the walk
/// can give each entry its device path as it goes. Nothing else is read: other entries' data is
/// skipped (cheaply for zip and uncompressed tar; a compressed tar is expanded once more).
public enum ArchiveMembers {
    /// The data of every top-level member whose sanitized inner path `wanted` accepts, each cut at
    /// `limit` bytes (the caller sees `truncated` and says so; a member whose header declares more
    /// than `limit` is not read at all: empty data, `truncated`). Stops after `maxHeaders` headers
    /// or at the first fatal error; a member that cannot be read is left out. Only zip, tar and
    /// gzip-compressed files are read (by their magic bytes): other formats are not where backups
    /// and vendor reports arrive, and some of libarchive's readers loop inside one call on hostile
    /// input. Every libarchive call runs under `watch` (the worker's intake guard) at position `[0]`
    /// (the container's open), so a call that makes no progress is stopped as if the walk had made
    /// it: the walk, reading the same bytes with the same library, would loop at the same place.
    public static func read(path: String, limit: Int64, maxHeaders: Int = 5_000_000, watch: IntakeWatch? = nil,
                            wanted: (String) -> Bool) throws -> [String: (data: Data, truncated: Bool)] {
        guard isReadable(path: path) else { return [:] }
        let source = try ByteSource(path: path)
        let reader = ArchiveReader(source: source, raw: false)
        func watched<T>(_ call: () -> T) -> T {
            guard let watch else { return call() }
            watch.begin(.header, position: [0], path: path)
            defer { watch.end() }
            return call()
        }
        if let message = watched({ reader.open() }) {
            throw IntakeError(operation: "open archive", path: path, message: message)
        }
        var out: [String: (data: Data, truncated: Bool)] = [:]
        var headers = 0
        loop: while headers < maxHeaders {
            headers += 1
            switch watched({ reader.nextHeader() }) {
            case .eof, .fatal: break loop
            case .retry: continue
            case .header(let h):
                let name = String(decoding: h.rawName, as: UTF8.self)
                let inner = VirtualPath.sanitize(entryName: name).path
                guard h.fileType == FileTypeBits.regular, wanted(inner), out[inner] == nil else {
                    if watched({ reader.skipData() })?.fatal == true { break loop }
                    continue
                }
                if let declared = h.size, declared > limit {
                    // Past the limit by its own header: refused without reading it into memory (a
                    // header that understates is still cut at `limit` below).
                    out[inner] = (Data(), true)
                    if watched({ reader.skipData() })?.fatal == true { break loop }
                    continue
                }
                var data = Data()
                var truncated = false
                read: while true {
                    switch watched({ reader.readBlock() }) {
                    case .block(let b, _), .warning(let b, _, _):
                        let room = Int(limit) - data.count
                        if b.count > room { data.append(contentsOf: b.prefix(max(room, 0))); truncated = true; break read }
                        data.append(contentsOf: b)
                    case .eof: break read
                    case .failed(_, let fatal):
                        if fatal { break loop }
                        continue loop
                    }
                }
                out[inner] = (data, truncated)
            }
        }
        return out
    }

    /// Zip (`PK\3\4`), tar (`ustar` at offset 257) or gzip (`1F 8B`), by the file's first bytes.
    static func isReadable(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 512)) ?? Data())
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x1F, 0x8B]) { return true }
        return head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
    }
}
