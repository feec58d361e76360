import AppDatabaseKit
import Crypto
import EvidenceStore
import ExhibitKit
import Foundation
import GRDB
import Intake

/// Where files belong on the device when their own names cannot say: an iTunes/Finder backup
/// stores every file under a SHA-1 name (`ab/ab12…`) and records its place only in `Manifest.db`.
/// Read **before** the walk (from the folder, or from the archive's members), so each entry gets
/// its device path as it is read and app analyzers can select databases by it (docs/intake.md,
/// "iPhone backups").
struct DeviceMap {
    /// `itunes-backup`.
    var kind: String
    /// Where the backup starts inside the evidence item (`""` or `<UDID>/`).
    var root: String
    /// Inner path of a top-level entry → device path.
    var paths: [String: String]
    /// Facts for the item: device name, model, iOS version, serial, backup date (with its basis).
    var facts: [String: JSONValue]
    /// Problems the examiner must see (a damaged Manifest.db, an encrypted backup without password).
    var warnings: [String]
    /// Flags for entries (`ufdr-deleted`, `ufdr-no-device-path`), by inner path.
    var flags: [String: [String]] = [:]
    /// A UFDR's own decoded messages, by the app (`Source`) of the chat holding them: a second
    /// source, compared with what Exhibit decodes from the databases after the walk.
    var vendorMessages: [String: Int] = [:]
    /// An encrypted backup opened with its password: each stored file's key, device path and
    /// size, by inner path (the stored file stays as is; its decrypted content becomes its child).
    var keys: [String: FileKey] = [:]
    /// How a given password fared (nil: none given, or not an encrypted backup).
    var passwordOutcome: EncryptedBackup.Outcome?
    /// Why an encrypted backup was not decrypted at all: the item's status becomes `encrypted`
    /// with this message (unless the walk found worse).
    var notDecryptedReason: String?

    /// Records that nothing of an encrypted backup is decrypted, and why (also a warning).
    mutating func notDecrypted(_ why: String) {
        warnings.append(why)
        notDecryptedReason = why
    }

    /// iOS for backups and for reports whose paths are under `/private/`; Android for reports
    /// with `/data/` paths; unknown when a report gave no path.
    var platform: DevicePlatform {
        if kind == "itunes-backup" || paths.values.contains(where: { $0.hasPrefix("/private/") }) { return .ios }
        return paths.values.contains(where: { $0.hasPrefix("/data/") }) ? .android : .unknown
    }
    /// The device folder the source's paths start from, for `device_layouts.mount`.
    var mount: String { kind == "itunes-backup" ? "/private/var/" : "/" }
}

enum DeviceMaps {
    /// Largest `Manifest.db` read (a phone with a million files has a ~300 MB manifest).
    static let manifestLimit: Int64 = 2 << 30

    /// A regular file's bytes (at most `limit`), opened `O_NOATIME` where permitted (the owner or
    /// root), never following a symlink and never blocking on a FIFO; nil when it cannot be read.
    static func readWithoutAtime(_ path: String, limit: Int64) -> Data? {
        let flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK
        var fd = open(path, flags | 0o1000000)   // O_NOATIME (hidden behind _GNU_SOURCE in Glibc)
        if fd < 0 && errno == EPERM { fd = open(path, flags) }
        guard fd >= 0 else { return nil }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, Int64(st.st_size) <= limit else { return nil }
        return try? handle.read(upToCount: Int(limit)) ?? Data()
    }

    /// Looks for a vendor report (UFDR: `report.xml` at the top of a zip) or an iTunes/Finder
    /// backup at the top of the item (or one folder down).
    /// `password` opens an encrypted backup (a wrong one is recorded in the map, and nothing is
    /// decrypted). Archive members are read under `watch` (the intake guard).
    static func load(evidencePath: String, isDirectory: Bool, temporaryDirectory: URL, label: String = "ITEM",
                     password: String? = nil, watch: IntakeWatch? = nil) -> DeviceMap? {
        if !isDirectory, let ufdr = ufdr(evidencePath: evidencePath, watch: watch) { return ufdr }
        return backup(evidencePath: evidencePath, isDirectory: isDirectory, temporaryDirectory: temporaryDirectory,
                      label: label, password: password, watch: watch)
    }

