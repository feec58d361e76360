import ExhibitKit
import Foundation
import Intake

/// `exhibit plugin test`: runs a plugin, sandboxed exactly as an ingest runs it, against its
/// fixtures and against hostile inputs (empty, truncated, random bytes, huge), validating every
/// reply line with the host's own validator.
///
/// A fixture passes when the plugin answers with valid findings (a declared error on a fixture
/// fails: fixtures are meant to be readable). A hostile input passes when the plugin answers
/// validly — findings, warnings or a declared error — without crashing, hanging or sending
/// anything invalid.
public enum PluginConformance {
    /// The outcome: printable lines and whether every check passed.
    public struct Report: Sendable {
        /// The report, one line per check (`PASS …`/`FAIL …`) plus a header and a summary.
        public var lines: [String] = []
        /// Checks that passed and failed.
        public var passed = 0
        public var failed = 0
        /// Every check passed (and there was at least one).
        public var ok: Bool { failed == 0 && passed > 0 }
    }

    /// A fixture `X` may have `X.expected.json` beside it: the finding lines (`kind` and `data`, as
    /// sent) the plugin must reply, compared as canonical JSON (`--update-expected` writes it).
    public static let expectedSuffix = ".expected.json"

    /// Size of the "huge" hostile input (handed over as a private file copy, like large evidence entries).
    public static let hugeBytes = 64 << 20

