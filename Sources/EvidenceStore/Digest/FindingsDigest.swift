import Foundation
import GRDB

/// One table's (or one finding kind's) contribution to ``EvidenceDatabase/digest()``.
struct DigestSection: Sendable {
    /// Written into the hash before the section's first record.
    let name: String
    /// Feeds the section's records, in canonical order.
    let emit: @Sendable (Database, inout DigestHasher) throws -> Void

    /// A section whose query returns rows ordered by a group key in its first `groupWidth`
    /// columns (evidence label + entry key), with every column to hash; rows within a group are
    /// put in canonical order by the hasher.
    static func grouped(_ name: String, groupWidth: Int = 2, sql: String) -> DigestSection {
        DigestSection(name: name) { db, hasher in try hasher.addGroupedRows(db, sql: sql, groupWidth: groupWidth) }
    }

    /// A ``grouped(_:groupWidth:sql:)`` section of a large table read one file at a time
    /// (``DigestHasher/addGroupedRows(_:filesSQL:sql:groupWidth:)``): `unfiledSQL` (optional)
    /// returns the rows without a file, whose NULL key sorts first; `filesSQL` the ids of the
    /// files holding rows, in key order; `sql` one file's rows.
    static func groupedByFile(_ name: String, groupWidth: Int = 2, unfiledSQL: String? = nil, filesSQL: String,
                              sql: String) -> DigestSection {
        DigestSection(name: name) { db, hasher in
            try hasher.addGroupedRows(db, unfiledSQL: unfiledSQL, filesSQL: filesSQL, sql: sql, groupWidth: groupWidth)
        }
    }

    /// A section for findings with named times (artifacts, indicators). The query returns
    /// `label, entry_key, row id, <own columns…>, <time columns…>` ordered by label, file,
    /// row id, time name, one row per time (time columns NULL when there is none). Each finding
    /// and all its times form one record, so two findings that differ only in their times
    /// still hash in a canonical order; the row id only separates findings and is not hashed.
    static func withTimes(_ name: String, ownColumns: Int, sql: String) -> DigestSection {
        DigestSection(name: name) { db, hasher in
            let rows = try Row.fetchCursor(db, sql: sql)
            let timesStart = 3 + ownColumns
            var group: [DatabaseValue]? = nil
            var records: [RowHash] = []
            var findingID: DatabaseValue? = nil
            var current: [DatabaseValue] = []
            func close() {
                if !current.isEmpty { records.append(RowHash(DigestHasher.encode(current))) }
                current = []
            }
            while let row = try rows.next() {
                let values = try (0..<row.count).map { try row.decode(DatabaseValue.self, atIndex: $0) }
                let key = Array(values.prefix(2))
                if key != group {
                    close()
                    hasher.flush(&records)
                    group = key
                    findingID = nil
                }
                if values[2] != findingID {
                    close()
                    findingID = values[2]
                    current = Array(values[0..<2]) + Array(values[3..<timesStart])
                }
                if !values[timesStart].isNull { current += Array(values[timesStart...]) }
            }
            close()
            hasher.flush(&records)
        }
    }
}

/// The canonical digest of all findings.
///
/// What goes in is chosen so that equal evidence gives an equal digest whatever the thread
/// count, batching, insertion order, machine time zone, or a kill + resume: no row ids, run
/// ids, run or add times, evidence paths on this machine, custody details, or audit log.
/// Files are identified by evidence label + entry key. A finding kind declares its sections
/// (``StoredKind/digestSections``); a feature that is no finding kind adds its section to
/// ``history`` — nothing else.
enum FindingsDigest {
    /// The first record of every digest: names the encoding (docs/schema.md).
    static let preamble = "exhibit-findings-digest-v2"

    /// Every section, in hashing order: the history, then the sections of finding kinds that are
    /// not in it, in ``StoredKinds/all`` order. An empty section adds nothing, so a new kind
    /// leaves the digest of every case without its findings unchanged.
    static let sections: [DigestSection] = {
        var names = Set(history.map { $0.name })
        var out = history
        for store in StoredKinds.all {
            for section in store.digestSections where names.insert(section.name).inserted { out.append(section) }
        }
        return out
    }()

