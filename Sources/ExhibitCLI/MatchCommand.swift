import ArgumentParser
import Engine
import EvidenceStore
import ExhibitKit
import Foundation
import HashSets

struct MatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Recompute hash-set matches from stored hashes (no evidence is read).",
        discussion: """
        Exact matches compare every file's MD5/SHA-1/SHA-256 with the imported digests; PDQ
        near-matches use a multi-index over the imported perceptual hashes and try all 8 rotations
        and flips of each image. A video matches a known video (vPDQ) when at least
        --video-fraction of the known video's frames find a frame within --max-distance. Run it
        after importing a new list; ingest runs it too, with the defaults. Replaces all matches,
        then rebuilds the case analyzers (timeline `media.known` events, spread) from them.

        Exit codes: 0 done, 1 the database cannot be written, 2 bad arguments.
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "Largest PDQ Hamming distance that counts as a match.") var maxDistance: Int = 31
    @Option(help: "Hashes below this PDQ quality are never matched.") var minQuality: Int = 50
    @Option(help: "Share of a known video's frames that must match.") var videoFraction: Double = 0.8

    func run() throws {
        guard (0...255).contains(maxDistance), (0...100).contains(minQuality), videoFraction > 0, videoFraction <= 1 else {
            fail("--max-distance 0…255, --min-quality 0…100, --video-fraction in (0, 1]", code: 2)
        }
        do {
            let options = MatchOptions(maxDistance: maxDistance, minQuality: minQuality, videoFraction: videoFraction)
            let r = try CaseRematch.run(databasePath: database.db, options: options,
                                        analyzers: ExhibitCommand.catalog.caseAnalyzers)
            let c = r.counts
            print("matches: \(c.exact) exact, \(c.perceptual) perceptual, \(c.files) file(s)")
            for s in r.rebuilt { print("rebuilt \(s.analyzerID) \(s.analyzerVersion): \(s.written) events (was \(s.removed))") }
            printSeal(digest: r.digest, head: r.chainHead)
        } catch let e as IngestError {
            fail(e.message, code: e.exitCode)
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
    }
}

struct MatchesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matches",
        abstract: "List files matching known-bad hash sets, with the chat messages that carried them.",
        discussion: """
        One block per match: path, SHA-256, hash set, algorithm, distance (0 for exact digests),
        the rotation/flip variant that matched, for videos the share of the known video's frames
        found, and every chat message whose attachment is this file (or a file with its SHA-256):
        chat, sender, time (in the case's zone with UTC beside it; --tz for another zone). --all
        adds known-good (NSRL) matches. Media is never shown or opened: only hashes, paths and
        distances (examiner welfare). --json keys are snake_case; sent_local accompanies sent_utc.

        Exit codes: 0 listed (also when there is nothing), 1 the database cannot be read.
        """)

    @OptionGroup var database: DatabaseOption
    @Flag(help: "Include known-good matches.") var all = false
    @OptionGroup var zone: ZoneOption
    @Flag(help: "JSON output.") var json = false

    func run() throws {
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            let clock = zone.clock(db)
            let rows = try db.knownMedia(includeKnownGood: all)
            if json { try printJSON(rows, clock: clock); return }
            if rows.isEmpty { print(all ? "no matches" : "no known-bad matches"); return }
            // One block per file and kind: its matches, then the messages that carried it.
            var i = 0
            while i < rows.count {
                let first = rows[i]
                var j = i
                while j < rows.count, rows[j].fileID == first.fileID, rows[j].kind == first.kind { j += 1 }
                print(TerminalText.safe("\(first.kind.uppercased())  \(TerminalText.field(first.path))"))
                print("  sha256 \(first.sha256 ?? "-")  mime \(first.mime ?? "-")")
                for r in rows[i..<j] {
                    var how = "\(r.algorithm) distance \(r.distance)"
                    if let v = r.variant, v != "identity" { how += " via \(v)" }
                    if let m = r.framesMatched, let k = r.framesKnown { how += ", \(m)/\(k) known frames" }
                    var set = "  set \(r.hashSet): \(how); entry \(r.matchedHash)"
                    if let c = r.category { set += " category \(c)" }
                    if let l = r.label { set += " label \(TerminalText.field(l))" }
                    print(TerminalText.safe(set))
                }
                for m in first.messages {
                    print(TerminalText.safe("  carried by message \(m.messageID) in \(m.platform) chat \"\(TerminalText.field(m.chat) ?? "?")\" from \(TerminalText.field(m.sender) ?? "?") at \(clock.human(utc: m.sentUTC, basis: m.sentBasis, raw: m.sentRaw)) (\(TerminalText.field(m.exportPath)))"))
                }
                i = j
            }
            let files = Set(rows.map(\.fileID)).count
            print("\(rows.count) match(es) in \(files) file(s)")
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
    }
}
