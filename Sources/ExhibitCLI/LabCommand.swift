import ArgumentParser
import Engine
import EvidenceStore
import ExhibitKit
import ExhibitSupport
import Foundation
import LabIndex

/// `exhibit lab`: the lab index on PostgreSQL (docs/lab.md).
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "The lab index: case databases published to one PostgreSQL for questions across cases.",
        discussion: """
        The case database stays the unit of evidence; the lab index is derived from case databases
        and can be rebuilt from them at any time. The connection string (postgres://user:password@host:port/db,
        optional ?sslmode=disable|prefer|require&sslrootcert=FILE) is read from --postgres-url-file or
        $EXHIBIT_LAB_URL, never from the command line, and is never printed. Set-up and roles: docs/lab.md.

        Examples:
          exhibit lab init --postgres-url-file /etc/exhibit/lab.url
          exhibit lab publish case.sqlite
          exhibit lab spread 3f1c…e9            (a SHA-256)
          exhibit lab spread --pdq 64d6…5ad4     (a PDQ hash)
          exhibit lab spread suspect.jpg         (a picture: its SHA-256 and PDQ)
          exhibit lab search 딥페이크
          exhibit lab known
        """,
        subcommands: [LabInitCommand.self, LabPublishCommand.self, LabSpreadCommand.self, LabSearchCommand.self, LabKnownCommand.self,
                     LabSubmitCommand.self, LabWorkerCommand.self, LabStatusCommand.self, LabRebuildCommand.self,
                     LabAccessCommand.self, LabHashSetCommand.self])
}

/// Where the lab index is.
struct LabOptions: ParsableArguments {
    @Option(name: .customLong("postgres-url-file"),
            help: "File holding the lab's connection string (else $EXHIBIT_LAB_URL).")
    var postgresURLFile: String?

    /// The parsed connection string; exits 2 when none is given or it is malformed.
    func url() -> LabURL {
        do { return try LabURL.load(file: postgresURLFile) } catch { fail(error.message, code: 2) }
    }

    /// Connects, runs `body`, closes; a failure exits 1 with the server's words (never the URL).
    func run<T: Sendable>(_ body: @escaping @Sendable (LabIndex) async throws -> T) -> T {
        let u = url()
        do { return try LabIndex.with(u, body) } catch { fail(LabIndex.describe(error), code: 1) }
    }
}

struct LabInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create or update the lab schema (named, append-only migrations).",
        discussion: "Exit codes: 0 done (also when nothing was left to apply); 1 the lab index cannot be reached or updated; 2 no connection string.")
    @OptionGroup var lab: LabOptions

    func run() throws {
        let url = lab.url()
        let (now, all) = lab.run { l in (try await l.migrate(), try await l.appliedMigrations()) }
        print("lab index \(url.host):\(url.port)/\(url.database): " + (now.isEmpty ? "up to date" : "applied \(now.joined(separator: ", "))")
              + " (migrations: \(all.joined(separator: ", ")))")
    }
}

struct LabPublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish case databases to the lab index (idempotent: the same case gives the same rows).",
        discussion: """
        Each case is published in one transaction: its earlier rows are replaced by the rows read
        from one snapshot of the case database. A killed publish leaves the earlier rows.
        Exit codes: 0 published; 1 a database could not be read or published (the others are); 2 bad option.
        """)
    @OptionGroup var lab: LabOptions
    @Argument(help: "Case databases (SQLite).") var databases: [String]
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard !databases.isEmpty else { fail("give at least one case database", code: 2) }
        var failed = false
        var reports: [PublishReport] = []
        for db in databases {
            // The case database is checked the way every command opens one (identity, migrations).
            do { _ = try EvidenceDatabase.openExisting(path: db, readOnly: true) } catch {
                FileHandle.standardError.write(Data("exhibit: \(db): \(error)\n".utf8))
                failed = true
                continue
            }
            let u = lab.url()
            do {
                let r = try LabIndex.with(u) { try await $0.publish(caseDatabase: db) }
                reports.append(r)
                if !json {
                    let total = r.rows.values.reduce(0, +)
                    print(TerminalText.safe("published \(r.caseName) (lab case \(r.caseID)) from \(r.database): \(total) rows — "
                                            + r.rows.sorted { $0.key < $1.key }.map { "\($0.key.dropFirst(4)) \($0.value)" }.joined(separator: ", ")))
                    for w in r.warnings { print(TerminalText.safe("  warning: \(w)")) }
                }
            } catch {
                FileHandle.standardError.write(Data("exhibit: \(LabIndex.describe(error))\n".utf8))
                failed = true
            }
        }
        if json { try printJSON(reports) }
        if failed { throw ExitCode(1) }
    }
}

