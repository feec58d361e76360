internal import CArchive
import ExhibitKit
import Foundation

/// Where a container sits: its position, virtual path, nesting depth and a name for a raw stream.
struct ContainerPlace {
    var position: [Int]
    var virtualPath: String
    var depth: Int
    /// Name of the file holding the container (for `x.gz` → entry `x`).
    var fileName: String
}

/// Running state of one container while its headers are read.
struct ContainerState {
    var summary: ContainerSummary
    var seen = SeenNames()
    var index = 0
    var stopped = false

    /// Entries whose own status shows they were not fully read, by status.
    var problems: [EntryStatus: Int] = [:]

    mutating func note(_ entry: IntakeEntry) {
        note(status: entry.status)
    }

    /// Counts one direct entry's status (a nested container's final one, once walked).
    mutating func note(status: EntryStatus) {
        if status != .ok && status != .link { problems[status, default: 0] += 1 }
    }

    /// The container's final status: its own failure if any, else the spent evidence budget, else
    /// the worst status among its entries (an archive with an encrypted or damaged member was not
    /// fully examined, and its row must say so).
    mutating func finish(entryCount: Int, expanded: Int64, exhausted: String?) {
        summary.entryCount = entryCount
        summary.expandedBytes = expanded
        if seen.capped { summary.flags.append("duplicate-check-capped") }
        if summary.status == .ok, let exhausted {
            summary.status = .limitExceeded
            summary.message = exhausted
        }
        guard summary.status == .ok, let worst = ContainerSummary.worst(of: problems) else { return }
        summary.status = worst.status
        summary.message = worst.message
    }

    mutating func stop(_ status: EntryStatus, _ message: String?) {
        if summary.status == .ok { summary.status = status }
        if summary.message == nil { summary.message = message }
        stopped = true
    }
}

extension WalkContext {
    /// Walks one archive (the evidence file or a spooled nested one) and returns its summary.
    /// Children are emitted through `emit`; the caller emits the `containerEnd`.
    func walkArchive(_ src: ByteSource, place: ContainerPlace) throws -> ContainerSummary {
        let startTotal = total
        var state = ContainerState(summary: ContainerSummary(position: place.position, format: nil, status: .ok, message: nil,
                                                             entryCount: 0, flags: [], expandedBytes: 0))
        let fingerprint = Self.fingerprint(of: src)
        if chain.contains(fingerprint) {
            state.stop(.limitExceeded, Self.nestingLoopMessage)
        } else if let stopped = stops.message(.header, place.position + [0]) {
            state.stop(.limitExceeded, stopped)
        }
        if state.stopped {
            state.finish(entryCount: 0, expanded: 0, exhausted: exhausted)
            return state.summary
        }
        chain.append(fingerprint)
        defer { chain.removeLast() }
        let reader = ArchiveReader(source: src, raw: false)
        if let err = watched(.header, place.position + [0], place.virtualPath, { reader.open() }) {
            if reader.errnoValue == EILSEQ, err.contains("Unrecognized archive format") {
                try walkRaw(src, place: place, state: &state, openError: err)
            } else {
                state.summary.format = reader.describe
                state.stop(Self.classify(err, sourceExhausted: src.hitEnd), err)
            }
        } else {
            try walkHeaders(reader, place: place, state: &state)
        }
        state.finish(entryCount: state.index, expanded: total - startTotal, exhausted: exhausted)
        return state.summary
    }

    /// A bare compressed file: one entry named after the file minus its compression suffix.
    private func walkRaw(_ src: ByteSource, place: ContainerPlace, state: inout ContainerState, openError: String) throws {
        src.rewind()
        let reader = ArchiveReader(source: src, raw: true)
        if let err = watched(.header, place.position + [0], place.virtualPath, { reader.open() }) {
            state.stop(Self.classify(err, sourceExhausted: src.hitEnd), err)
            return
        }
        guard reader.filterCount > 1 else {
            // Neither an archive nor a compressed stream.
            state.stop(.unsupported, openError)
            return
        }
        try walkHeaders(reader, place: place, state: &state, rawName: Self.rawEntryName(place.fileName))
    }

    static func rawEntryName(_ fileName: String) -> String {
        let lower = fileName.lowercased()
        let tarAliases = [".tgz": ".tar", ".tbz2": ".tar", ".tbz": ".tar", ".txz": ".tar", ".tzst": ".tar", ".tlz": ".tar", ".taz": ".tar"]
        for (suffix, replacement) in tarAliases where lower.hasSuffix(suffix) && fileName.count > suffix.count {
            return String(fileName.dropLast(suffix.count)) + replacement
        }
        for suffix in [".gz", ".gzip", ".bz2", ".bzip2", ".xz", ".lzma", ".lz", ".lz4", ".zst", ".zstd", ".z", ".uu", ".rpm"]
        where lower.hasSuffix(suffix) && fileName.count > suffix.count {
            return String(fileName.dropLast(suffix.count))
        }
        return fileName
    }

