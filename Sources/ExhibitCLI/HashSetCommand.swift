import ArgumentParser
import Engine
import EvidenceStore
import ExhibitKit
import Foundation
import HashSets

struct HashSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hashset",
        abstract: "Import and list known-bad / known-good hash sets.",
        subcommands: [HashSetImportCommand.self, HashSetListCommand.self])
}

struct HashSetImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a hash set (plain, md5sum, hashdeep, NSRL RDSv3, VICS, NCMEC XML, PDQ list, vPDQ).",
        discussion: """
        The format is detected from the content (or forced with --format). Plain lists infer the
        algorithm from the digest length: 32 hex = MD5, 40 = SHA-1; 64 hex may be SHA-256 or PDQ, so
        give --algorithm unless a '#' header line names it. NSRL RDSv3 imports SHA-256 by default
        (--algorithm md5|sha1 for others). VICS categories are kept; --categories 1,2 imports only
        those (the rest are counted as skipped). Import is one transaction: re-importing the same
        file under the same name imports nothing; malformed lines are counted (examples shown) and the
        valid ones imported. The database is created when missing. Matches are recomputed
        afterwards (as `exhibit match`) from stored hashes, without reading evidence again — also
        when the file was imported before, so an import interrupted before its matching is
        finished by running the same command. The set and its audit record commit together.

        Exit codes: 0 imported (or already imported), 1 nothing valid in the file or the database
        cannot be written, 2 bad arguments.
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "A unique name for the set.") var name: String
    @Option(help: "known-bad or known-good.") var kind: String
    @Option(help: "md5, sha1, sha256 or pdq (needed for 64-hex plain lists).") var algorithm: String?
    @Option(help: "VICS categories that count, comma-separated (default: all).") var categories: String?
    @Option(help: "Force a format: \(HashSetFormat.allCases.map(\.rawValue).joined(separator: ", ")).") var format: String?
    @Flag(help: "Do not recompute matches after the import.") var noMatch = false
    @Argument(help: "The hash-set file.") var file: String

    /// The list must be readable before the case database is opened or created: a typo in its
    /// path leaves no new case file behind.
    func validate() throws {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw ValidationError("\(file): no readable hash-set file there (nothing was written)")
        }
    }

    func run() throws {
        var forced: HashSetFormat? = nil
        if let f = format {
            guard let x = HashSetFormat(rawValue: f) else { fail("unknown --format '\(f)'", code: 2) }
            forced = x
        }
        let cats = categories.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
        let request = HashSetImportRequest(path: file, name: name, kind: kind, algorithm: algorithm?.lowercased(), categories: cats, format: forced)
        // The import itself under the writer lock; matching below takes it again on its own.
        do {
            let lock: CaseWriteLock
            do { lock = try CaseWriteLock(databasePath: database.db) } catch { fail("\(database.db): \(error)", code: 1) }
            defer { withExtendedLifetime(lock) {} }
            guard importSet(request) else { return }
            if noMatch {
                do {
                    let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: false)
                    let sealed = try db.recordFindingsDigest(after: "hashset.import")
                    printSeal(digest: sealed.detail.digest, head: sealed.head)
                } catch { fail("\(database.db): \(error)", code: 1) }
                return
            }
        }
        do {
            // Same step as `exhibit match`: matches, then the case phase, so the timeline's
            // `media.known` events and the spread follow the new list at once.
            let r = try CaseRematch.run(databasePath: database.db, options: MatchOptions(),
                                        analyzers: ExhibitCommand.catalog.caseAnalyzers)
            let c = r.counts
            print("matches: \(c.exact) exact, \(c.perceptual) perceptual, \(c.files) file(s) — see `exhibit matches --db \(database.db)`")
            printSeal(digest: r.digest, head: r.chainHead)
        } catch { fail("\(database.db): matching failed: \(error)", code: 1) }
    }

    /// Imports the list (the store records it in the audit log in the same transaction). A file
    /// imported before is not imported again, but its follow-up (matching) still runs: an import
    /// killed before its matching finished is completed by running the same command (issue 15).
    private func importSet(_ request: HashSetImportRequest) -> Bool {
        let db: EvidenceDatabase
        do { db = try EvidenceDatabase(path: database.db) } catch { fail("\(database.db): \(error)", code: 1) }
        let now = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
        let result: (set: HashSetRecord, fresh: Bool, format: HashSetFormat)
        do { result = try HashSetImporter.run(db, request, nowMicros: now) } catch let e as HashSetRequestError {
            fail(e.description, code: 2)
        } catch let e as HashSetImportError {
            fail("\(file): \(e)", code: 1)
        } catch {
            fail("\(file): \(error)", code: 1)
        }
        let s = result.set
        guard result.fresh else {
            print("hash set '\(s.name)' already imported from this file (sha256 \(s.sourceSHA256)); not imported again"
                  + (noMatch ? "" : ", matching again"))
            return true
        }
        print("imported '\(s.name)' (\(s.kind), \(s.format)): \(s.entryCount) entries, \(s.rejectedCount) rejected, \(s.skippedCount) skipped; source sha256 \(s.sourceSHA256)")
        for e in s.rejectedExamples { print("  rejected \(e)") }
        return true
    }
}

struct HashSetListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List imported hash sets with their source hash and counts.",
        discussion: "Exit codes: 0 listed, 1 the database cannot be read.")

    @OptionGroup var database: DatabaseOption
    @Flag(help: "JSON output.") var json = false

    func run() throws {
        do {
            let db = try EvidenceDatabase.openExisting(path: database.db, readOnly: true)
            let sets = try db.hashSets()
            if json { try printJSON(sets); return }
            if sets.isEmpty { print("no hash sets imported"); return }
            for s in sets {
                print("\(s.name)\t\(s.kind)\t\(s.format)\t\(s.entryCount) entries\t\(s.rejectedCount) rejected\t\(s.skippedCount) skipped\t\(s.importedAt)\tsha256 \(s.sourceSHA256)\t\(s.sourcePath)")
            }
        } catch {
            fail("\(database.db): \(error)", code: 1)
        }
    }
}
