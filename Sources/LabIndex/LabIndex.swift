import Foundation

import PostgresNIO

/// One connection to the lab index (PostgreSQL). Case databases stay the unit of evidence; the
/// lab index is derived from them (``publish(caseDatabase:)``) and can be rebuilt from them.
public final class LabIndex: Sendable {
    let connection: PostgresConnection
    /// PostgresNIO logs queries at debug level; the lab keeps it at critical so that nothing it
    /// sends (case names, search text) reaches the terminal. The connection string never does.
    let logger: Logger

    private init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Connects to the lab index at `url`.
    public static func connect(_ url: LabURL) async throws -> LabIndex {
        var logger = Logger(label: "exhibit.lab")
        logger.logLevel = .critical
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch url.tls {
            case .disable: tls = .disable
            case .prefer, .require, .verifyCA:
                // Unlike libpq's prefer/require, a certificate is never accepted unverified: an
                // examiner's search text and the evidence rows cross this connection.
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = url.tls == .verifyCA ? .noHostnameVerification : .fullVerification
                if let root = url.rootCertificate {
                    guard FileManager.default.isReadableFile(atPath: root) else { throw LabError("sslrootcert \(root) cannot be read") }
                    c.trustRoots = .file(root)
                }
                if let cert = url.clientCertificate, let key = url.clientKey {
                    try Self.checkClientKey(key)
                    guard FileManager.default.isReadableFile(atPath: cert) else { throw LabError("sslcert \(cert) cannot be read") }
                    c.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
                    c.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
                }
                let context = try NIOSSLContext(configuration: c)
                tls = url.tls == .prefer ? .prefer(context) : .require(context)
            }
        } catch let e as LabError {
            throw LabError("TLS set-up failed: \(e.message)")
        } catch {
            throw LabError("TLS set-up failed (sslrootcert?): \(error)")
        }
        var config = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user,
                                                      password: url.password, database: url.database, tls: tls)
        config.options.connectTimeout = .seconds(10)
        do {
            let c = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
            return LabIndex(connection: c, logger: logger)
        } catch {
            throw LabError("cannot connect to the lab index \(url): \(Self.describe(error))")
        }
    }

    /// The client key must be readable, and by its owner only (as libpq demands of `sslkey`): a
    /// key others can read is a key others can use.
    static func checkClientKey(_ key: String) throws {
        var st = stat()
        guard stat(key, &st) == 0, FileManager.default.isReadableFile(atPath: key) else { throw LabError("sslkey \(key) cannot be read") }
        guard st.st_mode & 0o077 == 0 else {
            throw LabError("sslkey \(key) may be read by others (mode \(String(st.st_mode & 0o777, radix: 8))): chmod 600 it")
        }
    }

    /// Closes the connection.
    public func close() async {
        try? await connection.close()
    }

    /// The server's own words for a failure (PSQLError hides them from `description` on purpose).
    public static func describe(_ error: any Error) -> String {
        if let e = error as? LabError { return e.message }
        if let e = error as? PSQLError {
            if let m = e.serverInfo?[.message] {
                let detail = e.serverInfo?[.detail].map { " (\($0))" } ?? ""
                return m + detail
            }
            if let u = e.underlying { return "\(e.code): \(u)" }
            return "\(e.code)"
        }
        if let t = error as? PostgresTransactionError {
            if let e = t.closureError { return describe(e) }
            if let e = t.beginError { return describe(e) }
            if let e = t.commitError { return describe(e) }
        }
        return "\(error)"
    }

    /// Runs one SQL statement and returns its rows: for operators' checks and tests (the lab's
    /// own questions have their own methods).
    public func rawQuery(_ sql: String) async throws -> PostgresRowSequence {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    /// Runs one SQL statement with bound parameters and returns its rows (operators' checks, tests).
    public func rawQuery(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await connection.query(query, logger: logger)
    }

    /// Runs one SQL statement without results.
    public func rawExecute(_ sql: String) async throws {
        try await execute(sql)
    }

    /// Runs statements without results (DDL, DELETE), one at a time.
    func execute(_ sql: String, on c: PostgresConnection? = nil) async throws {
        try await (c ?? connection).query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    /// Creates or updates the lab schema: applies, in order and each once, the named migrations
    /// not yet recorded in `lab_migrations`. Refuses a lab index that records a migration this
    /// version does not know (it was made by a newer Exhibit). Returns the names applied now.
    /// `through` stops after the migration of that name (a staged upgrade; the upgrade tests make
    /// an older lab with it); the lab's commands need every migration.
    @discardableResult
    public func migrate(through last: String? = nil) async throws -> [String] {
        if let last, !LabSchema.migrations.contains(where: { $0.name == last }) { throw LabError("lab init: no migration named \(last)") }
        do {
            return try await connection.withTransaction(logger: logger) { c in
                // Two examiners running `lab init` at once: the second waits, then finds all applied.
                try await self.execute("SELECT pg_advisory_xact_lock(\(LabSchema.migrationLock))", on: c)
                try await self.execute("""
                    CREATE TABLE IF NOT EXISTS lab_migrations (
                        name text PRIMARY KEY, position integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """, on: c)
                var applied: [String] = []
                for try await name in try await c.query("SELECT name FROM lab_migrations ORDER BY position", logger: self.logger).decode(String.self) {
                    applied.append(name)
                }
                let known = LabSchema.migrations.map(\.name)
                guard applied.count <= known.count, Array(known.prefix(applied.count)) == applied else {
                    throw LabError("the lab index has migrations this exhibit does not know (\(applied.joined(separator: ", "))): "
                                   + "it was made by a newer version; upgrade exhibit")
                }
                var now: [String] = []
                for (position, m) in LabSchema.migrations.enumerated() where position >= applied.count {
                    for statement in m.statements { try await self.execute(statement, on: c) }
                    try await c.query("INSERT INTO lab_migrations (name, position) VALUES (\(m.name), \(position))", logger: self.logger)
                    now.append(m.name)
                    if m.name == last { break }
                }
                return now
            }
        } catch {
            throw LabError("lab init failed: \(Self.describe(error))")
        }
    }

    /// The migrations recorded in the lab index, in order (empty before `lab init`).
    public func appliedMigrations() async throws -> [String] {
        let exists = try await connection.query("SELECT to_regclass('lab_migrations') IS NOT NULL", logger: logger).decode(Bool.self)
        var has = false
        for try await e in exists { has = e }
        guard has else { return [] }
        var out: [String] = []
        for try await n in try await connection.query("SELECT name FROM lab_migrations ORDER BY position", logger: logger).decode(String.self) {
            out.append(n)
        }
        return out
    }

    /// Fails unless every migration this version knows is applied (queries rely on them).
    func requireSchema() async throws {
        let applied = try await appliedMigrations()
        guard applied == LabSchema.migrations.map(\.name) else {
            if applied.isEmpty { throw LabError("the lab index is empty: run exhibit lab init first") }
            throw LabError("the lab index is at \(applied.last ?? "?"); run exhibit lab init to update it")
        }
    }
}
