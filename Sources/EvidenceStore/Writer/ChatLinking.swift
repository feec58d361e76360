import ExhibitKit
import Foundation
import GRDB

/// What ``EvidenceDatabase/linkChatFindings()`` did.
public struct ChatLinkSummary: Sendable, Hashable {
    /// Attachments now linked to a `files` row (this call).
    public var resolved: Int
    /// Attachments whose file is not in the evidence (this call).
    public var missing: Int
    /// Chats that are copies (or further pages) of an earlier chat row of the same room.
    public var copies: Int
}

extension EvidenceDatabase {
    /// Links chat findings across files, after intake: each attachment's virtual path to the
    /// `files` row of that file in the same evidence item (names compared in Unicode NFC), so the
    /// attachment carries the file's SHA-256; and chats that are exports of one room (same
    /// platform and native id in one evidence item — or, for formats without ids, same title in
    /// the same folder as such a chat) to one `room_key`, later rows pointing at the first with
    /// `copy_of`. Chats read from an app's database (with an owner) in items named as one phone
    /// (`device_layouts.facts.device_id`: an FFS extraction and a backup of it) are one room
    /// across those items: their room is scoped by the phone, not the item.
    ///
    /// Idempotent: attachments already resolved stay; ones found missing are looked up again
    /// (an interrupted ingest may have committed their file since). Called by the engine at the
    /// end of every ingest run, in one transaction.
    @discardableResult
    public func linkChatFindings() throws -> ChatLinkSummary {
        try queue.write { db in
            var summary = ChatLinkSummary(resolved: 0, missing: 0, copies: 0)
            var lookup = FileLookup(db)
            try Self.resolveAttachments(db, lookup: &lookup, summary: &summary)
            summary.copies = try Self.linkRooms(db)
            return summary
        }
    }

    private static let notFound = "file not found in evidence"

