import Foundation

/// The operating system whose file tree a phone extraction holds.
public enum DevicePlatform: String, Sendable, Hashable, Codable, CaseIterable {
    case android, ios
    /// A vendor report that named no device path.
    case unknown
}

/// A phone extraction's layout, recognised inside one container: where the device's tree starts
/// inside the container (``root``, a prefix of inner paths, `""` or ending in `/`) and which
/// device folder that place is (``mount``: `/` for a whole file system, `/data/` for an Android
/// userdata partition, `/private/var/` for an iOS data partition).
public struct DeviceLayout: Sendable, Hashable, Codable {
    public var platform: DevicePlatform
    public var root: String
    public var mount: String
    public init(platform: DevicePlatform, root: String, mount: String) {
        self.platform = platform; self.root = root; self.mount = mount
    }

    /// The device path of an entry under ``root`` (`nil` when the entry is elsewhere).
    public func devicePath(ofInner inner: String) -> String? {
        guard inner.hasPrefix(root), inner.count > root.count else { return nil }
        return mount + inner.dropFirst(root.count)
    }
}

/// Device paths: where a file lived on the seized phone, recognised from the shape of the tree
/// whatever prefix the acquisition tool put in front of it (docs/intake.md, "Phone extractions").
public enum DevicePath {
    /// Subfolders of an Android app's data folder (`/data/data/<package>/…`).
    static let androidAppFolders: Set<String> = [
        "databases", "files", "shared_prefs", "cache", "code_cache", "no_backup", "app_webview", "lib",
    ]
    /// Folders directly under an Android `/data` that mark a whole userdata tree when followed by
    /// the shape checked in ``recognise(inner:)``.
    static let androidDataFolders: Set<String> = ["data", "media", "user", "user_de", "system_ce", "system_de", "misc_ce"]

    /// Recognises a phone extraction from one entry's path inside its container, by content alone:
    /// `…/data/data/<package>/…`, `…/data/user/<n>/<package>/…`, `…/data/media/<n>/…` (Android
    /// file system), `…/data/<package>/databases/…` (an Android userdata partition),
    /// `…/private/var/…`, `…/var/mobile/…`, `…/mobile/Containers/…` (iOS). `nil` when the path
    /// shows no such shape.
    public static func recognise(inner: String) -> DeviceLayout? {
        // Fewer than three components (two slashes) name no layout: no split for those.
        var slashes = 0
        for b in inner.utf8 where b == UInt8(ascii: "/") { slashes += 1; if slashes == 2 { break } }
        guard slashes == 2 else { return nil }
        let comps = inner.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard comps.count >= 3 else { return nil }
        func root(_ i: Int) -> String { i == 0 ? "" : comps[..<i].joined(separator: "/") + "/" }
        for i in 0..<(comps.count - 2) {
            let a = comps[i], b = comps[i + 1], c = comps[i + 2]
            // iOS: /private/var/…, /var/mobile/…, a data partition's mobile/Containers/….
            if a == "private", b == "var" { return DeviceLayout(platform: .ios, root: root(i), mount: "/") }
            if a == "var", b == "mobile" { return DeviceLayout(platform: .ios, root: root(i), mount: "/private/") }
            if a == "mobile", b == "Containers" || b == "Library" || b == "Media", i > 0 || comps.count > 3 {
                return DeviceLayout(platform: .ios, root: root(i), mount: "/private/var/")
            }
            guard a == "data" else { continue }
            // Android file system: /data/data/<pkg>/…, /data/user[_de]/<n>/<pkg>/…, /data/media/<n>/….
            if b == "data", isPackage(c), comps.count > i + 3 {
                return DeviceLayout(platform: .android, root: root(i), mount: "/")
            }
            if (b == "user" || b == "user_de"), isNumber(c), comps.count > i + 4, isPackage(comps[i + 3]) {
                return DeviceLayout(platform: .android, root: root(i), mount: "/")
            }
            if b == "media", isNumber(c), comps.count > i + 3 {
                return DeviceLayout(platform: .android, root: root(i), mount: "/")
            }
            // An Android userdata partition (the device's /data): <root>/data/<pkg>/databases/….
            if isPackage(b), androidAppFolders.contains(c), comps.count > i + 3 {
                return DeviceLayout(platform: .android, root: root(i), mount: "/data/")
            }
        }
        return nil
    }

    /// Normalises a path an app recorded on the device to the extraction's form: Android's
    /// `/storage/emulated/<n>/…`, `/sdcard/…`, `/mnt/sdcard/…` and `/storage/self/primary/…`
    /// become `/data/media/<n>/…`; iOS `/var/mobile/…` becomes `/private/var/mobile/…`; `.`,
    /// `..` and repeated slashes are resolved. A relative path is returned unchanged.
    public static func normalize(_ path: String) -> String {
        guard path.hasPrefix("/") else { return path }
        var parts: [String] = []
        for comp in path.split(separator: "/", omittingEmptySubsequences: true) {
            if comp == "." { continue }
            if comp == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(String(comp))
        }
        func tail(_ n: Int) -> [String] { Array(parts.dropFirst(n)) }
        var out = parts
        if parts.count >= 3, parts[0] == "storage", parts[1] == "emulated", isNumber(parts[2]) {
            out = ["data", "media", parts[2]] + tail(3)
        } else if parts.count >= 3, parts[0] == "storage", parts[1] == "self", parts[2] == "primary" {
            out = ["data", "media", "0"] + tail(3)
        } else if parts.first == "sdcard" {
            out = ["data", "media", "0"] + tail(1)
        } else if parts.count >= 2, parts[0] == "mnt", parts[1] == "sdcard" {
            out = ["data", "media", "0"] + tail(2)
        } else if parts.count >= 2, parts[0] == "var", parts[1] == "mobile" {
            out = ["private"] + parts
        }
        return "/" + out.joined(separator: "/")
    }

    /// An Android package name: at least two dot-separated Java identifiers (`com.kakao.talk`).
    public static func isPackage(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return false }
        return parts.allSatisfy { p in
            guard let f = p.unicodeScalars.first, f.isASCII, CharacterSet.letters.contains(f) || f == "_" else { return false }
            return p.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }
        }
    }

    static func isNumber(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 6 && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