    /// A UFDR is recognised by its `report.xml` (or `Report.xml`) at the top, not by its name.
    static func ufdr(evidencePath: String, watch: IntakeWatch? = nil) -> DeviceMap? {
        guard let handle = FileHandle(forReadingAtPath: evidencePath) else { return nil }
        let head = (try? handle.read(upToCount: 4)) ?? Data()
        try? handle.close()
        guard Array(head) == [0x50, 0x4B, 0x03, 0x04] else { return nil }
        guard let found = try? ArchiveMembers.read(path: evidencePath, limit: UFDRMap.reportLimit, watch: watch, wanted: {
            $0.lowercased() == "report.xml"
        }), let (name, member) = found.sorted(by: { $0.key < $1.key }).first else { return nil }
        var map = UFDRMap.load(reportXML: member.data, truncated: member.truncated, root: "")
        map.facts["report"] = .string(name)
        return map
    }

    static func backup(evidencePath: String, isDirectory: Bool, temporaryDirectory: URL, label: String = "ITEM",
                       password: String? = nil, watch: IntakeWatch? = nil) -> DeviceMap? {
        var members: [String: Data] = [:]
        var root: String?
        if isDirectory {
            // Only real folders and regular files, checked with lstat: resolving a path through a
            // symlink updates the link's atime (issue 19), and evidence links are never followed.
            func kind(_ p: String) -> mode_t? {
                var st = stat()
                return lstat(p, &st) == 0 ? st.st_mode & S_IFMT : nil
            }
            var candidates = [""]
            if let subs = try? FileManager.default.contentsOfDirectory(atPath: evidencePath) {
                candidates += subs.sorted().filter { kind(evidencePath + "/" + $0) == S_IFDIR }.map { $0 + "/" }
            }
            for c in candidates where ["Manifest.db", "Manifest.mbdb", "Manifest.plist"].contains(where: { kind(evidencePath + "/" + c + $0) == S_IFREG }) {
                root = c
                for name in ["Manifest.db", "Manifest.mbdb", "Manifest.plist", "Info.plist", "Status.plist"] {
                    let p = evidencePath + "/" + c + name
                    var st = stat()
                    guard lstat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int64(st.st_size) <= manifestLimit,
                          let d = readWithoutAtime(p, limit: manifestLimit) else { continue }
                    members[name] = d
                }
                break
            }
        } else {
            let names: Set<String> = ["Manifest.db", "Manifest.mbdb", "Manifest.plist", "Info.plist", "Status.plist"]
            guard let found = try? ArchiveMembers.read(path: evidencePath, limit: manifestLimit, watch: watch, wanted: { inner in
                let parts = inner.split(separator: "/")
                return parts.count <= 2 && names.contains(String(parts.last ?? ""))
            }) else { return nil }
            // The shallowest folder holding a Manifest.db (or .plist) is the backup.
            let roots = found.keys.compactMap { k -> String? in
                guard let name = ["Manifest.db", "Manifest.mbdb", "Manifest.plist"].first(where: { k.hasSuffix($0) }) else { return nil }
                return String(k.dropLast(name.count))
            }.sorted { ($0.count, $0) < ($1.count, $1) }
            guard let r = roots.first else { return nil }
            root = r
            for name in names { if let m = found[r + name], !m.truncated { members[name] = m.data } }
        }
        guard let root, members["Manifest.db"] != nil || members["Manifest.mbdb"] != nil || members["Manifest.plist"] != nil else { return nil }
        var map = DeviceMap(kind: "itunes-backup", root: root, paths: [:], facts: [:], warnings: [])
        readInfo(members["Info.plist"], into: &map)
        readStatus(members["Status.plist"], into: &map)
        if let plist = members["Manifest.plist"].flatMap(plistDictionary) {
            if let v = plist["Version"] as? String { map.facts["manifest_version"] = .string(v) }
            if let date = plist["Date"] as? Date { instant(date, "manifest_date", into: &map) }
            if let set = plist["WasPasscodeSet"] as? Bool { map.facts["passcode_set"] = .bool(set) }
            if let enc = plist["IsEncrypted"] as? Bool {
                map.facts["encrypted"] = .bool(enc)
                if enc {
                    EncryptedBackup.open(plist: plist, manifest: members["Manifest.db"], password: password, label: label,
                                             root: root, temporaryDirectory: temporaryDirectory, into: &map)
                    return map
                }
            }
        }
        guard let manifest = members["Manifest.db"] else {
            if let mbdb = members["Manifest.mbdb"] {
                // Before iOS 10: the file list is Manifest.mbdb and files are stored flat.
                ManifestMBDB.read(mbdb, root: root, into: &map)
            } else {
                map.warnings.append("neither Manifest.db nor Manifest.mbdb can be read: files keep their SHA-1 names")
            }
            return map
        }
        if !manifest.starts(with: Data("SQLite format 3\u{0}".utf8)), manifest.count >= 16, manifest.count % 16 == 0 {
            // Whole AES blocks and no SQLite header: the Manifest.db of an encrypted backup whose
            // Manifest.plist (keybag, ManifestKey) is missing or unreadable — it cannot be decrypted.
            map.facts["encrypted"] = .bool(true)
            map.facts["decrypted"] = .bool(false)
            if password != nil { map.passwordOutcome = .damaged; map.facts["password_outcome"] = .string(EncryptedBackup.Outcome.damaged.rawValue) }
            map.notDecrypted("Manifest.db has no SQLite header and is whole AES blocks: most likely an encrypted backup whose Manifest.plist (with its keybag and ManifestKey) is \(members["Manifest.plist"] == nil ? "missing" : "unreadable or does not say it is encrypted"); nothing can be decrypted, even with the password; its files stay encrypted under their SHA-1 names (hashed as stored)")
            return map
        }
        readManifest(.memory(manifest), size: Int64(manifest.count), root: root, temporaryDirectory: temporaryDirectory, into: &map)
        return map
    }

