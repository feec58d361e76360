import ExhibitTesting
import Foundation
@testable import LabIndex
import PostgresNIO
import Testing

/// The near-duplicate probe's recall is exact: multi-index hashing over the eleven keys of
/// `PDQKeys` (within 2 flips each) finds every hash within the threshold 31, checked against a
/// brute-force scan of random hashes with near-duplicates planted at every distance 0…40 — flips
/// at random places, and flips spread as evenly over the keys as a distance allows (the
/// pigeonhole's worst case: at 31, ten keys 3 bits off and one key 1 bit off).
@Suite("Lab index: near-duplicate probe")
struct LabNearDuplicateTests {
    static let seed: UInt64 = 0x5eed_0017

    /// A random 256-bit hash as 64 hex digits.
    static func randomHash(_ r: inout SplitMix) -> [UInt8] { (0..<32).map { _ in UInt8(truncatingIfNeeded: r.next()) } }
    static func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int { zip(a, b).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount } }
    static func flip(_ h: [UInt8], bits: [Int]) -> [UInt8] {
        var h = h
        for b in bits { h[b / 8] ^= 0x80 >> UInt8(b % 8) }
        return h
    }
    /// `d` distinct bit positions at random.
    static func randomBits(_ d: Int, _ r: inout SplitMix) -> [Int] {
        var set = Set<Int>()
        while set.count < d { set.insert(Int(r.next() % 256)) }
        return set.sorted()
    }
    /// `d` bit positions dealt over the keys in turn (key 0, 1, …, 10, 0, …), at random inside each.
    static func spreadBits(_ d: Int, _ r: inout SplitMix) -> [Int] {
        var used = Set<Int>()
        for i in 0..<d {
            let k = i % PDQKeys.widths.count
            while true {
                let b = PDQKeys.starts[k] + Int(r.next() % UInt64(PDQKeys.widths[k]))
                if used.insert(b).inserted { break }
            }
        }
        return used.sorted()
    }
    /// Hashes planted around `q`: per distance 0…40, three at random places and one spread.
    static func planted(around q: [UInt8], _ r: inout SplitMix) -> [[UInt8]] {
        (0...40).flatMap { d in (0..<3).map { _ in flip(q, bits: randomBits(d, &r)) } + [flip(q, bits: spreadBits(d, &r))] }
    }

    @Test func theKeysAreTheHashsBitsAndCoverEveryHashWithinTheThreshold() throws {
        let concert = "64d69b2966d69939b36b66d69929666664d699296656a52b912964761b2b5ad4"
        let keys = PDQKeys(try #require(PDQChunks(hex: concert))).keys
        // 24 + 24 + 24 bits are the first 18 hex digits; the fourth key is the next 23 bits.
        #expect(Array(keys.prefix(4)) == [0x64d69b, 0x2966d6, 0x9939b3, 0x6b66d6 >> 1], "\(keys.map { String($0, radix: 16) })")
        #expect(PDQKeys.widths.reduce(0, +) == 256)
        #expect(PDQKeys.neighbours(0, width: 24, flips: 2).count == 1 + 24 + 276)
        #expect(Set(PDQKeys.neighbours(0, width: 23, flips: 2)).count == 1 + 23 + 253)
        #expect(PDQKeys.flips(forDistance: 31) == 2)

        var r = SplitMix(seed: Self.seed)
        var checked = 0
        for _ in 0..<100 {
            let q = Self.randomHash(&r)
            let qk = PDQKeys(try #require(PDQChunks(hex: Self.hex(q)))).keys
            let probes = zip(qk, PDQKeys.widths).map { Set(PDQKeys.neighbours($0, width: $1, flips: 2)) }
            for h in Self.planted(around: q, &r) where Self.distance(q, h) <= 31 {
                let hk = PDQKeys(try #require(PDQChunks(hex: Self.hex(h)))).keys
                #expect(hk.indices.contains { probes[$0].contains(hk[$0]) }, "seed \(Self.seed): \(Self.hex(h)) at \(Self.distance(q, h)) escapes every key")
                checked += 1
            }
        }
        #expect(checked == 100 * 32 * 4)
    }

    @Test func nearDuplicatesAreExactlyTheBruteForceAnswer() async throws {
        var r = SplitMix(seed: Self.seed)
        let queries = (0..<3).map { _ in Self.randomHash(&r) }
        var hashes = (0..<5_000).map { _ in Self.randomHash(&r) }
        for q in queries { hashes += Self.planted(around: q, &r) }
        try await LabFixture.withLab { _, url in
            try await LabFixture.session(url) { lab in
                var cid = 0
                for try await id in try await lab.rawQuery("""
                    INSERT INTO lab_cases (name, db_path, published_utc, row_counts) VALUES ('SYNTH', '(synthetic)', '2026-12-07T00:00:00Z', '{}')
                    RETURNING case_id
                    """).decode(Int.self) { cid = id }
                try await lab.rawExecute("CREATE TABLE lab_pdq_case\(cid) PARTITION OF lab_pdq FOR VALUES IN (\(cid))")
                try await lab.rawExecute("CREATE TABLE lab_files_case\(cid) PARTITION OF lab_files FOR VALUES IN (\(cid))")
                // The chunk columns as publish derives them (PDQChunks); the keys are the indexes' expressions.
                var binds = PostgresBindings()
                binds.append(hashes.map(Self.hex))
                let chunks = (0..<16).map { "('x' || substr(h, \(4 * $0 + 1), 4))::bit(16)::integer" }.joined(separator: ", ")
                _ = try await lab.rawQuery(PostgresQuery(unsafeSQL: """
                    INSERT INTO lab_pdq (case_id, media_hash_id, file_id, algorithm, hash_hex, hash, quality, \((0..<16).map { "c\($0)" }.joined(separator: ", ")))
                    SELECT \(cid), i, i, 'pdq', h, ('x' || h)::bit(256), 100, \(chunks) FROM unnest($1::text[]) WITH ORDINALITY u(h, i)
                    """, binds: binds))
                try await lab.rawExecute("""
                    INSERT INTO lab_files (case_id, file_id, evidence_id, path, name, kind, sha256)
                    SELECT \(cid), i, 1, 'synthetic/' || i, i::text, 'file', 'sha-' || i FROM generate_series(1, \(hashes.count)) i
                    """)
                try await lab.rawExecute("ANALYZE lab_pdq_case\(cid)")
                // The chunk columns and the key expressions give the keys Swift computes.
                for i in [0, 1, hashes.count - 1] {
                    let keys = PDQKeys(try #require(PDQChunks(hex: Self.hex(hashes[i])))).keys
                    let sql = "SELECT ARRAY[\(PDQKeys.widths.indices.map { PDQKeys.expression($0) }.joined(separator: ", "))]::text FROM lab_pdq WHERE media_hash_id = \(i + 1)"
                    for try await s in try await lab.rawQuery(sql).decode(String.self) {
                        #expect(s == "{" + keys.map(String.init).joined(separator: ",") + "}")
                    }
                }
                // The probe must go through the key indexes (a scan would be exact without them).
                try await lab.rawExecute("SET enable_seqscan = off")
                var plan = ""
                let explain = "EXPLAIN SELECT count(*) FROM lab_pdq p WHERE \(LabIndex.keyCondition(firstParameter: 1))"
                var eb = PostgresBindings()
                for values in LabIndex.keyValues(try #require(PDQChunks(hex: Self.hex(queries[0]))), maxDistance: 31) { eb.append(values) }
                for try await line in try await lab.rawQuery(PostgresQuery(unsafeSQL: explain, binds: eb)).decode(String.self) { plan += line + "\n" }
                #expect(plan.components(separatedBy: "Bitmap Index Scan").count - 1 == PDQKeys.widths.count && !plan.contains("Seq Scan"), "\(plan)")

                var found = 0
                for q in queries {
                    for d in [31, 15, 1, 0, 40] {
                        let got = try await lab.nearDuplicates(Self.hex(q), maxDistance: d)
                        var answer: [String: Int] = [:]
                        for (i, h) in hashes.enumerated() where Self.distance(q, h) <= d { answer["sha-\(i + 1)"] = Self.distance(q, h) }
                        #expect(Dictionary(uniqueKeysWithValues: got.map { ($0.sha256, $0.distance) }) == answer,
                                "seed \(Self.seed), distance \(d): \(got.count) found, \(answer.count) by brute force")
                        if d == 31 { found += answer.count }
                    }
                }
                #expect(found >= 3 * 32 * 4, "every planted hash within 31 is an answer")
            }
        }
    }
}