struct LabSpreadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spread",
        abstract: "Every case, item, room, sender and time where a picture or a near-duplicate appears.",
        discussion: """
        Give a SHA-256 (64 hex digits), a PDQ hash with --pdq, or a picture file (its SHA-256 and
        its PDQ hash with turned/flipped variants are looked up). Near-duplicates are PDQ hashes
        within distance 31 of 256 bits (--exact turns them off). Each line names the case database
        and the row to open for the court-ready detail. Times are UTC (the cases' zones may
        differ); --tz ZONE shows each in that zone with UTC beside it.
        Exit codes: 0 printed; 1 the lab index cannot be read; 2 bad argument; 4 the picture appears nowhere.
        """)
    @OptionGroup var lab: LabOptions
    @Argument(help: "A SHA-256, a PDQ hash (with --pdq), or a picture file.") var picture: String
    @Flag(help: "The argument is a PDQ hash.") var pdq = false
    @Flag(help: "That exact content only, no near-duplicates.") var exact = false
    @OptionGroup var zone: ZoneOption
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var sha: String?
        var hashes: [String] = []
        let isHex = Hex.isHex(picture, lengths: [64])
        if pdq {
            guard isHex else { fail("'\(picture)' is not a PDQ hash (64 hex digits)", code: 2) }
            hashes = [picture.lowercased()]
        } else if isHex && !FileManager.default.fileExists(atPath: picture) {
            sha = picture.lowercased()
        } else {
            guard FileManager.default.isReadableFile(atPath: picture) else {
                fail("'\(picture)' is neither a SHA-256 (64 hex digits) nor a readable file", code: 2)
            }
            (sha, hashes) = Self.describeFile(picture)
        }
        let (s, e) = (sha, exact)
        let h = hashes
        let spread = lab.run { try await $0.spread(sha256: s, pdq: h, exactOnly: e) }
        let clock = zone.explicitClock
        if json { try printJSON(spread, clock: clock) }
        guard !spread.appearances.isEmpty else {
            if !json { FileHandle.standardError.write(Data("exhibit: the picture appears in no published case\n".utf8)) }
            throw ExitCode(4)
        }
        if json { return }
        for line in Self.text(spread, clock: clock) { print(TerminalText.safe(line)) }
    }

    /// The SHA-256 of a file and, for a picture, its PDQ hash and variants (as ingest hashes it).
    static func describeFile(_ path: String) -> (String, [String]) {
        do { return try PictureFingerprint.of(path: path) } catch { fail("\(path): \(error)", code: 2) }
    }

    static func text(_ s: LabSpread, clock: CaseTimeText) -> [String] {
        var lines = ["== \(s.cases) case\(s.cases == 1 ? "" : "s"), \(s.rooms) room\(s.rooms == 1 ? "" : "s"), \(s.senders) sender\(s.senders == 1 ? "" : "s"), "
                     + "\(s.appearances.count) appearance\(s.appearances.count == 1 ? "" : "s"); contents:"]
        for c in s.contents { lines.append("   \(c.sha256)  \(c.match)\(c.match == "pdq" ? " distance \(c.distance)" : "")") }
        if let f = s.first { lines.append("first:  \(line(f, clock: clock))") }
        for a in s.appearances { lines.append("  " + line(a, clock: clock)) }
        return lines
    }

    static func line(_ a: LabAppearance, clock: CaseTimeText) -> String {
        let when = a.utc == nil ? "(no instant)\(a.basis.map { " (\($0))" } ?? "")" : clock.human(utc: a.utc, basis: a.basis)
        // Evidence text (room, sender, paths, case and item names) isolated (issue 19 item 10).
        let what = a.appearance == "message"
            ? "\(a.platform ?? "?") \"\(TerminalText.field(a.chat ?? ""))\" room \(a.roomID.map(String.init) ?? "?") from \(TerminalText.field(a.sender ?? "(unknown sender)"))"
            : "file \(TerminalText.field(a.devicePath ?? a.path ?? ""))"
        return "\(when)  \(TerminalText.field(a.caseName)) [\(TerminalText.field(a.evidence ?? "?"))]  \(what)  \(a.sha256.prefix(12))…  → \(a.database) \(a.table).id=\(a.row)"
    }
}

struct LabSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Messages containing a text, across every published case (case-insensitive, NFC; Korean included).",
        discussion: """
        Times are UTC (the cases' zones may differ); --tz ZONE shows each in that zone with UTC
        beside it.
        Exit codes: 0 printed (possibly nothing); 1 the lab index cannot be read; 2 bad option.
        """)
    @OptionGroup var lab: LabOptions
    @Argument(help: "Text to find.") var text: String
    @Option(help: "At most this many messages.") var limit: Int = 100
    @OptionGroup var zone: ZoneOption
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard !text.isEmpty else { fail("give a text to search for", code: 2) }
        let (t, n) = (text, max(1, limit))
        let hits = lab.run { try await $0.search(t, limit: n) }
        let clock = zone.explicitClock
        if json { try printJSON(hits, clock: clock); return }
        if hits.isEmpty { print("(no message contains it)"); return }
        for h in hits {
            print(TerminalText.safe("\(h.utc.map { clock.human(utc: $0) } ?? "(no instant)")  \(TerminalText.field(h.caseName))  \(h.platform ?? "?") "
                                    + "\"\(TerminalText.field(h.chat ?? ""))\"  \(TerminalText.field(h.sender ?? "(unknown sender)")): "
                                    + "\(TerminalText.field(h.text))  → \(h.database) messages.id=\(h.messageID)"))
        }
    }
}

struct LabKnownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "known",
        abstract: "Known-bad matches of every published case, grouped by picture.",
        discussion: "Exit codes: 0 printed (possibly nothing); 1 the lab index cannot be read; 2 bad option.")
    @OptionGroup var lab: LabOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let known = lab.run { try await $0.known() }
        if json { try printJSON(known); return }
        if known.isEmpty { print("(no known-bad matches in the published cases)"); return }
        for p in known {
            print(TerminalText.safe("== \(p.hashset) \(p.matchedHash)\(p.label.map { " (\($0))" } ?? "")  \(p.cases) case\(p.cases == 1 ? "" : "s"), \(p.hits.count) file\(p.hits.count == 1 ? "" : "s")"))
            for h in p.hits {
                print(TerminalText.safe("  \(TerminalText.field(h.caseName))  \(TerminalText.field(h.devicePath ?? h.path ?? ""))  \(h.algorithm ?? "?") distance \(h.distance.map(String.init) ?? "?")"
                                        + "\(h.variant.map { " \($0)" } ?? "")  → \(h.database) files.id=\(h.fileID)"))
            }
        }
    }
}
