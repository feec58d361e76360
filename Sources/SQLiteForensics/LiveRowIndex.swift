import Foundation

/// What the carve knows of the live rows: their digests (``RecoveryRun/LiveDigest``) and, per
/// table, the first rows kept whole for comparing partial records. Built lazily, table by table:
/// the live walk (``RecoveryRun/walkLive()``) reads every row once for what the carve always needs
/// (page owners, problems, row counts, first-column sizes, how many rows the sample keeps) and
/// notes the leaf pages of each rowid table in walk order; the digests and the sample of a table
/// are made only when the carve first asks about that table (a carved row to judge, an older
/// page version's cell to check). A database with nothing to carve — the common case of a big
/// app database without deleted rows — never digests its live rows (docs/recovery.md, "Cost").
///
/// The rows read then are the walk's own, in the same order (the same leaf pages through the
/// same cell reader), so the digests and samples are exactly those an eager walk would make.
/// A class: the two passes of a carve (``SQLiteRecovery``) share one index, built at most once.
final class LiveRowIndex {
    /// Digests of the live rows of every table built so far (and of every `WITHOUT ROWID` table).
    let digests: DigestStore
    /// Per table, its live rows kept whole (built so far).
    private var samples: [Int: [[SQLValue]]] = [:]
    /// Rowid tables not built yet: their leaf pages in walk order and how many rows the sample keeps.
    private var pending: [Int: (leaves: [Int], sampleRows: Int)] = [:]
    private var image: PageImage?
    private var tables: [TableSchema] = []
    /// Tables built lazily (for tests and measurements).
    private(set) var built: [Int] = []

    init(_ memory: RecoveryMemory) { digests = DigestStore(memory) }

    /// The image and schema the pending tables are read from (set once the live walk is done).
    func bind(image: PageImage, tables: [TableSchema]) {
        self.image = image
        self.tables = tables
    }

    /// Notes rowid table `t` for a later build: its leaf pages as walked, and its sample's row count.
    func postpone(_ t: Int, leaves: [Int], sampleRows: Int) {
        pending[t] = (leaves, sampleRows)
    }

    /// Sets table `t`'s sample (a table built eagerly: `WITHOUT ROWID`).
    func setSample(_ t: Int, _ rows: [[SQLValue]]) { samples[t] = rows }

    /// Table `t`'s live rows kept whole, building the table first if it is pending.
    func sample(_ t: Int) -> [[SQLValue]] {
        build(t)
        return samples[t] ?? []
    }

    /// Whether table `t` has a live row of digest `key` (a ``RecoveryRun/liveKey(_:_:_:)``).
    func contains(_ t: Int, _ key: RowDigest) -> Bool {
        build(t)
        return digests.contains(key)
    }

    /// Every table's sample, every pending table built first.
    var allSamples: [Int: [[SQLValue]]] {
        for t in pending.keys.sorted() { build(t) }
        return samples
    }

    /// Reads pending table `t`'s rows again from its leaf pages: three digests per row, and the
    /// first `sampleRows` rows whole. Problems were recorded by the walk; they are not again.
    func build(_ t: Int) {
        guard let p = pending.removeValue(forKey: t), let image, t < tables.count else { return }
        built.append(t)
        let table = tables[t]
        var sample: [[SQLValue]] = []
        sample.reserveCapacity(p.sampleRows)
        var scratch: [RecoveryProblem] = []
        for n in p.leaves {
            guard let bytes = image.page(n), let page = BTreePage.parse(bytes, number: n, usable: image.usable) else { continue }
            for row in image.cellRows(bytes, number: n, page: page, problems: &scratch) {
                let values = RecoveryRun.storedValues(row, table)
                Self.insertDigests(values, rowid: row.rowid, table: t, into: digests)
                if sample.count < p.sampleRows { sample.append(values) }
            }
            scratch.removeAll(keepingCapacity: true)
        }
        samples[t] = sample
    }

    /// The three digests of a live rowid-table row: its values, its rowid with its values, its
    /// values after the first.
    static func insertDigests(_ values: [SQLValue], rowid: Int64?, table t: Int, into digests: DigestStore) {
        digests.insert(RecoveryRun.liveKey(.values, t, RowDigest(values)))
        digests.insert(RecoveryRun.liveKey(.rowKey, t, RowDigest(values, rowid: rowid)))
        digests.insert(RecoveryRun.liveKey(.tail, t, RowDigest(values.dropFirst())))
    }
}
