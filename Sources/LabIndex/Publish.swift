import EvidenceStore
import ExhibitSupport
import Foundation
import PostgresNIO

/// What one `lab publish` wrote.
public struct PublishReport: Sendable, Codable, Equatable {
    /// The case's name (`cases.name` of the case database): the lab's key for the case.
    public var caseName: String
    /// The lab's id for the case (stable across re-publishing).
    public var caseID: Int
    /// The case database, as an absolute path.
    public var database: String
    /// Rows written per lab table.
    public var rows: [String: Int]
    /// Rows left out or values set to NULL, and tables the case database lacks, in words.
    public var warnings: [String]
}

extension LabIndex {
    /// Rows per COPY chunk and per SQLite page: bounds memory whatever the case's size.
    static let pageRows = 20_000

    /// Publishes one case database: in ONE transaction, the case's earlier rows are deleted and
    /// every table is copied again (`COPY … FROM STDIN`) from one read snapshot of the case. The
    /// same case gives the same rows, so publishing is idempotent and a killed publish leaves the
    /// earlier rows as they were. Publishes of one case are serialised by an advisory lock.
    public func publish(caseDatabase path: String) async throws -> PublishReport {
        try await requireSchema()
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let reader = try CaseReader(path: absolute)
        let caseRow = try reader.caseRow()
        let published = Self.utcNow()
        do {
            return try await connection.withTransaction(logger: logger) { c in
                try await c.query("SELECT pg_advisory_xact_lock(hashtext(\("exhibit-lab-case:" + caseRow.name)))", logger: self.logger)
                var caseID = 0
                let upsert: PostgresQuery = """
                    INSERT INTO lab_cases (name, examiner, assumed_zone, created_utc, tool_version, db_path, published_utc, row_counts)
                    VALUES (\(caseRow.name), \(caseRow.examiner), \(caseRow.assumedZone), \(caseRow.createdUTC), \(caseRow.toolVersion),
                            \(absolute), \(published), '{}')
                    ON CONFLICT (name) DO UPDATE SET examiner = excluded.examiner, assumed_zone = excluded.assumed_zone,
                        created_utc = excluded.created_utc, tool_version = excluded.tool_version, db_path = excluded.db_path,
                        published_utc = excluded.published_utc
                    RETURNING case_id
                    """
                for try await id in try await c.query(upsert, logger: self.logger).decode(Int.self) { caseID = id }
                // Small tables: the case's rows are replaced in place. Partitioned tables (files,
                // PDQ, messages): the case is loaded into a new table without indexes, indexed in
                // bulk, then swapped in for its partition (docs/lab.md, Publishing).
                for t in CaseTable.all.reversed() where PartitionedTable.named(t.name) == nil {
                    try await self.execute("DELETE FROM \(t.name) WHERE case_id = \(caseID)", on: c)
                }
                var rows: [String: Int] = [:]
                var warnings: [String] = []
                for t in CaseTable.all {
                    let partitioned = PartitionedTable.named(t.name)
                    if let p = partitioned {
                        try await self.execute(p.createStatement(p.load(caseID)), on: c)
                        if let s = p.statisticsStatement(p.load(caseID)) { try await self.execute(s, on: c) }
                    }
                    if reader.has(t) {
                        let (n, w) = try await self.copy(t, into: partitioned?.load(caseID) ?? t.name, from: reader, caseID: caseID, on: c)
                        rows[t.name] = n
                        warnings += w
                    } else {
                        warnings.append("\(t.name): the case database has no \(t.requires.joined(separator: "/")) table; nothing published")
                        rows[t.name] = 0
                    }
                    if let p = partitioned {
                        for statement in p.indexStatements(p.load(caseID), caseID: String(caseID)) { try await self.execute(statement, on: c) }
                    }
                }
                try await self.swapPartitions(caseID: caseID, on: c)
                // Fresh statistics: right after a large COPY the planner would otherwise guess, and
                // may scan a table whole instead of probing its indexes (the partitions were
                // analysed before the swap).
                try await self.execute("ANALYZE lab_attachments", on: c)
                let counts = String(decoding: try JSONEncoder.sorted.encode(rows), as: UTF8.self)
                try await c.query("UPDATE lab_cases SET row_counts = \(counts)::jsonb WHERE case_id = \(caseID)", logger: self.logger)
                return PublishReport(caseName: caseRow.name, caseID: caseID, database: absolute, rows: rows, warnings: warnings)
            }
        } catch {
            throw LabError("publish of \(absolute) failed, nothing changed in the lab index: \(Self.describe(error))")
        }
    }

