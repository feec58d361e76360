import EvidenceStore
import ExhibitKit
import Foundation
import Intake

/// The manifest hash of directory evidence: MD5/SHA-1/SHA-256 over one line per entry of the
/// directory (every kind: files, folders, symlinks, FIFOs, devices; nested archives' contents
/// excluded), sorted by the path's UTF-8 bytes. Version 1 (issue 15):
/// `<kind>\t<path inside the directory>\t<size>\t<sha256 or ->\t<link target or ->\n`, so a changed
/// link target, an added empty folder, link or FIFO, or a renamed folder changes it. Version 2
/// (issue 19) appends `\t<st_mode in octal or ->\t<mtime as recorded or ->`: a changed mode
/// (setuid bits, permissions) or a file's modification time changes it too, even when the contents
/// did not. The mtime is a regular file's only: a folder's changes whenever an entry is added or
/// removed (already a line of its own), a link's whenever it is recreated with the same target.
/// Version 3 (issue 19 item 8) appends `\t<uid:gid or ->`, the numeric owner of every entry
/// (`files.owner`): a `chown` of an evidence file, e.g. through a mount point inside the folder,
/// fails verify. The version is recorded with the hash in the audit chain (`manifest_version`; absent means 1),
/// so verify recomputes what was recorded. Documented in docs/schema.md.
public enum DirectoryManifest {
    /// The version new ingests record.
    public static let currentVersion = 3

    /// One entry of the manifest.
    public struct Line: Hashable, Sendable {
        /// `EntryKind` raw value (`file`, `directory`, `symlink`, `hardlink`, `other`).
        public var kind: String
        /// Path inside the directory.
        public var path: String
        /// Bytes read (0 for folders and links).
        public var size: Int64
        /// SHA-256 of a file's content; nil for other kinds or unread files.
        public var sha256: String?
        /// A link's target, as recorded (never followed).
        public var linkTarget: String?
        /// `st_mode` (type and permission bits), when known (version 2).
        public var mode: UInt32?
        /// The modification time's raw value (`seconds.nanoseconds`), when known (version 2).
        public var modified: String?
        /// The numeric owner `uid:gid`, when known (version 3).
        public var owner: String?
        /// Creates a line.
        public init(kind: String, path: String, size: Int64, sha256: String?, linkTarget: String?,
                    mode: UInt32? = nil, modified: String? = nil, owner: String? = nil) {
            self.kind = kind; self.path = path; self.size = size; self.sha256 = sha256; self.linkTarget = linkTarget
            self.mode = mode; self.modified = modified; self.owner = owner
        }
    }

    /// The manifest's hashes over `lines` (in any order), in format `version` (1, 2 or 3).
    public static func hash(_ lines: [Line], version: Int = currentVersion) -> FileHashes {
        var hasher = MultiHasher()
        for l in lines.sorted(by: { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }) {
            var text = "\(l.kind)\t\(l.path)\t\(l.size)\t\(l.sha256 ?? "-")\t\(l.linkTarget ?? "-")"
            if version >= 2 {
                let modified = l.kind == "file" ? l.modified : nil
                text += "\t\(l.mode.map { String($0, radix: 8) } ?? "-")\t\(modified ?? "-")"
            }
            if version >= 3 { text += "\t\(l.owner ?? "-")" }
            var bytes = Array((text + "\n").utf8)
            bytes.withUnsafeMutableBytes { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        return hasher.finalize()
    }

    /// From what an ingest committed.
    static func fromDatabase(_ db: EvidenceDatabase, evidenceLabel: String, version: Int = currentVersion) throws -> FileHashes {
        let rows = try db.listFiles(FileFilter(evidenceLabel: evidenceLabel))
        return hash(rows.compactMap { r in
            guard r.depth == 0 else { return nil }
            return Line(kind: r.kind.rawValue, path: VirtualPath.split(r.virtualPath).inner, size: r.size, sha256: r.hashes?.sha256,
                        linkTarget: r.linkTarget, mode: r.mode, modified: r.times.modified?.raw, owner: r.owner)
        }, version: version)
    }

    /// From the directory as it is now (re-reads every file; nested archives are not opened).
    static func fromDisk(path: String, label: String, temporaryDirectory: URL, version: Int = currentVersion) throws -> FileHashes {
        var budgets = IntakeBudgets.default
        budgets.maxDepth = 0
        let walker = try IntakeWalker(options: IntakeOptions(temporaryDirectory: temporaryDirectory, budgets: budgets, memoryThreshold: 1 << 20))
        var lines: [Line] = []
        _ = try walker.walk(EvidenceSource(path: path, label: label), accountedBytes: { _ in nil }) { event in
            if case .entry(let e) = event, e.position.count == 1 {
                lines.append(Line(kind: e.kind.rawValue, path: VirtualPath.split(e.virtualPath).inner, size: e.size,
                                  sha256: e.hashes?.sha256, linkTarget: e.linkTarget, mode: e.mode, modified: e.times.modified?.raw,
                                  owner: e.owner))
            }
        }
        return hash(lines, version: version)
    }
}
