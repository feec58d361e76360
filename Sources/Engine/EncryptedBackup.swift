import Crypto
import ExhibitKit
import Foundation

/// One stored file of an encrypted backup, as `Manifest.db` describes it.
struct FileKey {
    /// The file's own AES-256 key, unwrapped; nil when it is missing or does not unwrap.
    var key: SymmetricKey?
    /// The file's real size (MBFile `Size`) to cut the decrypted bytes to.
    var size: Int64?
    /// Where the file belongs on the device; nil for a domain with no known device folder (the
    /// file is still decrypted, its child has no device path).
    var devicePath: String?
    /// `<domain>-<relativePath>`, the manifest's own name for the file (said when it has no device path).
    var manifestName: String = ""
    /// How the file is named in messages: its device path, else the manifest's name.
    var shownName: String { devicePath ?? manifestName }
    /// Why there is no key (said on the stored file as an `intake` analysis error).
    var problem: String?
}

/// Opening an encrypted iTunes/Finder backup (iOS 10.2+): keybag, ManifestKey, Manifest.db and
/// each file's key (docs/intake.md, "Encrypted backups"). Whatever goes wrong, the stored files
/// are still inventoried and hashed as they are (encrypted); only what decrypts gets a child.
enum EncryptedBackup {
    /// How the password fared, for the audit log (`evidence.password`) and `device_layouts.facts`.
    enum Outcome: String {
        case unlocked, wrongPassword = "wrong-password", damaged, notEncrypted = "not-encrypted"
    }

    /// The keybag is unlocked with the password, Manifest.db decrypted (chunk by chunk into a
    /// private temp file) and read with each file's key. Without a password, with a wrong one or
    /// with a damaged keybag, nothing is decrypted and a warning says why and what to do.
    /// Messages name the item by its label and never repeat the password. A wrong password is
    /// only recorded here: the run refuses the item before its walk and says why.
    static func open(plist: [String: Any], manifest: Data?, password: String?, label: String, root: String,
                     temporaryDirectory: URL, into map: inout DeviceMap) {
        map.facts["decrypted"] = .bool(false)
        guard let password else {
            map.notDecrypted("encrypted iTunes/Finder backup and no password given: its files stay encrypted under their SHA-1 names (hashed as stored) and no app data is read; to decrypt it, ingest it into a new case with --password-file \(label)=FILE (FILE holding the password, mode 0600) or --password \(label)=PASSWORD")
            return
        }
        map.facts["password_given"] = .bool(true)
        let classKeys: [UInt32: SymmetricKey]
        do {
            guard let bagData = plist["BackupKeyBag"] as? Data else { throw BackupCryptoError.damaged("Manifest.plist has no BackupKeyBag") }
            let bag = try BackupKeyBag.parse(bagData)
            classKeys = try bag.unlock(password: password)
        } catch BackupCryptoError.wrongPassword {
            map.passwordOutcome = .wrongPassword
            map.facts["password_outcome"] = .string(Outcome.wrongPassword.rawValue)
            // The item is refused before its walk (EvidenceItemRun), which says so.
            map.notDecryptedReason = "wrong password"
            return
        } catch {
            map.passwordOutcome = .damaged
            map.facts["password_outcome"] = .string(Outcome.damaged.rawValue)
            map.notDecrypted("encrypted iTunes/Finder backup cannot be decrypted (\(error)): its files stay encrypted under their SHA-1 names")
            return
        }
        map.passwordOutcome = .unlocked
        map.facts["password_outcome"] = .string(Outcome.unlocked.rawValue)
        guard let blob = plist["ManifestKey"] as? Data, let mk = BackupFileKey(blob: blob), let key = mk.unwrap(with: classKeys) else {
            map.notDecrypted("encrypted iTunes/Finder backup: ManifestKey is missing or does not unwrap, so Manifest.db cannot be decrypted: its files stay encrypted under their SHA-1 names")
            return
        }
        let plainURL = temporaryDirectory.appendingPathComponent("manifest-\(UUID().uuidString).db")
        defer { _ = unlink(plainURL.path) }
        guard let encrypted = manifest, (try? BackupCipher.decrypt(encrypted, key: key, to: plainURL)) == true else {
            map.notDecrypted("encrypted iTunes/Finder backup: Manifest.db is missing or does not decrypt with its key: its files stay encrypted under their SHA-1 names")
            return
        }
        map.facts["decrypted"] = .bool(true)
        let size = (try? FileManager.default.attributesOfItem(atPath: plainURL.path)[.size] as? NSNumber)?.int64Value ?? 0
        DeviceMaps.readManifest(.temporaryFile(plainURL), size: size, root: root, temporaryDirectory: temporaryDirectory,
                                into: &map, classKeys: classKeys)
        let missing = map.keys.values.filter { $0.key == nil }.count
        if missing > 0 {
            map.warnings.append("\(missing) file(s) of the encrypted backup have no usable key in Manifest.db: they stay encrypted (each says why)")
        }
    }

    /// Reads a `Files.file` NSKeyedArchiver property list (MBFile) for its `EncryptionKey`
    /// (4-byte class + wrapped key) and `Size`, and unwraps the key with its class key.
    static func fileKey(info: Data?, devicePath: String?, manifestName: String = "", classKeys: [UInt32: SymmetricKey]) -> FileKey {
        var out = FileKey(key: nil, size: nil, devicePath: devicePath, manifestName: manifestName, problem: nil)
        guard let info, info.count < 1 << 20,
              let archive = (try? PropertyListSerialization.propertyList(from: info, options: [], format: nil)) as? [String: Any],
              let objects = archive["$objects"] as? [Any] else {
            out.problem = "its Manifest.db entry has no readable file property list"
            return out
        }
        func resolve(_ v: Any?) -> Any? {
            guard let v else { return nil }
            guard let index = uid(v) else { return v }
            return index >= 0 && index < objects.count ? objects[index] : nil
        }
        let top = archive["$top"] as? [String: Any]
        guard let root = resolve(top?["root"]) as? [String: Any] else {
            out.problem = "its file property list has no MBFile root"
            return out
        }
        if let size = (root["Size"] as? Int).map(Int64.init) ?? (root["Size"] as? NSNumber)?.int64Value, size >= 0 { out.size = size }
        var blob = resolve(root["EncryptionKey"])
        if let d = blob as? [String: Any] { blob = d["NS.data"] }
        guard let data = blob as? Data else {
            out.problem = "its file property list has no EncryptionKey"
            return out
        }
        guard let wrapped = BackupFileKey(blob: data, size: out.size) else {
            out.problem = "its EncryptionKey is \(data.count) bytes, not 44"
            return out
        }
        guard let key = wrapped.unwrap(with: classKeys) else {
            out.problem = "its key (protection class \(wrapped.protectionClass)) does not unwrap with the backup's class keys"
            return out
        }
        out.key = key
        return out
    }

    /// An NSKeyedArchiver UID as Foundation hands it over (`_NSKeyedArchiverUID` with a `value`).
    static func uid(_ v: Any) -> Int? {
        guard String(describing: type(of: v)).contains("UID") else { return nil }
        for child in Mirror(reflecting: v).children where child.label == "value" {
            if let n = child.value as? UInt32 { return Int(n) }
            if let n = child.value as? Int { return n }
            if let n = child.value as? UInt64 { return Int(clamping: n) }
        }
        return nil
    }
}
