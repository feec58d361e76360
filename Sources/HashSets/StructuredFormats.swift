import EvidenceStore
import Foundation
import GRDB
internal import CXML2

/// NSRL RDSv3 (SQLite): every distinct SHA-256 (or `--algorithm md5|sha1`) of the `FILE` table,
/// read through the `DISTINCT_HASH` view when present. Opened read-only; never modified.
enum NSRLReader {
    static func read(_ path: String, algorithm: String?, add: (HashSetEntryInput) throws -> Void, rejections rej: inout Rejections) throws {
        let column = algorithm ?? "sha256"
        guard ["md5", "sha1", "sha256"].contains(column) else { throw HashSetRequestError("NSRL sets hold md5, sha1 or sha256, not \(column)") }
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) } catch {
            throw HashSetRequestError("\(path): not a readable SQLite file (\(error))")
        }
        try queue.read { db in
            let objects = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
            let source: String
            if objects.contains("DISTINCT_HASH") { source = "DISTINCT_HASH" } else if objects.contains("FILE") { source = "FILE" } else {
                throw HashSetRequestError("\(path): no FILE table or DISTINCT_HASH view — not an NSRL RDSv3 database")
            }
            let cols = try Row.fetchAll(db, sql: "PRAGMA table_info(\(source))").map { ($0["name"] as String? ?? "").lowercased() }
            guard cols.contains(column) else { throw HashSetRequestError("\(path): \(source) has no \(column) column") }
            let rows = try String?.fetchCursor(db, sql: "SELECT \(column) FROM \(source)")
            var n = 0
            while let value = try rows.next() {
                n += 1
                guard let v = value, let h = HashSetImporter.hex(Substring(v)),
                      HashSetImporter.algorithm(forLength: h.count, declared: column) == column else {
                    rej.reject("row \(n)", "\(column) is not a valid digest"); continue
                }
                try add(HashSetEntryInput(algorithm: column, hash: h, category: "NSRL"))
            }
        }
    }
}

/// Project VIC VICS JSON (OData): v2.0 `@odata.context` or v1.x `odata.metadata`, a `#Media`
/// list or a `#Cases` list whose cases hold `Media`. MD5, SHA1 and the `AlternativeHashes`
/// SHA256/PDQ of every media item; `Category` kept; `--categories` picks which count.
/// The JSON is parsed whole (Foundation), bounded by a 2 GiB file size.
enum VICSReader {
    static func read(_ path: String, categories: Set<String>?, add: (HashSetEntryInput) throws -> Void, rejections rej: inout Rejections) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= 2 << 30 else { throw HashSetRequestError("\(path): VICS files over 2 GiB are not supported") }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let top: Any
        do { top = try JSONSerialization.jsonObject(with: data) } catch {
            rej.reject("file", "not valid JSON (\(error.localizedDescription))")
            return
        }
        guard let obj = top as? [String: Any], let value = obj["value"] as? [Any] else {
            rej.reject("file", "no OData \"value\" array"); return
        }
        var n = 0
        func media(_ m: Any) throws {
            n += 1
            let at = "media \(n)"
            guard let m = m as? [String: Any] else { rej.reject(at, "not an object"); return }
            let category = (m["Category"]).map { "\($0)" }
            if let categories, !categories.contains(category ?? "") { rej.skipped += 1; return }
            let id = m["MediaID"].map { "\($0)" }
            var hashes: [(String, String)] = []
            if let v = m["MD5"] as? String, !v.isEmpty { hashes.append(("md5", v)) }
            if let v = m["SHA1"] as? String, !v.isEmpty { hashes.append(("sha1", v)) }
            if let v = m["SHA256"] as? String, !v.isEmpty { hashes.append(("sha256", v)) }
            for alt in m["AlternativeHashes"] as? [[String: Any]] ?? [] {
                guard let name = (alt["HashName"] as? String)?.lowercased().replacingOccurrences(of: "-", with: ""),
                      let v = alt["HashValue"] as? String else { continue }
                if ["md5", "sha1", "sha256", "pdq"].contains(name) { hashes.append((name, v)) }
            }
            for (alg, v) in hashes {
                guard let h = HashSetImporter.hex(Substring(v)), HashSetImporter.algorithm(forLength: h.count, declared: alg) == alg else {
                    rej.reject(at, "\(alg) is not a valid digest"); continue
                }
                try add(HashSetEntryInput(algorithm: alg, hash: h, category: category, mediaID: id))
            }
            if hashes.isEmpty { rej.reject(at, "no MD5, SHA1, SHA256 or PDQ") }
        }
        for item in value {
            if let c = item as? [String: Any], let list = c["Media"] as? [Any] {
                for m in list { try media(m) }
            } else {
                try media(item)
            }
        }
    }
}

/// NCMEC hash-sharing XML export: `<image>` (and `<video>`) records with `<id>`,
/// `<classification>` and `<fingerprints>` (`md5`, `sha1`, `sha256`, `pdq`). Read with libxml2's
/// streaming reader, network off, no entity expansion, DOCTYPE refused. A parse error keeps the
/// records completed before it and is counted.
enum NCMECReader {
    static func read(_ path: String, add: (HashSetEntryInput) throws -> Void, rejections rej: inout Rejections) throws {
        guard let reader = xmlReaderForFile(path, nil, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)) else {
            throw HashSetRequestError("\(path): cannot open as XML")
        }
        defer { xmlFreeTextReader(reader) }
        var stack: [String] = []
        var text = ""
        var record: [String: String] = [:]
        var prints: [(String, String)] = []
        var n = 0
        while true {
            let rc = xmlTextReaderRead(reader)
            if rc == 0 { break }
            if rc < 0 { rej.reject("record \(n + 1)", "XML error; the file ends or breaks here"); break }
            let type = xmlTextReaderNodeType(reader)
            let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
            switch type {
            case 10: // DOCTYPE
                rej.reject("file", "DOCTYPE refused (entity expansion)"); return
            case 1: // element start
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                if !empty { stack.append(name) }
                text = ""
                if name == "image" || name == "video" { record = [:]; prints = []; n += 1 }
            case 3, 4: // text, CDATA
                text += xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            case 15: // element end
                _ = stack.popLast()
                let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if stack.contains("fingerprints"), ["md5", "sha1", "sha256", "pdq"].contains(name.lowercased()) {
                    prints.append((name.lowercased(), value))
                } else if name == "id" || name == "classification" {
                    record[name] = value
                }
                text = ""
                if name == "image" || name == "video" {
                    let at = "record \(n)"
                    if prints.isEmpty { rej.reject(at, "no fingerprints") }
                    for (alg, v) in prints {
                        guard let h = HashSetImporter.hex(Substring(v)), HashSetImporter.algorithm(forLength: h.count, declared: alg) == alg else {
                            rej.reject(at, "\(alg) is not a valid digest"); continue
                        }
                        try add(HashSetEntryInput(algorithm: alg, hash: h, category: record["classification"], mediaID: record["id"]))
                    }
                }
            default:
                break
            }
        }
    }
}
