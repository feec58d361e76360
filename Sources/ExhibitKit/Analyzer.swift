import Foundation

/// What files an analyzer wants. A file is offered when its MIME type matches, or its virtual
/// path matches a glob, or — when ``sniff`` is set — the analyzer's ``Analyzer/sniff(prefix:file:)``
/// says yes to the first ``sniffLength`` bytes.
public struct Acceptance: Sendable, Hashable, Codable {
    /// MIME types as libmagic reports them; `image/*` matches a whole family.
    public var mimeTypes: [String]
    /// Globs over the path inside the evidence (`*/result.json`, `*.txt`); `*` crosses `/`.
    public var pathGlobs: [String]
    /// Ask the analyzer about files the two lists above did not match.
    public var sniff: Bool
    /// Whether the analyzer needs the bytes, or only metadata (path, hashes, MIME, times).
    public var needsContent: Bool
    /// Globs over the file's **device path** (`/data/data/com.whatsapp/databases/msgstore.db`),
    /// which only files inside a recognised phone extraction have (``EvidenceFile/devicePath``).
    /// `*` crosses `/`, so `/data/*/com.whatsapp/databases/msgstore.db` also matches secondary users.
    public var devicePathGlobs: [String]
    /// Files from the same folder the analyzer needs beside the accepted one, by name; `{name}`
    /// stands for the accepted file's own name (`{name}-wal`, `{name}-journal`, `wa.db`).
    ///
    /// When this is not empty the analyzer is not run during the walk: the engine keeps a
    /// private copy of every accepted file and of each companion it sees (archives list entries in
    /// any order), and after the walk of the evidence item lays them out in one private folder
    /// under their own names — so SQLite finds `x.db-wal` next to `x.db` — and runs the analyzer
    /// with ``EvidenceFile/content`` pointing at the copy and ``EvidenceFile/companions`` listing
    /// what was found. The evidence itself is never opened by SQLite.
    public var companions: [String]

    public static let sniffLength = 4096

    public init(mimeTypes: [String] = [], pathGlobs: [String] = [], sniff: Bool = false, needsContent: Bool = true,
                devicePathGlobs: [String] = [], companions: [String] = []) {
        self.mimeTypes = mimeTypes; self.pathGlobs = pathGlobs; self.sniff = sniff; self.needsContent = needsContent
        self.devicePathGlobs = devicePathGlobs; self.companions = companions
    }

    private enum CodingKeys: String, CodingKey { case mimeTypes, pathGlobs, sniff, needsContent, devicePathGlobs, companions }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(mimeTypes: try c.decodeIfPresent([String].self, forKey: .mimeTypes) ?? [],
                  pathGlobs: try c.decodeIfPresent([String].self, forKey: .pathGlobs) ?? [],
                  sniff: try c.decodeIfPresent(Bool.self, forKey: .sniff) ?? false,
                  needsContent: try c.decodeIfPresent(Bool.self, forKey: .needsContent) ?? true,
                  devicePathGlobs: try c.decodeIfPresent([String].self, forKey: .devicePathGlobs) ?? [],
                  companions: try c.decodeIfPresent([String].self, forKey: .companions) ?? [])
    }

    /// Whether MIME type or path alone accept the file (no sniffing).
    public func matches(mime: String, virtualPath: String, devicePath: String? = nil) -> Bool {
        for m in mimeTypes {
            if m == mime || m == "*/*" { return true }
            if m.hasSuffix("/*"), mime.hasPrefix(m.dropLast()) { return true }
        }
        if let devicePath, devicePathGlobs.contains(where: { Glob.matches($0, devicePath) }) { return true }
        let inner = VirtualPath.split(virtualPath).inner
        return pathGlobs.contains { Glob.matches($0, inner) || Glob.matches($0, virtualPath) }
    }

    /// The companion names for a file called `name` (`{name}` replaced).
    public func companionNames(for name: String) -> [String] {
        companions.map { $0.replacingOccurrences(of: "{name}", with: name) }
    }
}

/// An analyzer's identity and appetite. A value the instance returns, so that analyzers found
/// at run time (external plugins) describe themselves exactly like built-in ones.
public struct AnalyzerDescriptor: Sendable, Hashable, Codable {
    /// Stable id, lower-case with dashes (`chat-export`); recorded on every finding it produces.
    public var id: String
    /// The analyzer's own version; a change means its findings may differ.
    public var version: String
    /// One line for `exhibit analyzers`.
    public var summary: String
    public var accepts: Acceptance
    /// Finding kinds it may emit; the analyzer harness checks every emitted finding against it.
    public var produces: [FindingKind]
    /// Longest a single file may take before the supervisor treats the worker as hung.
    public var timeoutSeconds: Double?

    public init(id: String, version: String, summary: String, accepts: Acceptance, produces: [FindingKind] = [],
                timeoutSeconds: Double? = nil) {
        self.id = id; self.version = version; self.summary = summary; self.accepts = accepts
        self.produces = produces; self.timeoutSeconds = timeoutSeconds
    }
}

/// Case-wide settings and services an analyzer may use during a call.
public struct AnalysisContext: Sendable {
    /// The zone the examiner declared for naive local times, or `nil` (then basis `unknown`).
    public var assumedZone: TimeZone?
    /// A private (0700) directory for scratch files; removed at the end of the run.
    public var temporaryDirectory: URL
    public init(assumedZone: TimeZone?, temporaryDirectory: URL) {
        self.assumedZone = assumedZone; self.temporaryDirectory = temporaryDirectory
    }
}

/// Errors an analyzer throws for a file it cannot handle at all. Each becomes one
/// `analysis_errors` row (status `error`); the ingest goes on.
public struct AnalyzerError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public init(code: String, message: String) { self.code = code; self.message = message }
    public var description: String { "\(code): \(message)" }
}

