import ArgumentParser
import Engine
import EvidenceStore
import Foundation

struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Case-wide settings and rebuilds.",
        subcommands: [SetTZ.self, Rebuild.self])

    struct SetTZ: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-tz",
            abstract: "Change the case's assumed time zone and recompute the times that depend on it.",
            discussion: """
            Naive local times (WhatsApp and KakaoTalk exports, EXIF DateTimeOriginal without an
            offset, zip DOS times) are interpreted in the case's assumed zone. This command
            changes that zone and recomputes, from the stored raw wall clock, the UTC value and
            basis of every such time (evidence items declared with their own zone keep theirs),
            then rebuilds the timeline. Nothing is re-read from the evidence. The change is
            recorded in the audit log. ZONE is an IANA name; `none` removes the zone (those
            times become basis `unknown`, with no instant).

            Examples:
              exhibit case set-tz --db case.sqlite Asia/Seoul
              exhibit case set-tz --db case.sqlite none

            Exit codes: 0 done; 1 the database cannot be written; 2 unknown zone.
            """)

        @OptionGroup var database: DatabaseOption
        @Argument(help: "IANA zone (Asia/Seoul) or 'none'.") var zone: String

        func run() throws {
            do {
                let r = try CaseZoneChange.apply(databasePath: database.db, zone: zone == "none" ? nil : zone,
                                                 analyzers: ExhibitCommand.catalog.caseAnalyzers)
                print("assumed zone: \(r.previousZone ?? "none") → \(r.zone ?? "none"); \(r.timesRecomputed) times recomputed")
                for s in r.rebuilt { print("rebuilt \(s.analyzerID) \(s.analyzerVersion): \(s.written) events") }
                printSeal(digest: r.digest, head: r.chainHead)
            } catch let e as IngestError {
                fail(e.message, code: e.exitCode)
            } catch {
                fail("\(database.db): \(error)", code: 1)
            }
        }
    }

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild",
            abstract: "Run the case analyzers (timeline) again over the stored findings.",
            discussion: """
            Every ingest and resume already ends with this step; use it after editing nothing
            but wanting fresh derived data (a newer Exhibit with a newer timeline builder).
            Each analyzer's previous output is replaced in one transaction. Audit-logged.

            Example:
              exhibit case rebuild --db case.sqlite

            Exit codes: 0 done; 1 the database cannot be written.
            """)

        @OptionGroup var database: DatabaseOption

        func run() throws {
            do {
                let r = try CaseRebuild.run(databasePath: database.db, analyzers: ExhibitCommand.catalog.caseAnalyzers)
                for s in r.rebuilt { print("rebuilt \(s.analyzerID) \(s.analyzerVersion): \(s.written) events (was \(s.removed))") }
                printSeal(digest: r.digest, head: r.chainHead)
            } catch let e as IngestError {
                fail(e.message, code: e.exitCode)
            } catch {
                fail("\(database.db): \(error)", code: 1)
            }
        }
    }
}

/// The last lines of every command that changes findings: the findings digest it recorded and
/// the audit chain head, which the examiner writes down (`exhibit verify --head`).
func printSeal(digest: String, head: String) {
    print("Findings digest: \(digest)")
    print("Audit chain head: \(head)")
}
