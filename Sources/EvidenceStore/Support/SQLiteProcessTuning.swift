internal import CSQLiteTuning

/// SQLite settings that belong to the whole process, made once before the first connection opens
/// (`sqlite3_config` refuses them afterwards, leaving SQLite's defaults in force: correct, slower).
///
/// Memory statistics off: with them on (the library's default), every allocation SQLite makes
/// takes a process-wide mutex to update counters nothing here reads (no soft heap limit, no
/// `sqlite3_memory_used`). Measured −15 % of SQLite's CPU per inserted message row
/// (docs/BENCHMARKS.md, "Store speed … CHECK lists, memory statistics").
enum SQLiteProcessTuning {
    /// Whether the setting was taken (false when SQLite had already been initialized).
    static let applied: Bool = exhibit_sqlite3_disable_memstatus() == 0
}

extension EvidenceDatabase {
    /// Makes the process-wide SQLite settings of the store; call at process start, before any
    /// SQLite connection opens (opening a case database calls it too). Idempotent.
    public static func prepareProcess() {
        _ = SQLiteProcessTuning.applied
    }
}