/// Where an analyzer puts what it reads from one file: findings one by one as they are read, and
/// warnings. The engine owns it and decides what happens to each finding — kept in memory until
/// the analyzer returns, or written straight into the file's open transaction once the file has
/// produced many (a chat of a million messages) — so memory stays bounded by the parser and the
/// analyzer never knows which. Valid only during the ``Analyzer/analyze(_:context:into:)`` call.
///
/// Like plaso's parser mediator, handing over never fails from the analyzer's side: when the
/// engine can take no more (the case database failed and the run is stopping) it records that
/// itself, drops what follows and sets ``isStopped``, which long loops may check to return early.
public protocol FindingSink: AnyObject {
    /// Hands one finding over, in the order it was read.
    func emit(_ finding: Finding)
    /// Records a problem that did not stop the analysis (stored in `analysis_errors` with status
    /// `warning`): what was wrong, and what was kept.
    func warn(_ warning: AnalysisWarning)
    /// True once the engine takes nothing more from this call: the analyzer may stop reading.
    var isStopped: Bool { get }
}

extension FindingSink {
    /// Shorthand for ``warn(_:)`` with a code, a sentence and an optional location.
    public func warn(_ code: String, _ message: String, at location: SourceLocation? = nil) {
        warn(AnalysisWarning(code: code, message: message, location: location))
    }
}

/// A per-file analyzer: parses one evidence file into typed findings.
///
/// Contract:
/// - The engine calls ``analyze(_:context:into:)`` for every file the descriptor accepts, on its
///   fixed set of analysis threads, many files at once: implementations must be safe to call
///   concurrently (keep them stateless or guard state yourself). The call is synchronous; it may
///   block (an external plugin waits for its process), never spin.
/// - The bytes behind ``EvidenceFile/content`` are valid only during the call.
/// - Analyzers never touch the database: they hand findings to the sink, and the store persists
///   them with the analyzer's id and version as provenance.
/// - Evidence is hostile. Bad input is the normal case: emit what was read plus warnings
///   (``FindingSink/warn(_:)``), or throw ``AnalyzerError`` when nothing more can be read —
///   findings emitted before the throw are kept. Never crash, never `fatalError`/`try!`/force-unwrap
///   on anything derived from the bytes, and bound memory and time by the input's real size, not
///   by sizes it declares.
/// - Output must depend only on the file and the context (same evidence → same findings in the
///   same order), and every finding's ``Finding/kind`` must be in ``AnalyzerDescriptor/produces``.
public protocol Analyzer: Sendable {
    var descriptor: AnalyzerDescriptor { get }
    /// Decides on files the descriptor's MIME types and globs did not match, from their first
    /// ``Acceptance/sniffLength`` bytes. Only asked when ``Acceptance/sniff`` is set.
    func sniff(prefix: Data, file: EvidenceFile) -> Bool
    /// Reads one file, handing every finding and warning to `sink` as it is read.
    func analyze(_ file: EvidenceFile, context: AnalysisContext, into sink: any FindingSink) throws
}

extension Analyzer {
    public func sniff(prefix: Data, file: EvidenceFile) -> Bool { false }
}

/// A sink that keeps everything in memory: for callers that want a file's whole result at once
/// (`exhibit plugin test`, the analyzer harness in tests). Not what the engine uses for ingest.
public final class FindingCollector: FindingSink {
    /// Findings in the order they were emitted.
    public private(set) var findings: [Finding] = []
    /// Warnings in the order they were recorded.
    public private(set) var warnings: [AnalysisWarning] = []
    /// An empty collector.
    public init() {}
    /// Appends the finding.
    public func emit(_ finding: Finding) { findings.append(finding) }
    /// Appends the warning.
    public func warn(_ warning: AnalysisWarning) { warnings.append(warning) }
    /// Never: a collector takes everything.
    public var isStopped: Bool { false }
}

extension Analyzer {
    /// Runs the analyzer on one file and returns everything it emitted, in memory. A thrown
    /// ``AnalyzerError`` is rethrown (what was emitted before it is lost to the caller: use a
    /// ``FindingCollector`` directly to keep it).
    public func collect(_ file: EvidenceFile, context: AnalysisContext) throws -> (findings: [Finding], warnings: [AnalysisWarning]) {
        let sink = FindingCollector()
        try analyze(file, context: context, into: sink)
        return (sink.findings, sink.warnings)
    }
}

/// Glob matching for ``Acceptance/pathGlobs``: `*` matches any run (including `/`), `?` one
/// character, `[abc]` a set. Case-sensitive, like the paths it matches.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var pi = 0, ti = 0, starP = -1, starT = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "[", let (ok, next) = matchSet(p, pi, t[ti]) {
                if ok { pi = next; ti += 1; continue }
            } else if pi < p.count, p[pi] == "?" || (p[pi] != "*" && p[pi] != "[" && p[pi] == t[ti]) {
                pi += 1; ti += 1; continue
            } else if pi < p.count, p[pi] == "*" {
                starP = pi; starT = ti; pi += 1; continue
            }
            if starP >= 0 { pi = starP + 1; starT += 1; ti = starT; continue }
            return false
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    private static func matchSet(_ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count, p[i] == "!" || p[i] == "^" { negate = true; i += 1 }
        var found = false
        var first = true
        while i < p.count, p[i] != "]" || first {
            first = false
            if i + 2 < p.count, p[i + 1] == "-", p[i + 2] != "]" {
                if p[i] <= c && c <= p[i + 2] { found = true }
                i += 3
            } else {
                if p[i] == c { found = true }
                i += 1
            }
        }
        guard i < p.count else { return nil }
        return (found != negate, i + 1)
    }
}
