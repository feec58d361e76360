import ExhibitTesting
import Foundation
import GRDB
import LabIndex
import Testing

/// Per-case access on a real PostgreSQL: roles for two examiner teams, each granted one case
/// (`lab access --grant`); every lab question asked as a member of team A answers from case A
/// only — even plain SQL on the tables — team B sees only B, a role granted nothing sees no row,
/// and a revoked grant takes the case away. The lab's owner still sees both.
@Suite("Lab index: per-case roles and row-level security")
struct LabAccessTests {
    /// The cluster's URL for another role (trust authentication on loopback: no password).
    static func url(_ cluster: PostgresCluster, as role: String) throws -> LabURL {
        try LabURL(parsing: cluster.url.replacingOccurrences(of: "lab@", with: "\(role)@"))
    }

    static func count(_ lab: LabIndex, _ sql: String) async throws -> Int {
        var n = -1
        for try await v in try await lab.rawQuery(sql).decode(Int.self) { n = v }
        return n
    }

    @Test func aRoleForCaseACannotReadCaseB() async throws {
        let (a, b, _) = try LabFixture.cases.get()
        let telegram = try LabFixture.sha256(in: b, pathSuffix: "Telegram Images/5402285916542734721_121.jpg")
        let expectedA = try LabSpreadTests.expected(a, caseName: "LAB-A", [telegram]).sorted()
        let expectedB = try LabSpreadTests.expected(b, caseName: "LAB-B", [telegram]).sorted()
        try #require(!expectedA.isEmpty && !expectedB.isEmpty)
        try await LabFixture.withLab { cluster, owner in
            try await LabFixture.session(owner) { lab in
                _ = try await lab.publish(caseDatabase: a)
                _ = try await lab.publish(caseDatabase: b)
                for sql in ["CREATE ROLE team_a NOLOGIN", "CREATE ROLE team_b NOLOGIN", "CREATE ROLE \"Team \"\"C\"\"\" NOLOGIN",
                            "CREATE ROLE examiner_a LOGIN IN ROLE team_a", "CREATE ROLE examiner_b LOGIN IN ROLE team_b",
                            "CREATE ROLE examiner_c LOGIN IN ROLE \"Team \"\"C\"\"\"", "CREATE ROLE outsider LOGIN"] {
                    try await lab.rawExecute(sql)
                }
                try await lab.grantCase("LAB-A", to: "team_a")
                try await lab.grantCase("LAB-B", to: "team_b")
                try await lab.grantCase("LAB-B", to: "Team \"C\"")   // a name that must be quoted
                try await lab.grantCase("LAB-B", to: "team_b")        // again: nothing changes
                // A role that does not exist is refused with its name; nothing is recorded.
                await #expect(throws: LabError.self) { try await lab.grantCase("LAB-A", to: "no_such_role") }
                #expect(try await lab.caseGrants() == [LabCaseGrant(caseName: "LAB-A", role: "team_a"),
                                                       LabCaseGrant(caseName: "LAB-B", role: "Team \"C\""),
                                                       LabCaseGrant(caseName: "LAB-B", role: "team_b")])
                // The owner sees both cases.
                #expect(LabSpreadTests.keys(try await lab.spread(sha256: telegram, pdq: [], exactOnly: true)) == (expectedA + expectedB).sorted())
            }
            // Team A: case A only, through every question and through plain SQL.
            try await LabFixture.session(try Self.url(cluster, as: "examiner_a")) { lab in
                let s = try await lab.spread(sha256: telegram, pdq: [], exactOnly: true)
                #expect(LabSpreadTests.keys(s) == expectedA)
                #expect(s.cases == 1)
                let near = try await lab.spread(sha256: telegram, pdq: [])
                #expect(Set(near.appearances.map(\.caseName)) == ["LAB-A"])
                #expect(try await lab.search("콘서트 사진").map(\.caseName) == ["LAB-A"])
                #expect(Set(try await lab.known().flatMap { $0.hits.map(\.caseName) }) == ["LAB-A"])
                #expect(try await lab.publishedCases().map(\.name) == ["LAB-A"])
                for t in ["lab_evidence", "lab_files", "lab_pdq", "lab_chats", "lab_participants", "lab_messages", "lab_attachments", "lab_known_matches"] {
                    #expect(try await Self.count(lab, "SELECT count(*)::integer FROM \(t) WHERE case_id <> (SELECT case_id FROM lab_cases)") == 0, "\(t)")
                }
                #expect(try await Self.count(lab, "SELECT count(*)::integer FROM lab_cases") == 1)
                // Readers read: no writing, no grants, no queue.
                await #expect(throws: (any Error).self) { try await lab.rawExecute("DELETE FROM lab_files") }
                await #expect(throws: (any Error).self) { try await lab.rawExecute("INSERT INTO lab_case_access VALUES ('LAB-B', 'team_a')") }
                await #expect(throws: (any Error).self) { _ = try await lab.caseGrants() }
                await #expect(throws: (any Error).self) { _ = try await lab.status() }
            }
            for role in ["examiner_b", "examiner_c"] {
                try await LabFixture.session(try Self.url(cluster, as: role)) { (lab: LabIndex) async throws in
                    #expect(LabSpreadTests.keys(try await lab.spread(sha256: telegram, pdq: [], exactOnly: true)) == expectedB, "\(role)")
                    #expect(try await lab.search("콘서트 사진").map(\.caseName) == ["LAB-B", "LAB-B"], "\(role)")
                }
            }
            // A role granted nothing cannot even read the tables.
            _ = try await LabFixture.session(try Self.url(cluster, as: "outsider")) { (lab: LabIndex) async throws in
                await #expect(throws: (any Error).self) { _ = try await lab.spread(sha256: telegram, pdq: []) }
            }
            // Revoked: team A keeps SELECT on the tables but sees no row.
            _ = try await LabFixture.session(owner) { (lab: LabIndex) async throws in
                #expect(try await lab.revokeCase("LAB-A", from: "team_a"))
                #expect(try await !lab.revokeCase("LAB-A", from: "team_a"))
            }
            try await LabFixture.session(try Self.url(cluster, as: "examiner_a")) { lab in
                let s = try await lab.spread(sha256: telegram, pdq: [])
                #expect(s.appearances.isEmpty && s.cases == 0)
                #expect(try await lab.search("콘서트").isEmpty)
                #expect(try await Self.count(lab, "SELECT count(*)::integer FROM lab_pdq") == 0)
            }
        }
    }
}
