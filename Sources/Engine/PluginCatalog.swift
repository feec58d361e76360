import ExhibitKit
import Foundation
import PluginHost

extension AnalyzerCatalog {
    /// This catalog plus the plugins discovered from `explicit` directories, `$EXHIBIT_PLUGIN_PATH`
    /// and the per-user directory, each wrapped as a ``PluginAnalyzer``. Returns the catalog and
    /// the problems found on the way (bad manifests outside `--plugins`, shadowed ids).
    public func addingPlugins(explicit: [String], launch: PluginLaunch, maxConsecutiveFailures: Int = 5, jobs: Int = 1,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> (catalog: AnalyzerCatalog, plugins: [PluginAnalyzer], problems: [String]) {
        let found = try PluginDiscovery.discover(explicit: explicit, reserved: Set(descriptors.map(\.id)), environment: environment)
        let plugins = found.manifests.map {
            PluginAnalyzer(manifest: $0, launch: launch, maxConsecutiveFailures: maxConsecutiveFailures, jobs: jobs)
        }
        var out = self
        out.fileAnalyzers += plugins as [any Analyzer]
        return (out, plugins, found.problems)
    }
}
