import ExhibitKit
import Foundation

/// Where the database lived: the app group folder on the device, whose data it is (``owner``),
/// and how a media path the database records maps to a device path.
///
/// The owner is `whatsapp-ios:<app group id>`, the same for one phone whether the database came
/// from a full-file-system extraction (the group folder is a UUID) or a backup (the folder is
/// named by the group id `group.net.whatsapp.WhatsApp.shared`): a UUID folder is WhatsApp
/// Messenger's group. ChatStorage.sqlite does not reliably name the owner's own JID, so none is
/// guessed. Outside a recognised extraction the owner is the virtual folder of the database.
struct AppGroup: Equatable {
    /// The default group of WhatsApp Messenger (WhatsApp Business uses `group.net.whatsapp.WhatsAppSMB.shared`).
    static let messenger = "group.net.whatsapp.WhatsApp.shared"
    static let root = "/private/var/mobile/Containers/Shared/AppGroup/"

    var owner: String
    /// The app group folder name on the device (a UUID or a group id), when known.
    var folder: String?
    /// The device folder holding the database, with a trailing slash, when known.
    var base: String?

    init(file: EvidenceFile) {
        guard let device = file.devicePath.map(DevicePath.normalize) else {
            owner = file.directoryPath; folder = nil; base = nil
            return
        }
        let dir = (device as NSString).deletingLastPathComponent
        base = dir.hasSuffix("/") ? dir : dir + "/"
        if device.hasPrefix(Self.root) {
            let name = device.dropFirst(Self.root.count).split(separator: "/").first.map(String.init) ?? ""
            folder = name
            owner = "whatsapp-ios:" + (name.hasPrefix("group.") ? name : Self.messenger)
        } else {
            folder = nil
            owner = "whatsapp-ios:" + dir
        }
    }

    /// Candidate device paths of a media file named by `ZMEDIALOCALPATH`: an absolute path as is
    /// (normalised); a relative one (`Media/<jid>/…`) under `<group>/Message/`, where WhatsApp keeps
    /// its media; a path already starting `Message/` under the group folder itself.
    func devicePaths(forLocalPath path: String) -> [String] {
        if path.isEmpty { return [] }
        if path.hasPrefix("/") { return [DevicePath.normalize(path)] }
        guard let base else { return [] }
        if path.hasPrefix("Message/") { return [DevicePath.normalize(base + path)] }
        return [DevicePath.normalize(base + "Message/" + path)]
    }
}
