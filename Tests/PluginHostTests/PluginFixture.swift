import ExhibitTesting
import Foundation

/// The built `exhibit` binary (the sandbox trampoline `exhibit plugin exec`, `plugin new|test`)
/// and small helpers for the plugin host's tests.
enum PluginFixture {
    /// The `exhibit` executable of this build.
    static let exhibit = Corpus.executable("exhibit")

    /// SHA-256 of a file, by coreutils (an implementation independent of the host's hasher).
    static func sha256(of path: String) throws -> String {
        let r = try Run.shell("sha256sum '\(path)' | cut -d' ' -f1")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