    /// `Files(fileID, domain, relativePath, flags, file)`: each regular file (flags 1) is stored
    /// at `<root><fileID[0..2]>/<fileID>`.
    /// With `classKeys` (an encrypted backup), each row's `file` property list gives the file's
    /// key, and the device path goes to ``DeviceMap/keys`` (for the decrypted child) instead.
    static func readManifest(_ content: FileContent, size: Int64, root: String, temporaryDirectory: URL, into map: inout DeviceMap,
                             classKeys: [UInt32: SymmetricKey]? = nil) {
        let file = EvidenceFile(key: "manifest", virtualPath: "Manifest.db", size: size,
                                hashes: FileHashes(md5: "", sha1: "", sha256: ""), mime: "application/vnd.sqlite3",
                                content: content)
        do {
            let db = try AppDatabase.open(file, temporaryDirectory: temporaryDirectory, timeLimit: 120)
            var unmapped = Set<String>()
            try db.read { c in
                let columns = classKeys == nil ? "fileID, domain, relativePath, flags" : "fileID, domain, relativePath, flags, file"
                let rows = try Row.fetchCursor(c, sql: "SELECT \(columns) FROM Files")
                while let row = try rows.next() {
                    guard let id = row["fileID"] as String?, id.count >= 2, let domain = row["domain"] as String?,
                          let relative = row["relativePath"] as String?, (row["flags"] as Int64?) == 1 else { continue }
                    let device = devicePath(domain: domain, relativePath: relative)
                    if device == nil { unmapped.insert(domain.split(separator: "-").first.map(String.init) ?? domain) }
                    let inner = "\(root)\(id.prefix(2))/\(id)"
                    if let classKeys {
                        // A file of an unknown domain is still decrypted (its child has no device path).
                        map.keys[inner] = EncryptedBackup.fileKey(info: row["file"] as Data?, devicePath: device,
                                                                  manifestName: "\(domain)-\(relative)", classKeys: classKeys)
                    } else if let device {
                        map.paths[inner] = device
                    }
                }
            }
            map.facts["manifest_files"] = .number(Double(map.paths.count + map.keys.count))
            if !unmapped.isEmpty {
                map.warnings.append("Manifest.db names domains with no known device folder: \(unmapped.sorted().joined(separator: ", ")); their files keep no device path\(classKeys == nil ? "" : " (they are still decrypted)")")
            }
        } catch {
            map.warnings.append("Manifest.db cannot be read (\(error)): files keep their SHA-1 names")
        }
    }

