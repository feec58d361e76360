import ExhibitKit
import Foundation
import GRDB

extension EvidenceDatabase {
    /// Completes device paths for one evidence item after its walk (docs/intake.md, "Phone
    /// extractions"). Entries whose own path shows a device tree (`…/data/data/<pkg>/…`,
    /// `…/private/var/…`) got their device path when read; this records each recognised layout in
    /// `device_layouts` and gives every other file under the same root — also those listed before
    /// the entry that revealed the tree — its device path, the longest root first. Deterministic
    /// whatever the entry order, and idempotent (a resumed run computes the same rows).
    public func completeDevicePaths(evidenceID: Int64) throws {
        try queue.write { db in
            var layouts: [String: (container: String, layout: DeviceLayout)] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT path FROM files WHERE evidence_id = ? AND device_path IS NOT NULL
                """, arguments: [evidenceID])
            while let row = try rows.next() {
                let path: String = try row.decode(forColumn: "path")
                let (container, inner) = VirtualPath.split(path)
                guard let layout = DevicePath.recognise(inner: inner) else { continue }
                if layouts["\(container)\u{0}\(layout.root)"] == nil { layouts["\(container)\u{0}\(layout.root)"] = (container, layout) }
            }
            guard !layouts.isEmpty else { return }
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO device_layouts (evidence_id, container, platform, root, mount, kind) VALUES (?, ?, ?, ?, ?, 'tree')
                """)
            let update = try db.cachedStatement(sql: """
                UPDATE files SET device_path = ?3 || substr(path, length(?1) + length(?2) + 1)
                WHERE evidence_id = ?4 AND device_path IS NULL
                  AND substr(path, 1, length(?1) + length(?2)) = ?1 || ?2
                  AND length(path) > length(?1) + length(?2)
                  AND instr(substr(path, length(?1) + 1), '!/') = 0
                """)
            let ordered = layouts.values.sorted {
                ($0.layout.root.count, $0.container, $0.layout.root) > ($1.layout.root.count, $1.container, $1.layout.root)
            }
            for (container, layout) in ordered {
                try insert.execute(arguments: [evidenceID, container, layout.platform.rawValue, layout.root, layout.mount])
                try update.execute(arguments: [container, layout.root, layout.mount, evidenceID])
            }
        }
    }

    /// Records a device source read before the walk (an iTunes/Finder backup's manifest).
    public func recordDeviceSource(evidenceID: Int64, container: String, kind: String, platform: DevicePlatform = .ios,
                                   root: String, mount: String, facts: JSONValue) throws {
        try queue.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO device_layouts (evidence_id, container, platform, root, mount, kind, facts)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [evidenceID, container, platform.rawValue, root, mount, kind, facts.canonicalText])
        }
    }

    /// Messages decoded from app databases (chat formats ending in `-db`) in one evidence item,
    /// by platform: compared with a vendor report's own decoding.
    public func appDatabaseMessageCounts(evidenceID: Int64) throws -> [String: Int] {
        try queue.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT c.platform, count(m.id) AS messages FROM chats c JOIN files f ON f.id = c.file_id
                JOIN messages m ON m.chat_id = c.id
                WHERE f.evidence_id = ? AND c.format LIKE '%-db' GROUP BY c.platform ORDER BY c.platform
                """, arguments: [evidenceID]) {
                out[try row.decode(String.self, forColumn: "platform")] = try row.decode(Int.self, forColumn: "messages")
            }
            return out
        }
    }

    /// After a backup's walk: how many regular files got a device path from the manifest, and how
    /// many files stored under a SHA-1 name the manifest does not name (`<root>xx/<40 hex>`).
    public func backupCoverage(evidenceID: Int64, container: String, root: String) throws -> (mapped: Int, unnamed: Int) {
        try queue.read { db in
            let prefix = container + root
            let mapped = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM files WHERE evidence_id = ? AND kind = 'file' AND device_path IS NOT NULL
                  AND substr(path, 1, length(?)) = ?
                """, arguments: [evidenceID, prefix, prefix]) ?? 0
            let unnamed = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM files WHERE evidence_id = ? AND kind = 'file' AND device_path IS NULL
                  AND substr(path, 1, length(?)) = ? AND substr(path, length(?) + 1) GLOB '[0-9a-f][0-9a-f]/[0-9a-f]*'
                """, arguments: [evidenceID, prefix, prefix, prefix]) ?? 0
            return (mapped, unnamed)
        }
    }

    /// Recognised phone layouts of every evidence item: (evidence label, container, layout).
    public func deviceLayouts() throws -> [(label: String, container: String, layout: DeviceLayout)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.label, d.container, d.platform, d.root, d.mount FROM device_layouts d
                JOIN evidence e ON e.id = d.evidence_id ORDER BY e.label, d.container, d.root
                """).map { row in
                (try row.decode(String.self, forColumn: "label"), try row.decode(String.self, forColumn: "container"),
                 DeviceLayout(platform: DevicePlatform(rawValue: try row.decode(String.self, forColumn: "platform")) ?? .android,
                              root: try row.decode(forColumn: "root"), mount: try row.decode(forColumn: "mount")))
            }
        }
    }
}

extension EvidenceDatabase {
    /// After an encrypted backup's walk: the inner paths (`<root>xx/<name>`) of the files stored
    /// under a SHA-1 name, as walked — the manifest's keys are compared with them, because the
    /// stored files themselves get no device path (their decrypted children do). Bounded by the
    /// files the evidence really holds.
    public func storedBackupFiles(evidenceID: Int64, container: String, root: String) throws -> Set<String> {
        try queue.read { db in
            let prefix = container + root
            var out = Set<String>()
            let rows = try String.fetchCursor(db, sql: """
                SELECT substr(path, length(?) + 1) FROM files WHERE evidence_id = ? AND kind = 'file' AND depth = 0
                  AND substr(path, 1, length(?)) = ? AND substr(path, length(?) + 1) GLOB '[0-9a-f][0-9a-f]/[0-9a-f]*'
                """, arguments: [container, evidenceID, prefix, prefix, prefix])
            while let inner = try rows.next() { out.insert(inner) }
            return out
        }
    }
}

extension EvidenceDatabase {
    /// Names the phone an evidence item comes from: `device_id` in the facts of each of its device
    /// layouts (the examiner's `--device`, else a backup's UDID). Items with the same name are one
    /// phone: ``linkChatFindings()`` makes an app's room read from each of them one room. An item
    /// with no recognised layout gets nothing (it is not a phone extraction).
    public func recordDeviceIdentity(evidenceID: Int64, device: String) throws {
        try queue.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT container, root, facts FROM device_layouts WHERE evidence_id = ?",
                                        arguments: [evidenceID])
            for row in rows {
                var facts: [String: JSONValue] = [:]
                if let text: String = try row.decode(forColumn: "facts"), let data = text.data(using: .utf8),
                   case .object(let o)? = try? JSONDecoder().decode(JSONValue.self, from: data) { facts = o }
                facts["device_id"] = .string(device)
                try db.execute(sql: "UPDATE device_layouts SET facts = ? WHERE evidence_id = ? AND container = ? AND root = ?",
                               arguments: [JSONValue.object(facts).canonicalText, evidenceID, try row.decode(String.self, forColumn: "container"),
                                           try row.decode(String.self, forColumn: "root")])
            }
        }
    }
}
