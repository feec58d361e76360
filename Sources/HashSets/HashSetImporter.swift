import Crypto
import EvidenceStore
import ExhibitKit
import ExhibitSupport
import Foundation

/// The hash-set file formats `exhibit hashset import` reads.
public enum HashSetFormat: String, Sendable, CaseIterable {
    /// One hex digest per line (`#` comments).
    case plain
    /// `md5sum` / `sha1sum` / `sha256sum` output (`HEX  name` or `HEX *name`).
    case md5sum
    /// hashdeep (`%%%% HASHDEEP-1.0`, `%%%% size,md5,sha256,filename`).
    case hashdeep
    /// NSRL RDSv3 SQLite (`FILE` table / `DISTINCT_HASH` view).
    case nsrl = "nsrl-rdsv3"
    /// Project VIC VICS JSON, v1.x or v2.0, `#Media` or `#Cases`.
    case vics
    /// NCMEC hash-sharing XML export.
    case ncmec = "ncmec-xml"
    /// PDQ list: `hash[,quality[,label]]`.
    case pdq
    /// vPDQ video hash file: `frame,quality,pdqhex,timestamp_s`.
    case vpdq

    /// The format of a file from its first bytes (and the `--algorithm` given, which tells a
    /// PDQ list from a SHA-256 list).
    public static func detect(prefix: [UInt8], algorithm: String?) -> HashSetFormat {
        if prefix.starts(with: Array("SQLite format 3".utf8)) { return .nsrl }
        let text = String(decoding: prefix, as: UTF8.self)
        let trimmed = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        if trimmed.hasPrefix("%%%% HASHDEEP") { return .hashdeep }
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") { return .vics }
        if trimmed.hasPrefix("<") { return .ncmec }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let first = lines.first else { return .plain }
        let fields = first.split(separator: ",", omittingEmptySubsequences: false)
        if fields.count == 4, Int(fields[0]) != nil, fields[2].count == 64 { return .vpdq }
        if algorithm == "pdq" || (fields.count >= 2 && fields[0].count == 64 && Int(fields[1]) != nil) { return .pdq }
        if first.contains(" ") || first.contains("\t") { return .md5sum }
        return .plain
    }
}

/// What an import was asked to do.
public struct HashSetImportRequest: Sendable {
    /// The hash-set file.
    public var path: String
    /// Unique name of the set in the case.
    public var name: String
    /// `known-bad` or `known-good`.
    public var kind: String
    /// `md5`, `sha1`, `sha256` or `pdq`; required for 64-hex plain lists without a header.
    public var algorithm: String?
    /// VICS categories that count (others are skipped and counted); `nil` keeps every category.
    public var categories: Set<String>?
    /// Forces a format instead of detecting it.
    public var format: HashSetFormat?
    /// Describes one import.
    public init(path: String, name: String, kind: String, algorithm: String? = nil, categories: Set<String>? = nil,
                format: HashSetFormat? = nil) {
        self.path = path; self.name = name; self.kind = kind; self.algorithm = algorithm; self.categories = categories
        self.format = format
    }
}

/// A problem with the request itself (not with lines of the file, which are counted).
public struct HashSetRequestError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var description: String
    /// Wraps a message.
    public init(_ d: String) { description = d }
}

/// Counts rejected lines and keeps the first few as examples.
struct Rejections {
    var count = 0
    var skipped = 0
    var examples: [String] = []
    mutating func reject(_ where_: String, _ why: String) {
        count += 1
        if examples.count < 10 { examples.append("\(where_): \(why)") }
    }
    var totals: HashSetImportTotals { HashSetImportTotals(rejected: count, skipped: skipped, examples: examples) }
}

/// Reads a hash-set file into the store: the source is hashed first (idempotency: the same name
/// and SHA-256 is a no-op), then parsed streaming into one transaction.
public enum HashSetImporter {
    /// Values `--algorithm` accepts.
    public static let algorithms: Set<String> = ["md5", "sha1", "sha256", "pdq"]

