import ExhibitSupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much of a carve's bookkeeping recovery keeps in memory, and where the rest goes
/// (docs/recovery.md, "Memory"). The digest sets (live rows, rows reported, complete rows) keep
/// at most ``digestsInMemory`` digests each in memory and write the rest, as sorted runs, to an
/// unlinked temp file in ``temporaryDirectory``; the whole live rows kept for comparing partial
/// records take at most ``sampleBytes`` (estimated) across all tables.
public struct RecoveryMemory: Sendable {
    /// A private folder for the carve's temp files (the engine's 0700 scratch folder of the run).
    /// `nil`: the digest sets stay in memory, whatever their size.
    public var temporaryDirectory: URL?
    /// Digests one set keeps in memory before it writes them to its temp file as a sorted run.
    public var digestsInMemory: Int
    /// Estimated bytes of whole live rows kept, across all tables, for partial records.
    public var sampleBytes: Int

    /// 2^19 digests: 8 MiB of digests, about 16 MiB as a hash set, per set (at most four at once).
    public static let defaultDigestsInMemory = 1 << 19
    /// 48 MiB (estimated) of whole live rows across all tables.
    public static let defaultSampleBytes = 48 << 20

    public init(temporaryDirectory: URL? = nil, digestsInMemory: Int = defaultDigestsInMemory,
                sampleBytes: Int = defaultSampleBytes) {
        self.temporaryDirectory = temporaryDirectory
        self.digestsInMemory = Swift.max(1, digestsInMemory)
        self.sampleBytes = Swift.max(0, sampleBytes)
    }
}

extension RowDigest: Comparable {
    static func < (l: RowDigest, r: RowDigest) -> Bool { l.a != r.a ? l.a < r.a : l.b < r.b }
}

/// A set of row digests in bounded memory: up to a limit in a hash set, past it in sorted runs
/// in a temp file (read back with `pread`, one 4 KiB block per run and lookup, found through an
/// in-memory index of every block's first digest). More than ``maxRuns`` runs are merged into
/// one. Membership is exactly that of a `Set` of everything inserted; only where it lives differs.
/// Without a folder, or when the temp file cannot be made or written, everything stays in memory
/// (``failure`` says why).
final class DigestStore {
    private var memory = Set<RowDigest>()
    private var runs: [DigestRun] = []
    private var file: SpillFile?
    private let limit: Int
    private let directory: URL?
    /// Why the set could not write to or read from its temp file, if it could not.
    private(set) var failure: String?
    /// Digests per block of a run (one `pread`).
    static let block = 256
    /// Runs kept before they are merged into one.
    static let maxRuns = 8

    init(_ memory: RecoveryMemory) {
        limit = memory.digestsInMemory
        directory = memory.temporaryDirectory
    }

    /// Digests written to the temp file (for tests and measurements).
    var spilled: Int { runs.reduce(0) { $0 + $1.count } }

    func insert(_ d: RowDigest) {
        memory.insert(d)
        if memory.count >= limit, directory != nil, failure == nil { spill() }
    }

    func contains(_ d: RowDigest) -> Bool {
        if memory.contains(d) { return true }
        guard let file else { return false }
        for r in runs where r.contains(d, file: file, failure: &failure) { return true }
        return false
    }

    /// Writes the digests held in memory as one sorted run.
    private func spill() {
        if file == nil {
            guard let directory, let f = SpillFile(directory: directory) else {
                failure = "a temp file could not be made in the private temp folder; the carve's digests stay in memory"
                return
            }
            file = f
        }
        guard let file else { return }
        let sorted = memory.sorted()
        let start = runs.last.map { $0.start + $0.count } ?? 0
        guard file.write(sorted, at: start) else {
            failure = "the private temp file could not be written; the carve's digests stay in memory"
            return
        }
        runs.append(DigestRun(start: start, sorted: sorted))
        memory.removeAll(keepingCapacity: true)
        if runs.count > Self.maxRuns { merge() }
    }