    private func walkHeaders(_ reader: ArchiveReader, place: ContainerPlace, state: inout ContainerState, rawName: String? = nil) throws {
        var retries = 0
        var zip: ZipMatcher?
        var first = true
        var sawFile = false
        while !state.stopped {
            let next = place.position + [state.index]
            if let stopped = stops.message(.header, next) {
                state.stop(.limitExceeded, stopped)
                return
            }
            let result = watched(.header, next, place.virtualPath) { reader.nextHeader() }
            if first, case .header = result {
                first = false
                state.summary.format = reader.describe
                let code = reader.formatCode
                // zip or 7z behind a compression filter: read the decompressed stream as one entry and
                // open it seekably as a nested container, so zip's central directory is seen.
                if rawName == nil, reader.filterCount > 1, code == ARCHIVE_FORMAT_ZIP || code == ARCHIVE_FORMAT_7ZIP {
                    reader.source.rewind()
                    let rawReader = ArchiveReader(source: reader.source, raw: true)
                    if watched(.header, place.position + [0], place.virtualPath, { rawReader.open() }) == nil {
                        try walkHeaders(rawReader, place: place, state: &state, rawName: Self.rawEntryName(place.fileName))
                        return
                    }
                }
                if code == ARCHIVE_FORMAT_ZIP, let s = ZipInspector.inspect(reader.source, maxEntries: budgets.maxEntriesPerArchive) {
                    zip = ZipMatcher(structure: s)
                    if s.countMismatch { state.summary.flags.append("cd-count-mismatch") }
                    if s.nameMismatch { state.summary.flags.append("name-mismatch") }
                    if s.hasOverlap { state.summary.flags.append("overlapping-entries") }
                }
            }
            switch result {
            case .eof:
                // A compressed stream that reads as an empty archive (256 MiB of zeros is an empty
                // tar) is better shown as what it is: one decompressed stream.
                if state.index == 0, rawName == nil, reader.filterCount > 1 {
                    reader.source.rewind()
                    let rawReader = ArchiveReader(source: reader.source, raw: true)
                    if watched(.header, place.position + [0], place.virtualPath, { rawReader.open() }) == nil {
                        state.summary.format = nil
                        try walkHeaders(rawReader, place: place, state: &state, rawName: Self.rawEntryName(place.fileName))
                    }
                }
                if let zip { try listSharedHeaderEntries(zip.structure, place: place, state: &state) }
                return
            case .retry(let msg):
                // A damaged header: libarchive resynchronises on the next call.
                retries += 1
                if state.summary.status == .ok { state.summary.status = .corrupt }
                if state.summary.message == nil { state.summary.message = msg }
                if retries > 1000 { state.stop(.corrupt, msg) }
            case .fatal(let msg):
                if state.summary.format == nil { state.summary.format = reader.describe }
                var status = Self.classify(msg, sourceExhausted: reader.sourceExhausted)
                if msg.contains("header is encrypted") {
                    status = .encrypted
                    state.summary.flags.append("encrypted-header")
                }
                state.stop(status, msg)
            case .header(let h):
                // zip names its format per entry ("ZIP 1.0 (uncompressed)" for a directory): the
                // first regular file says more about the archive than a leading directory does.
                if !sawFile, h.fileType == FileTypeBits.regular {
                    sawFile = true
                    state.summary.format = reader.describe
                }
                guard state.index < budgets.maxEntriesPerArchive else {
                    state.stop(.limitExceeded, "more than \(budgets.maxEntriesPerArchive) entries in one container (raise with --max-entries)")
                    return
                }
                let position = place.position + [state.index]
                state.index += 1
                let info = zip?.match(rawName: h.rawName)
                if let charged = accounted(position) {
                    total += charged
                    if !reader.skipIsCheap, h.fileType == FileTypeBits.regular {
                        let rest = watched(.data, position, place.virtualPath) {
                            discardRest(of: reader, alreadyRead: 0, startCompressed: reader.compressedPosition, charge: false)
                        }
                        if rest.stop == .entryRatio { state.stop(.limitExceeded, "stopped after a compression bomb entry (raise with --max-ratio)") }
                        if rest.failed { state.stop(.corrupt, reader.errorMessage) }
                    }
                } else {
                    try processEntry(h, reader: reader, place: place, position: position, info: info, rawName: rawName, state: &state)
                }
                // Once the evidence budget is spent, a container that can list its remaining headers
                // without expanding anything (seekable zip, plain tar…) goes on listing them.
                if let exhausted, !reader.skipIsCheap { state.stop(.limitExceeded, exhausted) }
            }
        }
    }
}

extension ContainerSummary {
    /// The status a container takes from its direct entries when it has no failure of its own:
    /// the worst of them (corrupt > truncated > limit-exceeded > encrypted > unsupported), with a
    /// message counting each; nil when every entry was read (docs/intake.md, "Statuses").
    public static func worst(of problems: [EntryStatus: Int]) -> (status: EntryStatus, message: String)? {
        let rank: [EntryStatus] = [.corrupt, .truncated, .limitExceeded, .encrypted, .unsupported]
        let counted = problems.filter { $0.value > 0 }
        guard !counted.isEmpty else { return nil }
        let status = rank.first { counted[$0] != nil } ?? .corrupt
        let parts = rank.compactMap { s in counted[s].map { "\($0) \(s.rawValue)" } }
        return (status, "entries not fully read: " + parts.joined(separator: ", "))
    }
}
