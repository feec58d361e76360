import Foundation

/// The one default for "where scratch files go": `$TMPDIR` when it is set and not empty, else
/// `/tmp`. Every command's `--temp-dir` default and every library fallback use this, so one
/// environment variable moves all of them (and an empty `TMPDIR=` never means "the current folder").
public enum TemporaryDirectory {
    /// `$TMPDIR` (without a trailing `/`) when set and not empty, else `/tmp`.
    public static var defaultRoot: String { root(environment: ProcessInfo.processInfo.environment) }

    /// The rule of ``defaultRoot`` over a given environment (tests).
    public static func root(environment: [String: String]) -> String {
        guard var t = environment["TMPDIR"], !t.isEmpty else { return "/tmp" }
        while t.count > 1, t.hasSuffix("/") { t.removeLast() }
        return t
    }

    /// ``defaultRoot`` as a folder URL.
    public static var defaultURL: URL { URL(fileURLWithPath: defaultRoot, isDirectory: true) }
}
