internal import CArchive
import ExhibitKit
import Foundation

extension WalkContext {
    /// MIME types that make an entry a container to recurse into (decided by content, never by name).
    static let containerMIMEs: Set<String> = [
        "application/zip", "application/x-zip-compressed", "application/x-tar", "application/gzip", "application/x-gzip",
        "application/x-bzip2", "application/x-xz", "application/zstd", "application/x-zstd", "application/x-lz4",
        "application/x-lzma", "application/x-lzip", "application/x-7z-compressed", "application/x-rar",
        "application/vnd.rar", "application/x-rar-compressed", "application/x-iso9660-image", "application/x-cpio",
        "application/vnd.ms-cab-compressed", "application/x-archive", "application/x-xar", "application/x-lha",
        "application/x-lzh-compressed", "application/x-compress", "application/x-bzip",
    ]

    /// Builds the name, path and flags shared by archive and directory entries.
    func describeName(raw: [UInt8], override: String?, seen: inout SeenNames) -> (decoded: NameDecoder.Decoded, path: String, flags: [String]) {
        let decoded = override.map { NameDecoder.Decoded(name: $0, encoding: "utf-8") } ?? names.decode(raw)
        var flags: [String] = []
        let n = decoded.name
        // An archive's own root ("." in iso9660 and some tars) is not a suspicious name.
        let clean = (n == "." || n == "./") ? (path: ".", changed: false) : VirtualPath.sanitize(entryName: n)
        let drive = n.count >= 2 && n.dropFirst().first == ":" && n.first?.isLetter == true
        if n.hasPrefix("/") || n.hasPrefix("\\") || drive { flags.append("absolute-path") }
        if clean.changed { flags.append("path-sanitized") }
        let path = clean.path.isEmpty ? "(unnamed)" : clean.path
        if seen.isDuplicate(path) { flags.append("duplicate-name") }
        return (decoded, path, flags)
    }

