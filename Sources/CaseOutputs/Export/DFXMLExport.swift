import EvidenceStore
import ExhibitKit
import Foundation

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
        try readCase { q in
            let caseName = try q.caseHeader()?.name ?? ""
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
            for e in try q.evidenceItems() {
                let label = e.label ?? ""
                try out.write("  <source>\n    <image_filename>\(x(e.path ?? ""))</image_filename>\n    <image_size>\(e.size ?? 0)</image_size>\n")
                for (alg, h) in [("md5", e.md5), ("sha1", e.sha1), ("sha256", e.sha256)] {
                    if let h { try out.write("    <hashdigest type=\"\(alg)\">\(h)</hashdigest>\n") }
                }
                try out.write("    <exhibit:evidence label=\"\(x(label))\" hash_kind=\"\(x(e.hashKind ?? ""))\"/>\n  </source>\n")
            }
            let rows = try q.inventory(window: options.window)
            while let r = try rows.next() {
                let id = r.id
                let kind = r.kind ?? "other"
                let status = r.status ?? "ok"
                let (nameType, metaType) = DFXML.types(kind)
                var s = "  <fileobject>\n    <filename>\(x(r.path ?? ""))</filename>\n"
                if status != "ok" && status != "link" {
                    let msg = r.message
                    s += "    <error>\(x(status + (msg.map { ": " + $0 } ?? "")))</error>\n"
                }
                s += "    <id>\(id)</id>\n    <name_type>\(nameType)</name_type>\n    <filesize>\(r.size ?? 0)</filesize>\n"
                s += "    <alloc>1</alloc>\n    <inode>\(id)</inode>\n"
                if let m = metaType { s += "    <meta_type>\(m)</meta_type>\n" }
                if let mode = r.mode { s += "    <mode>\(mode)</mode>\n" }
                var times: [String: FileTimeRow] = [:]
                for t in try q.fileTimes(fileID: id) { times[t.kind ?? ""] = t }
                var ext = ""
                for (element, stored) in [("mtime", "modified"), ("ctime", "changed"), ("atime", "accessed"), ("crtime", "created")] {
                    guard let t = times[stored] else { continue }
                    let raw = t.raw ?? ""
                    let basis = t.basis ?? "unknown"
                    if let us = t.utcMicros {
                        s += "    <\(element) prec=\"\(DFXML.prec(t.precision))\">\(UTCFormat.string(micros: us))</\(element)>\n"
                    }
                    ext += "    <exhibit:time kind=\"\(element)\" basis=\"\(x(basis))\" raw=\"\(x(raw))\"/>\n"
                }
                if kind == "symlink" || kind == "hardlink", let target = r.linkTarget { s += "    <link_target>\(x(target))</link_target>\n" }
                if let mime = r.mime { s += "    <libmagic>\(x(mime))</libmagic>\n" }
                for (alg, h) in [("md5", r.md5), ("sha1", r.sha1), ("sha256", r.sha256)] {
                    if let h { s += "    <hashdigest type=\"\(alg)\">\(h)</hashdigest>\n" }
                }
                let label = r.evidenceLabel ?? ""
                let key = r.entryKey ?? ""
                s += "    <exhibit:entry evidence=\"\(x(label))\" entry_key=\"\(x(key))\" status=\"\(x(status))\"/>\n" + ext
                s += "  </fileobject>\n"
                try out.write(s)
                summary.written += 1
                if !ExportEscape.isXMLClean(r.path ?? "") {
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
