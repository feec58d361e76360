import Foundation

/// Rowid tables grouped by everything that decides whether a carved cell fits them (column count,
/// each column's affinity, the rowid alias, `sqlite_sequence`'s own rule, the usual size of a lost
/// first integer): tables of one group accept exactly the same readings. A cell on a page no live
/// table owns is matched once per group, not once per table — a database of 64 tables of one
/// shape costs one fit per cell, not 64 (docs/recovery.md, "Cost"). Computed once per carve.
struct TableGroups: Sendable {
    /// Column count → groups of table indices (each ascending), groups by their first table.
    let byColumns: [Int: [[Int]]]
    /// Table index → its group's number (`nil` for `WITHOUT ROWID` tables, which never fit a table cell).
    let group: [Int?]

    private struct Key: Hashable {
        var affinities: [Affinity]
        var rowidAlias: Int?
        var sequence: Bool
        var typicalFirstSize: Int?
    }

    init(tables: [TableSchema], typicalFirstSize: [Int: Int]) {
        var number: [Key: Int] = [:], members: [[Int]] = [], group: [Int?] = []
        for (i, t) in tables.enumerated() {
            guard !t.withoutRowid else { group.append(nil); continue }
            let key = Key(affinities: t.columns.map(\.affinity), rowidAlias: t.rowidAlias,
                          sequence: t.name.lowercased() == "sqlite_sequence", typicalFirstSize: typicalFirstSize[i])
            let g = number[key] ?? { number[key] = members.count; members.append([]); return members.count - 1 }()
            members[g].append(i)
            group.append(g)
        }
        var byColumns: [Int: [[Int]]] = [:]
        for m in members { byColumns[tables[m[0]].columns.count, default: []].append(m) }
        self.byColumns = byColumns
        self.group = group
    }
}

extension Carver {
    /// ``choose(_:values:preferred:)`` over ``TableGroups``: the same answer, one fit per group.
    func chooseGrouped(_ types: [Int64], values: [SQLValue], preferred: Int?, groups: TableGroups) -> Int?? {
        func fit(_ t: Int) -> Bool { TableFit.fits(types, tables[t]) && TableFit.valuesFit(values, tables[t]) }
        if let p = preferred, tables.indices.contains(p), fit(p) { return .some(p) }
        // The preferred table does not fit, so neither does any table of its group.
        var found: Int?, count = 0
        for g in groups.byColumns[types.count] ?? [] where fit(g[0]) {
            count += g.count
            if count >= 2 { return .some(nil) }
            found = g[0]
        }
        return found.map { .some($0) }
    }

    /// Whether any table's serial types fit `types` (one check per group).
    func anyTableFits(_ types: [Int64], groups: TableGroups) -> Bool {
        (groups.byColumns[types.count] ?? []).contains { TableFit.fits(types, tables[$0[0]]) }
    }

    /// ``clobbered(_:at:blockEnd:end:preferred:)`` without a preferred table over ``TableGroups``:
    /// tables in index order, a group read once. A second fitting table is of the first one's
    /// group or another's; either way the answer is the one the table-by-table loop gives.
    func clobberedGrouped(_ b: [UInt8], at f: Int, blockEnd: Int, end: Int, groups: TableGroups) -> Carved? {
        var found: Carved?
        var fitted: [Int: Bool] = [:]
        for ti in tables.indices {
            guard let g = groups.group[ti] else {
                // A WITHOUT ROWID table never fits a table cell (clobbered(table:) refuses it).
                continue
            }
            if fitted[g] == false { continue }
            if fitted[g] == true {
                // A second table of the first fitting table's group: the same reading.
                found?.table = nil
                return found
            }
            let c = clobbered(b, at: f, table: ti, blockEnd: blockEnd, end: end)
            fitted[g] = c != nil
            guard let c else { continue }
            if let settled = Self.settle(&found, with: c) { return settled }
        }
        return found
    }
}
