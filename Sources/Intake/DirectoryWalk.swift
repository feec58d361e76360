import ExhibitKit
import Foundation

/// Reads a plain file in 1 MiB blocks for the shared data loop.
final class FileBlockSource: BlockSource {
    private let fd: Int32
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: ByteSource.bufferSize, alignment: 16)
    private var position: Int64 = 0

    init(fd: Int32) { self.fd = fd }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    func readBlock() -> DataResult {
        while true {
            let n = read(fd, buffer, ByteSource.bufferSize)
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(String(cString: strerror(errno)), fatal: false)
            }
            if n == 0 { return .eof(offset: position) }
            defer { position += Int64(n) }
            return .block(UnsafeRawBufferPointer(start: buffer, count: n), offset: position)
        }
    }

    var compressedPosition: Int64 { position }
    var sourceExhausted: Bool { false }
}

extension WalkContext {
    /// Walks a directory tree as one container: entries in sorted order of raw name bytes, a folder
    /// before its children. Symlinks are recorded, never followed; nothing is opened for writing and
    /// files are read with `O_NOATIME` where permitted.
    func walkDirectory(path: String, label: String) throws -> ContainerSummary {
        let root = openDirectory(at: AT_FDCWD, path)
        guard root >= 0 else {
            throw IntakeError(operation: "open directory", path: path, message: String(cString: strerror(errno)))
        }
        defer { close(root) }
        let startTotal = total
        var state = ContainerState(summary: ContainerSummary(position: [], format: "directory", status: .ok, message: nil,
                                                             entryCount: 0, flags: [], expandedBytes: 0))
        let place = ContainerPlace(position: [], virtualPath: label, depth: 0, fileName: label)
        try visit(directory: root, prefix: [], place: place, state: &state)
        state.finish(entryCount: state.index, expanded: total - startTotal, exhausted: exhausted)
        return state.summary
    }

