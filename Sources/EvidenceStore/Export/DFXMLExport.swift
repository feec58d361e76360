import ExhibitKit
import Foundation
import GRDB

/// DFXML 1.2.0 file inventory: one `<fileobject>` per `files` row, children in the schema's
/// order (`filename`, `error`, `id`, `name_type`, `filesize`, `alloc`, `inode`, `meta_type`,
/// `mode`, `mtime`, `ctime`, `atime`, `crtime`, `link_target`, `libmagic`, `hashdigest`),
/// then Exhibit's own facts in the `exhibit:` namespace (entry key, status, time basis and raw
/// value) — DFXML has no element for a time's provenance.
enum DFXML {
    /// The DFXML namespace.
    static let namespace = "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"
    /// Exhibit's extension namespace.
    static let exhibitNamespace = "https://exhibit.example/ns/dfxml/1"

    /// TSK-style name and meta types.
    static func types(_ kind: String) -> (name: String, meta: Int?) {
        switch kind {
        case "file", "hardlink": return ("r", 1)
        case "directory": return ("d", 2)
        case "symlink": return ("l", 6)
        default: return ("-", nil)
        }
    }

    /// DFXML `prec` values for our precision vocabulary.
    static func prec(_ precision: String?) -> String {
        switch precision {
        case "day": return "86400s"
        case "minute": return "60s"
        case "2s": return "2s"
        case "millisecond": return "1ms"
        case "microsecond": return "1us"
        case "100ns": return "100ns"
        default: return "1s"
        }
    }
}

extension EvidenceDatabase {
    func exportDFXML(to path: String, options: ExportOptions) throws -> ExportSummary {
        let out = try ExportOutput(path: path, overwrite: options.overwrite)
        var summary = ExportSummary()
        let x = ExportEscape.xml
        try queue.read { db in
            let caseName = try String.fetchOne(db, sql: "SELECT name FROM cases ORDER BY id LIMIT 1") ?? ""
            try out.write("""
                <?xml version="1.0" encoding="UTF-8"?>
                <dfxml xmlns="\(DFXML.namespace)" xmlns:dc="http://purl.org/dc/elements/1.1/" \
                xmlns:exhibit="\(DFXML.exhibitNamespace)" version="1.2.0">
                  <metadata>
                    <dc:type>File inventory</dc:type>
                    <dc:title>\(x(caseName))</dc:title>
                  </metadata>
                  <creator version="1.0">
                    <program>Exhibit</program>
                    <version>\(x(options.toolVersion))</version>
                    <execution_environment>
                      <start_time>\(UTCFormat.string(micros: options.generatedMicros))</start_time>
                    </execution_environment>
                  </creator>

                """)
            for e in try Row.fetchAll(db, sql: "SELECT label, path, size, md5, sha1, sha256, hash_kind FROM evidence ORDER BY label") {
                let label: String = e[0] ?? ""
                try out.write("  <source>\n    <image_filename>\(x(e[1] ?? ""))</image_filename>\n    <image_size>\(e[2] as Int64? ?? 0)</image_size>\n")
                for (alg, i) in [("md5", 3), ("sha1", 4), ("sha256", 5)] {
                    if let h: String = e[i] { try out.write("    <hashdigest type=\"\(alg)\">\(h)</hashdigest>\n") }
                }
                try out.write("    <exhibit:evidence label=\"\(x(label))\" hash_kind=\"\(x(e[6] ?? ""))\"/>\n  </source>\n")
            }
            let (sql, args) = Self.inventorySQL(options)
            let rows = try Row.fetchCursor(db, sql: sql, arguments: args)
            let timeRows = try db.makeStatement(sql: """
                SELECT kind, utc_us, raw, basis, precision FROM file_times WHERE file_id = ?
                """)
            while let r = try rows.next() {
                let id: Int64 = r[0]
                let kind: String = r[2] ?? "other"
                let status: String = r[9] ?? "ok"
                let (nameType, metaType) = DFXML.types(kind)
                var s = "  <fileobject>\n    <filename>\(x(r[1] ?? ""))</filename>\n"
                if status != "ok" && status != "link" {
                    let msg: String? = r[20]
                    s += "    <error>\(x(status + (msg.map { ": " + $0 } ?? "")))</error>\n"
                }
                s += "    <id>\(id)</id>\n    <name_type>\(nameType)</name_type>\n    <filesize>\(r[4] as Int64? ?? 0)</filesize>\n"
                s += "    <alloc>1</alloc>\n    <inode>\(id)</inode>\n"
                if let m = metaType { s += "    <meta_type>\(m)</meta_type>\n" }
                if let mode: Int64 = r[3] { s += "    <mode>\(mode)</mode>\n" }
                var times: [String: Row] = [:]
                for t in try Row.fetchAll(timeRows, arguments: [id]) { times[t[0] ?? ""] = t }
                var ext = ""
                for (element, stored) in [("mtime", "modified"), ("ctime", "changed"), ("atime", "accessed"), ("crtime", "created")] {
                    guard let t = times[stored] else { continue }
                    let raw: String = t[2] ?? ""
                    let basis: String = t[3] ?? "unknown"
                    if let us: Int64 = t[1] {
                        s += "    <\(element) prec=\"\(DFXML.prec(t[4]))\">\(UTCFormat.string(micros: us))</\(element)>\n"
                    }
                    ext += "    <exhibit:time kind=\"\(element)\" basis=\"\(x(basis))\" raw=\"\(x(raw))\"/>\n"
                }
                if kind == "symlink" || kind == "hardlink", let target: String = r[8] { s += "    <link_target>\(x(target))</link_target>\n" }
                if let mime: String = r[10] { s += "    <libmagic>\(x(mime))</libmagic>\n" }
                for (alg, i) in [("md5", 5), ("sha1", 6), ("sha256", 7)] {
                    if let h: String = r[i] { s += "    <hashdigest type=\"\(alg)\">\(h)</hashdigest>\n" }
                }
                let label: String = r[12] ?? ""
                let key: String = r[13] ?? ""
                s += "    <exhibit:entry evidence=\"\(x(label))\" entry_key=\"\(x(key))\" status=\"\(x(status))\"/>\n" + ext
                s += "  </fileobject>\n"
                try out.write(s)
                summary.written += 1
                if !ExportEscape.isXMLClean(r[1] ?? "") {
                    summary.notes["names with characters XML cannot carry (written as U+FFFD; raw_name in the database)", default: 0] += 1
                }
            }
            try out.write("</dfxml>\n")
        }
        try out.finish()
        summary.outputs = [path]
        return summary
    }
}
