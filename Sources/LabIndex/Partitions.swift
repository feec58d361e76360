import Foundation

/// The case tables partitioned by case (`PARTITION BY LIST (case_id)`, migration `v5-partitions`;
/// docs/scale.md): one partition per published case, `<table>_case<N>`. Publishing loads a case
/// into a new table without indexes (`<table>_load<N>`), builds its indexes in bulk (sorted
/// b-tree builds instead of row-by-row maintenance of sixteen PDQ chunk indexes, which was ~86 %
/// of a PDQ-heavy publish), then swaps it in for the case's earlier partition (DETACH, DROP,
/// RENAME, ATTACH) in the publish's transaction. A `CHECK (case_id = N)` added before the swap
/// lets ATTACH skip its validation scan. The column definitions live here once, for the
/// migration's parents and every load table: ATTACH needs the same columns.
struct PartitionedTable: Sendable {
    /// The parent (partitioned) table.
    var name: String
    /// Column definitions (no constraints), in the order of the v1 table.
    var columns: String
    /// Primary key columns (the partition key `case_id` first).
    var key: String
    /// Secondary indexes: name suffix and the definition after `ON table`.
    var indexes: [(suffix: String, definition: String)]
    /// Columns no lab query filters, joins or sorts on: a publish's ANALYZE skips them
    /// (`SET STATISTICS 0`), which is most of its work (docs/BENCHMARKS.md). The statistics of
    /// expression indexes (the PDQ probe keys) are still gathered.
    var unanalysed: [String] = []

    /// The case's attached partition.
    func partition(_ caseID: Int) -> String { "\(name)_case\(caseID)" }
    /// The table a publish loads the case into before the swap.
    func load(_ caseID: Int) -> String { "\(name)_load\(caseID)" }

    /// Creates `table` empty, without indexes (the load target; the migration's per-case tables).
    func createStatement(_ table: String) -> String { "CREATE TABLE \(table) (\(columns))" }

    /// Turns off statistics of the columns no query uses, on a load table (before its ANALYZE).
    func statisticsStatement(_ table: String) -> String? {
        unanalysed.isEmpty ? nil : "ALTER TABLE \(table) " + unanalysed.map { "ALTER COLUMN \($0) SET STATISTICS 0" }.joined(separator: ", ")
    }

    /// Builds `table`'s indexes (named after it) and the check that makes ATTACH skip its scan;
    /// ends with ANALYZE, so the planner probes the new partition's indexes at once.
    func indexStatements(_ table: String, caseID: String) -> [String] {
        ["ALTER TABLE \(table) ADD CONSTRAINT \(table)_pkey PRIMARY KEY (\(key))"]
            + indexes.map { "CREATE INDEX \(table)_\($0.suffix) ON \(table) \($0.definition)" }
            + ["ALTER TABLE \(table) ADD CONSTRAINT case_check CHECK (case_id = \(caseID))",
               // No policy: a role granted SELECT on the parent reads through the parent's policy;
               // read directly, a partition shows a non-owner nothing (and needs a grant first).
               "ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY",
               "ANALYZE \(table)"]
    }

    /// Renames `from`'s indexes to `to`'s names (after the table itself was renamed).
    func renameIndexStatements(from: String, to: String) -> [String] {
        (["pkey"] + indexes.map(\.suffix)).map { "ALTER INDEX \(from)_\($0) RENAME TO \(to)_\($0)" }
    }

    /// The parent's own primary key and indexes (created after the partitions exist: PostgreSQL
    /// attaches each partition's equivalent index instead of building another).
    var parentIndexStatements: [String] {
        ["ALTER TABLE \(name) ADD CONSTRAINT \(name)_pkey PRIMARY KEY (\(key))"]
            + indexes.map { "CREATE INDEX \(name)_\($0.suffix) ON \(name) \($0.definition)" }
    }

