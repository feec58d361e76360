import GRDB

extension Statement {
    /// Binds `values` to the statement's parameters in order and runs it once.
    ///
    /// Why not `setUncheckedArguments(StatementArguments(values))`: GRDB builds `StatementArguments`
    /// from a sequence with a key-path `map` that is not specialized across modules, one generic
    /// key-path projection per value — measured at half of the per-message store cost (60 values
    /// per message, 2 CPU s per 200,000 messages). Here each `DatabaseValue` is bound straight into
    /// the prepared statement (`sqlite3_bind_*`, strings copied), with no intermediate array.
    /// The caller guarantees `values.count` equals the statement's parameter count (the column list
    /// and the values come from one place).
    func execute(binding values: [DatabaseValue]) throws {
        setUncheckedArguments(StatementArguments())  // reset and clear the previous bindings
        var index: CInt = 1
        for value in values {
            // Cleared bindings are NULL already (half of a message's 62 values are NULL).
            if value.isNull { index += 1; continue }
            let code = value.bind(to: sqliteStatement, at: index)
            guard code == 0 else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot bind parameter \(index)", sql: sql)
            }
            index += 1
        }
        try execute()
    }
}

extension Database {
    /// Runs `body` with SQLite's CHECK constraints not evaluated by the statements it runs, then
    /// turns them back on (also when `body` throws). Used by the store's own bulk writers only:
    /// the file commits and the case analyzers' rebuild.
    ///
    /// Why: SQLite (3.40 here) codes a CHECK of the form `x IN (three or more constants)` as a
    /// temporary B-tree built anew for every row inserted — a CHECK cannot build it once per
    /// statement as a query does. `messages` has three such lists (`kind`, `sent_basis`,
    /// `touched_basis`), `events` one: measured 1.4 CPU s per 200,000 message rows, more than the
    /// rest of the row's insert (docs/BENCHMARKS.md). Every value those lists guard is bound by
    /// these writers from a closed Swift enum (`MessageKind`, `TimeBasis`, `EntryKind`,
    /// `FileTimeKind`, `AnalysisStatus`, `RecoveredRecordSource`, `MediaHashAlgorithm`), a Bool or
    /// a fixed literal, and a media hash is checked for 64 hex digits before it is bound;
    /// `BulkWritePathTests` checks every case of each enum against the schema's lists. The constraints
    /// stay in the schema for every other writer (hand edits, other tools, the rest of Exhibit).
    ///
    /// Turning the pragma on or off expires the connection's prepared statements; SQLite
    /// prepares each again on its next use (twice per commit, not per row).
    func withTypedValueChecks<T>(_ body: () throws -> T) throws -> T {
        let wasOn = try Bool.fetchOne(self, sql: "PRAGMA ignore_check_constraints") ?? false
        guard !wasOn else { return try body() }
        try execute(sql: "PRAGMA ignore_check_constraints = ON")
        let result: T
        do {
            result = try body()
        } catch {
            try? execute(sql: "PRAGMA ignore_check_constraints = OFF")
            throw error
        }
        try execute(sql: "PRAGMA ignore_check_constraints = OFF")
        return result
    }
}
