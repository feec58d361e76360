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
            let expected = e.expectedSHA256.map(Self.normalizedSHA256)
            let match = Self.expectedMatch(expected: e.expectedSHA256, hashes: e.hashes)
            let seized = e.seizedAt
            let values: [DatabaseValue] = [
                e.path.databaseValue, e.kind.rawValue.databaseValue, e.size.databaseValue,
                e.hashes?.md5.lowercased().databaseValue ?? .null, e.hashes?.sha1.lowercased().databaseValue ?? .null,
                e.hashes?.sha256.lowercased().databaseValue ?? .null, e.hashKind.rawValue.databaseValue,
                expected.databaseValue, match.databaseValue, e.item.databaseValue, e.description.databaseValue,
                e.seizedBy.databaseValue, seized?.utcString.databaseValue ?? .null, seized?.raw.databaseValue ?? .null,
                seized?.basis.rawValue.databaseValue ?? .null, e.assumedZone.databaseValue,
            ]
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM evidence WHERE label = ?", arguments: [e.label]) {
                let recorded = try EvidenceRow(row: row)
                try recorded.checkUnchanged(nowSHA256: e.hashes?.sha256)
                let id = recorded.id
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
            try Row.fetchAll(db, sql: "SELECT * FROM evidence ORDER BY label").map(EvidenceRow.init(row:))
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

    /// A SHA-256 as compared and stored: surrounding spaces removed, lower case.
    public static func normalizedSHA256(_ hex: String) -> String {
        hex.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Whether an item's SHA-256 equals the one from the seizure form: `nil` when none was
    /// given or nothing was hashed. The one rule for `expected_match`, the audit entry and the
    /// engine's report (a directory passes its manifest hashes once they are known).
    public static func expectedMatch(expected: String?, hashes: FileHashes?) -> Bool? {
        guard let expected, let sha256 = hashes?.sha256 else { return nil }
        return normalizedSHA256(sha256) == normalizedSHA256(expected)
    }
}

extension EvidenceRow {
    /// Throws ``EvidenceStoreError/evidenceHashChanged(label:recordedSHA256:nowSHA256:)`` when
    /// the item's content SHA-256 now differs from the one recorded for it: findings of two
    /// different contents must never mix under one item. The one rule for "changed evidence":
    /// ``EvidenceDatabase/registerEvidence(_:)`` applies it, and the engine asks it before a
    /// re-run (to report the item as changed and leave it alone). A directory's recorded
    /// manifest hash is not a content hash, and no hash now means nothing to compare.
    public func checkUnchanged(nowSHA256: String?) throws {
        guard hashKind == .container, let recorded = hashes?.sha256,
              let now = nowSHA256.map(EvidenceDatabase.normalizedSHA256), recorded != now else { return }
        throw EvidenceStoreError.evidenceHashChanged(label: label, recordedSHA256: recorded, nowSHA256: now)
    }
}
