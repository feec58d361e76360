import CSandbox
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
    /// before its children. Symlinks are recorded, never followed; nothing is opened for writing;
    /// everything is read through a read-only noatime view where the kernel allows it, else files
    /// with `O_NOATIME` where permitted.
    func walkDirectory(path: String, label: String) throws -> ContainerSummary {
        let opened = openDirectory(at: AT_FDCWD, path)
        guard opened >= 0 else {
            throw IntakeError(operation: "open directory", path: path, message: String(cString: strerror(errno)))
        }
        // Where the kernel and privileges allow (root, Linux 5.12+), the walk goes through a
        // detached read-only, noatime clone of the folder's mounts: reading a symlink's target
        // updates the link's atime whatever the open flags, and O_NOATIME only works for the
        // files' owner. Without CAP_SYS_ADMIN (not root, or root in a container): the same clone,
        // read-only, made in a user namespace of its own (where unprivileged ones are allowed).
        // Otherwise the folder is read in place (docs/intake.md says what changes).
        var view = exhibit_readonly_view(opened)
        if view < 0 { view = exhibit_readonly_view_userns(path) }
        var root = opened
        if view >= 0 {
            let throughView = openat(view, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            // The view opened the path again (unprivileged): it must be the folder opened above.
            var a = stat(), b = stat()
            if throughView >= 0, fstat(throughView, &a) == 0, fstat(opened, &b) == 0, a.st_dev == b.st_dev, a.st_ino == b.st_ino {
                close(opened); root = throughView
            } else if throughView >= 0 {
                close(throughView)
            }
        }
        defer {
            close(root)
            if view >= 0 { close(view) }
        }
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

    /// Sorted raw names in a directory (without `.` and `..`), and the error that cut the listing
    /// short (the names read before it are kept).
    private func list(_ dirFD: Int32) -> (names: [[UInt8]], error: String?) {
        let dupFD = dup(dirFD)
        guard dupFD >= 0 else { return ([], String(cString: strerror(errno))) }
        guard let dir = fdopendir(dupFD) else { let e = String(cString: strerror(errno)); close(dupFD); return ([], e) }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        var failure: String?
        while true {
            errno = 0
            guard let ent = readdir(dir) else {
                if errno != 0 { failure = String(cString: strerror(errno)) }
                break
            }
            let name: [UInt8] = withUnsafeBytes(of: ent.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [46] || name == [46, 46] { continue }
            names.append(name)
        }
        return (names.sorted { $0.lexicographicallyPrecedes($1) }, failure)
    }

    /// Folders open at once during a walk; deeper ones are reopened through `..` (checked by device
    /// and inode) when the walk comes back up, so any depth costs this many descriptors at most.
    static let openFolderLimit = 32
    /// Deepest folder level walked, and longest relative path: deeper folders are one row each with
    /// status `limit-exceeded` (their entries are not examined) and the item says so.
    static let maxFolderDepth = 4096
    static let maxFolderPathBytes = 32_768

    /// One folder being walked: its sorted names, the next one to visit, and how to find it again.
    private struct Frame {
        var fd: Int32
        var names: [[UInt8]]
        var next = 0
        var prefix: [UInt8]
        var device: UInt64
        var inode: UInt64
    }

    /// Walks the tree below `root` iteratively (no recursion: a 30,000-deep tree cannot overflow
    /// the stack) with at most ``openFolderLimit`` descriptors. Every entry that cannot be examined
    /// (an unreadable folder, a listing error, a folder too deep, a folder replaced while walked) is
    /// a row with its status and reason, so the item's status says so.
    private func visit(directory root: Int32, prefix: [UInt8], place: ContainerPlace, state: inout ContainerState) throws {
        var rootStat = stat()
        fstat(root, &rootStat)
        let rootList = list(root)
        if let e = rootList.error { state.stop(.unsupported, "cannot list the folder: \(e); entries after the error were not examined") }
        var stack = [Frame(fd: root, names: rootList.names, prefix: prefix, device: UInt64(rootStat.st_dev), inode: UInt64(rootStat.st_ino))]
        defer { for f in stack.dropFirst() where f.fd >= 0 { close(f.fd) } }
        while let top = stack.last {
            if state.stopped { return }
            guard top.next < top.names.count else {
                let done = stack.removeLast()
                guard !stack.isEmpty else { return }   // the root: its descriptor is the caller's
                defer { close(done.fd) }
                guard var parent = stack.last, parent.fd < 0 else { continue }
                // Reopen the parent through "..", from the folder just finished (still open).
                let fd = reopenParent(of: done.fd, expect: parent)
                if fd < 0 {
                    state.stop(.unsupported, "a folder changed while it was being read (\(String(decoding: parent.prefix, as: UTF8.self))); the rest was not examined")
                    return
                }
                parent.fd = fd
                stack[stack.count - 1] = parent
                continue
            }
            let name = top.names[top.next]
            stack[stack.count - 1].next += 1
            guard state.index < budgets.maxEntriesPerArchive else {
                state.stop(.limitExceeded, "more than \(budgets.maxEntriesPerArchive) entries in one container (raise with --max-entries)")
                return
            }
            let dirFD = top.fd
            let position = [state.index]
            state.index += 1
            let rel = top.prefix.isEmpty ? name : top.prefix + [47] + name
            var st = stat()
            let statOK = withRawCString(name) { fstatat(dirFD, $0, &st, AT_SYMLINK_NOFOLLOW) == 0 }
            let isDirectory = statOK && UInt32(st.st_mode) & FileTypeBits.mask == FileTypeBits.directory
            // Another file system mounted inside the evidence: walked, and said on its row.
            let mountPoint = isDirectory && UInt64(st.st_dev) != top.device
            // A folder is opened and listed before its row is written, so the row can say when its
            // entries could not be examined.
            var child: Frame?
            var folderProblem: (EntryStatus, String)?
            if isDirectory, !state.stopped {
                if stack.count >= Self.maxFolderDepth || rel.count > Self.maxFolderPathBytes {
                    folderProblem = (.limitExceeded, "deeper than \(Self.maxFolderDepth) folder levels or \(Self.maxFolderPathBytes) bytes of path; its entries were not examined")
                } else {
                    let fd = withRawCString(name) { openDirectory(at: dirFD, $0) }
                    if fd < 0 {
                        folderProblem = (.unsupported, "cannot open the folder: \(String(cString: strerror(errno))); its entries were not examined")
                    } else {
                        let listed = list(fd)
                        if let e = listed.error { folderProblem = (.unsupported, "cannot list the folder: \(e); entries after the error were not examined") }
                        var cst = stat()
                        fstat(fd, &cst)
                        child = Frame(fd: fd, names: listed.names, prefix: rel, device: UInt64(cst.st_dev), inode: UInt64(cst.st_ino))
                    }
                }
            }
            if let charged = accounted(position) {
                total += charged
                // Its bytes were evidence bytes the first time too: without them a resumed walk
                // (a restart after the intake guard) would see a far higher expansion ratio.
                if statOK, UInt32(st.st_mode) & FileTypeBits.mask == FileTypeBits.regular { evidenceBytes += Int64(st.st_size) }
                if let (status, _) = folderProblem { state.note(status: status) }
            } else {
                try processFile(dirFD, name: name, rel: rel, st: statOK ? st : nil, position: position, place: place,
                                folderProblem: folderProblem, mountPoint: mountPoint, state: &state)
            }
            guard var next = child else { continue }
            if state.stopped { close(next.fd); return }
            // Bounded descriptors: the folder that is now too far up is closed, reopened on the way back.
            let far = stack.count - Self.openFolderLimit
            if far >= 1, stack[far].fd >= 0 { close(stack[far].fd); stack[far].fd = -1 }
            next.next = 0
            stack.append(next)
        }
    }

    /// Opens `..` of the folder open at `fd` and checks it is still the folder walked before.
    private func reopenParent(of fd: Int32, expect: Frame) -> Int32 {
        let parent = openDirectory(at: fd, "..")
        guard parent >= 0 else { return -1 }
        var st = stat()
        guard fstat(parent, &st) == 0, UInt64(st.st_dev) == expect.device, UInt64(st.st_ino) == expect.inode else {
            close(parent)
            return -1
        }
        return parent
    }

    private func processFile(_ dirFD: Int32, name: [UInt8], rel: [UInt8], st: stat?, position: [Int], place: ContainerPlace,
                             folderProblem: (EntryStatus, String)? = nil, mountPoint: Bool = false,
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
        entry.owner = "\(st.st_uid):\(st.st_gid)"
        entry.declaredSize = Int64(st.st_size)
        switch UInt32(st.st_mode) & FileTypeBits.mask {
        case FileTypeBits.directory:
            entry.kind = .directory
            entry.declaredSize = nil
            if let (status, message) = folderProblem { entry.status = status; entry.message = message }
            if mountPoint {
                entry.flags.append("mount-point")
                if entry.message == nil { entry.message = "a mount point: the folder's entries are on another file system" }
            }
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
            // The size when listed against the bytes read: a file changed under the walk (or a
            // pseudo-file) is flagged, and one that shrank is not recorded as fully read.
            if entry.status == .ok, let declared = entry.declaredSize, declared != out.bytes {
                entry.flags.append("size-mismatch")
                if out.bytes < declared {
                    entry.status = .truncated
                    entry.message = "the file shrank while it was read: \(declared) bytes when listed, \(out.bytes) read"
                } else {
                    entry.message = "the file grew while it was read: \(declared) bytes when listed, \(out.bytes) read"
                }
            }
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
