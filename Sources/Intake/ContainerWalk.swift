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
    var seen = Set<String>()
    var index = 0
    var stopped = false

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
        let reader = ArchiveReader(source: src, raw: false)
        if let err = reader.open() {
            if reader.errnoValue == EILSEQ, err.contains("Unrecognized archive format") {
                try walkRaw(src, place: place, state: &state, openError: err)
            } else {
                state.summary.format = reader.describe
                state.stop(Self.classify(err, sourceExhausted: src.hitEnd), err)
            }
        } else {
            try walkHeaders(reader, place: place, state: &state)
        }
        state.summary.entryCount = state.index
        state.summary.expandedBytes = total - startTotal
        if let exhausted, state.summary.status == .ok {
            state.summary.status = .limitExceeded
            state.summary.message = exhausted
        }
        return state.summary
    }

    /// A bare compressed file: one entry named after the file minus its compression suffix.
    private func walkRaw(_ src: ByteSource, place: ContainerPlace, state: inout ContainerState, openError: String) throws {
        src.position = 0
        let reader = ArchiveReader(source: src, raw: true)
        if let err = reader.open() {
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
        while !state.stopped {
            let result = reader.nextHeader()
            if first, case .header = result {
                first = false
                state.summary.format = reader.describe
                let code = reader.formatCode
                // zip or 7z behind a compression filter: read the decompressed stream as one entry and
                // open it seekably as a nested container, so zip's central directory is seen.
                if rawName == nil, reader.filterCount > 1, code == ARCHIVE_FORMAT_ZIP || code == ARCHIVE_FORMAT_7ZIP {
                    reader.source.position = 0
                    let rawReader = ArchiveReader(source: reader.source, raw: true)
                    if rawReader.open() == nil {
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
                return
            case .retry(let msg):
                retries += 1
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
                        let rest = discardRest(of: reader, alreadyRead: 0, startCompressed: reader.compressedPosition, charge: false)
                        if rest.stop == .entryRatio { state.stop(.limitExceeded, "stopped after a compression bomb entry (raise with --max-ratio)") }
                        if rest.failed { state.stop(.corrupt, reader.errorMessage) }
                    }
                } else {
                    try processEntry(h, reader: reader, place: place, position: position, info: info, rawName: rawName, state: &state)
                }
                if let exhausted { state.stop(.limitExceeded, exhausted) }
            }
        }
    }
}
