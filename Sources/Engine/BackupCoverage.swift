import EvidenceStore
import ExhibitKit
import Foundation

/// After a backup's walk, the manifest is compared with what the evidence holds (docs/intake.md,
/// "iPhone backups"): files the manifest names that the backup lacks, and files stored under a
/// SHA-1 name it does not name (or names under a domain with no known device folder). Each gap
/// is a warning on the item (`device_layouts.facts`, printed).
enum BackupCoverage {
    /// How many missing/unnamed stored files are named in a warning (the counts are always whole).
    static let namedLimit = 20

    static func check(_ map: DeviceMap, db: EvidenceDatabase, evidenceID: Int64, container: String) throws -> [String] {
        let manifest = map.facts["manifest_format"] == .string("mbdb") ? "Manifest.mbdb" : "Manifest.db"
        var warnings: [String] = []
        if map.keys.isEmpty {
            // A plain backup: each stored file the manifest names got its device path as it was read.
            let coverage = try db.backupCoverage(evidenceID: evidenceID, container: container, root: map.root)
            if coverage.mapped < map.paths.count {
                warnings.append("\(manifest) names \(map.paths.count - coverage.mapped) file(s) the backup folder does not hold")
            }
            if coverage.unnamed > 0 {
                warnings.append("\(coverage.unnamed) stored file(s) have no device path: \(manifest) does not name them, or names them under a domain with no known device folder")
            }
            return warnings
        }
        // An encrypted backup: the stored files keep no device path (their decrypted children
        // do, when they decrypt), so the manifest's entries are compared with the stored names.
        let stored = try db.storedBackupFiles(evidenceID: evidenceID, container: container, root: map.root)
        let missing = map.keys.keys.filter { !stored.contains($0) }.sorted()
        let unnamed = stored.filter { map.keys[$0] == nil }.sorted()
        func list(_ names: [String]) -> String {
            let shown = names.prefix(namedLimit).joined(separator: ", ")
            return names.count > namedLimit ? "\(shown), …" : shown
        }
        if !missing.isEmpty {
            let devices = missing.prefix(namedLimit).compactMap { map.keys[$0]?.devicePath }
            warnings.append("\(manifest) names \(missing.count) file(s) the backup folder does not hold: \(devices.joined(separator: ", "))\(missing.count > namedLimit ? ", …" : "")")
        }
        if !unnamed.isEmpty {
            warnings.append("\(unnamed.count) stored file(s) are not named by \(manifest), so they have no key and stay encrypted: \(list(unnamed))")
        }
        return warnings
    }
}
