import ExhibitKit
import Foundation

/// Anything that hands out an entry's data block by block: libarchive, or a plain file.
protocol BlockSource: AnyObject {
    func readBlock() -> DataResult
    /// Position in the container's compressed stream, for the per-entry ratio.
    var compressedPosition: Int64 { get }
    /// Whether the underlying bytes ran out (a failure then means truncation).
    var sourceExhausted: Bool { get }
}

extension ArchiveReader: BlockSource {
    var sourceExhausted: Bool { source.hitEnd }
}

/// Why a read stopped before the data ended.
enum BudgetStop {
    case entryBytes, entryRatio, totalBytes, evidenceRatio
    /// Whether the whole evidence item's budget is spent (nothing more may be expanded).
    var exhaustsEvidence: Bool { self == .totalBytes || self == .evidenceRatio }
}

/// The outcome of reading one entry's data.
struct DataOutcome {
    var bytes: Int64 = 0
    var status: EntryStatus = .ok
    var message: String?
    var stop: BudgetStop?
    var fatal = false
    var sparse = false
    var content: FileContent = .none
    var hashes: FileHashes?
    /// Digests still being computed (large entries); resolved before the entry is emitted.
    var pendingHashes: PendingDigest?
    var lease: ContentLease?
    var mime: String?
    /// Bytes of the last block left unread when a budget cut the entry (still expanded).
    var unreadInBlock: Int64 = 0
}

/// Per-evidence state of one walk: budgets, running totals, the shared libmagic and name decoder.
final class WalkContext {
    let options: IntakeOptions
    let budgets: IntakeBudgets
    let magic: MagicDetector
    let names: NameDecoder
    let accounted: ([Int]) -> Int64?
    let emit: (IntakeEvent) throws -> Void
    /// The walker's hashing threads.
    let lanes: HashLanes
    /// The sniff window's recycled buffer (hash-only ingest; ``EntryContentCollector``).
    let headScratch = HeadScratch()
    /// Delivers events in order once their digests are done, on its own thread.
    var emitter: OrderedEmitter?
    /// See ``IntakeWalker/dataReadHook`` and ``IntakeWalker/skipData``.
    var dataReadHook: (([Int], String, Bool) -> Void)?
    var skipData: Set<[Int]> = []
    /// What the walker is doing, for the worker's intake guard (``IntakeWalker/watch``).
    var watch: IntakeWatch?
    /// Calls the guard stopped in an earlier worker (``IntakeWalker/stops``).
    var stops = IntakeStops([])
    /// Fingerprints of the containers being read, outermost first (nesting-loop check).
    var chain: [ContainerFingerprint] = []

    /// Reads one entry's data between the hook's begin and end calls.
    func readMarked(_ position: [Int], _ path: String, _ read: () throws -> DataOutcome) rethrows -> DataOutcome {
        dataReadHook?(position, path, true)
        defer { dataReadHook?(position, path, false) }
        return try watched(.data, position, path, read)
    }

    static let crashedReadMessage = "reading this entry brought the process down twice (a crash in a C library); not read — the rest of the evidence was ingested"
    /// Denominator of the per-evidence ratio: the evidence file's size (directory: bytes read from it).
    var evidenceBytes: Int64
    /// Bytes expanded so far under this evidence item, nested included.
    var total: Int64 = 0
    /// Set once an evidence-wide budget is spent; every container then stops with this message.
    var exhausted: String?
    /// libmagic answers for whole small contents, by SHA-256. libmagic costs ~0.2 ms per text file
    /// and dumps repeat small files a lot; the same bytes always get the same answer.
    private var mimeCache: [String: String] = [:]

    init(options: IntakeOptions, magic: MagicDetector, names: NameDecoder, lanes: HashLanes, evidenceBytes: Int64,
         accounted: @escaping ([Int]) -> Int64?, emit: @escaping (IntakeEvent) throws -> Void) {
        self.options = options
        self.lanes = lanes
        self.budgets = options.budgets
        self.magic = magic
        self.names = names
        self.evidenceBytes = evidenceBytes
        self.accounted = accounted
        self.emit = emit
    }

    // MARK: messages

    func message(for stop: BudgetStop, entryBytes: Int64, compressed: Int64) -> String {
        switch stop {
        case .entryBytes:
            return "entry larger than the per-entry budget of \(budgets.maxEntryBytes) bytes (raise with --max-entry-bytes); first \(entryBytes) bytes hashed"
        case .entryRatio:
            return "compression ratio above \(Self.format(budgets.maxRatio)) (\(entryBytes) bytes from \(compressed) compressed; raise with --max-ratio); first \(entryBytes) bytes hashed"
        case .totalBytes:
            return "evidence item expanded past the total budget of \(budgets.maxTotalBytes) bytes (raise with --max-total-bytes)"
        case .evidenceRatio:
            return "evidence item expansion ratio above \(Self.format(budgets.maxRatio)) (\(total) bytes from \(evidenceBytes); raise with --max-ratio)"
        }
    }

