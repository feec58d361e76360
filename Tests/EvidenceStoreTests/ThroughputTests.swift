import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// Measures (prints, does not assert) how fast a 200,000-file inventory commits, and checks
/// that everything arrived.
@Suite("Commit throughput")
struct ThroughputTests {
    @Test func twoHundredThousandFiles() throws {
        let dir = try TempDir()
        let (db, ev) = try StoreInputs.database(in: dir)
        let count = 200_000
        let batch = 500
        var outcomes: [FileOutcome] = []
        outcomes.reserveCapacity(count)
        for i in 0..<count {
            var r = StoreInputs.record("\(i)", path: "many/f\(i).txt", size: Int64(i % 977))
            r.hashes = FileHashes(md5: StoreInputs.hex("m\(i)", length: 32), sha1: StoreInputs.hex("s\(i)", length: 40),
                                  sha256: StoreInputs.hex("h\(i)", length: 64))
            outcomes.append(FileOutcome(evidenceID: ev, record: r))
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        let run = try db.beginRun(toolVersion: "test", commandLine: [], options: .null, jobs: 2)
        var start = 0
        while start < count {
            try db.commit(Array(outcomes[start..<min(start + batch, count)]))
            start += batch
        }
        let tCommitted = clock.now
        try db.finishRun(id: run, status: "completed", filesCommitted: count, chainHead: AuditChain.genesis,
                         signature: nil, publicKey: nil)
        let t1 = clock.now
        #expect(try db.deferredIndexesMissing().isEmpty)
        let committed = try db.committedEntries(evidenceID: ev)
        let t2 = clock.now
        _ = try db.digest()
        let t3 = clock.now
        #expect(committed.count == count)
        let (elapsed, entries, digestTime) = (t1 - t0, t2 - t1, t3 - t2)
        print("EvidenceStore: committed \(count) files in batches of \(batch) in \(elapsed) "
              + "(of which rebuilding hash indexes \(t1 - tCommitted)); "
              + "committedEntries \(entries); digest \(digestTime)")
        #expect(try db.statusCounts() == ["ok": count])
        #expect(try db.integrityCheck() == ["ok"])
    }
}
