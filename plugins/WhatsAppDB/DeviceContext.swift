import ExhibitKit
import Foundation

/// Where the database lived and what that says about its owner and media: the app's data folder
/// on the device (``owner``), the package (`com.whatsapp` or `com.whatsapp.w4b`) and the Android
/// user whose shared storage holds the media (`/data/media/<n>/…`).
struct DeviceContext: Equatable {
    /// `/data/data/com.whatsapp`, `/data/user/10/com.whatsapp.w4b`, or — outside a recognised
    /// extraction — the virtual path of the folder above `databases/`.
    var owner: String
    var package: String
    /// The Android user (0 for `/data/data/…` and by default).
    var user: String

    static let business = "com.whatsapp.w4b"

    init(file: EvidenceFile) {
        if let device = file.devicePath {
            let parts = device.split(separator: "/").map(String.init)
            if parts.count >= 3, parts[0] == "data", parts[1] == "data" {
                package = parts[2]; user = "0"; owner = "/data/data/\(parts[2])"
                return
            }
            if parts.count >= 4, parts[0] == "data", parts[1] == "user" || parts[1] == "user_de" {
                package = parts[3]; user = parts[2]; owner = "/data/\(parts[1])/\(parts[2])/\(parts[3])"
                return
            }
        }
        var folder = file.directoryPath
        if folder.hasSuffix("/databases") { folder = String(folder.dropLast("/databases".count)) }
        owner = folder
        package = file.virtualPath.contains(Self.business) ? Self.business : "com.whatsapp"
        user = "0"
    }

    /// The folders the app keeps its `Media/…` tree in, most likely first: scoped storage
    /// (Android 11+, `Android/media/<package>/…`), then the older top-level folder.
    /// WhatsApp Business names its folder `WhatsApp Business`.
    var mediaRoots: [String] {
        let isBusiness = package == Self.business
        let folder = isBusiness ? "WhatsApp Business" : "WhatsApp"
        let pkg = isBusiness ? Self.business : "com.whatsapp"
        return ["/data/media/\(user)/Android/media/\(pkg)/\(folder)/", "/data/media/\(user)/\(folder)/"]
    }

    /// Candidate device paths of a media file the database names by `file_path`: an absolute path
    /// (older versions) normalised as is; a relative one (`Media/WhatsApp Images/…`) under each
    /// media root.
    func devicePaths(forFilePath path: String) -> [String] {
        if path.isEmpty { return [] }
        if path.hasPrefix("/") { return [DevicePath.normalize(path)] }
        return mediaRoots.map { DevicePath.normalize($0 + path) }
    }
}
