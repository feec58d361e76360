import Foundation

/// Finds plugins: every directory given with `--plugins`, every entry of `$EXHIBIT_PLUGIN_PATH`
/// (colon-separated) and the per-user directory (`$XDG_DATA_HOME/exhibit/plugins`, else
/// `~/.local/share/exhibit/plugins`), in that order. Each of those is either a plugin directory
/// itself (it holds `plugin.json`) or a folder of plugin directories. The first plugin with a
/// given id wins; later ones are reported as shadowed.
public struct PluginDiscovery: Sendable {
    /// Plugins found, in discovery order.
    public var manifests: [PluginManifest] = []
    /// Problems worth telling the examiner (bad manifests, shadowed ids); the run goes on.
    public var problems: [String] = []

    /// The per-user plugin directory for this environment.
    public static func userDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let x = environment["XDG_DATA_HOME"], !x.isEmpty { return x + "/exhibit/plugins" }
        if let h = environment["HOME"], !h.isEmpty { return h + "/.local/share/exhibit/plugins" }
        return nil
    }

    /// Where to look, in order: explicit directories (which must exist), then the environment's.
    public static func searchPath(explicit: [String], environment: [String: String] = ProcessInfo.processInfo.environment)
        -> [(path: String, explicit: Bool)] {
        var out = explicit.map { (path: $0, explicit: true) }
        if let p = environment["EXHIBIT_PLUGIN_PATH"] {
            out += p.split(separator: ":").map { (path: String($0), explicit: false) }
        }
        if let u = userDirectory(environment: environment) { out.append((u, false)) }
        return out
    }

    /// Discovers plugins. `reserved` are ids already taken (the built-in analyzers). Throws only
    /// for an explicit `--plugins` directory that does not exist or holds no valid plugin.
    public static func discover(explicit: [String], reserved: Set<String>,
                                environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PluginDiscovery {
        var result = PluginDiscovery()
        var taken = reserved
        let fm = FileManager.default
        for (path, isExplicit) in searchPath(explicit: explicit, environment: environment) {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
                if isExplicit { throw PluginError(path: path, "--plugins: no such directory") }
                continue
            }
            var candidates: [String] = []
            if fm.fileExists(atPath: path + "/" + PluginProtocol.manifestName) {
                candidates = [path]
            } else {
                let names = (try? fm.contentsOfDirectory(atPath: path)) ?? []
                candidates = names.sorted().map { path + "/" + $0 }
                    .filter { fm.fileExists(atPath: $0 + "/" + PluginProtocol.manifestName) }
            }
            if isExplicit && candidates.isEmpty {
                throw PluginError(path: path, "--plugins: neither a plugin directory (with \(PluginProtocol.manifestName)) nor a folder of them")
            }
            for dir in candidates {
                let manifest: PluginManifest
                do { manifest = try PluginManifest.load(directory: dir) } catch {
                    if isExplicit { throw error }
                    result.problems.append("plugin skipped: \(error)")
                    continue
                }
                guard !taken.contains(manifest.id) else {
                    result.problems.append("plugin \(manifest.id) in \(manifest.directory) skipped: the id is already taken (a built-in analyzer or a plugin found earlier)")
                    continue
                }
                taken.insert(manifest.id)
                result.manifests.append(manifest)
            }
        }
        return result
    }
}
