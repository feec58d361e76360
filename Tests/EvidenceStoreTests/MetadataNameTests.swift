import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// `metadata.name` (migration v8-metadata-names): one group-less query finds a property in the
/// EXIF block and in the XMP packet alike, while the XMP rows keep their qualified tags.
@Suite struct MetadataNameTests {
    static func entry(_ ns: MetadataNamespace, _ tag: String, _ value: String, _ offset: Int64) -> Finding {
        .metadata(MetadataEntry(namespace: ns, tag: tag, value: value, location: SourceLocation(offset: offset, record: "APP1")))
    }

    @Test func xmpPropertiesAreFoundUnderTheirExifToolNames() throws {
        let dir = try TempDir()
        let (db, _) = try StoreInputs.database(in: dir, zone: "Asia/Seoul")
        let findings = [
            Self.entry(.xmp, "xmp:CreateDate", "2024:08:28 15:12:03+09:00", 10),
            Self.entry(.xmp, "exif:DateTimeOriginal", "2024:08:28 15:12:00+09:00", 20),
            Self.entry(.xmp, "tiff:Make", "Exhibit Optics", 30),
            Self.entry(.xmp, "dc:creator", "Kim", 40),
            Self.entry(.xmp, "xmpMM:History", "[]", 50),
            Self.entry(.exif, "DateTimeOriginal", "2024:08:28 15:12:00", 60),
            Self.entry(.quicktime, "CreateDate", "2024:08:28 06:12:03", 70),
            Self.entry(.flir, "DateTimeOriginal", "2024:08:28 15:12:00.123+09:00", 80),
        ]
        let outcome = FileOutcome(evidenceID: 1, record: StoreInputs.record("0", path: "DCIM/a.jpg", mime: "image/jpeg"),
                                  findings: findings.map { ProducedFinding(analyzerID: "metadata", analyzerVersion: "1.0.0", finding: $0) })
        try db.commit([outcome])
        let rows: [String] = try db.queue.read { c in
            try Row.fetchAll(c, sql: "SELECT name, namespace, tag FROM metadata ORDER BY name, namespace, tag").map {
                "\($0[0] as String)|\($0[1] as String)|\($0[2] as String)"
            }
        }
        #expect(rows == [
            "CreateDate|quicktime|CreateDate", "CreateDate|xmp|xmp:CreateDate", "Creator|xmp|dc:creator",
            "DateTimeOriginal|exif|DateTimeOriginal", "DateTimeOriginal|flir|DateTimeOriginal",
            "DateTimeOriginal|xmp|exif:DateTimeOriginal", "History|xmp|xmpMM:History", "Make|xmp|tiff:Make",
        ])
        // The documented query path (docs/schema.md) uses the index on name.
        let plan: [String] = try db.queue.read { c in
            try Row.fetchAll(c, sql: "EXPLAIN QUERY PLAN SELECT value FROM metadata WHERE name = 'DateTimeOriginal'").map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("metadata_name") }, "\(plan)")
    }
}
