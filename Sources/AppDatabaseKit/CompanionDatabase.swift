import ExhibitKit
import Foundation

extension AppDatabase {
    /// Opens a second database of the same app that the engine copied beside `file` as a
    /// companion (`wa.db` beside `msgstore.db`, `KakaoTalk2.db` beside `KakaoTalk.db`), with its
    /// own `-wal`/`-journal` copies when they were found too. `nil` when the evidence had no such
    /// file; throws ``AnalyzerError`` like ``open(_:temporaryDirectory:timeLimit:)`` when it is
    /// there but unreadable.
    public static func openCompanion(named name: String, of file: EvidenceFile, temporaryDirectory: URL,
                                     timeLimit: TimeInterval = 120) throws -> AppDatabase? {
        guard let companion = file.companion(named: name) else { return nil }
        let own = file.companions.filter { $0.name == name + "-wal" || $0.name == name + "-journal" }
        let evidence = EvidenceFile(
            key: file.key + "+" + name, virtualPath: companion.virtualPath, size: companion.size,
            hashes: FileHashes(md5: "", sha1: "", sha256: companion.sha256), mime: "application/vnd.sqlite3",
            content: .temporaryFile(companion.url), devicePath: companion.devicePath, companions: own)
        return try open(evidence, temporaryDirectory: temporaryDirectory, timeLimit: timeLimit)
    }
}
