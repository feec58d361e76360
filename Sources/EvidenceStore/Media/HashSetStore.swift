import ExhibitKit
import Foundation
import GRDB

/// One imported hash set (`hashsets` row).
public struct HashSetRecord: Sendable, Hashable, Codable {
    /// Row id.
    public var id: Int64
    /// Unique name given at import.
    public var name: String
    /// `known-bad` or `known-good`.
    public var kind: String
    /// The parser that read it (`plain`, `md5sum`, `hashdeep`, `nsrl-rdsv3`, `vics`, `ncmec-xml`, `pdq`, `vpdq`).
    public var format: String
    /// The file as given on the command line.
    public var sourcePath: String
    /// SHA-256 of the source file (idempotency key with the name).
    public var sourceSHA256: String
    /// Size of the source file in bytes.
    public var sourceSize: Int64
    /// Entries stored.
    public var entryCount: Int
    /// Malformed lines/records.
    public var rejectedCount: Int
    /// Entries left out on purpose (VICS categories not chosen as known-bad).
    public var skippedCount: Int
    /// Up to 10 rejected lines/records, as `line N: reason`.
    public var rejectedExamples: [String]
    /// `--categories` chosen (comma-joined), `nil` for all.
    public var categories: String?
    /// Import time, UTC.
    public var importedAt: String
}

/// One digest of a hash set, as a parser hands it over.
public struct HashSetEntryInput: Sendable, Hashable {
    /// `md5`, `sha1`, `sha256`, `pdq` or `pdq-frame`.
    public var algorithm: String
    /// Lower-case hex.
    public var hash: String
    /// PDQ quality, when the list gives one.
    public var quality: Int?
    /// Category or classification from the list.
    public var category: String?
    /// File name or label from the list.
    public var label: String?
    /// Groups the frames of one known video (vPDQ) or names the list's own media id (VICS).
    public var mediaID: String?
    /// vPDQ frame number.
    public var frameIndex: Int?
    /// vPDQ frame time, µs.
    public var frameTimeMicros: Int64?
    /// Creates an entry.
    public init(algorithm: String, hash: String, quality: Int? = nil, category: String? = nil, label: String? = nil,
                mediaID: String? = nil, frameIndex: Int? = nil, frameTimeMicros: Int64? = nil) {
        self.algorithm = algorithm; self.hash = hash; self.quality = quality; self.category = category
        self.label = label; self.mediaID = mediaID; self.frameIndex = frameIndex; self.frameTimeMicros = frameTimeMicros
    }
}

/// What a parser reports besides its entries.
public struct HashSetImportTotals: Sendable, Hashable {
    /// Malformed lines/records.
    public var rejected: Int
    /// Records left out on purpose (categories not chosen).
    public var skipped: Int
    /// Up to 10 `where: why` examples.
    public var examples: [String]
    /// Creates totals.
    public init(rejected: Int, skipped: Int, examples: [String]) {
        self.rejected = rejected; self.skipped = skipped; self.examples = examples
    }
}

/// Describes an import before its entries are read.
public struct HashSetSource: Sendable, Hashable {
    /// Name, kind, parser, path, SHA-256 and size of the source.
    public var name: String, kind: String, format: String, path: String, sha256: String, size: Int64
    /// `--categories` chosen, comma-joined.
    public var categories: String?
    /// Describes a source.
    public init(name: String, kind: String, format: String, path: String, sha256: String, size: Int64, categories: String?) {
        self.name = name; self.kind = kind; self.format = format; self.path = path; self.sha256 = sha256
        self.size = size; self.categories = categories
    }
}

/// Why an import stored nothing.
public enum HashSetImportError: Error, Sendable, CustomStringConvertible {
    case nameTaken(name: String, sha256: String)
    case noEntries(rejected: Int, examples: [String])
    /// A sentence with the remedy.
    public var description: String {
        switch self {
        case .nameTaken(let n, let s):
            return "a hash set named '\(n)' already exists with another source (sha256 \(s)); import under another --name"
        case .noEntries(let r, let e):
            return "no valid entries (\(r) rejected)" + (e.isEmpty ? "" : ": " + e.joined(separator: "; "))
        }
    }
}

