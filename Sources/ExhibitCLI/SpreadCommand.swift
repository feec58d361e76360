import ArgumentParser
import EvidenceStore
import ExhibitKit
import Foundation

struct SpreadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spread",
        abstract: "Where a media content went: first appearance, every message and file copy, rooms and senders.",
        discussion: """
        A content is one SHA-256 — or, once perceptual hashes exist, its PDQ group (the camera
        original and its re-encoded copies; --exact turns grouping off). For it, the spread lists the first appearance with an instant,
        every message that carried it (chat, sender, sent time and basis), every file copy (path,
        modification time), and counts the rooms (two exports of one chat are one room) and the
        distinct senders.

        Give a SHA-256, or --known for every content a hash set matched (exhibit hashset import;
        nothing is listed until hash sets are imported), or nothing for the contents that were
        sent in chats, most rooms first.

        Times are shown in the case's zone with UTC beside them (--tz for another zone), with
        their basis when it is not utc. --json keys are snake_case; beside every utc is a local.

        Examples:
          exhibit spread --db case.sqlite --known
          exhibit spread --db case.sqlite 3f1c…e9 --json
          exhibit spread --db case.sqlite 3f1c…e9 --exact
          exhibit spread --db case.sqlite

        Exit codes: 0 printed (possibly nothing); 1 the database cannot be read; 2 bad option;
        4 the SHA-256 (or prefix) appears nowhere in the case.
        """)

    @OptionGroup var database: DatabaseOption
    @Argument(help: "A SHA-256 (64 hex digits), or a prefix of one that names exactly one file content in the case (at least 8 hex digits).") var sha256: String?
    @Flag(help: "Every content matched by an imported hash set.") var known = false
    @Flag(help: "With a SHA-256: that exact content only, not its PDQ group of re-encoded copies.") var exact = false
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Without a SHA-256: at most this many contents.") var limit: Int = 20
    @OptionGroup var zone: ZoneOption

    func run() throws {
        if let sha256, sha256.count < 8 || sha256.count > 64 || !sha256.allSatisfy(\.isHexDigit) {
            fail("'\(sha256)' is not a SHA-256 or a prefix of one (8 to 64 hex digits)", code: 2)
        }
        if sha256 != nil && known { fail("give a SHA-256 or --known, not both", code: 2) }
        var sha256 = self.sha256?.lowercased()
        if let prefix = sha256, prefix.count < 64 {
            // A unique prefix stands for the whole hash, as in git.
            let found: [String]
            do { found = try EvidenceDatabase.openExisting(path: database.db, readOnly: true).sha256s(withPrefix: prefix, limit: 2) } catch {
                fail("\(database.db): \(error)", code: 1)
            }
            if found.count > 1 { fail("'\(prefix)' is the start of more than one SHA-256 in the case: give more digits", code: 2) }
            guard let whole = found.first else { fail("no file content in \(database.db) has a SHA-256 starting with \(prefix)", code: 4) }
            sha256 = whole
        }
        let spreads: [MediaSpread]
        var hashSetsPresent = true
        let clock: CaseTimeText
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            clock = zone.clock(db)
            if let sha256 {
                guard let s = try db.mediaSpread(sha256: sha256, exact: exact) else {
                    if json { try printJSON([MediaSpread]()) }
                    fail("\(sha256.lowercased()) appears nowhere in \(database.db)", code: 4)
                }
                spreads = [s]
            } else if known {
                hashSetsPresent = try db.hasHashSets()
                spreads = try db.knownMediaSpread()
            } else {
                spreads = try db.sharedMediaSpread(limit: max(1, limit))
            }
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
        if json { try printJSON(spreads, clock: clock); return }
        if spreads.isEmpty {
            let why = known ? (hashSetsPresent ? "no hash-set matches in this case" :
                                "no hash sets in this database (import one with exhibit hashset import)")
                            : "no media was sent in the chats of this case"
            print("(\(why))")
            return
        }
        for s in spreads { print(TerminalText.safe(Self.text(s, clock: clock), keepNewlines: true)) }
    }

    static func text(_ s: MediaSpread, clock: CaseTimeText) -> String {
        let group = s.members.count > 1 ? "\n   PDQ group of \(s.members.count) contents (re-encoded copies): \(s.members.joined(separator: ", "))" : ""
        var lines = ["== \(s.content)  \(s.rooms) room\(s.rooms == 1 ? "" : "s"), \(s.senders) sender\(s.senders == 1 ? "" : "s"), "
                     + "\(s.messages.count) message\(s.messages.count == 1 ? "" : "s"), \(s.files.count) file cop\(s.files.count == 1 ? "y" : "ies")"
                     + (s.hashsets.isEmpty ? "" : "  [known: \(s.hashsets.joined(separator: ", "))]") + group]
        if let f = s.first { lines.append("   first:  \(line(f, clock: clock))") }
        if let t = s.taken {
            var taken = "   taken:  \(clock.human(micros: t.utcMicros, basis: t.basis, raw: t.raw))  camera clock, \(TerminalText.field(t.path))"
            if let tu = t.utcMicros, let fu = s.first?.utcMicros, tu > fu + Indicator.clockTolerance * 1_000_000 {
                taken += "  — AFTER its first appearance: a clock is wrong"
            }
            lines.append(taken)
        }
        for m in s.messages { lines.append("   sent:   \(line(m, clock: clock))") }
        for f in s.files { lines.append("   file:   \(line(f, clock: clock))") }
        return lines.joined(separator: "\n")
    }

    static func line(_ a: SpreadAppearance, clock: CaseTimeText) -> String {
        let when = a.utcMicros == nil && a.utc == nil ? "(no instant) (\(a.basis ?? "unknown"))"
            : clock.human(micros: a.utcMicros ?? a.utc.flatMap { UTCFormat.parseUserInstant($0)?.micros }, basis: a.basis ?? "unknown")
        let f = { (s: String?) in TerminalText.field(s) ?? "" }
        if a.appearance == "message" {
            return "\(when)  \(a.sender.map(f) ?? "(unknown sender)") → \(a.platform ?? "") “\(a.chat.map(f) ?? "(untitled)")”  \(f(a.path))"
        }
        return "\(when)  \(f(a.path))"
    }
}
