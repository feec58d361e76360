import EvidenceStore
import ExhibitKit
import Foundation

/// Keeps what analyzers with companions (``Acceptance/companions``: app databases with their
/// `-wal`, `-journal` and sibling databases) need until the walk of their container has seen
/// every sibling — archives list entries in any order, so a database's WAL may come after it.
///
/// During the walk, every file such an analyzer accepts (a *candidate*) and every file whose
/// name a companion pattern names is copied into a private spool folder and its outcome is
/// **held**: its row is not committed during the walk. When the walker ends the container, the
/// engine runs the held candidates' analyzers on fresh private copies laid out under their own
/// names (SQLite must find `x.db-wal` next to `x.db`, and may change the copy it opens), then
/// commits every held row with its findings. A crash before that leaves the held rows
/// uncommitted, so the next run reads them again: crash-only resume needs no extra state.
final class CompanionSpool: @unchecked Sendable {
    // Safe: every mutable field is accessed under `lock` (entries arrive on the emitter thread,
    // held outcomes from analysis tasks).
    private let lock = NSLock()
    private let directory: URL
    /// Companion names without `{name}` (`wa.db`) and suffixes of those with it (`-wal`).
    private let exactNames: Set<String>
    private let suffixes: [String]
    /// Total bytes the spool may hold at once; files past it are analysed without companions' run.
    private let limit: Int64
    private var used: Int64 = 0
    private var counter = 0
    private var files: [String: [Spooled]] = [:]
    private var held: [String: [Held]] = [:]

    /// One spooled file.
    struct Spooled {
        var entryKey: String
        /// Virtual path of the folder holding the file: companions are looked up in it.
        var folder: String
        var name: String
        var virtualPath: String
        var devicePath: String?
        var size: Int64
        var sha256: String
        var url: URL

        /// The name the app gave the file: the last component of its device path when it has one
        /// (a backup stores `ChatStorage.sqlite` under a SHA-1 name), else its own name.
        var appName: String { devicePath.map { ($0 as NSString).lastPathComponent } ?? name }
        /// The device folder holding the file, when it has a device path.
        var deviceFolder: String? { devicePath.map { ($0 as NSString).deletingLastPathComponent } }
    }

    /// A held row: its outcome (walk-time findings included), the file as analyzers see it, and
    /// the analyzers still to run on it once its container has been walked.
    struct Held {
        var outcome: FileOutcome
        var file: EvidenceFile?
        var analyzers: [any Analyzer]
    }

    init(directory: URL, analyzers: [any Analyzer], limit: Int64 = 64 << 30) {
        self.directory = directory
        self.limit = limit
        var exact = Set<String>(), suffixes = Set<String>()
        for a in analyzers {
            for pattern in a.descriptor.accepts.companions {
                if pattern.hasPrefix("{name}") { suffixes.insert(String(pattern.dropFirst("{name}".count))) }
                else if !pattern.contains("{name}") { exact.insert(pattern) }
            }
        }
        exactNames = exact
        self.suffixes = suffixes.sorted()
    }

    /// Whether any analyzer may want a file of this name as a companion.
    func isCompanionName(_ name: String) -> Bool {
        exactNames.contains(name) || suffixes.contains { !$0.isEmpty && name.hasSuffix($0) && name.count > $0.count }
    }

    /// The container key of an entry: its parent's entry key (`""` for the evidence item itself).
    static func containerKey(_ position: [Int]) -> String {
        EntrySink.entryKey(Array(position.dropLast()))
    }

    /// Copies the file's bytes into the spool (a hard link to intake's own spool file where it
    /// can, else a copy). Returns `nil` — and keeps nothing — when the spool is full.
    func spool(_ file: EvidenceFile, entryKey: String, container: String) throws -> Spooled? {
        lock.lock()
        guard used + file.size <= limit else { lock.unlock(); return nil }
        used += file.size
        counter += 1
        let n = counter
        lock.unlock()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let url = directory.appendingPathComponent("spool-\(n)")
        switch file.content {
        case .memory(let data):
            guard FileManager.default.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw IngestError("cannot write a private copy of \(file.virtualPath) in \(directory.path)")
            }
        case .temporaryFile(let source):
            if link(source.path, url.path) != 0 { try FileManager.default.copyItem(at: source, to: url) }
        case .none:
            return nil
        }
        let spooled = Spooled(entryKey: entryKey, folder: Self.folder(of: file.virtualPath), name: file.name,
                              virtualPath: file.virtualPath, devicePath: file.devicePath, size: file.size,
                              sha256: file.hashes.sha256, url: url)
        lock.lock(); defer { lock.unlock() }
        files[container, default: []].append(spooled)
        return spooled
    }

    /// Holds a row until its container ends.
    func hold(_ held: Held, container: String) {
        lock.lock(); defer { lock.unlock() }
        self.held[container, default: []].append(held)
    }

    /// Whether anything is held for `container`, or will be: a spooled file's row is held only
    /// when its other analyzers finish, which may be after the container's walk ended.
    func hasHeld(container: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return !(held[container]?.isEmpty ?? true) || !(files[container]?.isEmpty ?? true)
    }

    /// Everything held for `container`, in entry order, and its spooled files; forgets both.
    func take(container: String) -> (held: [Held], files: [Spooled]) {
        lock.lock(); defer { lock.unlock() }
        let h = (held.removeValue(forKey: container) ?? []).sorted {
            Self.positions($0.outcome.record.entryKey).lexicographicallyPrecedes(Self.positions($1.outcome.record.entryKey))
        }
        let f = files.removeValue(forKey: container) ?? []
        return (h, f)
    }

    /// Lays out a fresh private folder for one analyzer run: a copy of the candidate and of
    /// each companion found in the same folder, under their own names. A copy per run, because
    /// SQLite may write to what it opens (replaying a WAL, rolling back a hot journal).
    func layout(candidate: Spooled, companions names: [String], among files: [Spooled],
                base file: EvidenceFile) throws -> (file: EvidenceFile, folder: URL) {
        lock.lock()
        counter += 1
        let n = counter
        lock.unlock()
        let folder = directory.appendingPathComponent("run-\(n)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let main = folder.appendingPathComponent(candidate.appName)
        try FileManager.default.copyItem(at: candidate.url, to: main)
        var companions: [CompanionFile] = []
        for name in names where name != candidate.appName {
            // Beside it on the device first (backups and UFDRs store files away from their
            // device folder, under other names), else beside it in the evidence.
            let onDevice = candidate.deviceFolder.flatMap { dir in
                files.first { $0.deviceFolder == dir && $0.appName == name }
            }
            guard let c = onDevice ?? files.first(where: { $0.folder == candidate.folder && $0.name == name }) else { continue }
            let url = folder.appendingPathComponent(name)
            try FileManager.default.copyItem(at: c.url, to: url)
            companions.append(CompanionFile(name: name, virtualPath: c.virtualPath, devicePath: c.devicePath, size: c.size,
                                            sha256: c.sha256, url: url))
        }
        var f = file
        f.content = .temporaryFile(main)
        f.companions = companions
        return (f, folder)
    }

    /// Deletes spooled files of a finished container.
    func release(_ files: [Spooled]) {
        for f in files { try? FileManager.default.removeItem(at: f.url) }
        lock.lock(); defer { lock.unlock() }
        used -= files.reduce(0) { $0 + $1.size }
    }

    static func positions(_ key: String) -> [Int] { key.split(separator: "/").compactMap { Int($0) } }

    static func folder(of virtualPath: String) -> String {
        guard let slash = virtualPath.lastIndex(of: "/") else { return "" }
        return String(virtualPath[..<slash])
    }
}
