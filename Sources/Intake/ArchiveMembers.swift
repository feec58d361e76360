import ExhibitKit
import Foundation

/// Reads a few named members of an evidence archive **before** its walk — the files that say where
/// every other file belongs (an iTunes backup's `Manifest.db`, a UFDR's `report.xml`), so the walk
/// can give each entry its device path as it goes. Nothing else is read: other entries' data is
/// skipped (cheaply for zip and uncompressed tar; a compressed tar is expanded once more).
public enum ArchiveMembers {
    /// The data of every top-level member whose sanitized inner path `wanted` accepts, each cut at
    /// `limit` bytes (the caller sees `truncated` and says so). Stops after `maxHeaders` headers
    /// or at the first fatal error; a member that cannot be read is left out.
    public static func read(path: String, limit: Int64, maxHeaders: Int = 5_000_000,
                            wanted: (String) -> Bool) throws -> [String: (data: Data, truncated: Bool)] {
        let source = try ByteSource(path: path)
        let reader = ArchiveReader(source: source, raw: false)
        if let message = reader.open() {
            throw IntakeError(operation: "open archive", path: path, message: message)
        }
        var out: [String: (data: Data, truncated: Bool)] = [:]
        var headers = 0
        loop: while headers < maxHeaders {
            headers += 1
            switch reader.nextHeader() {
            case .eof, .fatal: break loop
            case .retry: continue
            case .header(let h):
                let name = String(decoding: h.rawName, as: UTF8.self)
                let inner = VirtualPath.sanitize(entryName: name).path
                guard h.fileType == FileTypeBits.regular, wanted(inner), out[inner] == nil else {
                    if reader.skipData()?.fatal == true { break loop }
                    continue
                }
                var data = Data()
                var truncated = false
                read: while true {
                    switch reader.readBlock() {
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
}
