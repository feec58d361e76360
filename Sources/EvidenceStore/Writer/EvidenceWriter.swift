import ExhibitKit
import Foundation
import GRDB

extension EvidenceDatabase {
    /// Records an evidence item (upsert by label) and returns its id.
    ///
    /// The first registration fixes `added_utc`. Registering the same label again (a resumed
    /// run) refreshes path, size and custody details, but throws
    /// ``EvidenceStoreError/evidenceHashChanged(label:recordedSHA256:nowSHA256:)`` if the SHA-256
    /// differs from the recorded one: findings of two different contents must never mix under
    /// one item. `expected_match` is derived here from `expectedSHA256` and the hashes.
    @discardableResult
    public func registerEvidence(_ e: EvidenceInput) throws -> Int64 {
        try queue.write { db in
            guard let caseID = try Int64.fetchOne(db, sql: "SELECT id FROM cases ORDER BY id LIMIT 1") else {
                throw EvidenceStoreError.invalidValue(field: "case", value: "none: call ensureCase first")
            }
            let expected = e.expectedSHA256?.trimmingCharacters(in: .whitespaces).lowercased()
            let match: Int? = expected.map { exp in (e.hashes?.sha256.lowercased() == exp) ? 1 : 0 }
            let seized = e.seizedAt
            let values: [DatabaseValue] = [
                e.path.databaseValue, e.kind.rawValue.databaseValue, e.size.databaseValue,
                e.hashes?.md5.lowercased().databaseValue ?? .null, e.hashes?.sha1.lowercased().databaseValue ?? .null,
                e.hashes?.sha256.lowercased().databaseValue ?? .null, e.hashKind.rawValue.databaseValue,
                expected.databaseValue, match.databaseValue, e.item.databaseValue, e.description.databaseValue,
                e.seizedBy.databaseValue, seized?.utcString.databaseValue ?? .null, seized?.raw.databaseValue ?? .null,
                seized?.basis.rawValue.databaseValue ?? .null, e.assumedZone.databaseValue,
            ]
            if let row = try Row.fetchOne(db, sql: "SELECT id, sha256 FROM evidence WHERE label = ?", arguments: [e.label]) {
                let id: Int64 = try row.decode(atIndex: 0)
                let recorded: String? = try row.decode(atIndex: 1)
                if let recorded, let now = e.hashes?.sha256.lowercased(), recorded != now {
                    throw EvidenceStoreError.evidenceHashChanged(label: e.label, recordedSHA256: recorded, nowSHA256: now)
                }
                try db.execute(sql: """
                    UPDATE evidence SET path = ?, kind = ?, size = ?, md5 = ?, sha1 = ?, sha256 = ?, hash_kind = ?,
                        expected_sha256 = ?, expected_match = ?, item = ?, description = ?, seized_by = ?,
                        seized_at_utc = ?, seized_at_raw = ?, seized_at_basis = ?, assumed_zone = ?
                    WHERE id = ?
                    """, arguments: StatementArguments(values) + [id])
                return id
            }
            try db.execute(sql: """
                INSERT INTO evidence (case_id, label, path, kind, size, md5, sha1, sha256, hash_kind, expected_sha256,
                    expected_match, item, description, seized_by, seized_at_utc, seized_at_raw, seized_at_basis,
                    assumed_zone, added_utc)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [caseID, e.label] + StatementArguments(values) + [StoreClock.nowText()])
            return db.lastInsertedRowID
        }
    }

    /// Every evidence item, ordered by label.
    public func evidenceList() throws -> [EvidenceRow] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, label, path, kind, size, md5, sha1, sha256, hash_kind, expected_sha256, expected_match,
                    item, description, seized_by, seized_at_utc, seized_at_raw, seized_at_basis, assumed_zone,
                    status, message, format, entry_count, expanded_bytes, complete, added_utc
                FROM evidence ORDER BY label
                """).map(Self.evidenceRow)
        }
    }

    /// Records how reading an item ended and marks it complete (`complete = 1`): every entry of
    /// it is committed. For a directory, `manifest` replaces the hashes with the manifest hashes.
    public func finishEvidence(id: Int64, status: EntryStatus, message: String?, format: String?, entryCount: Int,
                               expandedBytes: Int64, manifest: FileHashes?) throws {
        try queue.write { db in
            try db.execute(sql: """
                UPDATE evidence SET status = ?, message = ?, format = ?, entry_count = ?, expanded_bytes = ?,
                    complete = 1,
                    md5 = coalesce(?, md5), sha1 = coalesce(?, sha1), sha256 = coalesce(?, sha256),
                    hash_kind = CASE WHEN ? THEN 'manifest' ELSE hash_kind END
                WHERE id = ?
                """, arguments: [status.rawValue, message, format, entryCount, expandedBytes,
                                 manifest?.md5.lowercased(), manifest?.sha1.lowercased(), manifest?.sha256.lowercased(),
                                 manifest != nil, id])
            guard db.changesCount == 1 else { throw EvidenceStoreError.unknownEvidence(id: id) }
        }
    }

    private static func evidenceRow(_ r: Row) throws -> EvidenceRow {
        let md5: String? = try r.decode(atIndex: 5), sha1: String? = try r.decode(atIndex: 6)
        let sha256: String? = try r.decode(atIndex: 7)
        let hashes = md5.flatMap { m in sha1.flatMap { s1 in sha256.map { FileHashes(md5: m, sha1: s1, sha256: $0) } } }
        let seizedRaw: String? = try r.decode(atIndex: 15)
        let seizedAt = try seizedRaw.map { raw -> TimeValue in
            let utc: String? = try r.decode(atIndex: 14)
            let basis: String? = try r.decode(atIndex: 16)
            return TimeValue(raw: raw, utcMicros: utc.flatMap { UTCFormat.parseUserInstant($0)?.micros },
                             basis: basis.flatMap(TimeBasis.init(rawValue:)) ?? .unknown, precision: .second)
        }
        let kindText: String = try r.decode(atIndex: 3)
        let hashKindText: String = try r.decode(atIndex: 8)
        let statusText: String? = try r.decode(atIndex: 18)
        let match: Int? = try r.decode(atIndex: 10)
        let complete: Int = try r.decode(atIndex: 23)
        return EvidenceRow(
            id: try r.decode(atIndex: 0), label: try r.decode(atIndex: 1), path: try r.decode(atIndex: 2),
            kind: EvidenceKind(rawValue: kindText) ?? .file, size: try r.decode(atIndex: 4), hashes: hashes,
            hashKind: HashKind(rawValue: hashKindText) ?? .container, expectedSHA256: try r.decode(atIndex: 9),
            expectedMatch: match.map { $0 != 0 }, item: try r.decode(atIndex: 11), description: try r.decode(atIndex: 12),
            seizedBy: try r.decode(atIndex: 13), seizedAt: seizedAt, assumedZone: try r.decode(atIndex: 17),
            status: statusText.flatMap(EntryStatus.init(rawValue:)), message: try r.decode(atIndex: 19),
            format: try r.decode(atIndex: 20), entryCount: try r.decode(atIndex: 21),
            expandedBytes: try r.decode(atIndex: 22), complete: complete != 0, addedUTC: try r.decode(atIndex: 24))
    }
}
