import ExhibitKit
import Foundation
import Intake
import Testing

/// The hostile and format fixtures in `corpora/intake/`, made with real tools by
/// `make_fixtures.py`, and their expectations in `expected.json`.
enum IntakeFixtureManifest {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../corpora/intake").standardized

    /// Parsed on each use: `[String: Any]` is not Sendable, so it cannot be a shared static.
    static var manifest: [[String: Any]] {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("expected.json")),
              let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return list
    }

    static var fixtureNames: [String] { manifest.compactMap { $0["fixture"] as? String } }

    static func expectation(_ fixture: String) -> [String: Any]? {
        manifest.first { $0["fixture"] as? String == fixture }
    }

    static func budgets(_ raw: [String: Any]?) -> IntakeBudgets {
        var b = IntakeBudgets()
        guard let raw else { return b }
        func int(_ k: String) -> Int64? { (raw[k] as? NSNumber)?.int64Value }
        if let v = int("max_depth") { b.maxDepth = Int(v) }
        if let v = int("max_total_bytes") { b.maxTotalBytes = v }
        if let v = int("max_entry_bytes") { b.maxEntryBytes = v }
        if let v = int("max_entries_per_archive") { b.maxEntriesPerArchive = Int(v) }
        if let v = (raw["max_ratio"] as? NSNumber)?.doubleValue { b.maxRatio = v }
        if let v = int("ratio_floor_bytes") { b.ratioFloorBytes = v }
        return b
    }
}

@Suite("Fixture manifest (corpora/intake/expected.json)")
struct FixtureManifestTests {
    @Test("the manifest is present and lists fixtures that exist")
    func manifestPresent() throws {
        #expect(IntakeFixtureManifest.manifest.count >= 60)
        for name in IntakeFixtureManifest.fixtureNames {
            #expect(FileManager.default.fileExists(atPath: IntakeFixtureManifest.directory.appendingPathComponent(name).path), "\(name)")
        }
    }

    @Test("each fixture walks to its expected container and entries", arguments: IntakeFixtureManifest.fixtureNames)
    func fixture(_ name: String) throws {
        let exp = try #require(IntakeFixtureManifest.expectation(name))
        let s = try Scratch()
        let path = IntakeFixtureManifest.directory.appendingPathComponent(name).path
        let before = try referenceSHA256(path)
        let r = try walk(path, label: name, options: s.options(IntakeFixtureManifest.budgets(exp["budgets"] as? [String: Any])))
        #expect(try referenceSHA256(path) == before, "evidence modified")
        let summary = try #require(r.summary)

        let container = exp["container"] as? [String: Any] ?? [:]
        if let st = container["status"] as? String { #expect(summary.status.rawValue == st, "\(name): container \(summary.message ?? "")") }
        if let any = container["status_any"] as? [String] { #expect(any.contains(summary.status.rawValue), "\(name): container \(summary.status) \(summary.message ?? "")") }
        for flag in container["flags"] as? [String] ?? [] { #expect(summary.flags.contains(flag), "\(name): container flag \(flag) in \(summary.flags)") }
        if let count = (exp["entry_count"] as? NSNumber)?.intValue { #expect(summary.entryCount == count, "\(name): entry count") }

        let prefix = name + "!/"
        var unused = Array(r.entries.indices)
        for e in exp["entries"] as? [[String: Any]] ?? [] {
            let p = e["path"] as? String ?? ""
            guard let k = unused.firstIndex(where: { String(r.entries[$0].virtualPath.dropFirst(prefix.count)) == p }) else {
                Issue.record("\(name): no entry \(p); have \(r.entries.map(\.virtualPath))")
                continue
            }
            let a = r.entries[unused.remove(at: k)]
            check(a, against: e, fixture: name)
        }
        if exp["entries_exact"] as? Bool == true {
            #expect(unused.isEmpty, "\(name): unexpected entries \(unused.map { r.entries[$0].virtualPath })")
        }
        // Leases released with the result: the spool must be empty again.
        _ = consume r
        #expect(try s.spoolFiles().isEmpty)
    }

    func check(_ a: IntakeEntry, against e: [String: Any], fixture: String) {
        let id = "\(fixture): \(a.virtualPath)"
        if let st = e["status"] as? String { #expect(a.status.rawValue == st, "\(id) status; message \(a.message ?? "")") }
        if let any = e["status_any"] as? [String] { #expect(any.contains(a.status.rawValue), "\(id) status \(a.status)") }
        if let kind = e["kind"] as? String { #expect(a.kind.rawValue == kind, "\(id) kind") }
        if let sha = e["sha256"] as? String { #expect(a.hashes?.sha256 == sha, "\(id) sha256; status \(a.status) \(a.message ?? "")") }
        if let size = (e["size"] as? NSNumber)?.int64Value { #expect(a.size == size, "\(id) size") }
        if let d = (e["declared_size"] as? NSNumber)?.int64Value { #expect(a.declaredSize == d, "\(id) declared size") }
        for flag in e["flags"] as? [String] ?? [] { #expect(a.flags.contains(flag), "\(id) flag \(flag) in \(a.flags)") }
        if let enc = e["encoding"] as? String { #expect(a.nameEncoding == enc, "\(id) encoding") }
        if let hex = e["raw_name_hex"] as? String {
            #expect(a.rawName.map { String(format: "%02x", $0) }.joined() == hex, "\(id) raw name")
        }
        if let t = e["link_target"] as? String { #expect(a.linkTarget == t, "\(id) link target") }
        if let b = e["utc_basis"] as? String { #expect(a.times.modified?.basis.rawValue == b, "\(id) basis") }
        if let u = e["mtime_utc"] as? String { #expect(a.times.modified?.utcString == u, "\(id) mtime") }
        if let w = e["mtime_dos"] as? String { #expect(a.times.modified?.localWallClock == w, "\(id) DOS wall clock") }
        if a.status == .encrypted { #expect(a.hashes == nil, "\(id): encrypted data must not get an (empty) hash") }
    }
}
