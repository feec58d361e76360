import EvidenceStore
import ExhibitKit
import Foundation
import Intake

/// Pictures for `exhibit report --thumbnails`. The case database keeps no file content, so the
/// bytes are read again from each evidence item at its recorded path (read-only, through the same
/// walker as ingest) and kept only if they hash to the SHA-256 recorded for that entry — a changed
/// or different item can never put a wrong picture in a report.
public enum ThumbnailReader {
    /// Images found, by `files.id`, and a sentence on what could not be read.
    public struct Result: Sendable {
        /// Picture bytes by `files.id`, each verified against its recorded SHA-256.
        public var images: [Int64: Data]
        /// What could not be read (an item not at its path, changed bytes), or `nil`.
        public var note: String?
    }

    /// Thrown from the walk's callback to stop reading once `limit` pictures are in.
    private struct LimitReached: Error {}

    /// Image types a browser shows from a `data:` URL.
    static let shown: Set<String> = ["image/jpeg", "image/png", "image/gif", "image/webp"]

    /// Reads at most `limit` pictures of at most `maxBytes` each; with `only`, just those
    /// `files.id` (the review application reads one picture when a reviewer opens it).
    public static func read(databasePath: String, temporaryRoot: String, limit: Int = 200, maxBytes: Int = 4 << 20,
                            only: Set<Int64>? = nil) throws -> Result {
        ProcessSetup.prepare()
        let db = try EvidenceDatabase.openExisting(path: databasePath, readOnly: true)
        let temp = try PrivateTemporaryDirectory(root: temporaryRoot)
        defer { temp.remove() }
        var images: [Int64: Data] = [:]
        var problems: [String] = []
        for e in try db.evidenceList() {
            let wanted = try db.listFiles(FileFilter(evidenceLabel: e.label, mimePrefix: "image/", kind: .file))
                .filter { row in
                    shown.contains(row.mime ?? "") && row.size <= Int64(maxBytes) && row.hashes?.sha256 != nil
                        && (only?.contains(row.id) ?? true)
                }
            guard !wanted.isEmpty, images.count < limit else { continue }
            guard FileManager.default.fileExists(atPath: e.path) else {
                problems.append("\(e.label) is not at \(e.path)")
                continue
            }
            let byKey = Dictionary(wanted.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            // Everything else is passed over as if already committed (the resume mechanism): the
            // walker neither reads nor hashes it, and descends only into the archives that hold a
            // wanted picture. Budgets are charged what the ingest charged.
            var needed = Set(byKey.keys)
            for key in byKey.keys { needed.formUnion(key.ancestors) }
            let committed = try db.committedEntries(evidenceID: e.id)
            let walker = try IntakeWalker(options: IntakeOptions(temporaryDirectory: temp.url, memoryThreshold: maxBytes))
            var mismatched = 0
            do {
                _ = try walker.walk(EvidenceSource(path: e.path, label: e.label), accountedBytes: { position in
                    let key = EntryKey(position)
                    return needed.contains(key) ? nil : committed[key]
                }) { event in
                    guard case .entry(let entry) = event, let row = byKey[entry.key] else { return }
                    // Only rows with a recorded SHA-256 are wanted. A wanted entry not held in
                    // memory grew past its recorded size or failed to read: it changed too, and
                    // is counted, not silently dropped.
                    if case .memory(let data) = entry.content, let recorded = row.hashes?.sha256, entry.hashes?.sha256 == recorded {
                        images[row.id] = data
                    } else {
                        mismatched += 1
                    }
                    if images.count >= limit { throw LimitReached() }
                }
            } catch is LimitReached {}
            if mismatched > 0 { problems.append("\(mismatched) picture(s) of \(e.label) no longer match their recorded SHA-256 (or could not be read) and were left out") }
        }
        let note = problems.isEmpty ? nil : "Not every picture could be read: " + problems.joined(separator: "; ") + "."
        return Result(images: images, note: note)
    }
}