    /// The sections as ordered when finding kinds got their own files (digest v2). Frozen: the
    /// order is part of every digest already recorded; a new non-kind section goes at the end.
    static let history: [DigestSection] = [
        evidence, files, fileTimes, artifacts, analysisErrors, chats, participants, messages, attachments,
        metadata, indicators,
        mediaHashes, hashSets, hashSetMatches,
        events, mediaClusters,
        devicePaths, deviceLayouts, chatOwners, attachmentHints,
        recoveredRecords, zones, recoveredMessages,
    ]

    /// `PRAGMA cache_size` while the digest runs (KiB when negative): 8 MiB.
    static let digestCacheSize = -8192

    static func compute(_ db: Database) throws -> String {
        try computeWithSections(db).digest
    }

    /// The digest and the SHA-256 of each non-empty section's records (see
    /// ``DigestHasher/finishWithSections()``).
    static func computeWithSections(_ db: Database, cacheSize: Int = digestCacheSize) throws -> (digest: String, sections: [String: String]) {
        // Every section is one sorted scan: SQLite's sorter keeps up to the page cache's size
        // in memory (64 MiB on the store's connections) beside a full cache, which made the digest
        // the peak of a phone-database ingest (+72 MB; docs/BENCHMARKS.md). A small cache while
        // it runs frees the cache's pages and bounds each sort; larger sorts spill to SQLite's temp
        // files. Same rows in the same order: the digest does not change.
        let cache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA cache_size = \(cacheSize)")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(cache)") }
        var hasher = DigestHasher()
        hasher.add(record: Array(Self.preamble.utf8))
        for section in sections {
            hasher.beginSection(section.name)
            try section.emit(db, &hasher)
        }
        return hasher.finishWithSections()
    }

    static let evidence = DigestSection.grouped("evidence", groupWidth: 1, sql: """
        SELECT label, kind, size, md5, sha1, sha256, hash_kind, status, format, entry_count, expanded_bytes
        FROM evidence ORDER BY label
        """)

    static let files = DigestSection.grouped("files", sql: """
        SELECT e.label, f.entry_key, f.parent_key, f.depth, f.path, f.name, f.raw_name, f.name_encoding, f.kind,
            f.mode, f.link_target, f.size, f.declared_size, f.md5, f.sha1, f.sha256, f.mime, f.status, f.message,
            f.flags, f.is_container, f.container_format, f.container_flags, f.expanded_bytes
        FROM files f JOIN evidence e ON e.id = f.evidence_id
        ORDER BY e.label, f.sort_key
        """)

    static let fileTimes = DigestSection.grouped("file_times", sql: """
        SELECT e.label, f.entry_key, t.kind, t.utc, t.utc_us, t.raw, t.basis, t.precision, t.note, t.alternate_utc,
            t.local_wallclock
        FROM file_times t JOIN files f ON f.id = t.file_id JOIN evidence e ON e.id = f.evidence_id
        ORDER BY e.label, f.sort_key, t.kind
        """)

    /// Errors are ordered by file key (`exhibit_sort_key`, since crash records may exist for
    /// entries without a files row), then canonically within the file.
    static let analysisErrors = DigestSection.grouped("analysis_errors", sql: """
        SELECT e.label, x.entry_key, x.analyzer_id, x.status, x.code, x.message, x.analyzer_version, x.path,
            x.location
        FROM analysis_errors x JOIN evidence e ON e.id = x.evidence_id
        ORDER BY e.label, exhibit_sort_key(x.entry_key)
        """)
}

extension EvidenceDatabase {
    /// SHA-256 (lower-case hex) over all findings in canonical order — evidence items, files,
    /// their times, artifacts with their times, analysis errors, chats, metadata and indicators — excluding row ids, run ids,
    /// run and add times, local paths and the audit log. Equal for equal findings however they
    /// were inserted. The encoding is documented in docs/schema.md.
    public func digest() throws -> String {
        try queue.read { db in try FindingsDigest.compute(db) }
    }
}