    /// Opens a subdirectory without following a symlink and without touching its atime where permitted.
    private func openDirectory(at dirFD: Int32, _ name: UnsafePointer<CChar>) -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        var fd = openat(dirFD, name, flags | ByteSource.noAtimeFlag)
        if fd < 0 && errno == EPERM { fd = openat(dirFD, name, flags) }
        return fd
    }

    /// Sorted raw names in a directory (without `.` and `..`).
    private func list(_ dirFD: Int32) -> [[UInt8]] {
        let dupFD = dup(dirFD)
        guard dupFD >= 0 else { return [] }
        guard let dir = fdopendir(dupFD) else { close(dupFD); return [] }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let ent = readdir(dir) {
            let name: [UInt8] = withUnsafeBytes(of: ent.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [46] || name == [46, 46] { continue }
            names.append(name)
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    private func visit(directory dirFD: Int32, prefix: [UInt8], place: ContainerPlace, state: inout ContainerState) throws {
        for name in list(dirFD) {
            if state.stopped { return }
            guard state.index < budgets.maxEntriesPerArchive else {
                state.stop(.limitExceeded, "more than \(budgets.maxEntriesPerArchive) entries in one container (raise with --max-entries)")
                return
            }
            let position = [state.index]
            state.index += 1
            let rel = prefix.isEmpty ? name : prefix + [47] + name
            var st = stat()
            let statOK = withRawCString(name) { fstatat(dirFD, $0, &st, AT_SYMLINK_NOFOLLOW) == 0 }
            let isDirectory = statOK && UInt32(st.st_mode) & FileTypeBits.mask == FileTypeBits.directory
            if let charged = accounted(position) {
                total += charged
                // Its bytes were evidence bytes the first time too: without them a resumed walk
                // (a restart after the intake guard) would see a far higher expansion ratio.
                if statOK, UInt32(st.st_mode) & FileTypeBits.mask == FileTypeBits.regular { evidenceBytes += Int64(st.st_size) }
            } else {
                try processFile(dirFD, name: name, rel: rel, st: statOK ? st : nil, position: position, place: place, state: &state)
            }
            if isDirectory, !state.stopped {
                let fd = withRawCString(name) { openDirectory(at: dirFD, $0) }
                if fd >= 0 {
                    defer { close(fd) }
                    try visit(directory: fd, prefix: rel, place: place, state: &state)
                }
            }
        }
    }

    private func processFile(_ dirFD: Int32, name: [UInt8], rel: [UInt8], st: stat?, position: [Int], place: ContainerPlace,
                             state: inout ContainerState) throws {
        let named = describeName(raw: rel, override: nil, seen: &state.seen)
        var entry = IntakeEntry(
            position: position, virtualPath: place.virtualPath + VirtualPath.containerSeparator + named.path,
            rawName: rel, name: named.decoded.name, nameEncoding: named.decoded.encoding, kind: .other, mode: nil,
            linkTarget: nil, declaredSize: nil, size: 0, hashes: nil, mime: nil, status: .ok, message: nil,
            flags: named.flags, times: EntryTimes(), isContainer: false, content: .none, lease: nil, expandedBytes: 0)
        guard let st else {
            entry.status = .unsupported
            entry.message = "cannot stat: \(String(cString: strerror(errno)))"
            state.note(entry)
            try deliver(.entry(entry))
            return
        }
        func time(_ t: timespec) -> TimeValue { .unixSeconds(Int64(t.tv_sec), nanoseconds: Int64(t.tv_nsec)) }
        entry.times = EntryTimes(modified: time(st.st_mtim), accessed: time(st.st_atim), changed: time(st.st_ctim))
        entry.mode = UInt32(st.st_mode)
        entry.declaredSize = Int64(st.st_size)
        switch UInt32(st.st_mode) & FileTypeBits.mask {
        case FileTypeBits.directory:
            entry.kind = .directory
            entry.declaredSize = nil
        case FileTypeBits.symlink:
            entry.kind = .symlink
            entry.status = .link
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = withRawCString(name) { p in
                buf.withUnsafeMutableBytes { b -> Int in
                    guard let base = b.baseAddress else { return -1 }
                    return readlinkat(dirFD, p, base.assumingMemoryBound(to: CChar.self), b.count)
                }
            }
            if n >= 0 { entry.linkTarget = names.decode(Array(buf[0..<n])).name }
        case FileTypeBits.regular:
            entry.kind = .file
            if let exhausted {
                // The evidence budget is spent: listing goes on (it costs nothing), reading does not.
                entry.status = .limitExceeded
                entry.message = exhausted
                break
            }
            let flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK
            var fd = withRawCString(name) { openat(dirFD, $0, flags | ByteSource.noAtimeFlag) }
            if fd < 0 && errno == EPERM { fd = withRawCString(name) { openat(dirFD, $0, flags) } }
            guard fd >= 0 else {
                entry.status = .unsupported
                entry.message = "cannot open: \(String(cString: strerror(errno)))"
                break
            }
            let before = total
            if skipData.contains(position) {
                close(fd)
                entry.status = .corrupt
                entry.message = Self.crashedReadMessage
                break
            }
            let out = try readMarked(position, entry.virtualPath) {
                try readData(from: FileBlockSource(fd: fd), declaredSize: entry.declaredSize, sparseHint: false, plainFile: true)
            }
            apply(out, to: &entry)
            entry.expandedBytes = total - before
            if entry.status == .ok, let mime = entry.mime, Self.containerMIMEs.contains(mime), out.bytes > 0 {
                if budgets.maxDepth < 2 {
                    entry.status = .limitExceeded
                    entry.message = depthMessage(level: 2)
                } else {
                    entry.isContainer = true
                }
            }
        default:
            // FIFOs, sockets and devices: opening one could block or have side effects.
            entry.status = .unsupported
            entry.message = "not a regular file (special file); not read"
            entry.declaredSize = nil
        }
        state.note(entry)
        try deliver(.entry(entry))
        if entry.isContainer { try descend(into: entry, parent: place, state: &state) }
    }
}

/// Calls `body` with `bytes` as a NUL-terminated C string (names may not be valid UTF-8).
func withRawCString<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
    var z = bytes.map { CChar(bitPattern: $0) }
    z.append(0)
    return z.withUnsafeBufferPointer { buf in
        guard let base = buf.baseAddress else { return body("") }
        return body(base)
    }
}