    private static func resolveAttachments(_ db: Database, lookup: inout FileLookup, summary: inout ChatLinkSummary) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT a.id, a.resolved_path, a.thumbnail_resolved_path, a.thumbnail_file_id, f.evidence_id, a.status,
                a.device_paths, a.app_sha1
            FROM attachments a JOIN files f ON f.id = a.file_id
            WHERE ((a.resolved_path IS NOT NULL OR a.device_paths IS NOT NULL OR a.app_sha1 IS NOT NULL)
                   AND (a.status = 'pending' OR (a.status = 'missing' AND a.missing_reason = ?)))
               OR (a.thumbnail_resolved_path IS NOT NULL AND a.thumbnail_file_id IS NULL)
            """, arguments: [notFound])
        let setResolved = try db.cachedStatement(sql: """
            UPDATE attachments SET status = 'resolved', missing_reason = NULL, linked_file_id = ?, sha256 = ?, size = ?
            WHERE id = ?
            """)
        let setMissing = try db.cachedStatement(sql: "UPDATE attachments SET status = 'missing', missing_reason = ? WHERE id = ?")
        let setThumb = try db.cachedStatement(sql: "UPDATE attachments SET thumbnail_file_id = ?, thumbnail_sha256 = ? WHERE id = ?")
        for row in rows {
            let id: Int64 = try row.decode(forColumn: "id")
            let path: String? = try row.decode(forColumn: "resolved_path")
            let thumb: String? = try row.decode(forColumn: "thumbnail_resolved_path")
            let thumbLinked: Int64? = try row.decode(forColumn: "thumbnail_file_id")
            let evidence: Int64 = try row.decode(forColumn: "evidence_id")
            let status: String = try row.decode(forColumn: "status")
            let devicePaths = Self.decodePaths(try row.decode(String?.self, forColumn: "device_paths"))
            let appSHA1: String? = try row.decode(forColumn: "app_sha1")
            if status != "resolved", path != nil || !devicePaths.isEmpty || appSHA1 != nil {
                var result = FileLookup.Result.none
                if let path { result = try lookup.find(evidence: evidence, path: path) }
                for candidate in devicePaths {
                    guard case .none = result else { break }
                    result = try lookup.find(evidence: evidence, devicePath: candidate)
                }
                if case .none = result, let appSHA1 { result = try lookup.find(evidence: evidence, sha1: appSHA1) }
                switch result {
                case .file(let target):
                    try setResolved.execute(arguments: [target.id, target.sha256, target.size, id])
                    summary.resolved += 1
                case .notRegular(let kind):
                    try setMissing.execute(arguments: ["names a \(kind), not a file", id])
                    summary.missing += 1
                case .none:
                    if status != "missing" { summary.missing += 1 }
                    try setMissing.execute(arguments: [notFound, id])
                }
            }
            if let thumb, thumbLinked == nil, case .file(let target) = try lookup.find(evidence: evidence, path: thumb) {
                try setThumb.execute(arguments: [target.id, target.sha256, id])
            }
        }
    }

    private static func decodePaths(_ json: String?) -> [String] {
        guard let json, let data = json.data(using: .utf8),
              let paths = try? JSONDecoder().decode([String].self, from: data) else { return [] }
        return paths
    }

    /// Assigns `room_key` and `copy_of`; returns the number of chats that are copies.
    private static func linkRooms(_ db: Database) throws -> Int {
        struct Chat {
            var id: Int64; var label: String; var platform: String; var format: String; var nativeID: String?
            var group: String; var owner: String?; var device: String?
        }
        // The phone each item comes from, where named (the smallest name if layouts disagree).
        var devices: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT evidence_id, min(json_extract(facts, '$.device_id')) AS device_id FROM device_layouts
            WHERE json_valid(facts) AND json_extract(facts, '$.device_id') IS NOT NULL GROUP BY evidence_id
            """) {
            if let id: Int64 = try row.decode(forColumn: "evidence_id"), let name: String = try row.decode(forColumn: "device_id") {
                devices[id] = name
            }
        }
        var chats: [Chat] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT c.id, e.label, c.platform, c.native_id, coalesce(c.title_nfc, '') AS title, f.path, c.format, c.owner,
                e.id AS evidence_id
            FROM chats c JOIN files f ON f.id = c.file_id JOIN evidence e ON e.id = f.evidence_id
            ORDER BY e.label, f.sort_key, c.chat_key
            """)
        while let row = try rows.next() {
            let path: String = try row.decode(forColumn: "path")
            let label: String = try row.decode(forColumn: "label")
            let platform: String = try row.decode(forColumn: "platform")
            let title: String = try row.decode(forColumn: "title")
            let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? path
            chats.append(Chat(id: try row.decode(forColumn: "id"), label: label, platform: platform, format: try row.decode(forColumn: "format"),
                              nativeID: try row.decode(forColumn: "native_id"), group: "\(label)\u{0}\(platform)\u{0}\(folder)\u{0}\(title)",
                              owner: try row.decode(forColumn: "owner"), device: devices[try row.decode(Int64.self, forColumn: "evidence_id")]))
        }
        // Chats read from app databases name their owner (a work profile, a second account): one
        // native id under two owners is two rooms. An export (no owner) of a room joins the
        // database's room when exactly one owner holds that id in the evidence item.
        var ownersByID: [String: Set<String>] = [:]
        for c in chats { if let n = c.nativeID, let o = c.owner { ownersByID["\(c.label)|\(c.platform)|\(n)", default: []].insert(o) } }
        // Formats without ids (Telegram HTML) take the id of the one chat with an id exported
        // beside them under the same title (tdesktop's "JSON and HTML" export of one chat).
        var idsByGroup: [String: Set<String>] = [:]
        var sizeOfGroup: [String: Int] = [:]
        for c in chats {
            sizeOfGroup[c.group, default: 0] += 1
            if let n = c.nativeID { idsByGroup[c.group, default: []].insert(n) }
        }
        // One room may hold several exports (JSON + HTML), and one export several chats (the
        // pages messages.html, messages2.html). The room's primary export is the first with its
        // own native id (else the first); its chats are the originals, every other chat of the
        // room points at the primary export's first chat.
        struct Room { var firstChat: Int64; var primaryExport: String; var hasOwnID: Bool }
        var rooms: [String: Room] = [:]
        var roomOf: [Int64: String] = [:]
        for c in chats {
            let ids = idsByGroup[c.group] ?? []
            let native = c.nativeID ?? (ids.count == 1 ? ids.first : nil)
            var room: String?
            if let native {
                let owners = ownersByID["\(c.label)|\(c.platform)|\(native)"] ?? []
                let owner = c.owner ?? (owners.count == 1 ? owners.first : nil)
                // An app account's room on a named phone is one room in every item of that phone.
                let scope = owner != nil ? c.device.map { "device:\($0)" } ?? c.label : c.label
                room = "\(scope)|\(c.platform)|id:\(native)" + (owner.map { "|owner:\($0)" } ?? "")
            } else if (sizeOfGroup[c.group] ?? 0) > 1 {
                room = c.group.replacingOccurrences(of: "\u{0}", with: "|")
            }
            guard let room else { continue }
            roomOf[c.id] = room
            let export = c.group + "\u{0}" + c.format
            if let r = rooms[room], r.hasOwnID || c.nativeID == nil { continue }
            rooms[room] = Room(firstChat: c.id, primaryExport: export, hasOwnID: c.nativeID != nil)
        }
        var copies = 0
        let update = try db.cachedStatement(sql: """
            UPDATE chats SET room_key = ?, copy_of = ? WHERE id = ? AND (room_key IS NOT ? OR copy_of IS NOT ?)
            """)
        for c in chats {
            let room = roomOf[c.id]
            var copyOf: Int64?
            if let room, let r = rooms[room], r.primaryExport != c.group + "\u{0}" + c.format {
                copyOf = r.firstChat
                copies += 1
            }
            try update.execute(arguments: [room, copyOf, c.id, room, copyOf])
        }
        return copies
    }
}

/// Finds `files` rows by virtual path within one evidence item: exact match first (indexed),
/// then by NFC form (names from macOS/iOS are often NFD while the export wrote NFC, or the
/// reverse), with the evidence's NFC map built once, on first need.
private struct FileLookup {
    struct Target { var id: Int64; var sha256: String?; var size: Int64 }
    enum Result { case file(Target), notRegular(String), none }

    let db: Database
    private var nfcMaps: [Int64: [String: (Target, String)]] = [:]

    init(_ db: Database) { self.db = db }

    mutating func find(evidence: Int64, path: String) throws -> Result {
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, sha256, size, kind FROM files WHERE path = ? AND evidence_id = ? ORDER BY sort_key LIMIT 1
            """), arguments: [path, evidence]) {
            return Self.result(Target(id: try row.decode(forColumn: "id"), sha256: try row.decode(forColumn: "sha256"),
                                      size: try row.decode(forColumn: "size")), kind: try row.decode(forColumn: "kind"))
        }
        if nfcMaps[evidence] == nil {
            var map: [String: (Target, String)] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT id, sha256, size, kind, path FROM files WHERE evidence_id = ? ORDER BY sort_key DESC",
                                           arguments: [evidence])
            while let row = try rows.next() {
                let p: String = try row.decode(forColumn: "path")
                // Descending order: the first row in archive order wins when two names collide.
                map[SearchText.nfc(p)] = (Target(id: try row.decode(forColumn: "id"), sha256: try row.decode(forColumn: "sha256"),
                                                 size: try row.decode(forColumn: "size")), try row.decode(forColumn: "kind"))
            }
            nfcMaps[evidence] = map
        }
        guard let (target, kind) = nfcMaps[evidence]?[SearchText.nfc(path)] else { return .none }
        return Self.result(target, kind: kind)
    }

    /// The first file (in archive order) with this device path in the evidence item.
    mutating func find(evidence: Int64, devicePath: String) throws -> Result {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, sha256, size, kind FROM files WHERE evidence_id = ? AND device_path = ? ORDER BY sort_key LIMIT 1
            """), arguments: [evidence, devicePath]) else { return .none }
        return Self.result(Target(id: try row.decode(forColumn: "id"), sha256: try row.decode(forColumn: "sha256"),
                                  size: try row.decode(forColumn: "size")), kind: try row.decode(forColumn: "kind"))
    }

    /// The first regular file (in archive order) with this SHA-1 in the evidence item.
    mutating func find(evidence: Int64, sha1: String) throws -> Result {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, sha256, size FROM files WHERE sha1 = ? AND evidence_id = ? AND kind = 'file' ORDER BY sort_key LIMIT 1
            """), arguments: [sha1.lowercased(), evidence]) else { return .none }
        return .file(Target(id: try row.decode(forColumn: "id"), sha256: try row.decode(forColumn: "sha256"), size: try row.decode(forColumn: "size")))
    }

    private static func result(_ target: Target, kind: String) -> Result {
        kind == "file" ? .file(target) : .notRegular(kind)
    }
}
