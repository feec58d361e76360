import ExhibitKit
import ExhibitSupport
import Foundation
import GRDB

/// One stored metadata value (a `metadata` row), for display.
public struct MetadataRow: Sendable, Hashable {
    /// `exif`, `gps`, `xmp`, … (see ``MetadataNamespace``).
    public var namespace: String
    /// ExifTool's tag name where one exists.
    public var tag: String
    /// The value as `exiftool -n` prints it.
    public var value: String
    /// How the value was decoded from its raw bytes, when it was not plain ASCII.
    public var encoding: String?
    /// The stored `location` JSON text.
    public var location: String?
    /// The instant, for a date value (raw, UTC, basis, note).
    public var time: TimeValue?
}

/// One stored indicator (an `indicators` row with its `indicator_times`), for display.
public struct IndicatorRow: Sendable, Hashable {
    /// `c2pa-manifest`, `generator-software`, `clock-discrepancy`, … (see ``IndicatorKind``).
    public var kind: String
    /// One sentence for the examiner.
    public var summary: String
    /// The tag, chunk or box the signal rests on.
    public var evidenceTag: String
    /// The stored `location` JSON text.
    public var location: String?
    /// Canonical JSON details.
    public var details: String
    /// Named times (`camera`, `gps`), sorted by name.
    public var times: [(name: String, time: TimeValue)]

    /// Equal when every column and time is equal.
    public static func == (a: IndicatorRow, b: IndicatorRow) -> Bool {
        a.kind == b.kind && a.summary == b.summary && a.evidenceTag == b.evidenceTag && a.location == b.location
            && a.details == b.details && a.times.map(\.name) == b.times.map(\.name) && a.times.map(\.time) == b.times.map(\.time)
    }

    /// Hashes the identifying columns.
    public func hash(into h: inout Hasher) { h.combine(kind); h.combine(evidenceTag); h.combine(location) }
}

/// One file's metadata and indicators, as `exhibit metadata` shows them.
public struct FileMetadata: Sendable {
    /// The file's evidence label.
    public var evidence: String
    /// The file's virtual path.
    public var path: String
    /// The file's SHA-256, when it was hashed.
    public var sha256: String?
    /// Values in namespace, tag, location order.
    public var entries: [MetadataRow]
    /// Indicators in kind, evidence tag order.
    public var indicators: [IndicatorRow]
}

extension EvidenceDatabase {
    /// The metadata of every file whose virtual path is `pathOrSHA256`, or (when it is 64 hex
    /// digits) whose SHA-256 is it — several when the same bytes occur more than once. Empty
    /// when no file matches.
    public func fileMetadata(_ pathOrSHA256: String) throws -> [FileMetadata] {
        let isHash = Hex.isHex(pathOrSHA256, lengths: [64])
        return try queue.read { db in
            let files = try Row.fetchAll(db, sql: """
                SELECT f.id, e.label, f.path, f.sha256 FROM files f JOIN evidence e ON e.id = f.evidence_id
                WHERE \(isHash ? "f.sha256 = lower(?)" : "f.path = ?") ORDER BY e.label, f.sort_key
                """, arguments: [pathOrSHA256])
            return try files.map { f in
                let id: Int64 = try f.decode(forColumn: "id")
                let entries = try Row.fetchAll(db, sql: """
                    SELECT namespace, tag, value, encoding, location, \(TimeColumns.names(prefix: "time_").joined(separator: ", "))
                    FROM metadata WHERE file_id = ? ORDER BY namespace, tag, location, value
                    """, arguments: [id]).map { r in
                    let hasTime = (try r.decode(String?.self, forColumn: "time_raw")) != nil
                    return MetadataRow(namespace: try r.decode(forColumn: "namespace"), tag: try r.decode(forColumn: "tag"),
                                       value: try r.decode(forColumn: "value"), encoding: try r.decode(forColumn: "encoding"),
                                       location: try r.decode(forColumn: "location"),
                                       time: hasTime ? try TimeColumns.decode(r, prefix: "time_") : nil)
                }
                let indicators = try Row.fetchAll(db, sql: """
                    SELECT id, kind, summary, evidence_tag, location, details FROM indicators WHERE file_id = ?
                    ORDER BY kind, evidence_tag, location, id
                    """, arguments: [id]).map { r in
                    let times = try Row.fetchAll(db, sql: """
                        SELECT name, \(TimeColumns.names) FROM indicator_times WHERE indicator_id = ? ORDER BY name
                        """, arguments: [try r.decode(Int64.self, forColumn: "id")])
                        .map { t in (name: try t.decode(String.self, forColumn: "name"), time: try TimeColumns.decode(t, prefix: "")) }
                    return IndicatorRow(kind: try r.decode(forColumn: "kind"), summary: try r.decode(forColumn: "summary"),
                                        evidenceTag: try r.decode(forColumn: "evidence_tag"), location: try r.decode(forColumn: "location"),
                                        details: try r.decode(forColumn: "details"), times: times)
                }
                return FileMetadata(evidence: try f.decode(forColumn: "label"), path: try f.decode(forColumn: "path"),
                                    sha256: try f.decode(forColumn: "sha256"), entries: entries, indicators: indicators)
            }
        }
    }
}