    /// The column names, in order (for INSERT … SELECT in the migration).
    var columnNames: String {
        columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ")[0] }.joined(separator: ", ")
    }
}

extension PartitionedTable {
    /// The partitioned tables: the three that grow with a case (files, PDQ hashes, messages). The
    /// small ones (evidence, chats, participants, attachments, known matches) stay single tables
    /// published by DELETE and COPY: a partition per case each would multiply the table count.
    /// The order is the swap's lock order, and the readers': the spread probe locks `lab_pdq`
    /// before `lab_files`, the appearance queries `lab_messages` before `lab_files` — a swap
    /// taking them in the same order cannot deadlock with those queries.
    static let all: [PartitionedTable] = [
        PartitionedTable(
            name: "lab_pdq",
            columns: """
                case_id integer NOT NULL, media_hash_id bigint NOT NULL, file_id bigint, algorithm text, hash_hex text NOT NULL, \
                hash bit(256) NOT NULL, quality integer, frame_index integer, frame_time_us bigint, variants text, \
                \((0..<16).map { "c\($0) integer NOT NULL" }.joined(separator: ", "))
                """,
            key: "case_id, media_hash_id",
            // The near-duplicate probe's eleven keys (PDQKeys, migration v6-pdq-keys), as
            // expressions over the sixteen chunk columns.
            indexes: PDQKeys.widths.indices.map { ("k\($0)", "((\(PDQKeys.expression($0))))") } + [("file", "(case_id, file_id)")],
            unanalysed: ["hash_hex", "hash", "frame_index", "frame_time_us", "variants"] + (0..<16).map { "c\($0)" }),
        PartitionedTable(
            name: "lab_messages",
            columns: """
                case_id integer NOT NULL, message_id bigint NOT NULL, chat_id bigint, file_id bigint, sequence bigint, native_id text, \
                kind text, sender text, sender_native_id text, from_device_owner integer, sent_utc text, sent_utc_us bigint, \
                sent_raw text, sent_basis text, text text, deleted integer
                """,
            key: "case_id, message_id",
            indexes: [("text", "USING gin (text gin_trgm_ops)")],
            // The text is searched through its trigram index; the planner's guess for ILIKE
            // without statistics already picks it.
            unanalysed: ["sequence", "native_id", "kind", "sender", "sender_native_id", "from_device_owner", "sent_utc", "sent_raw",
                         "sent_basis", "text", "deleted"]),
        PartitionedTable(
            name: "lab_files",
            columns: """
                case_id integer NOT NULL, file_id bigint NOT NULL, evidence_id bigint, entry_key text, path text, name text, kind text, \
                size bigint, md5 text, sha1 text, sha256 text, mime text, status text, device_path text, \
                modified_utc text, modified_utc_us bigint, modified_basis text
                """,
            key: "case_id, file_id",
            indexes: [("sha256", "(sha256)"), ("md5", "(md5)"), ("sha1", "(sha1)")],
            unanalysed: ["entry_key", "path", "name", "size", "mime", "status", "device_path", "modified_utc", "modified_utc_us", "modified_basis"]),
    ]

    /// The partitioned table named `name`, if it is one.
    static func named(_ name: String) -> PartitionedTable? { all.first { $0.name == name } }

    /// The tables as migration `v5-partitions` made them (`lab_pdq` with its sixteen chunk
    /// b-trees `c0`…`c15`, which `v6-pdq-keys` replaces): a shipped migration never changes.
    static let asOfV5: [PartitionedTable] = all.map { t in
        var t = t
        if t.name == "lab_pdq" { t.indexes = (0..<16).map { ("c\($0)", "(c\($0))") } + [("file", "(case_id, file_id)")] }
        return t
    }
}

