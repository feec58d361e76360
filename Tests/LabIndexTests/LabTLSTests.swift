import ExhibitTesting
import Foundation
import LabIndex
import PostgresNIO
import Testing

/// TLS against a real TLS server: PostgreSQL started with `ssl=on` and a certificate made by
/// openssl for this test (for 127.0.0.1, signed by a test CA), refusing connections without TLS.
/// The lab connects and publishes over TLS when it trusts that CA; it refuses a server it cannot
/// verify (no CA given, the wrong CA), and one reached by an address the certificate does not
/// name (`verify-full`, also what `require` does), which `verify-ca` accepts. No message ever
/// shows the password.
@Suite("Lab index: TLS to PostgreSQL")
struct LabTLSTests {
    static func isTLS(_ lab: LabIndex) async throws -> Bool {
        var on = false
        for try await s in try await lab.rawQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").decode(Bool.self) { on = s }
        return on
    }

    @Test func verifiedTLSOnlyAndTheHostNameChecked() async throws {
        let (a, _, _) = try LabFixture.cases.get()
        let cluster = try PostgresCluster(tls: true)
        defer { cluster.stop() }
        let certs = try #require(cluster.certificates)
        let secret = "pw-\(UUID().uuidString.prefix(8))"
        func url(_ host: String, _ query: String) throws -> LabURL {
            try LabURL(parsing: "postgres://lab:\(secret)@\(host):\(cluster.port)/lab?\(query)")
        }
        /// Connects and returns nil, or the error's words (checked for the password).
        func refusal(_ u: LabURL) async -> String? {
            do {
                let lab = try await LabIndex.connect(u)
                defer { Task { await lab.close() } }
                _ = try await lab.appliedMigrations()
                return nil
            } catch {
                let words = LabIndex.describe(error)
                #expect(!words.contains(secret), "the password in an error: \(words)")
                return words
            }
        }

        // Trusting the test CA: TLS, and the lab works through it (init, publish, spread).
        for q in ["sslmode=require&sslrootcert=\(certs.ca)", "sslmode=verify-full&sslrootcert=\(certs.ca)", "sslrootcert=\(certs.ca)"] {
            let (tls, report, cases) = try await LabFixture.session(try url("127.0.0.1", q)) { lab in
                try await lab.migrate()
                let r = try await lab.publish(caseDatabase: a)
                let s = try await lab.spread(sha256: nil, pdq: ["64d69b2966d69939b36b66d69929666664d699296656a52b912964761b2b5ad4"])
                return (try await Self.isTLS(lab), r, s.cases)
            }
            #expect(tls, "\(q): not TLS")
            #expect(report.caseName == "LAB-A" && cases == 1, "\(q)")
        }
        // verify-ca: the CA is checked, not the address (the certificate names 127.0.0.1 only).
        let viaOther = try await LabFixture.session(try url("127.0.0.2", "sslmode=verify-ca&sslrootcert=\(certs.ca)")) { try await Self.isTLS($0) }
        #expect(viaOther)

        // Refused: no TLS (the server wants it); a CA we do not trust (system roots, another CA);
        // an address the certificate does not name; a CA file that is not there.
        let plain = await refusal(try url("127.0.0.1", "sslmode=disable"))
        #expect(plain?.contains("no pg_hba.conf entry") == true || plain?.contains("rejects") == true, "\(plain ?? "connected without TLS")")
        for (what, u) in [("system roots", try url("127.0.0.1", "sslmode=require")),
                          ("other CA", try url("127.0.0.1", "sslmode=require&sslrootcert=\(certs.otherCA)")),
                          ("prefer, other CA", try url("127.0.0.1", "sslmode=prefer&sslrootcert=\(certs.otherCA)")),
                          ("host name", try url("127.0.0.2", "sslmode=verify-full&sslrootcert=\(certs.ca)")),
                          ("require = verify-full", try url("127.0.0.2", "sslmode=require&sslrootcert=\(certs.ca)"))] {
            let why = await refusal(u)
            #expect(why != nil, "\(what): connected to a server it cannot verify")
            #expect(why?.contains("lab@127.0.0.") == true, "\(what): \(why ?? "")")
        }
        let missing = await refusal(try url("127.0.0.1", "sslmode=require&sslrootcert=/nonexistent/ca.pem"))
        #expect(missing?.contains("sslrootcert /nonexistent/ca.pem cannot be read") == true, "\(missing ?? "connected")")

        // The CLI over TLS, the connection string in a file: the password never printed.
        let dir = try TestDirectory("lab-tls")
        defer { dir.remove() }
        let file = dir.path("lab.url")
        try "postgres://lab:\(secret)@127.0.0.1:\(cluster.port)/lab?sslmode=verify-full&sslrootcert=\(certs.ca)".write(toFile: file, atomically: true, encoding: .utf8)
        var r = try Run.command(LabFixture.exhibit, ["lab", "search", "--postgres-url-file", file, "콘서트"])
        #expect(r.exitCode == 0 && r.stdout.contains("LAB-A"), "\(r.stdout)\(r.stderr)")
        #expect(!(r.stdout + r.stderr).contains(secret))
        try "postgres://lab:\(secret)@127.0.0.2:\(cluster.port)/lab?sslmode=verify-full&sslrootcert=\(certs.ca)".write(toFile: file, atomically: true, encoding: .utf8)
        r = try Run.command(LabFixture.exhibit, ["lab", "search", "--postgres-url-file", file, "콘서트"])
        #expect(r.exitCode == 1 && r.stderr.contains("lab@127.0.0.2:\(cluster.port)/lab"), "\(r.stdout)\(r.stderr)")
        #expect(!(r.stdout + r.stderr).contains(secret))
    }

