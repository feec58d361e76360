import ExhibitKit

/// Whose data a postbox database is: the account folder `…/telegram-data/account-<id>` on the
/// device (from the device path), or the virtual path's folder above `postbox/db` outside a
/// recognised extraction.
enum Account {
    static func folder(of file: EvidenceFile) -> String {
        if let device = file.devicePath, let r = device.range(of: "/postbox/db/", options: .backwards) {
            return String(device[..<r.lowerBound])
        }
        var folder = file.directoryPath
        for suffix in ["/db", "/postbox"] where folder.hasSuffix(suffix) { folder = String(folder.dropLast(suffix.count)) }
        return folder
    }
}
