import Crypto
import EvidenceStore
import ExhibitKit
import Foundation
import Intake

/// Encrypted iTunes/Finder backups (docs/intake.md, "Encrypted backups"): each stored file keeps
/// its own row (hashes of the stored, encrypted bytes; no device path) and becomes a container
/// of ONE synthetic child, its decrypted content (`<stored path>!/decrypted`, position
/// `parent + [0]`, its own hashes and MIME type, the manifest's device path), which analyzers see
/// like any file. The container commits after its child, so a resume re-enters it. A decrypted
/// app database or companion (`-wal`, `-journal`, a sibling database) is spooled with the stored
/// files' container, not its own: its analyzers run when the whole backup has been walked, with
/// its companions decrypted from their own stored files beside it (as for a plain backup); its
/// stored file closes then too.
extension EntrySink {
    /// Name of the synthetic child and the container format of its parent.
    static let decryptedName = "decrypted"
    static let encryptedFormat = "ios-backup-encrypted"
    /// Decrypted files up to this size stay in memory; larger ones go to a private temp file.
    static let decryptedMemoryLimit: Int64 = 16 << 20

    func handleEncrypted(_ e: IntakeEntry, key fk: FileKey) throws {
        let parentKey = e.key
        let childPosition = e.position + [0]
        if isCommitted(parentKey.child(0)) {
            // An earlier run committed the child but not its container: only the container is left.
            try handleEntry(e, asContainer: true)
            return try closeEncrypted(parentKey)
        }
        let siblings = parentKey.container
        var child: IntakeEntry?
        var problem = fk.problem
        if problem == nil, let key = fk.key {
            do {
                child = try decrypt(e, key: key, size: fk.size, position: childPosition)
                if child == nil { problem = "its bytes do not decrypt with its key (not whole AES blocks, or bad padding)" }
            } catch {
                problem = "decrypting it failed: \(error)"
            }
        }
        guard let child else {
            let why = problem ?? "no key"
            let warning = AnalysisErrorInput(
                analyzerID: "intake", analyzerVersion: ExhibitVersion.current, status: .warning, code: "backup-not-decrypted",
                message: "encrypted backup file \(fk.shownName) not decrypted: \(why); its stored (encrypted) bytes are kept", location: nil)
            try handleEntry(e, extraErrors: [warning])
            return
        }
        try handleEntry(e, asContainer: true)
        if try handleEntry(child, devicePathOverride: fk.devicePath, spoolContainer: siblings) {
            deferredEncrypted[siblings, default: []].append(parentKey)
            return
        }
        try closeEncrypted(parentKey)
    }

    /// Closes the stored files whose decrypted child was held with `container`'s siblings: called
    /// when that container ends, after its held rows (the children) were committed.
    func closeDeferredEncrypted(container: EntryKey) throws {
        guard let parents = deferredEncrypted.removeValue(forKey: container) else { return }
        for parentKey in parents { try closeEncrypted(parentKey) }
    }

    /// Runs what waits for the container (held databases), then lets the container commit after
    /// its child (in-flight analyses are drained first so the child is queued before it).
    private func closeEncrypted(_ parentKey: EntryKey) throws {
        try runHeld(container: parentKey)
        drain()
        if let failure { throw failure }
        try writer.closeContainer(evidenceID: evidenceID, entryKey: parentKey, status: .ok, message: nil,
                                  format: Self.encryptedFormat, flags: [], expandedBytes: 0)
    }

    /// AES-256-CBC (zero IV) decryption of the stored bytes, chunk by chunk, hashed and typed in
    /// the same pass as intake would. Stored bytes intake kept in memory (under its memory
    /// threshold) are decrypted in memory; larger ones, read from intake's spooled file, into a
    /// private (0600) file in the run's private temp folder, handed to analyzers from memory when
    /// at most ``decryptedMemoryLimit``. Nil when the bytes do not decrypt (a partial file is
    /// deleted at once).
    private func decrypt(_ e: IntakeEntry, key: SymmetricKey, size: Int64?, position: [Int]) throws -> IntakeEntry? {
        let next: () throws -> Data?
        var input: FileHandle?
        var inMemory = false
        switch e.content {
        case .temporaryFile(let url):
            guard let h = FileHandle(forReadingAtPath: url.path) else { throw IngestError("cannot read \(url.path)") }
            input = h
            next = { try h.read(upToCount: BackupCipher.chunkSize) }
        case .memory(let data):
            inMemory = Int64(data.count) <= Self.decryptedMemoryLimit
            var offset = 0
            next = {
                guard offset < data.count else { return nil }
                let end = min(offset + BackupCipher.chunkSize, data.count)
                defer { offset = end }
                return data.subdata(in: data.startIndex + offset..<data.startIndex + end)
            }
        case .none:
            return nil
        }
        defer { try? input?.close() }
        var plainData = Data()
        var output: FileHandle?
        var lease: ContentLease?
        var out: URL?
        if !inMemory {
            let folder = dispatcher.context.temporaryDirectory.appendingPathComponent("decrypted-\(evidenceID)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let url = folder.appendingPathComponent(EntryKey(position).text.replacingOccurrences(of: "/", with: "-"))
            _ = unlink(url.path)
            guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let h = FileHandle(forWritingAtPath: url.path) else {
                throw IngestError("cannot create a private temp file in \(folder.path)")
            }
            // The lease deletes the file when the last holder lets go (or now, if it does not decrypt).
            output = h; out = url; lease = ContentLease(url: url)
        }
        var hasher = MultiHasher()
        var head = Data()
        var total: Int64 = 0
        let ok: Bool
        do {
            ok = try BackupCipher.decrypt(next: next, write: { plain in
                if let output { try output.write(contentsOf: plain) } else { plainData.append(plain) }
                plain.withUnsafeBytes { hasher.update($0) }
                if head.count < Self.sniffBytes { head.append(plain.prefix(Self.sniffBytes - head.count)) }
                total += Int64(plain.count)
            }, key: key, size: size)
            try output?.close()
        } catch {
            try? output?.close()
            throw error
        }
        guard ok else { return nil }
        // libmagic sees the first MiB, told whether that is the whole file (one extra byte says not).
        let mime = mimeProbe.map { head.count == total ? $0.mime(of: head) : $0.mime(of: head + Data(count: 1)) }
            ?? "application/octet-stream"
        var content = FileContent.memory(plainData)
        if let out {
            content = .temporaryFile(out)
            if total <= Self.decryptedMemoryLimit, let data = FileManager.default.contents(atPath: out.path) {
                content = .memory(data)
                lease = nil
            }
        }
        return IntakeEntry(position: position, virtualPath: e.virtualPath + VirtualPath.containerSeparator + Self.decryptedName,
                           rawName: Array(Self.decryptedName.utf8), name: Self.decryptedName, nameEncoding: e.nameEncoding,
                           kind: .file, size: total, hashes: hasher.finalize(), mime: mime, content: content, lease: lease)
    }

    /// What libmagic is shown of a decrypted file (as intake shows it of any entry).
    static let sniffBytes = 1 << 20
}
