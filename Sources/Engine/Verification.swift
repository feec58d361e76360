import EvidenceStore
import ExhibitKit
import Foundation
import Intake

/// The manifest hash of directory evidence: MD5/SHA-1/SHA-256 over the lines
/// `<path inside the directory>\t<size>\t<sha256>\n` of its regular files (nested archives'
/// contents excluded), sorted by the path's UTF-8 bytes. Documented in docs/schema.md.
public enum DirectoryManifest {
    public struct Line: Hashable, Sendable { public var path: String; public var size: Int64; public var sha256: String }

    public static func hash(_ lines: [Line]) -> FileHashes {
        var hasher = MultiHasher()
        for l in lines.sorted(by: { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }) {
            let text = "\(l.path)\t\(l.size)\t\(l.sha256)\n"
            var bytes = Array(text.utf8)
            bytes.withUnsafeMutableBytes { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        return hasher.finalize()
    }

    /// From what an ingest committed.
    static func fromDatabase(_ db: EvidenceDatabase, evidenceLabel: String) throws -> FileHashes {
        let rows = try db.listFiles(FileFilter(evidenceLabel: evidenceLabel))
        return hash(rows.compactMap { r in
            guard r.depth == 0, r.kind == EntryKind.file.rawValue, let sha = r.hashes?.sha256 else { return nil }
            return Line(path: VirtualPath.split(r.path).inner, size: r.size, sha256: sha)
        })
    }

    /// From the directory as it is now (re-reads every file; nested archives are not opened).
    static func fromDisk(path: String, label: String, temporaryDirectory: URL) throws -> FileHashes {
        var budgets = IntakeBudgets.default
        budgets.maxDepth = 0
        let walker = try IntakeWalker(options: IntakeOptions(temporaryDirectory: temporaryDirectory, budgets: budgets, memoryThreshold: 1 << 20))
        var lines: [Line] = []
        _ = try walker.walk(EvidenceSource(path: path, label: label), accountedBytes: { _ in nil }) { event in
            if case .entry(let e) = event, e.position.count == 1, e.kind == .file, let h = e.hashes {
                lines.append(Line(path: VirtualPath.split(e.virtualPath).inner, size: e.size, sha256: h.sha256))
            }
        }
        return hash(lines)
    }
}

/// `exhibit verify`: re-hash every evidence item at its recorded path and re-check the audit
/// chain (and chain-head signatures). Passes only when all hold.
public enum CaseVerifier {
    public struct Report: Sendable {
        public var lines: [String]
        public var evidenceOK: Bool
        public var chainOK: Bool
        public var ok: Bool { evidenceOK && chainOK }
    }

    public static func verify(databasePath: String, temporaryRoot: String) throws -> Report {
        ProcessSetup.prepare()
        let db = try EvidenceDatabase.openExisting(path: databasePath, readOnly: true)
        var lines: [String] = []
        var evidenceOK = true
        let temp = try PrivateTemporaryDirectory(root: temporaryRoot)
        defer { temp.remove() }
        for e in try db.evidenceList() {
            guard FileManager.default.fileExists(atPath: e.path) else {
                evidenceOK = false
                lines.append("FAIL evidence \(e.label): not found at \(e.path) (mount or copy it back to that path)")
                continue
            }
            let now: FileHashes
            if e.kind == .directory {
                now = try DirectoryManifest.fromDisk(path: e.path, label: e.label, temporaryDirectory: temp.url)
            } else {
                now = try IntakeWalker.hashFile(atPath: e.path).hashes
            }
            if now == e.hashes {
                lines.append("ok   evidence \(e.label): \(e.kind == .directory ? "manifest " : "")SHA-256 \(now.sha256)")
            } else {
                evidenceOK = false
                lines.append("FAIL evidence \(e.label): SHA-256 now \(now.sha256), recorded \(e.hashes?.sha256 ?? "none") — the evidence at \(e.path) is not what was ingested")
            }
        }
        let chain = try db.verifyAuditChain()
        var chainOK = chain.ok
        lines.append(chain.ok ? "ok   audit chain: \(chain.entries) entries, head \(chain.head)" : "FAIL audit chain: \(chain.message)")
        for run in try db.runs() where run.signature != nil {
            guard let sig = run.signature, let pub = run.publicKey, let head = run.chainHead else { continue }
            if ChainSigner.verify(head: head, signatureHex: sig, publicKeyHex: pub) {
                lines.append("ok   run \(run.id) signature over chain head \(head) (public key \(pub))")
            } else {
                chainOK = false
                lines.append("FAIL run \(run.id): signature over chain head \(head) does not verify with its recorded public key")
            }
        }
        return Report(lines: lines, evidenceOK: evidenceOK, chainOK: chainOK)
    }
}
