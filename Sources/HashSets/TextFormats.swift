import EvidenceStore
import Foundation

/// Line-oriented hash-set formats: plain lists, md5sum/sha256sum output, hashdeep, PDQ lists
/// and vPDQ files. Read in 1 MiB chunks; a bad line is counted and the next one read.
enum TextFormats {
    static func read(_ path: String, format: HashSetFormat, request: HashSetImportRequest, prefix: [UInt8],
                     add: (HashSetEntryInput) throws -> Void, rejections rej: inout Rejections) throws {
        var declared = request.algorithm
        if format == .plain, declared == nil { declared = HashSetImporter.headerAlgorithm(prefix) }
        var columns: [String] = []
        let media = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        try forEachLine(path) { number, raw in
            let at = "line \(number)"
            guard let raw else { rej.reject(at, "longer than \(maxLineBytes) bytes"); return }
            let line = raw.trimmingCharacters(in: .whitespaces)
            switch format {
            case .hashdeep:
                if line.hasPrefix("%%%%") {
                    let body = line.dropFirst(4).trimmingCharacters(in: .whitespaces)
                    if !body.hasPrefix("HASHDEEP") { columns = body.split(separator: ",").map { $0.lowercased() } }
                    return
                }
                if line.isEmpty || line.hasPrefix("#") { return }
                guard !columns.isEmpty else { rej.reject(at, "data before the %%%% column header"); return }
                let fields = line.split(separator: ",", maxSplits: columns.count - 1, omittingEmptySubsequences: false)
                guard fields.count == columns.count else { rej.reject(at, "expected \(columns.count) fields"); return }
                var found: [HashSetEntryInput] = []
                let label = columns.firstIndex(of: "filename").map { String(fields[$0]) }
                for (i, c) in columns.enumerated() {
                    if c == "size" { guard Int64(fields[i]) != nil else { rej.reject(at, "size is not a number"); return }; continue }
                    guard ["md5", "sha1", "sha256"].contains(c) else { continue }
                    guard let h = HashSetImporter.hex(fields[i]), HashSetImporter.algorithm(forLength: h.count, declared: c) == c else {
                        rej.reject(at, "\(c) is not a valid digest"); return
                    }
                    found.append(HashSetEntryInput(algorithm: c, hash: h, label: label))
                }
                for e in found where request.algorithm == nil || request.algorithm == e.algorithm { try add(e) }
            case .md5sum, .plain:
                if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("//") { return }
                var hexPart = Substring(line), label: String? = nil
                // GNU md5sum starts the line with '\' when it escaped the name (one holding a
                // backslash or a line break): the digest follows it.
                let escaped = format == .md5sum && hexPart.hasPrefix("\\")
                if escaped { hexPart = hexPart.dropFirst() }
                if format == .md5sum, let sp = hexPart.firstIndex(where: { $0 == " " || $0 == "\t" }) {
                    var rest = hexPart[sp...].drop { $0 == " " || $0 == "\t" }
                    hexPart = hexPart[..<sp]
                    if rest.hasPrefix("*") { rest = rest.dropFirst() }
                    label = rest.isEmpty ? nil : (escaped ? unescapeName(rest) : String(rest))
                }
                guard let h = HashSetImporter.hex(hexPart) else { rej.reject(at, "not a hex digest of 32, 40 or 64 digits"); return }
                guard let alg = HashSetImporter.algorithm(forLength: h.count, declared: declared) else {
                    rej.reject(at, "\(h.count) hex digits do not fit --algorithm \(declared ?? "")"); return
                }
                try add(HashSetEntryInput(algorithm: alg, hash: h, label: label))
            case .pdq:
                if line.isEmpty || line.hasPrefix("#") { return }
                let f = line.split(maxSplits: 2, whereSeparator: { $0 == "," || $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }
                // f is empty for a line of separators only (",").
                guard let first = f.first, let h = HashSetImporter.hex(Substring(first)), h.count == 64 else {
                    rej.reject(at, "not a 64-hex PDQ hash"); return
                }
                var quality: Int? = nil
                if f.count > 1 {
                    guard let q = Int(f[1]), (0...100).contains(q) else { rej.reject(at, "quality is not 0…100"); return }
                    quality = q
                }
                try add(HashSetEntryInput(algorithm: "pdq", hash: h, quality: quality, label: f.count > 2 ? f[2] : nil))
            case .vpdq:
                if line.isEmpty || line.hasPrefix("#") { return }
                // The time bound keeps the µs value inside Int64 (converting past it traps).
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard f.count == 4, let frame = Int(f[0]), frame >= 0, let q = Int(f[1]), (0...100).contains(q),
                      let h = HashSetImporter.hex(Substring(f[2])), h.count == 64, let t = Double(f[3]), t >= 0, t < 9e12 else {
                    rej.reject(at, "expected frame,quality,pdqhex,timestamp_s"); return
                }
                try add(HashSetEntryInput(algorithm: "pdq-frame", hash: h, quality: q, label: media, mediaID: media,
                                          frameIndex: frame, frameTimeMicros: Int64((t * 1_000_000).rounded())))
            case .nsrl, .vics, .ncmec:
                return
            }
        }
    }

    /// Undoes md5sum's name escapes: `\\` → `\`, `\n` → line feed, `\r` → carriage return.
    static func unescapeName(_ s: Substring) -> String {
        var out = "", pending = false
        for c in s {
            if pending {
                switch c {
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "\\": out.append("\\")
                default: out.append("\\"); out.append(c)
                }
                pending = false
            } else if c == "\\" { pending = true } else { out.append(c) }
        }
        if pending { out.append("\\") }
        return out
    }

    /// Longest line handed over; a hash-set line is well under 1 KiB, so anything longer is
    /// reported as `nil` and skipped unkept — a file without line breaks cannot fill memory.
    static let maxLineBytes = 1 << 20

    /// Calls `body` with every line (1-based number, text without the line break, or `nil` for a
    /// line over ``maxLineBytes``), reading the file in chunks; invalid UTF-8 is replaced, never fatal.
    static func forEachLine(_ path: String, _ body: (Int, String?) throws -> Void) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw HashSetRequestError("\(path): cannot open") }
        defer { try? h.close() }
        var pending = [UInt8](), number = 0, overlong = false
        func emit(_ bytes: ArraySlice<UInt8>) throws {
            number += 1
            if overlong { overlong = false; try body(number, nil); return }
            var b = bytes
            if b.last == 13 { b = b.dropLast() }
            if number == 1, b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
            try body(number, String(decoding: b, as: UTF8.self))
        }
        while true {
            let chunk = try h.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            // Only the new bytes are searched: the kept tail is known to hold no line break.
            var scan = pending.count, start = 0
            pending += chunk
            while let nl = pending[scan...].firstIndex(of: 10) {
                try emit(pending[start..<nl])
                start = nl + 1
                scan = start
            }
            pending.removeFirst(start)
            if pending.count > maxLineBytes { overlong = true; pending.removeAll(keepingCapacity: true) }
        }
        if !pending.isEmpty || overlong { try emit(pending[...]) }
    }
}
