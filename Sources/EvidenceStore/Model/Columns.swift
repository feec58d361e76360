import ExhibitKit
import Foundation
import GRDB

// Column names, one enum per table (GRDB's `Columns` habit): the read side decodes rows by
// these names (`try row.decode(forColumn: FileColumns.size)`), so a query may select them in any
// order and no count of columns is kept by hand. The hot writer's statements take their column
// lists from the same enums.

/// Columns of `files` (docs/schema.md).
enum FileColumns: String, ColumnExpression, CaseIterable {
    case id, evidenceID = "evidence_id", entryKey = "entry_key", sortKey = "sort_key", parentKey = "parent_key", depth
    case path, name, rawName = "raw_name", nameEncoding = "name_encoding", kind, mode, linkTarget = "link_target"
    case size, declaredSize = "declared_size", md5, sha1, sha256, mime, status, message, flags
    case isContainer = "is_container", containerFormat = "container_format", containerFlags = "container_flags"
    case expandedBytes = "expanded_bytes", runID = "run_id", devicePath = "device_path", owner
    /// Not a `files` column: the evidence label a file query joins in (`e.label AS evidence_label`).
    case evidenceLabel = "evidence_label"

    /// The columns ``FileRowWriter`` binds, in the order of its values.
    static let written: [FileColumns] = [
        .evidenceID, .entryKey, .sortKey, .parentKey, .depth, .path, .name, .rawName, .nameEncoding, .kind, .mode,
        .linkTarget, .size, .declaredSize, .md5, .sha1, .sha256, .mime, .status, .message, .flags, .isContainer,
        .containerFormat, .containerFlags, .expandedBytes, .runID, .devicePath, .owner,
    ]
}

/// Columns of `evidence`.
enum EvidenceColumns: String, ColumnExpression {
    case id, caseID = "case_id", label, path, kind, size, md5, sha1, sha256, hashKind = "hash_kind"
    case expectedSHA256 = "expected_sha256", expectedMatch = "expected_match", item, itemDescription = "description"
    case seizedBy = "seized_by", seizedAtUTC = "seized_at_utc", seizedAtRaw = "seized_at_raw"
    case seizedAtBasis = "seized_at_basis", assumedZone = "assumed_zone", status, message, format
    case entryCount = "entry_count", expandedBytes = "expanded_bytes", complete, addedUTC = "added_utc"
}

/// Columns of `cases`.
enum CaseColumns: String, ColumnExpression {
    case id, name, examiner, assumedZone = "assumed_zone", createdUTC = "created_utc", toolVersion = "tool_version"
}

/// Columns of `analysis_errors`.
enum ErrorColumns: String, ColumnExpression {
    case id, evidenceID = "evidence_id", entryKey = "entry_key", path, analyzerID = "analyzer_id"
    case analyzerVersion = "analyzer_version", status, code, message, location, runID = "run_id"
}

extension FileHashes {
    /// The three digest columns, when all three are present.
    static func decode(_ row: Row, md5: some ColumnExpression, sha1: some ColumnExpression,
                       sha256: some ColumnExpression) throws -> FileHashes? {
        guard let m: String = try row.decode(forColumn: md5), let s1: String = try row.decode(forColumn: sha1),
              let s256: String = try row.decode(forColumn: sha256) else { return nil }
        return FileHashes(md5: m, sha1: s1, sha256: s256)
    }
}

extension FileRow {
    /// Reads a `files` row (with `evidence_label`) by column name; times are added by the
    /// caller. Values another tool may have written are tolerated rather than failing a whole
    /// query over one odd row: an unknown kind reads as `other`, an unknown status as
    /// `corrupt`, a malformed entry key as no positions (its text is unreadable as a key).
    init(row: Row) throws {
        func list(_ c: FileColumns) throws -> [String] {
            (try row.decode(String?.self, forColumn: c) ?? "").split(separator: ",").map(String.init)
        }
        let keyText: String = try row.decode(forColumn: FileColumns.entryKey)
        let rawName: Data? = try row.decode(forColumn: FileColumns.rawName)
        let mode: Int64? = try row.decode(forColumn: FileColumns.mode)
        let kind: String = try row.decode(forColumn: FileColumns.kind)
        let status: String = try row.decode(forColumn: FileColumns.status)
        let record = InventoryRecord(
            key: EntryKey(text: keyText) ?? EntryKey([]), virtualPath: try row.decode(forColumn: FileColumns.path),
            name: try row.decode(forColumn: FileColumns.name), rawName: rawName.map { Array($0) } ?? [],
            nameEncoding: try row.decode(forColumn: FileColumns.nameEncoding), kind: EntryKind(rawValue: kind) ?? .other,
            mode: mode.flatMap { UInt32(exactly: $0) }, linkTarget: try row.decode(forColumn: FileColumns.linkTarget),
            declaredSize: try row.decode(forColumn: FileColumns.declaredSize), size: try row.decode(forColumn: FileColumns.size),
            hashes: try FileHashes.decode(row, md5: FileColumns.md5, sha1: FileColumns.sha1, sha256: FileColumns.sha256),
            mime: try row.decode(forColumn: FileColumns.mime), status: EntryStatus(rawValue: status) ?? .corrupt,
            message: try row.decode(forColumn: FileColumns.message), flags: try list(.flags), times: EntryTimes(),
            isContainer: try row.decode(Bool?.self, forColumn: FileColumns.isContainer) ?? false,
            containerFormat: try row.decode(forColumn: FileColumns.containerFormat), containerFlags: try list(.containerFlags),
            expandedBytes: try row.decode(forColumn: FileColumns.expandedBytes),
            devicePath: try row.decode(forColumn: FileColumns.devicePath), owner: try row.decode(forColumn: FileColumns.owner))
        self.init(id: try row.decode(forColumn: FileColumns.id), evidenceID: try row.decode(forColumn: FileColumns.evidenceID),
                  evidenceLabel: try row.decode(forColumn: FileColumns.evidenceLabel), record: record,
                  runID: try row.decode(forColumn: FileColumns.runID))
    }
}

