import ExhibitKit
import Foundation

/// WhatsApp's encrypted backups (`…/WhatsApp/Databases/msgstore.db.crypt14`,
/// `msgstore-2024-08-27.1.db.crypt15`): listed, never decrypted. The crypt version is read from
/// the name. Whether the key (`/data/data/com.whatsapp/files/key` for crypt12/14,
/// `files/encrypted_backup.key` for crypt15) is in the same extraction cannot be seen from here:
/// an analyzer sees only the file and its companions in the same folder.
enum EncryptedBackup {
    /// The crypt version of a backup file name (`12`, `14`, `15`), or `nil` when the name is not one.
    static func version(of name: String) -> Int? {
        guard name.hasPrefix("msgstore"), let r = name.range(of: ".db.crypt", options: .backwards) else { return nil }
        return Int(name[r.upperBound...])
    }

    static func report(_ file: EvidenceFile, version: Int, into sink: any FindingSink) {
        let head = file.prefix(16)
        var props: [String: JSONValue] = [
            "file_name": .string(file.name), "crypt_version": .number(Double(version)),
            "size": .number(Double(file.size)), "status": .string("encrypted"),
            "header_hex": .string(head.map { String(format: "%02x", $0) }.joined()),
            "key_file": .string(version >= 15 ? "files/encrypted_backup.key" : "files/key"),
            "key_file_present": .null,
            "key_file_note": .string("not checked: the analyzer sees only the backup's own folder; look for the key file in the app's data folder of the same extraction"),
        ]
        if let d = file.devicePath { props["device_path"] = .string(d) }
        sink.emit(.artifact(Artifact(type: "whatsapp.encrypted-backup", properties: .object(props),
                                     location: SourceLocation(offset: 0, record: "file header"))))
        sink.warn(AnalysisWarning(code: "encrypted-backup",
                                  message: "\(file.name) is a WhatsApp crypt\(version) backup; it is listed but not decrypted",
                                  location: SourceLocation(offset: 0)))
    }
}