    /// Imports `request.path`; returns the set and whether it was new.
    public static func run(_ db: EvidenceDatabase, _ request: HashSetImportRequest, nowMicros: Int64) throws -> (set: HashSetRecord, fresh: Bool, format: HashSetFormat) {
        guard request.kind == "known-bad" || request.kind == "known-good" else {
            throw HashSetRequestError("--kind must be known-bad or known-good, not '\(request.kind)'")
        }
        if let a = request.algorithm, !algorithms.contains(a) {
            throw HashSetRequestError("--algorithm must be one of md5, sha1, sha256, pdq, not '\(a)'")
        }
        guard !request.name.isEmpty else { throw HashSetRequestError("--name must not be empty") }
        let (sha, size, prefix) = try digest(request.path)
        let format = request.format ?? HashSetFormat.detect(prefix: prefix, algorithm: request.algorithm)
        let source = HashSetSource(name: request.name, kind: request.kind, format: format.rawValue, path: request.path, sha256: sha,
                                   size: size, categories: request.categories.map { $0.sorted().joined(separator: ",") })
        if format == .plain, request.algorithm == nil {
            // 64 hex digits is SHA-256 or PDQ: refuse to guess unless a header comment says which.
            let lines = String(decoding: prefix, as: UTF8.self).split(whereSeparator: \.isNewline)
            let has64 = lines.contains { !$0.hasPrefix("#") && $0.trimmingCharacters(in: .whitespaces).count == 64 }
            if has64 && headerAlgorithm(prefix) == nil {
                throw HashSetRequestError("\(request.path): 64-hex lines may be SHA-256 or PDQ; give --algorithm sha256 or --algorithm pdq")
            }
        }
        let result = try db.importHashSet(source, importedAtMicros: nowMicros) { add in
            var rej = Rejections()
            switch format {
            case .plain, .md5sum, .hashdeep, .pdq, .vpdq:
                try TextFormats.read(request.path, format: format, request: request, prefix: prefix, add: add, rejections: &rej)
            case .nsrl: try NSRLReader.read(request.path, algorithm: request.algorithm, add: add, rejections: &rej)
            case .vics: try VICSReader.read(request.path, categories: request.categories, add: add, rejections: &rej)
            case .ncmec: try NCMECReader.read(request.path, add: add, rejections: &rej)
            }
            return rej.totals
        }
        return (result.set, result.fresh, format)
    }

    /// SHA-256, size and first 4 KiB of the file, read in chunks.
    static func digest(_ path: String) throws -> (String, Int64, [UInt8]) {
        guard let h = FileHandle(forReadingAtPath: path) else { throw HashSetRequestError("\(path): cannot open") }
        defer { try? h.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        var prefix: [UInt8] = []
        while true {
            let chunk = try h.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            if prefix.count < 4096 { prefix += chunk.prefix(4096 - prefix.count) }
            hasher.update(data: chunk)
            size += Int64(chunk.count)
        }
        return (Hex.encode(hasher.finalize()), size, prefix)
    }

    /// `pdq` or `sha256` when a `#` comment line in the file's first bytes names it (a plain
    /// 64-hex list says which it is that way), else `nil`.
    static func headerAlgorithm(_ prefix: [UInt8]) -> String? {
        let comments = String(decoding: prefix, as: UTF8.self).lowercased().split(whereSeparator: \.isNewline)
            .filter { $0.hasPrefix("#") }.joined()
        if comments.contains("pdq") { return "pdq" }
        if comments.contains("sha256") || comments.contains("sha-256") { return "sha256" }
        return nil
    }

    /// Lower-case hex if `s` is hex of one of the digest lengths, else `nil`.
    static func hex(_ s: Substring) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard Hex.isHex(t, lengths: [32, 40, 64]) else { return nil }
        return t.lowercased()
    }

    /// The digest algorithm a hex length implies (64 → `sha256` unless told otherwise).
    static func algorithm(forLength n: Int, declared: String?) -> String? {
        switch n {
        case 32: return declared == nil || declared == "md5" ? "md5" : nil
        case 40: return declared == nil || declared == "sha1" ? "sha1" : nil
        case 64: return declared == "pdq" ? "pdq" : (declared == nil || declared == "sha256" ? "sha256" : nil)
        default: return nil
        }
    }
}