extension EvidenceRow {
    /// Reads an `evidence` row by column name.
    init(row: Row) throws {
        typealias C = EvidenceColumns
        let seizedRaw: String? = try row.decode(forColumn: C.seizedAtRaw)
        let seizedAt = try seizedRaw.map { raw -> TimeValue in
            let utc: String? = try row.decode(forColumn: C.seizedAtUTC)
            let basis: String? = try row.decode(forColumn: C.seizedAtBasis)
            return TimeValue(raw: raw, utcMicros: utc.flatMap { UTCFormat.parseUserInstant($0)?.micros },
                             basis: basis.flatMap(TimeBasis.init(rawValue:)) ?? .unknown, precision: .second)
        }
        let kind: String = try row.decode(forColumn: C.kind)
        let hashKind: String = try row.decode(forColumn: C.hashKind)
        let status: String? = try row.decode(forColumn: C.status)
        self.init(
            id: try row.decode(forColumn: C.id), label: try row.decode(forColumn: C.label), path: try row.decode(forColumn: C.path),
            kind: EvidenceKind(rawValue: kind) ?? .file, size: try row.decode(forColumn: C.size),
            hashes: try FileHashes.decode(row, md5: C.md5, sha1: C.sha1, sha256: C.sha256),
            hashKind: HashKind(rawValue: hashKind) ?? .container, expectedSHA256: try row.decode(forColumn: C.expectedSHA256),
            expectedMatch: try row.decode(forColumn: C.expectedMatch), item: try row.decode(forColumn: C.item),
            description: try row.decode(forColumn: C.itemDescription), seizedBy: try row.decode(forColumn: C.seizedBy),
            seizedAt: seizedAt, assumedZone: try row.decode(forColumn: C.assumedZone),
            status: status.flatMap(EntryStatus.init(rawValue:)), message: try row.decode(forColumn: C.message),
            format: try row.decode(forColumn: C.format), entryCount: try row.decode(forColumn: C.entryCount),
            expandedBytes: try row.decode(forColumn: C.expandedBytes), complete: try row.decode(forColumn: C.complete),
            addedUTC: try row.decode(forColumn: C.addedUTC))
    }
}

extension CaseInfo {
    /// Reads a `cases` row by column name.
    init(row: Row) throws {
        self.init(id: try row.decode(forColumn: CaseColumns.id), name: try row.decode(forColumn: CaseColumns.name),
                  examiner: try row.decode(forColumn: CaseColumns.examiner),
                  assumedZone: try row.decode(forColumn: CaseColumns.assumedZone),
                  createdUTC: try row.decode(forColumn: CaseColumns.createdUTC),
                  toolVersion: try row.decode(forColumn: CaseColumns.toolVersion))
    }
}

/// Columns of the `chat_messages` view that ``ChatMessageRow`` carries.
enum ChatMessageColumns: String, ColumnExpression, CaseIterable {
    case messageID = "message_id", chatID = "chat_id", roomID = "room_id", platform, chat, evidence
    case exportPath = "export_path", sequence, kind, sender, sentUTC = "sent_utc", sentBasis = "sent_basis"
    case sentRaw = "sent_raw", text, deleted
}

extension ChatMessageRow {
    /// Reads a `chat_messages` row by column name; attachments and service fields are loaded after.
    init(row: Row) throws {
        typealias C = ChatMessageColumns
        self.init(messageID: try row.decode(forColumn: C.messageID), chatID: try row.decode(forColumn: C.chatID),
                  roomID: try row.decode(forColumn: C.roomID), platform: try row.decode(forColumn: C.platform),
                  chat: try row.decode(forColumn: C.chat), evidence: try row.decode(forColumn: C.evidence),
                  exportPath: try row.decode(forColumn: C.exportPath), sequence: try row.decode(forColumn: C.sequence),
                  kind: try row.decode(forColumn: C.kind), sender: try row.decode(forColumn: C.sender),
                  sentUTC: try row.decode(forColumn: C.sentUTC), sentBasis: try row.decode(forColumn: C.sentBasis),
                  sentRaw: try row.decode(forColumn: C.sentRaw), text: try row.decode(forColumn: C.text),
                  deleted: try row.decode(Int.self, forColumn: C.deleted) != 0, attachments: [])
    }
}
