import EvidenceStore
import ExhibitKit
import Foundation

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
    func exportBodyfile(to path: String, options: ExportOptions) throws -> ExportSummary {
        let out = try ExportOutput(path: path, overwrite: options.overwrite)
        var summary = ExportSummary()
        try readCase { q in
            let rows = try q.inventory(window: options.window)
            while let r = try rows.next() {
                let kind = r.kind ?? "other"
                var name = Bodyfile.name(r.path ?? "")
                if kind == "symlink", let target = r.linkTarget { name += " -> " + Bodyfile.name(target) }
                let md5 = r.md5 ?? "0"
                let times = [Bodyfile.seconds(r.accessedMicros), Bodyfile.seconds(r.modifiedMicros), Bodyfile.seconds(r.changedMicros),
                             Bodyfile.seconds(r.createdMicros)]
                let size = r.size ?? 0
                let line = "\(md5)|\(name)|\(r.id)|\(Bodyfile.modeString(kind: kind, mode: r.mode))|0|0|\(size)|"
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