extension EvidenceDatabase {
    /// Every imported hash set, by name.
    public func hashSets() throws -> [HashSetRecord] {
        try queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM hashsets ORDER BY name").map(Self.hashSet) }
    }

    /// Imports one hash set in ONE transaction, with its `hashset.import` audit entry (a failure
    /// leaves nothing). `produce` hands every
    /// entry to its sink and returns the rejected/skipped totals. Re-importing the same source
    /// (same name and SHA-256) is a no-op returning the existing set with `fresh == false`.
    public func importHashSet(_ source: HashSetSource, importedAtMicros: Int64,
                              produce: (_ add: (HashSetEntryInput) throws -> Void) throws -> HashSetImportTotals)
        throws -> (set: HashSetRecord, fresh: Bool) {
        let (id, fresh): (Int64, Bool) = try queue.write { db in
            // Looked up inside the write transaction, so two imports under one name cannot both
            // pass the check (the second would hit the UNIQUE constraint instead).
            if let existing = try Row.fetchOne(db, sql: "SELECT id, source_sha256 FROM hashsets WHERE name = ?", arguments: [source.name]) {
                let sha: String = existing["source_sha256"]
                guard sha == source.sha256 else { throw HashSetImportError.nameTaken(name: source.name, sha256: sha) }
                return (existing["id"], false)
            }
            try db.execute(sql: """
                INSERT INTO hashsets (name, kind, format, source_path, source_sha256, source_size, entry_count, rejected_count,
                    skipped_count, rejected_examples, categories, imported_at_us, imported_at)
                VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, '[]', ?, ?, ?)
                """, arguments: [source.name, source.kind, source.format, source.path, source.sha256, source.size,
                                 source.categories, importedAtMicros, UTCFormat.string(micros: importedAtMicros)])
            let setID = db.lastInsertedRowID
            let insert = try db.cachedStatement(sql: """
                INSERT INTO hashset_entries (hashset_id, algorithm, hash, quality, category, label, media_id, frame_index,
                    frame_time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var count = 0
            let totals = try produce { e in
                try insert.execute(arguments: [setID, e.algorithm, e.hash.lowercased(), e.quality, e.category, e.label,
                                               e.mediaID, e.frameIndex, e.frameTimeMicros])
                count += 1
            }
            guard count > 0 else { throw HashSetImportError.noEntries(rejected: totals.rejected, examples: totals.examples) }
            try db.execute(sql: """
                UPDATE hashsets SET entry_count = ?, rejected_count = ?, skipped_count = ?, rejected_examples = ? WHERE id = ?
                """, arguments: [count, totals.rejected, totals.skipped,
                                 JSONValue.array(totals.examples.prefix(10).map(JSONValue.string)).canonicalText, setID])
            // The set and its audit entry commit together (issue 15): no imported set without a record.
            try Self.appendAudit(db, action: "hashset.import", details: .object([
                "name": .string(source.name), "kind": .string(source.kind), "format": .string(source.format),
                "source": .string(source.path), "sha256": .string(source.sha256), "entries": .number(Double(count)),
                "rejected": .number(Double(totals.rejected)), "skipped": .number(Double(totals.skipped)),
            ]))
            return (setID, true)
        }
        let set = try queue.read { db in try Row.fetchOne(db, sql: "SELECT * FROM hashsets WHERE id = ?", arguments: [id]).map(Self.hashSet) }
        guard let set else { throw EvidenceStoreError.invalidValue(field: "hash set", value: source.name) }
        return (set, fresh)
    }

    static func hashSet(_ r: Row) -> HashSetRecord {
        let examplesText: String = r["rejected_examples"] ?? "[]"
        let examples = (try? JSONSerialization.jsonObject(with: Data(examplesText.utf8))) as? [String] ?? []
        return HashSetRecord(id: r["id"], name: r["name"], kind: r["kind"], format: r["format"], sourcePath: r["source_path"],
                             sourceSHA256: r["source_sha256"], sourceSize: r["source_size"], entryCount: r["entry_count"],
                             rejectedCount: r["rejected_count"], skippedCount: r["skipped_count"], rejectedExamples: examples,
                             categories: r["categories"], importedAt: r["imported_at"])
    }
}