    /// Streams one table into the lab with COPY, page by page. Rows are written as COPY text
    /// straight into the buffer sent (no string per field or per row): the client's CPU per row
    /// was half of publishing's (docs/BENCHMARKS.md).
    private func copy(_ t: CaseTable, into table: String, from reader: CaseReader, caseID: Int, on c: PostgresConnection) async throws -> (Int, [String]) {
        var written = 0, skipped = 0, nulled = 0
        var firstProblem: String?
        let caseText = String(caseID)
        try await c.copyFrom(table: table, columns: ["case_id"] + t.columns.map(\.name), logger: logger) { writer in
            var after = Int64.min
            while true {
                let (page, last) = try reader.page(t, after: after, limit: Self.pageRows)
                guard let last else { break }
                after = last
                var buffer = ByteBuffer()
                buffer.reserveCapacity(page.count * 160)
                // A value that is not an integer in an integer column (SQLite is dynamically typed)
                // is published as NULL and counted.
                func write(_ text: String?, column i: Int, row: [CaseValue]) {
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    guard let text else { buffer.writeStaticString("\\N"); return }
                    if i < t.columns.count, t.columns[i].kind == .int, Int64(text) == nil {
                        nulled += 1
                        if firstProblem == nil { firstProblem = "row id \(row.first.flatMap(Self.text) ?? "?") column \(t.columns[i].name)" }
                        buffer.writeStaticString("\\N")
                        return
                    }
                    buffer.writeCopyEscaped(text)
                }
                for values in page {
                    if let shape = t.shape {
                        let fields = values.map(Self.text)
                        guard let shaped = shape(fields) else {
                            skipped += 1
                            if firstProblem == nil { firstProblem = "row id \(fields.first.flatMap { $0 } ?? "?")" }
                            continue
                        }
                        buffer.writeString(caseText)
                        for (i, f) in shaped.enumerated() { write(f, column: i, row: values) }
                    } else {
                        buffer.writeString(caseText)
                        for (i, v) in values.enumerated() {
                            switch (v, i < t.columns.count ? t.columns[i].kind : .text) {
                            case (.null, _):
                                buffer.writeInteger(UInt8(ascii: "\t"))
                                buffer.writeStaticString("\\N")
                            case (.integer(let n), _):
                                buffer.writeInteger(UInt8(ascii: "\t"))
                                buffer.writeString(String(n))
                            case (.text(let s), .text):
                                // Text the store keeps with an embedded NUL arrives whole (CaseValue).
                                buffer.writeInteger(UInt8(ascii: "\t"))
                                buffer.writeCopyEscaped(s)
                            default:
                                // Doubles, blobs (as hex), text in an integer column: the text form, checked.
                                write(Self.text(v), column: i, row: values)
                            }
                        }
                    }
                    buffer.writeInteger(UInt8(ascii: "\n"))
                    written += 1
                }
                try await writer.write(buffer)
            }
        }
        var warnings: [String] = []
        if skipped > 0 { warnings.append("\(t.name): \(skipped) row(s) left out (hash not 64 hex digits; first: \(firstProblem ?? "?"))") }
        if nulled > 0 { warnings.append("\(t.name): \(nulled) value(s) not integers, published as NULL (first: \(firstProblem ?? "?"))") }
        return (written, warnings)
    }

    /// Swaps the loaded tables in for the case's partitions: per partitioned table, in one fixed
    /// order, DETACH and DROP the earlier partition (if the case was published before), RENAME the
    /// load table and its indexes, ATTACH it (no scan: its CHECK implies the partition bound).
    /// DETACH locks the parent exclusively until the commit, which follows at once. A reader
    /// taking the parents' locks in another order can deadlock with the swap; PostgreSQL then
    /// aborts one side, and the swap (only the swap, not the load) is retried from a savepoint.
    private func swapPartitions(caseID: Int, on c: PostgresConnection) async throws {
        let attempts = 5
        for attempt in 1...attempts {
            try await execute("SAVEPOINT lab_swap", on: c)
            do {
                for p in PartitionedTable.all {
                    let partition = p.partition(caseID), load = p.load(caseID)
                    var exists = false
                    for try await e in try await c.query("SELECT to_regclass(\(partition)) IS NOT NULL", logger: logger).decode(Bool.self) { exists = e }
                    if exists {
                        try await execute("ALTER TABLE \(p.name) DETACH PARTITION \(partition)", on: c)
                        try await execute("DROP TABLE \(partition)", on: c)
                    }
                    try await execute("ALTER TABLE \(load) RENAME TO \(partition)", on: c)
                    for statement in p.renameIndexStatements(from: load, to: partition) { try await execute(statement, on: c) }
                    try await execute("ALTER TABLE \(p.name) ATTACH PARTITION \(partition) FOR VALUES IN (\(caseID))", on: c)
                }
                try await execute("RELEASE SAVEPOINT lab_swap", on: c)
                return
            } catch let e as PSQLError where attempt < attempts && ["40P01", "55P03"].contains(e.serverInfo?[.sqlState] ?? "") {
                try await execute("ROLLBACK TO SAVEPOINT lab_swap", on: c)
                try await Task.sleep(nanoseconds: UInt64(attempt) * 200_000_000)
            }
        }
    }

    /// A case value as COPY text (nil for NULL); blobs as lower-case hex.
    static func text(_ v: CaseValue) -> String? {
        switch v {
        case .null: return nil
        case .integer(let i): return String(i)
        case .real(let d): return d == d.rounded() && abs(d) < 9e15 ? String(Int64(d)) : String(d)
        case .text(let s): return s
        case .bytes(let b): return Hex.encode(b)
        }
    }

    /// Now in the case database's UTC text form (published time is bookkeeping, not evidence).
    static func utcNow() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }
}

extension ByteBuffer {
    /// Writes `s` as a COPY text-format field: backslash, newline, carriage return and tab
    /// escaped. PostgreSQL text cannot hold U+0000: it becomes U+2400 (␀) in the lab index (the
    /// case database keeps the exact text). Works on the UTF-8 bytes: the escaped characters are
    /// ASCII, which never occurs inside a multi-byte sequence.
    mutating func writeCopyEscaped(_ s: String) {
        var s = s
        s.withUTF8 { u in
            var start = 0
            for i in 0..<u.count {
                let escape: StaticString
                switch u[i] {
                case 0x5C: escape = "\\\\"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0x00: escape = "\u{2400}"
                default: continue
                }
                writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(u)[start..<i]))
                writeStaticString(escape)
                start = i + 1
            }
            writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(u)[start..<u.count]))
        }
    }
}

extension JSONEncoder {
    /// Sorted keys, for stable JSON in the lab index.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