    /// Client certificates: role `lab_cert` may log in only by a certificate the test CA signed
    /// (pg_hba `cert`). With its certificate and key (`sslcert`/`sslkey`, verify-full) it connects
    /// as itself and reads the case it was granted, in process and through the CLI; without a
    /// certificate, with one another CA signed, or with a key others may read it is refused —
    /// no message showing the password.
    @Test func clientCertificateLogsInAndNothingElseDoes() async throws {
        let (a, _, _) = try LabFixture.cases.get()
        let cluster = try PostgresCluster(tls: true)
        defer { cluster.stop() }
        let certs = try #require(cluster.certificates)
        let secret = "pw-\(UUID().uuidString.prefix(8))"
        let role = TestCertificates.clientRole
        let owner = try LabURL(parsing: "postgres://lab@127.0.0.1:\(cluster.port)/lab?sslmode=verify-full&sslrootcert=\(certs.ca)")
        try await LabFixture.session(owner) { lab in
            try await lab.migrate()
            _ = try await lab.publish(caseDatabase: a)
            try await lab.rawExecute("CREATE ROLE \(role) LOGIN")
            try await lab.grantCase("LAB-A", to: role)
        }
        func url(_ query: String) throws -> LabURL {
            try LabURL(parsing: "postgres://\(role):\(secret)@127.0.0.1:\(cluster.port)/lab?sslmode=verify-full&sslrootcert=\(certs.ca)\(query)")
        }

        // With the certificate: logged in as the role, over TLS, the server saw the certificate.
        let (who, dn, cases) = try await LabFixture.session(try url("&sslcert=\(certs.clientCert)&sslkey=\(certs.clientKey)")) { lab in
            var who = "", dn = ""
            for try await w in try await lab.rawQuery("SELECT current_user::text").decode(String.self) { who = w }
            for try await d in try await lab.rawQuery("SELECT coalesce(client_dn, '') FROM pg_stat_ssl WHERE pid = pg_backend_pid()").decode(String.self) { dn = d }
            let s = try await lab.search("콘서트")
            return (who, dn, Set(s.map(\.caseName)))
        }
        #expect(who == role && dn == "/CN=\(role)", "\(who) \(dn)")
        #expect(cases == ["LAB-A"], "\(cases)")

        // Refused: no certificate, a certificate from another CA, a key others may read.
        for (what, query) in [("no certificate", ""), ("other CA", "&sslcert=\(certs.strangerCert)&sslkey=\(certs.strangerKey)")] {
            do {
                let lab = try await LabIndex.connect(try url(query))
                await lab.close()
                Issue.record("\(what): connected")
            } catch {
                let words = LabIndex.describe(error)
                #expect(!words.contains(secret) && words.contains("\(role)@127.0.0.1"), "\(what): \(words)")
            }
        }
        let dir = try TestDirectory("lab-client-cert")
        defer { dir.remove() }
        let openKey = dir.path("open.key")
        try FileManager.default.copyItem(atPath: certs.clientKey, toPath: openKey)
        chmod(openKey, 0o644)
        await #expect(throws: LabError.self) { _ = try await LabIndex.connect(try url("&sslcert=\(certs.clientCert)&sslkey=\(openKey)")) }
        #expect(throws: LabError.self) { _ = try url("&sslcert=\(certs.clientCert)") }

        // The CLI, the string in a file: the examiner's search through the certificate login.
        let file = dir.path("lab.url")
        try "postgres://\(role):\(secret)@127.0.0.1:\(cluster.port)/lab?sslmode=verify-full&sslrootcert=\(certs.ca)&sslcert=\(certs.clientCert)&sslkey=\(certs.clientKey)"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Run.command(LabFixture.exhibit, ["lab", "search", "--postgres-url-file", file, "콘서트"])
        #expect(r.exitCode == 0 && r.stdout.contains("LAB-A"), "\(r.stdout)\(r.stderr)")
        #expect(!(r.stdout + r.stderr).contains(secret))
    }
}
