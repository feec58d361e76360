import ExhibitKit
import Foundation
import GRDB

/// The Sleuth Kit 3.x bodyfile: `MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime`,
/// one line per inventory entry, times in whole seconds since the epoch, `0` where unknown (the
/// value `mactime` skips). `inode` is `files.id`, so a line leads straight back to its row;
/// UID/GID are `0` (archives seldom carry them and the inventory does not keep them).
enum Bodyfile {
    /// TSK's `mode_as_string`: name type / meta type then the nine permission letters
    /// (`r/rrw-r--r--`, `d/drwxr-xr-x`, `l/lrwxrwxrwx`).
    static func modeString(kind: String, mode: Int64?) -> String {
        let type: String
        switch kind {
        case "directory": type = "d"
        case "symlink": type = "l"
        case "file", "hardlink": type = "r"
        default: type = "-"
        }
        var perms = ""
        let letters: [Character] = ["r", "w", "x"]
        for i in 0..<9 {
            let bit = Int64(1) << Int64(8 - i)
            perms.append((mode.map { $0 & bit != 0 } ?? false) ? letters[i % 3] : "-")
        }
        return "\(type)/\(type)\(perms)"
    }

    /// Escapes the characters that would break a line or a field: `mactime` splits on `|` and
    /// decodes `%XX`, so `%`, `|`, CR and LF are written `%25`, `%7C`, `%0D`, `%0A`.
    static func name(_ text: String) -> String {
        guard text.contains(where: { $0 == "%" || $0 == "|" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        var out = ""
        for s in text.unicodeScalars {
            switch s {
            case "%": out += "%25"
            case "|": out += "%7C"
            case "\n": out += "%0A"
            case "\r": out += "%0D"
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// Whole seconds (floor) of a µs instant; 0 when unknown.
    static func seconds(_ micros: Int64?) -> Int64 {
        guard let m = micros else { return 0 }
        return m >= 0 ? m / 1_000_000 : -((-m + 999_999) / 1_000_000)
    }
}

extension EvidenceDatabase {
    /// Shared query of the file inventory with its four archive times pivoted into columns, in
    /// canonical order; `window` keeps files with at least one time inside it.
    static func inventorySQL(_ options: ExportOptions) -> (String, StatementArguments) {
        let (win, args) = options.window("t2.utc_us")
        let having = options.hasWindow
            ? "WHERE EXISTS (SELECT 1 FROM file_times t2 WHERE t2.file_id = f.id AND \(win))" : ""
        let sql = """
            SELECT f.id, f.path, f.kind, f.mode, f.size, f.md5, f.sha1, f.sha256, f.link_target, f.status, f.mime, f.name,
                   e.label, f.entry_key, f.parent_key,
                   (SELECT utc_us FROM file_times WHERE file_id = f.id AND kind = 'accessed'),
                   (SELECT utc_us FROM file_times WHERE file_id = f.id AND kind = 'modified'),
                   (SELECT utc_us FROM file_times WHERE file_id = f.id AND kind = 'changed'),
                   (SELECT utc_us FROM file_times WHERE file_id = f.id AND kind = 'created'),
                   f.evidence_id, f.message
            FROM files f JOIN evidence e ON e.id = f.evidence_id
            \(having)
            ORDER BY e.label, f.sort_key
            """
        return (sql, args)
    }

    func exportBodyfile(to path: String, options: ExportOptions) throws -> ExportSummary {
        let out = try ExportOutput(path: path, overwrite: options.overwrite)
        var summary = ExportSummary()
        let (sql, args) = Self.inventorySQL(options)
        try queue.read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: args)
            while let r = try rows.next() {
                let id: Int64 = r[0]
                let kind: String = r[2] ?? "other"
                var name = Bodyfile.name(r[1] ?? "")
                if kind == "symlink", let target: String = r[8] { name += " -> " + Bodyfile.name(target) }
                let md5: String = r[5] ?? "0"
                let times = [Bodyfile.seconds(r[15]), Bodyfile.seconds(r[16]), Bodyfile.seconds(r[17]), Bodyfile.seconds(r[18])]
                let size: Int64 = r[4] ?? 0
                let line = "\(md5)|\(name)|\(id)|\(Bodyfile.modeString(kind: kind, mode: r[3]))|0|0|\(size)|"
                    + times.map(String.init).joined(separator: "|") + "\n"
                try out.write(line)
                summary.written += 1
                if times.allSatisfy({ $0 == 0 }) { summary.notes["written without any time (mactime does not list them)", default: 0] += 1 }
            }
        }
        try out.finish()
        summary.outputs = [path]
        return summary
    }
}
