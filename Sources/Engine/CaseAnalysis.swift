import EvidenceStore
import ExhibitKit
import ExhibitSupport
import Foundation
import HashSets

/// The case phase: runs every case analyzer of a catalog over what the case has committed, in
/// catalog order, each one replacing its previous output (see ``CaseAnalyzer``).
///
/// Called at the end of every ingest or resume (after chat linking and any other post-intake
/// step, so the analyzers see the final findings) and by `exhibit case set-tz` after the zone
/// recompute. Idempotent: running it twice over the same findings stores the same rows.
public enum CaseAnalysis {
    /// Runs the analyzers; returns what each stored.
    @discardableResult
    public static func run(_ analyzers: [any CaseAnalyzer], db: EvidenceDatabase, temporaryRoot: String = TemporaryDirectory.defaultRoot) throws
        -> [CaseRebuildStats] {
        guard !analyzers.isEmpty else { return [] }
        // Case analyzers join on hashes: rebuild the hash indexes an ingest defers (idempotent).
        try db.restoreIndexes()
        let zone = try db.caseInfo()?.assumedZone.flatMap(TimeZone.init(identifier:))
        let temp = try PrivateTemporaryDirectory(root: temporaryRoot)
        defer { temp.remove() }
        let context = AnalysisContext(assumedZone: zone, temporaryDirectory: temp.url)
        return try analyzers.map { analyzer in
            try db.rebuildCaseFindings(analyzer: analyzer.descriptor) { reader, emit in
                try analyzer.analyze(case: reader, context: context, emit: emit)
            }
        }
    }

    /// Opens an existing case database for a writing command, holding the writer lock every
    /// writer takes (an ingest in progress is waited for, with a message).
    static func openForWriting(_ databasePath: String) throws -> (CaseWriteLock, EvidenceDatabase) {
        ProcessSetup.prepare()  // idempotent: process zone UTC, C.UTF-8 locale
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw IngestError("\(databasePath): no such case database", exitCode: 1)
        }
        let lock = try CaseWriteLock(databasePath: databasePath)
        return (lock, try EvidenceDatabase.openExisting(path: databasePath, readOnly: false))
    }
}

/// `exhibit case set-tz`: the examiner changes the case's assumed zone. Every stored naive local
/// time that rested on the case zone gets its UTC value and basis recomputed from its raw wall
/// clock (no evidence is re-read), the case analyzers rebuild from the recomputed findings, and
/// the change is recorded in the audit log with both zones and the counts.
public enum CaseZoneChange {
    /// What a zone change did.
    public struct Result: Sendable {
        /// The zone before the change (`nil`: none).
        public var previousZone: String?
        /// The zone now.
        public var zone: String?
        /// How many stored times were recomputed.
        public var timesRecomputed: Int
        /// What each case analyzer rebuilt.
        public var rebuilt: [CaseRebuildStats]
        /// The findings digest recorded at the end.
        public var digest: String = ""
        /// The audit chain head after it (printed for the examiner to write down).
        public var chainHead: String = ""
    }

    /// Applies `zone` (an IANA name; `nil` removes the zone: naive times become basis `unknown`).
    public static func apply(databasePath: String, zone: String?, analyzers: [any CaseAnalyzer]) throws -> Result {
        ProcessSetup.prepare()
        let tz = try CaseZone.resolve(zone)
        let (lock, db) = try CaseAnalysis.openForWriting(databasePath)
        defer { withExtendedLifetime(lock) {} }
        guard let info = try db.caseInfo() else { throw IngestError("\(databasePath): the database holds no case yet", exitCode: 1) }
        // The zone change and its audit entry commit together; a kill before the digest below is
        // reported by `verify` as incomplete, and running the same command again finishes it.
        let count = try db.recomputeAssumedZone(tz, name: zone, auditAction: "case.set-tz")
        let rebuilt = try CaseAnalysis.run(analyzers, db: db)
        let sealed = try db.recordFindingsDigest(after: "case.set-tz")
        return Result(previousZone: info.assumedZone, zone: zone, timesRecomputed: count, rebuilt: rebuilt,
                      digest: sealed.detail.digest, chainHead: sealed.head)
    }
}

/// `exhibit case rebuild`: the case phase alone, under the database's writer lock.
public enum CaseRebuild {
    /// What a rebuild did.
    public struct Result: Sendable {
        /// What each case analyzer rebuilt.
        public var rebuilt: [CaseRebuildStats]
        /// The findings digest recorded at the end.
        public var digest: String
        /// The audit chain head after it (printed for the examiner to write down).
        public var chainHead: String
    }

    /// Runs `analyzers` over the stored findings of the case at `databasePath`, then records the
    /// findings digest in the audit log.
    public static func run(databasePath: String, analyzers: [any CaseAnalyzer]) throws -> Result {
        let (lock, db) = try CaseAnalysis.openForWriting(databasePath)
        defer { withExtendedLifetime(lock) {} }
        let rebuilt = try CaseAnalysis.run(analyzers, db: db)
        let sealed = try db.recordFindingsDigest(after: "case.rebuild")
        return Result(rebuilt: rebuilt, digest: sealed.detail.digest, chainHead: sealed.head)
    }
}

/// `exhibit match`: hash-set matching again over the stored digests and perceptual hashes (after
/// a new list was imported), then the case phase, so `media.known` events and the spread follow
/// the new matches. Under the database's writer lock, like every other writer.
public enum CaseRematch {
    /// What a re-match did.
    public struct Result: Sendable {
        /// Matches stored.
        public var counts: MatchCounts
        /// What each case analyzer rebuilt.
        public var rebuilt: [CaseRebuildStats]
        /// The findings digest recorded at the end.
        public var digest: String
        /// The audit chain head after it (printed for the examiner to write down).
        public var chainHead: String
    }

    /// Replaces all matches of the case at `databasePath` (audit entry `hashset.match`) and rebuilds
    /// `analyzers` over them.
    public static func run(databasePath: String, options: MatchOptions, analyzers: [any CaseAnalyzer]) throws -> Result {
        let (lock, db) = try CaseAnalysis.openForWriting(databasePath)
        defer { withExtendedLifetime(lock) {} }
        // The new matches and their audit entry commit together.
        let c = try PDQMatcher.run(db, options: options, auditAction: "hashset.match")
        let rebuilt = try CaseAnalysis.run(analyzers, db: db)
        let sealed = try db.recordFindingsDigest(after: "hashset.match")
        return Result(counts: c, rebuilt: rebuilt, digest: sealed.detail.digest, chainHead: sealed.head)
    }
}
