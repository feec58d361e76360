import ExhibitTesting
import Foundation
@testable import SQLiteForensics
import Testing

/// The live rows' digests and samples are made lazily, table by table, when the carve first asks
/// (LiveRowIndex.swift, docs/recovery.md "Cost"): the same digests and samples an eager walk
/// makes, and none at all for a database with nothing to carve.
@Suite("SQLite recovery: live-row digests made when the carve asks")
struct LiveRowIndexTests {
    /// The run after the live walk, as ``SQLiteRecovery`` makes it (no WAL or journal: the cases'
    /// main files).
    static func walked(_ c: RecoveryCase) throws -> RecoveryRun {
        let src = ByteSource(c.database)
        let header = try DatabaseHeader.parse(ByteView(try #require(src.read(0, 100)))).get()
        var run = RecoveryRun(live: PageImage(file: src, header: header), wal: nil, currentFrames: [:], journal: [], problems: [])
        run.loadSchema()
        run.walkLive()
        run.learnFirstColumnSizes()
        return run
    }

    /// Every live row of every rowid table, read the eager way (one walk visiting each row, the
    /// schema's pages claimed first): what the index must hold once built.
    static func eagerRows(_ run: RecoveryRun) -> [Int: [(rowid: Int64?, values: [SQLValue])]] {
        var claimed: Set<Int> = []
        _ = run.live.walkTable(root: 1, claimed: &claimed)
        var out: [Int: [(rowid: Int64?, values: [SQLValue])]] = [:]
        for (i, t) in run.tables.enumerated() where t.rootPage > 0 && !t.withoutRowid {
            var rows: [(rowid: Int64?, values: [SQLValue])] = []
            _ = run.live.walkTable(root: t.rootPage, claimed: &claimed) { rows.append(($0.rowid, RecoveryRun.storedValues($0, t))) }
            out[i] = rows
        }
        return out
    }

    @Test func theLazyIndexHoldsWhatAnEagerWalkMakes() throws {
        let cases = try RecoveryCase.all()
        try #require(!cases.isEmpty)
        var rowsChecked = 0
        for c in cases {
            let run = try Self.walked(c)
            let eager = Self.eagerRows(run)
            let samples = run.liveRows  // builds every pending table
            for (t, rows) in eager {
                #expect(run.liveCounts[t] == rows.count, "\(c.name) table \(t): \(run.liveCounts[t] ?? -1) counted, \(rows.count) walked")
                for r in rows {
                    #expect(run.isLive(.values, t, RowDigest(r.values)))
                    #expect(run.isLive(.rowKey, t, RowDigest(r.values, rowid: r.rowid)))
                    #expect(run.isLive(.tail, t, RowDigest(r.values.dropFirst())))
                }
                let sample = samples[t] ?? []
                #expect(sample.count <= rows.count)
                #expect(sample == rows.prefix(sample.count).map(\.values), "\(c.name) table \(t): the sample is the first rows, in order")
                rowsChecked += rows.count
            }
            // A row that is not live is not found: the digests are of these rows, not of anything.
            if let (t, rows) = eager.first(where: { !$0.value.isEmpty }), let first = rows.first {
                #expect(!run.isLive(.values, t, RowDigest(first.values + [.text("not a live row")])))
            }
        }
        #expect(rowsChecked >= 500, "\(rowsChecked) live rows checked")
    }

    @Test func aDatabaseWithNothingToCarveIsNeverDigested() throws {
        // `secure`: deleted with secure_delete on, so its free space holds zeros only.
        let c = try RecoveryCase.load("secure")
        var run = try Self.walked(c)
        try #require(run.liveCounts.values.reduce(0, +) > 0, "the case has live rows")
        run.carveCurrent()
        run.carveVersions()
        #expect(run.records.isEmpty)
        #expect(run.liveIndex.built.isEmpty, "tables digested: \(run.liveIndex.built)")
    }

    @Test func onlyTheTablesTheCarveAsksAboutAreDigested() throws {
        var sawPartial = false
        for c in try RecoveryCase.all() where !c.expectNone {
            var run = try Self.walked(c)
            run.carveCurrent()
            run.carveVersions()
            run.flagDuplicates()
            let live = Set(run.tables.indices.filter { run.tables[$0].rootPage > 0 && !run.tables[$0].withoutRowid && (run.liveCounts[$0] ?? 0) > 0 })
            let asked = Set(run.records.compactMap { r in r.tableName.flatMap { n in run.tables.firstIndex { $0.name == n } } })
            let built = Set(run.liveIndex.built)
            #expect(built.isSubset(of: live.union(asked)), "\(c.name): built \(built)")
            #expect(asked.intersection(live).isSubset(of: built), "\(c.name): every live table a row was judged against is built")
            if built.count < live.count { sawPartial = true }
        }
        #expect(sawPartial, "some case digests fewer tables than it has")
    }

    /// Every page of every generated case and phone database read both ways: the same cells
    /// refused with the same problems, and each shape that of the decoded values.
    @Test func shapesAreThoseOfTheDecodedValues() throws {
        var files = try RecoveryCase.all().map { ($0.name, $0.database) }
        let phone = Corpus.url("phone")
        for case let url as URL in FileManager.default.enumerator(at: phone, includingPropertiesForKeys: nil) ?? .init()
        where ["db", "sqlite"].contains(url.pathExtension) {
            if let d = FileManager.default.contents(atPath: url.path), d.starts(with: Array("SQLite format 3".utf8)) {
                files.append((url.lastPathComponent, [UInt8](d)))
            }
        }
        try #require(files.count >= 10)
        var cells = 0, refused = 0
        for (name, bytes) in files {
            let src = ByteSource(bytes)
            guard let head = src.read(0, 100), case .success(let header) = DatabaseHeader.parse(ByteView(head)) else { continue }
            let image = PageImage(file: src, header: header)
            guard image.pageCount >= 1 else { continue }
            for n in 1...image.pageCount {
                guard let b = image.page(n), let page = BTreePage.parse(b, number: n, usable: image.usable), page.kind == .tableLeaf else { continue }
                for alias in [nil, 0, 1] as [Int?] {
                    var p1: [RecoveryProblem] = [], p2: [RecoveryProblem] = []
                    let rows = image.cellRows(b, number: n, page: page, problems: &p1)
                    let shapes = image.cellRecords(b, number: n, page: page, problems: &p2) {
                        RecordShape.read($0, declaredLength: $1, encoding: header.textEncoding, alias: alias)
                    }
                    #expect(p1 == p2, "\(name) page \(n)")
                    #expect(rows.map(\.offset) == shapes.map(\.offset), "\(name) page \(n)")
                    for (r, s) in zip(rows, shapes) { #expect(s.values == RecordShape(values: r.values, alias: alias), "\(name) page \(n) cell \(r.offset)") }
                    if alias == nil { cells += rows.count; refused += p1.filter { $0.code == "sqlite-bad-record" }.count }
                }
            }
        }
        #expect(cells >= 1_000, "\(cells) cells compared (\(refused) refused both ways)")
    }

    /// The walk's UTF-8 check agrees with `String(validating:)` on well-formed and ill-formed
    /// sequences: overlong forms, surrogates, values past U+10FFFF, cut sequences, random bytes.
    @Test func utf8CheckAgreesWithTheStandardLibrary() {
        var cases: [[UInt8]] = [[], Array("plain ascii".utf8), Array("사진 딥페이크 😀 é".utf8),
                                [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
                                [0xE2, 0x82], [0x61, 0xFF], [0x80], [0xEF, 0xBB, 0xBF, 0x41], [0xF0, 0x9F, 0x98], [0xC2, 0xA0]]
        var rng = SplitMix(seed: 0x5EED_1234)
        print("utf8CheckAgreesWithTheStandardLibrary: seed 0x5EED1234")
        for _ in 0..<20_000 {
            let n = Int(rng.next() % 12)
            // Mostly bytes of multi-byte sequences, so well-formed and ill-formed ones both occur.
            cases.append((0..<n).map { _ in let r = rng.next(); return r % 4 == 0 ? UInt8(r >> 8 & 0x7F) : UInt8(0x80 | (r >> 8 & 0x7F)) })
        }
        var valid = 0
        for c in cases {
            let expected = String(validating: c, as: UTF8.self) != nil
            if expected { valid += 1 }
            #expect(RecordShape.isValidUTF8([0x41] + c + [0x42], 1..<(c.count + 1)) == expected, "\(c)")
        }
        #expect(valid >= 100 && valid < cases.count - 100, "\(valid) of \(cases.count) well-formed")
    }
}