    /// Nesting levels count the evidence item as level 1, its nested archives as level 2, and so on.
    func depthMessage(level: Int) -> String {
        "archive nested at level \(level) (the evidence is level 1) exceeds the nesting budget of \(budgets.maxDepth) levels (raise with --max-depth); hashed, not opened"
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    /// Maps a libarchive message to a status. Encryption first: 7z says "encrypted, but currently not supported".
    static func classify(_ message: String, sourceExhausted: Bool) -> EntryStatus {
        let m = message.lowercased()
        // libarchive's own nesting limit (25 stacked decompressors: a gzip chain or quine).
        if m.contains("too many filters") { return .limitExceeded }
        if m.contains("passphrase") || m.contains("encrypt") || m.contains("decrypt") { return .encrypted }
        if m.contains("unsupported") || m.contains("not supported") || m.contains("unrecognized archive format") {
            return .unsupported
        }
        if m.contains("truncat") || m.contains("premature") || m.contains("unexpected end") || sourceExhausted {
            return .truncated
        }
        return .corrupt
    }

    // MARK: budgets

    /// Checks the ratios after `entryBytes` were read for an entry that consumed `compressed` bytes.
    func ratioStop(entryBytes: Int64, compressed: Int64, checkEntry: Bool) -> BudgetStop? {
        let floor = budgets.ratioFloorBytes
        if checkEntry, entryBytes > floor, Double(entryBytes) / Double(max(compressed, 1)) > budgets.maxRatio {
            return .entryRatio
        }
        if total > floor, Double(total) / Double(max(evidenceBytes, 1)) > budgets.maxRatio { return .evidenceRatio }
        return nil
    }

    /// A sparse hole arrives as one count of zeros (a tar may declare a 1 TiB hole in a few
    /// bytes): it is cut where the ratio budget would stop it, before a single zero is hashed,
    /// instead of hashing up to the per-entry budget first and checking the ratio after.
    func ratioCut(zeros n: Int64, entryBytes: Int64, compressed: Int64, checkEntry: Bool) -> (Int64, BudgetStop)? {
        func cap(_ base: Int64) -> Int64 {
            let allowed = budgets.maxRatio * Double(max(base, 1))
            return max(budgets.ratioFloorBytes, allowed >= 9e18 ? Int64.max / 2 : Int64(allowed))
        }
        if checkEntry, entryBytes + n > cap(compressed) { return (max(0, cap(compressed) - entryBytes), .entryRatio) }
        if total + n > cap(evidenceBytes) { return (max(0, cap(evidenceBytes) - total), .evidenceRatio) }
        return nil
    }

    // MARK: reading data

    /// Reads the current entry's data into a sink (hashing, sniffing, spooling) under the budgets.
    ///
    /// `plainFile` marks bytes read straight from directory evidence: they are evidence bytes, so
    /// they grow the per-evidence ratio's denominator too.
    func readData(from src: BlockSource, declaredSize: Int64?, sparseHint: Bool, plainFile: Bool = false) throws -> DataOutcome {
        var out = DataOutcome()
        let magic = self.magic
        // The type of the first sniff window, when the hash-only spool decision asked for it: for an
        // entry longer than the window it is the entry's type (same bytes, same call), so libmagic
        // runs once per large entry, not twice.
        var windowMIME: String?? = nil
        let sink = EntryContentCollector(threshold: options.memoryThreshold, directory: options.temporaryDirectory, expectedSize: declaredSize,
                             lanes: lanes, mustSpool: options.retainContent ? nil : { head in
                                 let m = magic.mime(of: head, complete: false)
                                 windowMIME = .some(m)
                                 return m.map(Self.containerMIMEs.contains) ?? false
                             }, scratch: headScratch)
        let start = src.compressedPosition
        var pos: Int64 = 0
        var gap = false

        /// Feeds bytes (or zeros when `buf` is nil) within budgets; returns false once a budget stops the read.
        func feed(_ buf: UnsafeRawBufferPointer?, zeros: Int64 = 0) throws -> Bool {
            let offered = buf.map { Int64($0.count) } ?? zeros
            var n = offered
            var stop: BudgetStop?
            if pos + n > budgets.maxEntryBytes { n = max(0, budgets.maxEntryBytes - pos); stop = .entryBytes }
            if total + n > budgets.maxTotalBytes { n = max(0, min(n, budgets.maxTotalBytes - total)); stop = .totalBytes }
            var holeCut = false
            if buf == nil, stop == nil, let cut = ratioCut(zeros: n, entryBytes: pos, compressed: src.compressedPosition - start,
                                                          checkEntry: !plainFile) {
                n = cut.0
                stop = cut.1
                holeCut = cut.1 == .entryRatio
            }
            if let buf { try sink.append(UnsafeRawBufferPointer(rebasing: buf.prefix(Int(n)))) } else { try sink.appendZeros(n) }
            pos += n
            total += n
            if plainFile { evidenceBytes += n }
            if stop == nil {
                stop = ratioStop(entryBytes: pos, compressed: src.compressedPosition - start, checkEntry: !plainFile)
            }
            if let stop {
                if buf != nil { out.unreadInBlock = offered - n }
                out.stop = stop
                out.status = .limitExceeded
                out.message = message(for: stop, entryBytes: pos, compressed: src.compressedPosition - start)
                if holeCut {
                    // Said as what it is: a sparse map declaring far more than the archive stores.
                    out.message = "sparse entry whose holes exceed the compression-ratio budget of \(Self.format(budgets.maxRatio)) (\(declaredSize.map { "\($0) bytes declared; " } ?? "")raise with --max-ratio): holes cut before hashing; first \(pos) bytes hashed"
                }
                if stop.exhaustsEvidence { exhausted = out.message }
                return false
            }
            return true
        }

        func place(_ buf: UnsafeRawBufferPointer, at offset: Int64) throws -> Bool {
            if offset > pos {
                gap = true
                guard try feed(nil, zeros: offset - pos) else { return false }
            }
            return try feed(buf)
        }

        var idle = 0
        reading: while true {
            switch src.readBlock() {
            case .block(let buf, let offset):
                // A reader that keeps answering "OK, nothing" must not spin forever.
                idle = buf.count == 0 && offset <= pos ? idle + 1 : 0
                if idle == 0 { watch?.progress() }
                if idle > 10_000 {
                    out.status = .corrupt
                    out.message = "the data stream makes no progress"
                    break reading
                }
                if try !place(buf, at: offset) { break reading }
            case .warning(let buf, let offset, let msg):
                if try place(buf, at: offset) {
                    out.status = Self.classify(msg, sourceExhausted: src.sourceExhausted)
                    out.message = msg
                }
                break reading
            case .eof(let offset):
                // A sparse file may end in a hole: libarchive reports the logical end with EOF.
                if (sparseHint || gap), offset > pos { _ = try feed(nil, zeros: offset - pos) }
                break reading
            case .failed(let msg, let fatal):
                out.status = Self.classify(msg, sourceExhausted: src.sourceExhausted)
                out.message = msg
                out.fatal = fatal
                break reading
            }
        }
        out.bytes = pos
        out.sparse = sparseHint || gap
        let done = sink.finish()
        switch done.hashes {
        case .ready(let h):
            out.hashes = h
            out.mime = mime(of: sink, bytes: pos, sha256: h.sha256)
        case .pending(let p):
            out.pendingHashes = p
            if pos > Int64(MagicDetector.sniffBytes), let known = windowMIME {
                out.mime = known
            } else {
                out.mime = mime(of: sink, bytes: pos, sha256: nil)
            }
        }
        out.content = done.content
        out.lease = done.lease
        return out
    }

    private func mime(of sink: EntryContentCollector, bytes: Int64, sha256: String?) -> String? {
        guard bytes <= Int64(MagicDetector.sniffBytes) else { return sink.withHead { magic.mime(of: $0, complete: false) } }
        guard let sha256 else { return sink.withHead { magic.mime(of: $0) } }
        if let hit = mimeCache[sha256] { return hit }
        let m = sink.withHead { magic.mime(of: $0) }
        if let m {
            if mimeCache.count >= 65_536 { mimeCache.removeAll(keepingCapacity: true) }
            mimeCache[sha256] = m
        }
        return m
    }

    /// Reads and drops the rest of an entry where skipping means decompressing. Returns the bytes
    /// expanded and whether the per-entry ratio tripped (the container must then stop: going past
    /// the entry would expand the bomb). `charge` adds the bytes to the evidence budget.
    func discardRest(of src: BlockSource, alreadyRead: Int64, startCompressed: Int64, charge: Bool,
                     pending: Int64 = 0) -> (bytes: Int64, stop: BudgetStop?, failed: Bool) {
        var pos = alreadyRead + pending
        var dropped: Int64 = pending
        if charge { total += pending }
        while true {
            switch src.readBlock() {
            case .block(let buf, _):
                pos += Int64(buf.count)
                dropped += Int64(buf.count)
                if !buf.isEmpty { watch?.progress() }
                if charge {
                    total += Int64(buf.count)
                    if total > budgets.maxTotalBytes {
                        exhausted = message(for: .totalBytes, entryBytes: pos, compressed: 0)
                        return (dropped, .totalBytes, false)
                    }
                }
                if let stop = ratioStop(entryBytes: pos, compressed: src.compressedPosition - startCompressed, checkEntry: true),
                   stop == .entryRatio || charge {
                    if stop.exhaustsEvidence { exhausted = message(for: stop, entryBytes: pos, compressed: 0) }
                    return (dropped, stop, false)
                }
            case .warning(let buf, _, _):
                dropped += Int64(buf.count)
                if charge { total += Int64(buf.count) }
                return (dropped, nil, false)
            case .eof:
                return (dropped, nil, false)
            case .failed(_, let fatal):
                return (dropped, nil, fatal)
            }
        }
    }
}
