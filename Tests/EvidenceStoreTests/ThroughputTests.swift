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
        let (db, ev) = try Fixture.database(in: dir)
        let count = 200_000
        let batch = 500
        var outcomes: [FileOutcome] = []
        outcomes.reserveCapacity(count)
        for i in 0..<count {
            var r = Fixture.record("\(i)", path: "many/f\(i).txt", size: Int64(i % 977))
            r.hashes = FileHashes(md5: Fixture.hex("m\(i)", length: 32), sha1: Fixture.hex("s\(i)", length: 40),
                                  sha256: Fixture.hex("h\(i)", length: 64))
            outcomes.append(FileOutcome(evidenceID: ev, record: r))
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        var start = 0
        while start < count {
            try db.commit(Array(outcomes[start..<min(start + batch, count)]))
            start += batch
        }
        let t1 = clock.now
        let committed = try db.committedEntries(evidenceID: ev)
        let t2 = clock.now
        _ = try db.digest()
        let t3 = clock.now
        #expect(committed.count == count)
        let (elapsed, entries, digestTime) = (t1 - t0, t2 - t1, t3 - t2)
        print("EvidenceStore: committed \(count) files in batches of \(batch) in \(elapsed); "
              + "committedEntries \(entries); digest \(digestTime)")
        #expect(try db.statusCounts() == ["ok": count])
        #expect(try db.integrityCheck() == ["ok"])
    }
}