    /// Merges every run into one, in a new temp file (the old one's space goes when it closes).
    private func merge() {
        guard let directory, let old = file, let out = SpillFile(directory: directory) else { return }
        var readers = runs.map { RunReader(run: $0) }
        var buffer: [RowDigest] = [], index: [RowDigest] = [], written = 0, last: RowDigest?
        buffer.reserveCapacity(4096)
        func flush() -> Bool {
            defer { buffer.removeAll(keepingCapacity: true) }
            guard out.write(buffer, at: written) else { return false }
            written += buffer.count
            return true
        }
        var heads = readers.indices.map { readers[$0].head(old) }
        while true {
            var best = -1
            for i in heads.indices {
                if let h = heads[i], best < 0 || heads[best].map({ h < $0 }) ?? true { best = i }
            }
            guard best >= 0, let d = heads[best] else { break }
            readers[best].advance()
            heads[best] = readers[best].head(old)
            if d == last { continue }
            last = d
            if (written + buffer.count) % Self.block == 0 { index.append(d) }
            buffer.append(d)
            if buffer.count == 4096, !flush() { return }
        }
        guard !readers.contains(where: \.failed), flush() else { return }
        runs = [DigestRun(start: 0, count: written, index: index, last: last)]
        file = out
    }
}

/// One sorted run in a temp file: where it starts (in digests), how many, every block's first.
struct DigestRun {
    let start: Int, count: Int
    let index: [RowDigest]
    let last: RowDigest?

    init(start: Int, count: Int, index: [RowDigest], last: RowDigest?) {
        self.start = start; self.count = count; self.index = index; self.last = last
    }

    init(start: Int, sorted: [RowDigest]) {
        self.init(start: start, count: sorted.count,
                  index: stride(from: 0, to: sorted.count, by: DigestStore.block).map { sorted[$0] }, last: sorted.last)
    }

    func contains(_ d: RowDigest, file: SpillFile, failure: inout String?) -> Bool {
        guard let first = index.first, let last, first <= d, d <= last else { return false }
        var lo = 0, hi = index.count
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if index[mid] <= d { lo = mid } else { hi = mid }
        }
        let from = lo * DigestStore.block
        guard let block = file.read(start + from, Swift.min(DigestStore.block, count - from)) else {
            failure = "the private temp file could not be read back; some rows may be judged without it"
            return false
        }
        var l = 0, h = block.count
        while l < h {
            let m = (l + h) / 2
            if block[m] < d { l = m + 1 } else { h = m }
        }
        return l < block.count && block[l] == d
    }
}

/// Reads a run sequentially, 4,096 digests at a time (merging).
struct RunReader {
    let run: DigestRun
    var next = 0
    var buffer: [RowDigest] = []
    var at = 0
    var failed = false

    init(run: DigestRun) { self.run = run }

    mutating func head(_ file: SpillFile) -> RowDigest? {
        if at < buffer.count { return buffer[at] }
        guard next < run.count, !failed else { return nil }
        let n = Swift.min(4096, run.count - next)
        guard let b = file.read(run.start + next, n) else { failed = true; return nil }
        buffer = b; at = 0; next += n
        return buffer.first
    }

    mutating func advance() { at += 1 }
}

/// A temp file of digests, unlinked as soon as it is open: nothing is left behind, whatever
/// happens to the process, and its space goes when the descriptor closes.
final class SpillFile {
    let fd: Int32
    static let width = MemoryLayout<RowDigest>.stride

    init?(directory: URL) {
        let path = directory.appendingPathComponent("recovery-digests-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        unlink(path)
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes `digests` at digest position `at`; false when not every byte was written.
    func write(_ digests: [RowDigest], at: Int) -> Bool {
        digests.withUnsafeBytes { FileDescriptorIO.writeAll(fd, $0, at: at * Self.width) }
    }

    /// `count` digests from digest position `at`, or nil when they cannot all be read.
    func read(_ at: Int, _ count: Int) -> [RowDigest]? {
        var ok = true
        let out = [RowDigest](unsafeUninitializedCapacity: count) { buf, initialized in
            ok = FileDescriptorIO.readAll(fd, into: UnsafeMutableRawBufferPointer(buf), at: at * Self.width)
            // RowDigest is two Ints: any bytes are a valid value, so the buffer counts as initialized.
            if !ok { UnsafeMutableRawBufferPointer(buf).initializeMemory(as: UInt8.self, repeating: 0) }
            initialized = count
        }
        return ok ? out : nil
    }
}
