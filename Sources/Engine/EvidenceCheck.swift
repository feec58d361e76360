import EvidenceStore
import ExhibitKit
import Foundation
import Intake

/// The evidence part of `exhibit verify`: each item's recorded hashes against the audit chain's
/// records (`evidence.hashed` for files, the last `evidence.complete` manifest for directories),
/// then the item itself — at its recorded path, or relocated — re-hashed against the chain.
enum EvidenceCheck {
    /// What the chain recorded for one item.
    struct Recorded {
        var md5, sha1, sha256: String?
        /// A directory manifest's format (``DirectoryManifest``); 1 when the record predates versions.
        var manifestVersion = 1
    }

    static func run(_ db: EvidenceDatabase, options: VerifyOptions, into report: inout CaseVerifier.Report) throws {
        let hashed = try db.auditEntries(action: "evidence.hashed")
        let completed = try db.auditEntries(action: "evidence.complete")
        var temp: PrivateTemporaryDirectory?
        defer { temp?.remove() }
        for e in try db.evidenceList() {
            // The label is the suspect's file name: shown with its bidi controls, isolated.
            let shown = ExportEscape.isolatedText(e.label)
            // 1. The row against the chain (the first record of the item is what was seized).
            let chain: Recorded?
            if e.kind == .directory {
                chain = completed.last { $0.details["label"] as? String == e.label && $0.details["manifest_sha256"] is String }
                    .map { Recorded(md5: nil, sha1: nil, sha256: $0.details["manifest_sha256"] as? String,
                                    manifestVersion: ($0.details["manifest_version"] as? NSNumber)?.intValue ?? 1) }
            } else {
                chain = hashed.first { $0.details["label"] as? String == e.label && $0.details["path"] as? String == e.path
                        && $0.details["sha256"] is String }
                    .map { Recorded(md5: $0.details["md5"] as? String, sha1: $0.details["sha1"] as? String,
                                    sha256: $0.details["sha256"] as? String) }
            }
            guard let chain, let expected = chain.sha256 else {
                if e.kind == .directory && !e.complete {
                    report.lines.append("note evidence \(shown): no manifest recorded yet — the ingest was interrupted before the walk finished")
                } else {
                    report.evidenceOK = false
                    report.lines.append("FAIL evidence \(shown): the audit log holds no hash record for it")
                }
                continue
            }
            let row = e.hashes
            let rowMatches = row?.sha256 == expected && (chain.md5 == nil || row?.md5 == chain.md5)
                && (chain.sha1 == nil || row?.sha1 == chain.sha1)
            if !rowMatches {
                report.evidenceOK = false
                report.lines.append("FAIL evidence \(shown): the evidence table says SHA-256 \(row?.sha256 ?? "none"), the audit chain recorded \(expected) — the recorded hash was edited")
            }
            if options.findingsOnly {
                if rowMatches { report.lines.append("ok   evidence \(shown): recorded SHA-256 \(expected) matches the audit chain (not re-read: --findings-only)") }
                continue
            }
            // 2. The evidence itself, re-hashed.
            let path = location(of: e, options: options)
            guard FileManager.default.fileExists(atPath: path) else {
                report.evidenceOK = false
                report.lines.append("FAIL evidence \(shown): not found at \(path) (mount or copy it there, or give --evidence-dir DIR or --evidence \(shown)=PATH)")
                continue
            }
            let now: FileHashes
            if e.kind == .directory {
                if temp == nil { temp = try PrivateTemporaryDirectory(root: options.temporaryRoot) }
                guard let dir = temp?.url else { continue }
                now = try DirectoryManifest.fromDisk(path: path, label: e.label, temporaryDirectory: dir, version: chain.manifestVersion)
            } else {
                now = try IntakeWalker.hashFile(atPath: path).hashes
            }
            let relocated = path == e.path ? "" : " at \(path)"
            if now.sha256 == expected && (chain.md5 == nil || now.md5 == chain.md5) && (chain.sha1 == nil || now.sha1 == chain.sha1) {
                report.lines.append("ok   evidence \(shown)\(relocated): \(e.kind == .directory ? "manifest " : "")SHA-256 \(now.sha256)")
            } else {
                report.evidenceOK = false
                report.lines.append("FAIL evidence \(shown): SHA-256 now \(now.sha256), recorded \(expected) — the evidence at \(path) is not what was ingested")
            }
        }
    }

    /// Where to read an item: `--evidence LABEL=PATH` (or ITEM=PATH), else `--evidence-dir`
    /// joined with the recorded path's last component, else the recorded path.
    static func location(of e: EvidenceRow, options: VerifyOptions) -> String {
        if let p = options.evidencePaths[e.label] ?? e.item.flatMap({ options.evidencePaths[$0] }) { return p }
        if let dir = options.evidenceDirectory {
            return URL(fileURLWithPath: dir).appendingPathComponent(URL(fileURLWithPath: e.path).lastPathComponent).path
        }
        return e.path
    }
}
