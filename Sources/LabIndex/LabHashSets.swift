import Crypto
import EvidenceStore
import ExhibitSupport
import Foundation
import PostgresNIO

/// A lab-wide hash set: a known-bad or known-good list imported once into the lab index and
/// imported by every worker into each case database it ingests into (docs/lab.md).
public struct LabHashSet: Sendable, Codable, Equatable {
    /// Unique name (also its name in every case database).
    public var name: String
    /// `known-bad` or `known-good`.
    public var kind: String
    /// Format the importer detected (or was told).
    public var format: String
    /// Extra `exhibit hashset import` arguments (`--algorithm`, `--categories`, `--format`).
    public var importArguments: [String]
    /// The list on shared storage, as an absolute path.
    public var sourcePath: String
    /// SHA-256 of the list when it was imported into the lab.
    public var sourceSHA256: String
    /// Entries imported.
    public var entries: Int
    /// Malformed lines (counted, as in the case database).
    public var rejected: Int
    /// True when this call imported it; false when it was already in the lab.
    public var fresh: Bool
}

extension LabIndex {
    /// Imports a list into the lab: the case database's own importer (`exhibit hashset import`,
    /// every format, the same rejections) runs into a scratch database, and its set and entries
    /// are copied into `lab_hashsets`/`lab_hashset_entries` in one transaction. The same file under
    /// the same name again imports nothing; the same name with other content is refused.
    public func importHashSet(exhibit: String, path: String, name: String, kind: String, arguments: [String]) async throws -> LabHashSet {
        try await requireSchema()
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard kind == "known-bad" || kind == "known-good" else { throw LabError("--kind must be known-bad or known-good") }
        let digest = try Self.sha256(ofFile: absolute)
        if let old = try await hashSets().first(where: { $0.name == name }) {
            guard old.sourceSHA256 == digest.hex else {
                throw LabError("the lab already has a hash set named \(name) with other content (SHA-256 \(old.sourceSHA256)); import the new list under a new name")
            }
            var same = old
            same.fresh = false
            return same
        }
        let scratch = TemporaryDirectory.defaultURL.appendingPathComponent("exhibit-lab-hashset-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let db = scratch + "/scratch.sqlite"
        let r = await Child.run(exhibit, ["hashset", "import", "--db", db, "--name", name, "--kind", kind, "--no-match"] + arguments + [absolute])
        guard r.code == 0 else { throw LabError("\(absolute): hash-set import failed (exit \(r.code)): \(r.tail)") }
        let q: LabExportReader
        do { q = try LabExportReader(path: db) } catch let e as EvidenceStoreError { throw LabError(e.description) }
        guard let set = try q.hashSet(named: name) else { throw LabError("\(absolute): the importer recorded no set") }
        let (setID, format, sha, entries, rejected) = (set.id, set.format, set.sourceSHA256, set.entryCount, set.rejectedCount)
        guard sha == digest.hex else { throw LabError("\(absolute) changed while it was imported; import it again") }
        let args = String(decoding: try JSONEncoder.sorted.encode(arguments), as: UTF8.self)
        let now = Self.utcNow()
        do {
            try await connection.withTransaction(logger: logger) { c in
                var labID = 0
                for try await id in try await c.query("""
                    INSERT INTO lab_hashsets (name, kind, format, import_arguments, source_path, source_sha256, source_size, entry_count, rejected_count, imported_utc)
                    VALUES (\(name), \(kind), \(format), \(args)::jsonb, \(absolute), \(sha), \(digest.size), \(entries), \(rejected), \(now))
                    RETURNING hashset_id
                    """, logger: self.logger).decode(Int.self) { labID = id }
                try await c.copyFrom(table: "lab_hashset_entries",
                                     columns: ["hashset_id", "entry_id", "algorithm", "hash", "quality", "category", "label", "media_id", "frame_index", "frame_time_us"],
                                     logger: self.logger) { writer in
                    var after: Int64 = 0
                    while true {
                        let (rows, last) = try q.hashSetEntries(setID: setID, after: after, limit: Self.pageRows)
                        guard let last else { break }
                        after = last
                        var buffer = ByteBuffer()
                        for row in rows {
                            buffer.writeString(String(labID))
                            for value in row {
                                buffer.writeInteger(UInt8(ascii: "\t"))
                                if let v = Self.text(value) { buffer.writeCopyEscaped(v) } else { buffer.writeStaticString("\\N") }
                            }
                            buffer.writeInteger(UInt8(ascii: "\n"))
                        }
                        try await writer.write(buffer)
                    }
                }
            }
        } catch {
            throw LabError("hash set \(name) could not be stored in the lab index: \(Self.describe(error))")
        }
        return LabHashSet(name: name, kind: kind, format: format, importArguments: arguments, sourcePath: absolute, sourceSHA256: sha,
                          entries: entries, rejected: rejected, fresh: true)
    }

    /// The lab-wide hash sets, by name.
    public func hashSets() async throws -> [LabHashSet] {
        try await requireSchema()
        var out: [LabHashSet] = []
        for try await r in try await connection.query("""
            SELECT name, kind, format, import_arguments::text, source_path, source_sha256, entry_count, rejected_count FROM lab_hashsets ORDER BY name
            """, logger: logger).decode((String, String, String, String, String, String, Int, Int).self) {
            let args = (try? JSONDecoder().decode([String].self, from: Data(r.3.utf8))) ?? []
            out.append(LabHashSet(name: r.0, kind: r.1, format: r.2, importArguments: args, sourcePath: r.4, sourceSHA256: r.5,
                                  entries: r.6, rejected: r.7, fresh: false))
        }
        return out
    }

    /// SHA-256 (lower-case hex) and size of a file, read in 1 MiB pieces.
    static func sha256(ofFile path: String) throws -> (hex: String, size: Int) {
        guard let h = FileHandle(forReadingAtPath: path) else { throw LabError("\(path): cannot read") }
        defer { try? h.close() }
        var hasher = SHA256()
        var size = 0
        while true {
            let data = try h.read(upToCount: 1 << 20) ?? Data()
            if data.isEmpty { break }
            size += data.count
            hasher.update(data: data)
        }
        return (Hex.encode(hasher.finalize()), size)
    }
}

extension LabWorker {
    /// Imports every lab-wide hash set into the case database before an item is ingested (the
    /// ingest then matches against them). A set the case already holds with the same content is
    /// skipped without reading the list. Returns nil when all are in place, else why the job
    /// cannot go on and whether a retry may help (a list not reachable yet) or not (a list that
    /// changed on shared storage, or a case holding another list under that name).
    static func applyHashSets(_ sets: [LabHashSet], db: String, cfg: LabWorkerConfig) async -> (note: String, retry: Bool)? {
        let present = Self.caseHashSets(db)
        var missing: [LabHashSet] = []
        // Every list is checked before any is imported: a refused job leaves the case untouched.
        for s in sets {
            if let have = present[s.name] {
                if have == s.sourceSHA256 { continue }
                return ("the case database holds another list named \(s.name) (SHA-256 \(have)); the lab's is \(s.sourceSHA256)", false)
            }
            guard FileManager.default.isReadableFile(atPath: s.sourcePath) else {
                return ("lab hash set \(s.name): \(s.sourcePath) cannot be read here (shared storage not mounted?)", true)
            }
            guard let now = try? LabIndex.sha256(ofFile: s.sourcePath).hex else { return ("lab hash set \(s.name): \(s.sourcePath) cannot be read", true) }
            guard now == s.sourceSHA256 else {
                return ("lab hash set \(s.name): \(s.sourcePath) changed since it was imported into the lab (SHA-256 now \(now), imported \(s.sourceSHA256)); import the new list under a new name", false)
            }
            missing.append(s)
        }
        for s in missing {
            let r = await Child.run(cfg.exhibit, ["hashset", "import", "--db", db, "--name", s.name, "--kind", s.kind, "--no-match"]
                                    + s.importArguments + [s.sourcePath])
            guard r.code == 0 else { return ("lab hash set \(s.name): import into the case failed (exit \(r.code)): \(r.tail)", r.code != 2) }
        }
        return nil
    }

    /// The hash sets a case database holds (name → source SHA-256); empty when it has none yet.
    static func caseHashSets(_ db: String) -> [String: String] {
        guard FileManager.default.fileExists(atPath: db) else { return [:] }
        guard let sources = try? LabExportReader(path: db).hashSetSources() else { return [:] }
        return sources
    }
}
