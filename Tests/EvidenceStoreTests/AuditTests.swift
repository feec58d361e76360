import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

@Suite("Audit log hash chain and signatures")
struct AuditTests {
    /// A case database with three audit entries; returns it, its path and the head.
    func chain(_ dir: TempDir) throws -> (EvidenceDatabase, String, String) {
        let path = dir.path("case.sqlite")
        let db = try EvidenceDatabase(path: path)
        #expect(try db.auditHead() == AuditChain.genesis)
        try db.appendAudit(action: "case.created", details: .object(["case": .string("2024-SEOUL-0042"), "examiner": .string("Kim J.")]))
        try db.appendAudit(action: "evidence.hashed", details: .object(["sha256": .string(StoreInputs.hashes("z").sha256), "label": .string("seized.zip")]))
        let head = try db.appendAudit(action: "ingest.finished", details: .object(["files": .number(12)]))
        return (db, path, head)
    }

    @Test func appendAndVerify() throws {
        let dir = try TempDir()
        let (db, _, head) = try chain(dir)
        #expect(try db.auditHead() == head)
        let report = try db.verifyAuditChain()
        #expect(report == AuditChainReport(ok: true, entries: 3, head: head, firstBadSeq: nil, problem: nil,
                                           message: "audit_log: 3 entries, chain intact, head \(head)"))
        // The documented recipe, recomputed here from the stored columns.
        let rows = try db.queue.read { try Row.fetchAll($0, sql: "SELECT seq, utc, action, details, prev_hash, hash FROM audit_log ORDER BY seq") }
        var prev = String(repeating: "0", count: 64)
        for row in rows {
            let details: String = row["details"]
            #expect(row["prev_hash"] == prev)
            prev = AuditChain.hash(prevHash: prev, seq: row["seq"], utc: row["utc"], action: row["action"], details: details)
            #expect(row["hash"] == prev)
            #expect((row["utc"] as String).hasSuffix("Z"))
        }
        #expect(rows[1]["details"] == #"{"label":"seized.zip","sha256":"\#(StoreInputs.hashes("z").sha256)"}"#)
        // Fixed vector computed with python3 hashlib from the documented byte string.
        #expect(AuditChain.hash(prevHash: AuditChain.genesis, seq: 1, utc: "2024-01-01T00:00:00Z", action: "a", details: "{}")
                == "825d396e3e5a3340169d911c3d334aba8d25d696ed65fdf24bc9bfec39f8ea7c")
    }

    @Test func detectsAnEditedRow() throws {
        let dir = try TempDir()
        let (db, path, _) = try chain(dir)
        try StoreInputs.rawConnection(path).write { c in
            try c.execute(sql: "DROP TRIGGER audit_log_no_update")
            try c.execute(sql: #"UPDATE audit_log SET details = '{"label":"clean.zip"}' WHERE seq = 2"#)
        }
        let report = try db.verifyAuditChain()
        #expect(!report.ok)
        #expect(report.firstBadSeq == 2)
        #expect(report.problem == .hashMismatch)
        #expect(report.message == "audit_log: entry 2 was altered (its hash does not match its content)")
    }

    @Test func detectsARewrittenRowByItsBrokenLink() throws {
        let dir = try TempDir()
        let (db, path, _) = try chain(dir)
        // A careful forger recomputes row 2's own hash; row 3 still points at the old one.
        try StoreInputs.rawConnection(path).write { c in
            try c.execute(sql: "DROP TRIGGER audit_log_no_update")
            let row = try #require(try Row.fetchOne(c, sql: "SELECT prev_hash, utc, action FROM audit_log WHERE seq = 2"))
            let forged = AuditChain.hash(prevHash: row["prev_hash"], seq: 2, utc: row["utc"], action: row["action"], details: "{}")
            try c.execute(sql: "UPDATE audit_log SET details = '{}', hash = ? WHERE seq = 2", arguments: [forged])
        }
        let report = try db.verifyAuditChain()
        #expect(report.problem == .brokenLink)
        #expect(report.firstBadSeq == 3)
    }

    @Test func detectsADeletedRow() throws {
        let dir = try TempDir()
        let (db, path, _) = try chain(dir)
        try StoreInputs.rawConnection(path).write { c in
            try c.execute(sql: "DROP TRIGGER audit_log_no_delete")
            try c.execute(sql: "DELETE FROM audit_log WHERE seq = 2")
        }
        let report = try db.verifyAuditChain()
        #expect(report.problem == .gap)
        #expect(report.firstBadSeq == 2)
        #expect(report.message == "audit_log: entry 2 is missing (next entry is 3)")
    }

    @Test func detectsACutTailThroughTheRecordedRunHead() throws {
        let dir = try TempDir()
        let (db, path, head) = try chain(dir)
        let run = try db.beginRun(toolVersion: "0.1.0", commandLine: [], options: .null, jobs: 1)
        try db.finishRun(id: run, status: "completed", filesCommitted: 0, chainHead: head, signature: nil, publicKey: nil)
        #expect(try db.verifyAuditChain().ok)
        try StoreInputs.rawConnection(path).write { c in
            try c.execute(sql: "DROP TRIGGER audit_log_no_delete")
            try c.execute(sql: "DELETE FROM audit_log WHERE seq = 3")
        }
        let report = try db.verifyAuditChain()
        #expect(report.problem == .missingRunHead)
        #expect(report.entries == 2)
    }

    @Test func signingRoundTrip() throws {
        let dir = try TempDir()
        let (priv, pub) = ChainSigner.generateKey()
        #expect(priv.count == 64 && pub.count == 64)
        // Whitespace and case do not matter in the key file.
        let keyFile = dir.path("exhibit.key")
        let spaced = priv.uppercased().enumerated().map { $0.offset % 16 == 15 ? "\($0.element)\n" : "\($0.element)" }.joined()
        try Data(("  " + spaced + "\n").utf8).write(to: URL(fileURLWithPath: keyFile))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
        let (_, _, head) = try chain(dir)
        let (sig, signerPub) = try ChainSigner.sign(head: head, privateKeyFile: keyFile)
        #expect(signerPub == pub)
        #expect(sig.count == 128)
        #expect(ChainSigner.verify(head: head, signatureHex: sig, publicKeyHex: pub))
        #expect(!ChainSigner.verify(head: AuditChain.genesis, signatureHex: sig, publicKeyHex: pub))
        #expect(!ChainSigner.verify(head: head, signatureHex: sig, publicKeyHex: ChainSigner.generateKey().publicHex))
        #expect(!ChainSigner.verify(head: head, signatureHex: "zz", publicKeyHex: pub))
        let bad = dir.path("bad.key")
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: bad))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: bad)
        #expect(throws: ChainSignerError.malformedKey(path: bad, reason: "7 non-space characters")) {
            try ChainSigner.sign(head: head, privateKeyFile: bad)
        }
        #expect(throws: ChainSignerError.notAKeyFile(looksLikeKey: false)) {
            try ChainSigner.sign(head: head, privateKeyFile: dir.path("none.key"))
        }
    }

    /// Issue 15: a key file others can read is refused, and a key given where its file's path
    /// belongs is refused without being repeated in the message.
    @Test func keyFileMustBePrivateAndAKeyIsNeverEchoed() throws {
        let dir = try TempDir()
        let (priv, _) = ChainSigner.generateKey()
        let keyFile = dir.path("open.key")
        try Data(priv.utf8).write(to: URL(fileURLWithPath: keyFile))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile)
        #expect(throws: ChainSignerError.exposedKeyFile(path: keyFile, mode: 0o644)) { try ChainSigner.checkKeyFile(keyFile) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
        #expect(try ChainSigner.checkKeyFile(keyFile).count == 64)
        for given in [priv, priv.uppercased(), Data(repeating: 7, count: 32).base64EncodedString()] {
            #expect(ChainSigner.looksLikeKey(given))
            do {
                try ChainSigner.checkKeyFile(given)
                Issue.record("a key given as the path was accepted")
            } catch {
                #expect(error as? ChainSignerError == .notAKeyFile(looksLikeKey: true))
                #expect(!"\(error)".contains(given))
            }
        }
        #expect(!ChainSigner.looksLikeKey("/cases/keys/examiner.key"))
        #expect(!ChainSigner.looksLikeKey(String(repeating: "ab", count: 32) + ".key"))
    }

    /// RFC 8032 test vector 1 (empty message): the key file format is the raw seed.
    @Test func rfc8032Vector() throws {
        let dir = try TempDir()
        let keyFile = dir.path("rfc.key")
        try Data("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60".utf8).write(to: URL(fileURLWithPath: keyFile))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
        let (_, pub) = try ChainSigner.sign(head: "", privateKeyFile: keyFile)
        #expect(pub == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let sig = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        #expect(ChainSigner.verify(head: "", signatureHex: sig, publicKeyHex: pub))
    }
}
