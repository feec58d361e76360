import Foundation
import PostgresNIO

/// One grant of a case to a role (`exhibit lab access`).
public struct LabCaseGrant: Sendable, Codable, Equatable {
    /// Case name.
    public var caseName: String
    /// PostgreSQL role whose members may read the case.
    public var role: String
    /// Memberwise.
    public init(caseName: String, role: String) { self.caseName = caseName; self.role = role }
}

extension LabIndex {
    /// Tables a reader role needs SELECT on: the schema check, the case tables (row-level
    /// security filters them by case) and the lab-wide hash sets (not per case).
    static let readerTables = ["lab_migrations"] + LabSchema.caseTables + ["lab_hashsets", "lab_hashset_entries"]

    /// Lets members of `role` read case `caseName` (published now or later): records the grant and
    /// gives the role SELECT on the lab's read tables, whose row-level security then shows it that
    /// case's rows (and those of its other grants) only. The role must exist; creating roles and
    /// logins stays with the database administrator. Run as the lab's owner.
    public func grantCase(_ caseName: String, to role: String) async throws {
        try await requireSchema()
        guard try await roleExists(role) else { throw LabError("no PostgreSQL role '\(role)': create it first (docs/lab.md, Roles and access)") }
        do {
            try await connection.withTransaction(logger: logger) { c in
                try await c.query("INSERT INTO lab_case_access (case_name, role) VALUES (\(caseName), \(role)) ON CONFLICT DO NOTHING", logger: self.logger)
                try await self.execute("GRANT SELECT ON \(Self.readerTables.joined(separator: ", ")) TO \(Self.quoteIdentifier(role))", on: c)
            }
        } catch {
            throw LabError("grant of \(caseName) to \(role) failed: \(Self.describe(error))")
        }
    }

    /// Withdraws `role`'s access to `caseName`; returns false when there was no such grant. The
    /// role keeps SELECT on the tables: without a grant, row-level security shows it no row.
    @discardableResult
    public func revokeCase(_ caseName: String, from role: String) async throws -> Bool {
        try await requireSchema()
        var removed = false
        for try await _ in try await connection.query("DELETE FROM lab_case_access WHERE case_name = \(caseName) AND role = \(role) RETURNING role",
                                                      logger: logger).decode(String.self) { removed = true }
        return removed
    }

    /// Every grant, by case then role (the owner's view; a reader has no right on the table).
    public func caseGrants() async throws -> [LabCaseGrant] {
        try await requireSchema()
        var out: [LabCaseGrant] = []
        for try await (c, r) in try await connection.query("SELECT case_name, role FROM lab_case_access ORDER BY case_name, role",
                                                           logger: logger).decode((String, String).self) {
            out.append(LabCaseGrant(caseName: c, role: r))
        }
        return out
    }

    func roleExists(_ role: String) async throws -> Bool {
        var found = false
        for try await _ in try await connection.query("SELECT 1::integer FROM pg_catalog.pg_roles WHERE rolname = \(role)",
                                                      logger: logger).decode(Int.self) { found = true }
        return found
    }

    /// A role name as a quoted SQL identifier (GRANT takes no bind parameters).
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\u{0}", with: "").replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