    func processEntry(_ h: ArchiveHeader, reader: ArchiveReader, place: ContainerPlace, position: [Int], info: ZipEntryInfo?,
                      rawName: String?, state: inout ContainerState) throws {
        let raw = rawName.map { Array($0.utf8) } ?? h.rawName
        let named = describeName(raw: raw, override: rawName, seen: &state.seen)
        var flags = named.flags
        let type = h.fileType & FileTypeBits.mask
        var kind: EntryKind
        switch type {
        case FileTypeBits.directory: kind = .directory
        case FileTypeBits.symlink: kind = .symlink
        case FileTypeBits.regular, 0: kind = .file
        default: kind = .other
        }
        if h.hardlink != nil { kind = .hardlink }
        if h.symlink != nil, kind != .hardlink { kind = .symlink }
        if let info, info.nameMismatch { flags.append("name-mismatch") }

        var entry = IntakeEntry(
            position: position, virtualPath: place.virtualPath + VirtualPath.containerSeparator + named.path,
            rawName: raw, name: named.decoded.name, nameEncoding: named.decoded.encoding, kind: kind,
            mode: h.mode, linkTarget: nil, declaredSize: h.size, size: 0, hashes: nil, mime: nil, status: .ok,
            message: h.warning, flags: flags,
            times: EntryTimeConversion.times(for: h, formatCode: reader.formatCode, zip: info, zone: options.assumedZone),
            isContainer: false, content: .none, lease: nil, expandedBytes: 0)
        if let target = h.symlink ?? h.hardlink { entry.linkTarget = names.decode(target).name }
        // For zip the central directory's size is the declaration (libarchive may report the local header's).
        if let info, kind == .file { entry.declaredSize = Int64(clamping: info.uncompressedSize) }

        let hasData: Bool
        switch kind {
        case .file: hasData = true
        case .hardlink: hasData = (h.size ?? 0) > 0
        default: hasData = false
        }
        if kind == .symlink || kind == .hardlink { entry.status = .link }

        if let info, info.overlapping { entry.flags.append("overlapping-entry") }
        if hasData {
            if let exhausted {
                // The evidence budget is spent: list the entry, read nothing.
                entry.status = .limitExceeded
                entry.message = exhausted
            } else if let info, info.startsInsideAnother {
                entry.status = .limitExceeded
                entry.message = "overlapping zip entries (zip bomb construction)"
            } else if h.dataEncrypted || info?.encryption != nil {
                entry.status = .encrypted
                entry.message = "entry data is encrypted (\(info?.encryption ?? "passphrase required")); not read"
            } else if let stopped = stops.message(.data, position) {
                entry.status = .limitExceeded
                entry.message = stopped
            } else if skipData.contains(position) {
                entry.status = .corrupt
                entry.message = Self.crashedReadMessage
            } else {
                let totalBefore = total
                let startCompressed = reader.compressedPosition
                let out = try readMarked(position, entry.virtualPath) {
                    try readData(from: reader, declaredSize: h.size, sparseHint: h.sparse)
                }
                apply(out, to: &entry)
                if out.sparse { entry.flags.append("sparse") }
                if entry.status == .ok || entry.status == .corrupt, let declared = entry.declaredSize, declared != out.bytes,
                   rawName == nil {
                    entry.flags.append("size-mismatch")
                }
                if out.fatal { state.stop(entry.status == .ok ? .corrupt : entry.status, out.message) }
                if let stop = out.stop, !stop.exhaustsEvidence, !reader.skipIsCheap {
                    // Skipping the rest of this entry means decompressing it: only an oversized
                    // (not a bomb-ratio) entry may be expanded further, and that still counts.
                    if stop == .entryRatio {
                        state.stop(.limitExceeded, "stopped after a compression bomb entry: the rest of the container lies behind it (raise with --max-ratio)")
                    } else {
                        let rest = watched(.data, position, entry.virtualPath) {
                            discardRest(of: reader, alreadyRead: out.bytes, startCompressed: startCompressed, charge: true,
                                        pending: out.unreadInBlock)
                        }
                        if rest.stop == .entryRatio {
                            state.stop(.limitExceeded, "stopped after a compression bomb entry: the rest of the container lies behind it (raise with --max-ratio)")
                        }
                        if rest.failed { state.stop(.corrupt, reader.errorMessage) }
                    }
                }
                entry.expandedBytes = total - totalBefore
                if entry.status != .limitExceeded && entry.status != .encrypted && out.bytes > 0,
                   let mime = entry.mime, Self.containerMIMEs.contains(mime) {
                    if place.depth + 2 > budgets.maxDepth {
                        entry.status = .limitExceeded
                        entry.message = depthMessage(level: place.depth + 2)
                    } else {
                        entry.isContainer = true
                    }
                }
            }
        }
        state.note(entry)
        try deliver(.entry(entry))
        if entry.isContainer { try descend(into: entry, parent: place, state: &state) }
    }

    /// Hands an event on: through the ordered emitter (digests may still be in flight), or
    /// straight to the caller.
    func deliver(_ event: IntakeEvent) throws {
        if let emitter { try emitter.push(event) } else { try emit(event) }
    }

    func apply(_ out: DataOutcome, to entry: inout IntakeEntry) {
        entry.size = out.bytes
        entry.hashes = out.hashes
        entry.pendingHashes = out.pendingHashes
        entry.mime = out.mime
        entry.content = out.content
        entry.lease = out.lease
        // A hardlink that carries data stays `link` unless the read itself went wrong.
        if out.status != .ok { entry.status = out.status }
        if let m = out.message { entry.message = m }
    }

    /// Opens a container entry's spooled bytes seekably and walks them, then emits its `containerEnd`.
    /// Walks a nested container and emits its end. Its final status (known only now: a
    /// truncated `.gz` inside a zip reads as `ok` until it is opened) counts among the parent's
    /// entries, so the parent — up to the evidence item — says what could not be read (issue 15).
    func descend(into entry: IntakeEntry, parent: ContainerPlace, state: inout ContainerState) throws {
        let src: ByteSource
        switch entry.content {
        case .memory(let d):
            src = ByteSource(data: d)
        case .temporaryFile(let url):
            src = try ByteSource(path: url.path)
        case .none:
            return
        }
        let place = ContainerPlace(position: entry.position, virtualPath: entry.virtualPath, depth: parent.depth + 1,
                                   fileName: entry.name.split(separator: "/").last.map(String.init) ?? entry.name)
        let summary = try withExtendedLifetime(entry.lease) { try walkArchive(src, place: place) }
        try deliver(.containerEnd(summary))
        if entry.status == .ok { state.note(status: summary.status) }
    }
}