    /// The device folder of each backup domain (facts: FORMATS-mobile §1.1).
    static func devicePath(domain: String, relativePath: String) -> String? {
        let rel = relativePath.isEmpty ? "" : "/" + relativePath
        func after(_ prefix: String) -> String? { domain.hasPrefix(prefix) ? String(domain.dropFirst(prefix.count)) : nil }
        if let group = after("AppDomainGroup-") { return "/private/var/mobile/Containers/Shared/AppGroup/\(group)\(rel)" }
        if let plugin = after("AppDomainPlugin-") { return "/private/var/mobile/Containers/Data/PluginKitPlugin/\(plugin)\(rel)" }
        if let app = after("AppDomain-") { return "/private/var/mobile/Containers/Data/Application/\(app)\(rel)" }
        if let group = after("SysSharedContainerDomain-") { return "/private/var/containers/Shared/SystemGroup/\(group)\(rel)" }
        switch domain {
        case "HomeDomain", "CameraRollDomain", "MediaDomain", "TonesDomain", "HealthDomain", "KeyboardDomain":
            return "/private/var/mobile\(rel)"
        case "RootDomain": return "/private/var/root\(rel)"
        case "SystemPreferencesDomain": return "/private/var/preferences\(rel)"
        case "WirelessDomain": return "/private/var/wireless\(rel)"
        case "KeychainDomain": return "/private/var/Keychains\(rel)"
        case "ManagedPreferencesDomain": return "/private/var/Managed Preferences\(rel)"
        case "DatabaseDomain": return "/private/var/db\(rel)"
        case "InstallDomain": return "/private/var/installd\(rel)"
        case "MobileDeviceDomain": return "/private/var/MobileDevice\(rel)"
        default: return nil
        }
    }

    static func readInfo(_ data: Data?, into map: inout DeviceMap) {
        guard let info = data.flatMap(plistDictionary) else { return }
        for (key, name) in [("Device Name", "device_name"), ("Product Type", "product_type"), ("Product Version", "ios_version"),
                            ("Serial Number", "serial"), ("Unique Identifier", "udid"), ("Build Version", "build"),
                            ("Phone Number", "phone_number")] {
            if let v = info[key] as? String { map.facts[name] = .string(v) }
        }
        if let date = info["Last Backup Date"] as? Date { instant(date, "last_backup", into: &map) }
    }

    /// `Status.plist`: when the backup was written (`Date`), whether it is full, and its state.
    static func readStatus(_ data: Data?, into map: inout DeviceMap) {
        guard let status = data.flatMap(plistDictionary) else { return }
        if let date = status["Date"] as? Date { instant(date, "status_date", into: &map) }
        if let full = status["IsFullBackup"] as? Bool { map.facts["full_backup"] = .bool(full) }
        if let state = status["BackupState"] as? String { map.facts["backup_state"] = .string(state) }
        if let state = status["SnapshotState"] as? String { map.facts["snapshot_state"] = .string(state) }
    }

    /// A property-list date is an absolute instant (seconds since 2001-01-01 UTC): `<name>_utc`
    /// with `<name>_basis` `utc`, to the second (a date out of range is not recorded).
    static func instant(_ date: Date, _ name: String, into map: inout DeviceMap) {
        let t = date.timeIntervalSince1970.rounded(.down)
        guard t.isFinite, abs(t) < 1e11 else { return }
        map.facts["\(name)_utc"] = .string(UTCFormat.string(micros: Int64(t) * 1_000_000))
        map.facts["\(name)_basis"] = .string("utc")
    }

    static func plistDictionary(_ data: Data) -> [String: Any]? {
        guard data.count < 64 << 20 else { return nil }
        return (try? PropertyListSerialization.propertyList(from: data, options: [], format: nil)) as? [String: Any]
    }
}