    /// Runs every check on the plugin in `directory`; fixtures from `fixtures` or `DIR/fixtures`.
    public static func run(directory: String, fixtures: String?, launch: PluginLaunch, assumedZone: TimeZone? = nil,
                           updateExpected: Bool = false, probes: Bool = true) -> Report {
        var report = Report()
        let manifest: PluginManifest
        do { manifest = try PluginManifest.load(directory: directory) } catch {
            report.lines.append("FAIL manifest: \(error)")
            report.failed += 1
            return report
        }
        report.lines.append("plugin \(manifest.id) \(manifest.version) (protocol \(manifest.protocolVersion)) — \(manifest.summary)")
        report.lines.append("PASS manifest \(manifest.directory)/\(PluginProtocol.manifestName) (sha256 \(manifest.manifestSHA256.prefix(16))…)")
        report.passed += 1
        let fixtureDir = fixtures ?? manifest.directory + "/fixtures"
        let names = ((try? FileManager.default.subpathsOfDirectory(atPath: fixtureDir)) ?? []).sorted().filter { name in
            var isDir: ObjCBool = false
            let last = (name as NSString).lastPathComponent
            return FileManager.default.fileExists(atPath: fixtureDir + "/" + name, isDirectory: &isDir) && !isDir.boolValue
                && !last.hasPrefix(".") && !last.hasSuffix(".md") && !last.hasSuffix(expectedSuffix)
        }
        if names.isEmpty {
            report.lines.append("FAIL fixtures: no fixture files in \(fixtureDir) (add at least one sample file the plugin should read)")
            report.failed += 1
            return report
        }
        // A fresh 0700 folder (mkdtemp), never a predictable name another user could plant first.
        let temp: PrivateTemporaryDirectory
        do { temp = try PrivateTemporaryDirectory(root: launch.scratchRoot) } catch {
            report.lines.append("FAIL scratch: \(error)")
            report.failed += 1
            return report
        }
        defer { temp.remove() }
        let scratch = temp.url.path
        let runner = Runner(manifest: manifest, launch: launch, zone: assumedZone, scratch: scratch)
        defer { runner.stop() }

        var first: (name: String, data: Data, mime: String)?
        let probe = try? MIMEProbe()
        for name in names {
            guard let data = FileManager.default.contents(atPath: fixtureDir + "/" + name) else {
                report.lines.append("FAIL fixture \(name): unreadable"); report.failed += 1; continue
            }
            let mime = probe?.mime(of: data) ?? "application/octet-stream"
            let path = "fixtures!/\(name)"
            if first == nil { first = (name, data, mime) }
            guard manifest.accepts.matches(mime: mime, virtualPath: path) else {
                report.lines.append("FAIL fixture \(name): ingest would not offer it to this plugin (MIME \(mime), path \(name)); check accepts in plugin.json")
                report.failed += 1
                continue
            }
            let expected = fixtureDir + "/" + name + expectedSuffix
            let (line, ok) = runner.check(label: "fixture \(name)", path: path, data: data, mime: mime, hostile: false,
                                          expected: (expected, updateExpected))
            report.lines.append(line)
            if ok { report.passed += 1 } else { report.failed += 1 }
        }
        if let f = first {
            var rng = SplitMix(seed: 0x45_78_68_69_62_69_74)
            let random = Data((0..<65_536).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            var huge = Data(count: hugeBytes)
            huge.replaceSubrange(0..<min(f.data.count, hugeBytes), with: f.data.prefix(hugeBytes))
            let cases: [(String, Data)] = [
                ("empty (0 bytes)", Data()),
                ("truncated (first half of \(f.name))", f.data.prefix(f.data.count / 2)),
                ("random bytes (64 KiB)", random),
                ("huge (\(hugeBytes >> 20) MiB: \(f.name) padded with zeros)", huge),
            ]
            for (label, data) in cases {
                let (line, ok) = runner.check(label: "hostile \(label)", path: "fixtures!/\(f.name)", data: data, mime: f.mime, hostile: true,
                                              spool: data.count >= hugeBytes)
                report.lines.append(line)
                if ok { report.passed += 1 } else { report.failed += 1 }
            }
        }
        if let s = runner.sandbox {
            report.lines.append("sandbox: " + s.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "))
        }
        // The built-in hostile probes, against the sandbox on this machine (the lab's kernel
        // decides which layers hold). Reported, not counted: they test the machine, not the plugin.
        if probes {
            report.lines += PluginProbe.run(launch: PluginLaunch(executable: launch.executable, protect: [], scratchRoot: launch.scratchRoot, log: { _ in })).lines
        }
        report.lines.append(report.ok ? "PASSED: \(report.passed) checks" : "FAILED: \(report.failed) of \(report.passed + report.failed) checks failed")
        return report
    }

    /// Runs checks over one reused session, restarting it after a failure (as ingest does).
    final class Runner {
        let manifest: PluginManifest, launch: PluginLaunch, zone: TimeZone?, scratch: String
        var session: PluginSession?
        var sandbox: [String: String]?
        var counter = 0
        init(manifest: PluginManifest, launch: PluginLaunch, zone: TimeZone?, scratch: String) {
            self.manifest = manifest; self.launch = launch; self.zone = zone; self.scratch = scratch
        }

        func check(label: String, path: String, data: Data, mime: String, hostile: Bool, spool: Bool = false,
                   expected: (path: String, update: Bool)? = nil) -> (String, Bool) {
            counter += 1
            let hashes = FileHashes(md5: String(repeating: "0", count: 32), sha1: String(repeating: "0", count: 40),
                                    sha256: String(format: "%064x", counter))
            var content = FileContent.memory(data)
            if spool {
                let p = scratch + "/spool-\(counter)"
                guard FileManager.default.createFile(atPath: p, contents: data) else { return ("FAIL \(label): cannot spool", false) }
                content = .temporaryFile(URL(fileURLWithPath: p))
            }
            defer { if spool { try? FileManager.default.removeItem(atPath: scratch + "/spool-\(counter)") } }
            let file = EvidenceFile(key: "test#\(counter)", virtualPath: path, size: Int64(data.count), hashes: hashes, mime: mime,
                                    times: EntryTimes(modified: .unixSeconds(1_724_825_523)), content: content)
            let start = Date()
            do {
                if session == nil { session = try PluginSession(manifest: manifest, launch: launch, exchangeDirectory: scratch) }
                guard let s = session else { return ("FAIL \(label): no session", false) }
                let reply = try s.analyze(file, context: AnalysisContext(assumedZone: zone, temporaryDirectory: URL(fileURLWithPath: scratch)),
                                          exchangeDirectory: scratch, keepRaw: expected != nil)
                if sandbox == nil { sandbox = s.sandboxReport }
                let secs = String(format: "%.2f s", Date().timeIntervalSince(start))
                switch reply {
                case .findings(let f, let raw):
                    if let expected, let problem = Self.compare(raw, expected.path, update: expected.update) {
                        return ("FAIL \(label): \(problem)", false)
                    }
                    let name = expected.map { ($0.path as NSString).lastPathComponent } ?? ""
                    let note = expected.map { $0.update ? ", written to \(name)" : (FileManager.default.fileExists(atPath: $0.path) ? ", as expected" : "") } ?? ""
                    return ("PASS \(label): \(Self.summary(f))\(note) in \(secs)", true)
                case .declaredError(let code, let message):
                    return hostile ? ("PASS \(label): declared error \(code): \(message) in \(secs)", true)
                        : ("FAIL \(label): the plugin declared error \(code): \(message)", false)
                }
            } catch let f as PluginFailure {
                session?.process.terminate()
                session = nil
                return ("FAIL \(label): \(f.code): \(f.message)", false)
            } catch {
                session = nil
                return ("FAIL \(label): \(error)", false)
            }
        }

        /// Compares the reply with the expected file (or writes it); nil when they agree or no file exists.
        static func compare(_ raw: [[String: Any]], _ path: String, update: Bool) -> String? {
            let opts: JSONSerialization.WritingOptions = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            guard let got = try? JSONSerialization.data(withJSONObject: raw, options: opts) else { return "reply cannot be re-encoded" }
            if update {
                return FileManager.default.createFile(atPath: path, contents: got + Data("\n".utf8)) ? nil : "cannot write \(path)"
            }
            guard let want = FileManager.default.contents(atPath: path) else { return nil }
            guard let parsed = try? JSONSerialization.jsonObject(with: want),
                  let canonical = try? JSONSerialization.data(withJSONObject: parsed, options: opts) else {
                return "\((path as NSString).lastPathComponent) is not valid JSON"
            }
            guard canonical != got else { return nil }
            let a = String(decoding: canonical, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let b = String(decoding: got, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            let wanted = i < a.count ? String(a[i]).trimmingCharacters(in: .whitespaces) : "(end)"
            let gotLine = i < b.count ? String(b[i]).trimmingCharacters(in: .whitespaces) : "(end)"
            return "reply differs from \((path as NSString).lastPathComponent) at line \(i + 1): expected \(wanted) — got \(gotLine) (rerun with --update-expected to accept the new output)"
        }

        static func summary(_ findings: [PluginWire.Item]) -> String {
            guard !findings.isEmpty else { return "no findings" }
            var counts: [String: Int] = [:]
            for item in findings {
                let k: String
                switch item {
                case .warning: k = "warning"
                case .finding(.artifact(let a)) where a.type == "event": k = "event"
                case .finding(let f): k = f.kind.rawValue
                }
                counts[k, default: 0] += 1
            }
            return "\(findings.count) findings (" + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
        }

        func stop() { session?.process.shutdown(); session = nil }
    }

    /// A tiny deterministic generator for the random-bytes input (same bytes every run).
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
