import ExhibitKit
import Foundation
import GRDB
@testable import EvidenceStore

/// A private (0700) temporary directory for one test's database files, removed afterwards.
final class TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("exhibit-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Builders for store inputs. The hashes are fixed-width lower-case hex derived from a seed:
/// the store only records hashes, it never computes them, so their values are just data here.
enum StoreInputs {
    static func hex(_ seed: String, length: Int) -> String {
        var out = ""
        var x: UInt64 = 1469598103934665603
        for b in seed.utf8 { x = (x ^ UInt64(b)) &* 1099511628211 }
        while out.count < length {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            out += String(format: "%016llx", x)
        }
        return String(out.prefix(length))
    }

    static func hashes(_ seed: String) -> FileHashes {
        FileHashes(md5: hex("md5" + seed, length: 32), sha1: hex("sha1" + seed, length: 40),
                   sha256: hex("sha256" + seed, length: 64))
    }

    /// A case with one zip evidence item; returns the database and the item's id.
    static func database(in dir: TempDir, name: String = "case.sqlite", zone: String? = nil,
                         label: String = "seized.zip") throws -> (EvidenceDatabase, Int64) {
        let db = try EvidenceDatabase(path: dir.path(name))
        try db.ensureCase(name: "2024-SEOUL-0042", examiner: "Kim J.", assumedZone: zone, toolVersion: "0.1.0-test")
        let id = try db.registerEvidence(EvidenceInput(label: label, path: "/evidence/\(label)", kind: .file, size: 4096,
                                                       hashes: hashes(label)))
        return (db, id)
    }

    /// A regular file entry `key` (positions joined by `/`; a part that is not a number becomes
    /// position -1, which the store refuses) at `path` inside `label`, with a UTC modification time.
    static func record(_ key: String, path: String, size: Int64 = 100,
                       container: Bool = false, expanded: Int64? = nil, status: EntryStatus = .ok,
                       mime: String = "text/plain", modifiedEpoch: Int64 = 1_724_825_524,
                       label: String = "seized.zip") -> InventoryRecord {
        let name = String(path.split(separator: "/").last ?? "")
        return InventoryRecord(
            key: EntryKey(key.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) ?? -1 }),
            virtualPath: label + "!/" + path, name: name, rawName: Array(name.utf8), nameEncoding: "utf-8", kind: .file,
            mode: 0o644, declaredSize: size, size: size, hashes: hashes(path), mime: mime, status: status,
            flags: [], times: EntryTimes(modified: .unixSeconds(modifiedEpoch)), isContainer: container,
            containerFormat: container ? "zip" : nil, expandedBytes: expanded)
    }

    /// A separate raw connection to the same file, bypassing the store (to tamper, or to read
    /// pragmas and schema as any SQLite tool would).
    static func rawConnection(_ path: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.busyMode = .timeout(5)
        return try DatabaseQueue(path: path, configuration: config)
    }
}
