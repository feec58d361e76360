import ExhibitKit
import Foundation

extension ZipStructure {
    /// Central-directory entries libarchive's seekable reader never delivers: those whose local
    /// header offset an earlier entry already took (a full-overlap zip bomb points hundreds of
    /// records at one local file). Each comes with the index of the entry that is delivered for
    /// that offset. In central-directory order.
    var sharedHeaderEntries: [(hidden: Int, listed: Int)] {
        var listedAt: [UInt64: Int] = [:]
        for i in order { listedAt[entries[i].localHeaderOffset] = i }
        let delivered = Set(order)
        return entries.indices.compactMap { i in
            guard !delivered.contains(i), let listed = listedAt[entries[i].localHeaderOffset] else { return nil }
            return (i, listed)
        }
    }
}

extension WalkContext {
    /// After libarchive's last header: one row for every central-directory record it did not list
    /// because its local header is another entry's (issue 19). Without these a full-overlap bomb
    /// of 300 names shows 1 name and nothing says 299 are missing. Nothing is read for them: their
    /// data is the listed entry's compressed bytes again, which is the bomb.
    func listSharedHeaderEntries(_ zip: ZipStructure, place: ContainerPlace, state: inout ContainerState) throws {
        for (hidden, listed) in zip.sharedHeaderEntries where !state.stopped {
            guard state.index < budgets.maxEntriesPerArchive else {
                state.stop(.limitExceeded, "more than \(budgets.maxEntriesPerArchive) entries in one container (raise with --max-entries)")
                return
            }
            let position = place.position + [state.index]
            state.index += 1
            if let charged = accounted(position) {
                total += charged
                continue
            }
            let info = zip.entries[hidden]
            let named = describeName(raw: info.name, override: nil, seen: &state.seen)
            let other = names.decode(zip.entries[listed].name).name
            let isFolder = info.name.last == 47
            var entry = IntakeEntry(
                position: position, virtualPath: place.virtualPath + VirtualPath.containerSeparator + named.path,
                rawName: info.name, name: named.decoded.name, nameEncoding: named.decoded.encoding,
                kind: isFolder ? .directory : .file, mode: nil, linkTarget: nil,
                declaredSize: isFolder ? nil : Int64(clamping: info.uncompressedSize), size: 0, hashes: nil, mime: nil,
                status: .limitExceeded,
                message: "its central-directory record points at the local header of \(other), which the archive reader lists instead (full-overlap zip bomb construction); not read: its data would be that entry's bytes again",
                flags: named.flags + ["overlapping-entry", "shared-local-header"],
                times: EntryTimes(modified: info.utcModified, accessed: info.utcAccessed, created: info.utcCreated),
                isContainer: false, content: .none, lease: nil, expandedBytes: 0)
            if info.nameMismatch { entry.flags.append("name-mismatch") }
            state.note(entry)
            try deliver(.entry(entry))
        }
    }
}