extension LabSchema {
    /// Migration `v5-partitions`: `lab_files`, `lab_pdq` and `lab_messages` become tables
    /// partitioned by case. An existing lab's rows move into one partition per case (loaded
    /// without indexes, indexed in bulk, attached), the old tables are dropped, and the parents
    /// get back their indexes (attached from the partitions'), row-level security with the same
    /// policy, and SELECT for every role granted a case. The foreign key to `lab_cases` is not
    /// kept on the partitioned tables: a case's rows are only written by the publish that upserts
    /// its `lab_cases` row in the same transaction (and a foreign key would cost a trigger per row,
    /// or a validation join at every swap).
    static var v5: [String] {
        PartitionedTable.asOfV5.flatMap { t -> [String] in
            let perCase = [t.createStatement("\(t.name)_case{case}"),
                           "INSERT INTO \(t.name)_case{case} (\(t.columnNames)) SELECT \(t.columnNames) FROM \(t.name)_v4 WHERE case_id = {case}"]
                + t.indexStatements("\(t.name)_case{case}", caseID: "{case}")
                    .filter { !$0.hasPrefix("ANALYZE") }   // ANALYZE cannot run inside the DO block's function
                + ["ALTER TABLE \(t.name) ATTACH PARTITION \(t.name)_case{case} FOR VALUES IN ({case})"]
            let array = perCase.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ",\n")
            return [
                "ALTER TABLE \(t.name) RENAME TO \(t.name)_v4",
                "CREATE TABLE \(t.name) (\(t.columns)) PARTITION BY LIST (case_id)",
                """
                DO $$ DECLARE cid integer; s text; BEGIN
                    FOR cid IN SELECT DISTINCT case_id FROM \(t.name)_v4 ORDER BY 1 LOOP
                        FOREACH s IN ARRAY ARRAY[\(array)] LOOP
                            EXECUTE replace(s, '{case}', cid::text);
                        END LOOP;
                    END LOOP;
                END $$
                """,
                "DROP TABLE \(t.name)_v4",
            ] + t.parentIndexStatements + [
                "ALTER TABLE \(t.name) ENABLE ROW LEVEL SECURITY",
                "CREATE POLICY lab_case_reader ON \(t.name) FOR SELECT USING (case_id = ANY ((SELECT lab_visible_cases(current_user))::integer[]))",
                """
                DO $$ DECLARE r text; BEGIN
                    FOR r IN SELECT DISTINCT a.role FROM lab_case_access a JOIN pg_catalog.pg_roles p ON p.rolname = a.role ORDER BY 1 LOOP
                        EXECUTE format('GRANT SELECT ON \(t.name) TO %I', r);
                    END LOOP;
                END $$
                """,
            ]
        }
    }
}

extension LabSchema {
    /// Migration `v6-pdq-keys`: the near-duplicate probe moves from sixteen 16-bit chunk indexes
    /// (within 1 flip each: ~N / 241 candidates) to eleven 23/24-bit keys within 2 flips (~N /
    /// 3,100; `PDQKeys`). The keys are expression indexes over the chunk columns, so no row
    /// changes: the old indexes are dropped (with their partitions'), each partition gets its
    /// eleven key indexes under the names a publish gives them, then the parent's (attaching the
    /// partitions'), and the new expressions are analysed.
    static var v6: [String] {
        let keys = PDQKeys.widths.indices
        let perPartition = keys.map { "EXECUTE format('CREATE INDEX %I ON %I ((\(PDQKeys.expression($0))))', part || '_k\($0)', part);" }
        return (0..<16).map { "DROP INDEX lab_pdq_c\($0)" } + [
            """
            DO $$ DECLARE part text; BEGIN
                FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                            WHERE i.inhparent = 'lab_pdq'::regclass ORDER BY 1 LOOP
                    \(perPartition.joined(separator: "\n        "))
                END LOOP;
            END $$
            """,
        ] + keys.map { "CREATE INDEX lab_pdq_k\($0) ON lab_pdq ((\(PDQKeys.expression($0))))" } + ["ANALYZE lab_pdq"]
    }
}
