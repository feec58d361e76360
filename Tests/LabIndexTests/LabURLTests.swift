import ExhibitTesting
import Foundation
import LabIndex
import Testing

/// The connection string: parsed from a file or `$EXHIBIT_LAB_URL`, and its password never
/// appears in a description or an error.
@Suite("Lab index: connection string")
struct LabURLTests {
    @Test func parsesEveryPartAndHidesThePassword() throws {
        let u = try LabURL(parsing: "postgresql://examiner:s3cr%40t@db.lab.example:6543/exhibit_lab?sslmode=require&sslrootcert=/etc/lab/ca.pem\n")
        #expect(u.host == "db.lab.example")
        #expect(u.port == 6543)
        #expect(u.user == "examiner")
        #expect(u.database == "exhibit_lab")
        #expect(u.tls == .require)
        #expect(u.rootCertificate == "/etc/lab/ca.pem")
        #expect(u.description == "examiner@db.lab.example:6543/exhibit_lab")
        #expect(!"\(u)".contains("s3cr"))
        let d = try LabURL(parsing: "postgres://lab@127.0.0.1")
        #expect(d.port == 5432 && d.database == "lab" && d.tls == .prefer && d.rootCertificate == nil)
        #expect(try LabURL(parsing: "postgres://lab@h/x?sslmode=disable").tls == .disable)
    }

    @Test func badStringsAreRefusedWithoutQuotingThem() {
        let secret = "hunter2-secret"
        for bad in ["http://u:\(secret)@h/db", "postgres://:\(secret)@h/db", "postgres://u:\(secret)@/db", "u:\(secret)@h/db",
                    "postgres://u:\(secret)@h/db?sslmode=sometimes", "postgres://u:\(secret)@h/db?application_name=x", "", "\u{0}"] {
            do {
                _ = try LabURL(parsing: bad)
                Issue.record("accepted \(bad.count) characters")
            } catch {
                #expect(!error.description.contains(secret), "error quotes the password: \(error)")
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test func loadsFromAFileElseTheEnvironment() throws {
        let dir = try TestDirectory("laburl")
        defer { dir.remove() }
        let file = dir.path("lab.url")
        try "postgres://lab:pw@10.1.2.3:5433/labdb\n".write(toFile: file, atomically: true, encoding: .utf8)
        let f = try LabURL.load(file: file, environment: [LabURL.environmentVariable: "postgres://other@elsewhere/x"])
        #expect(f.description == "lab@10.1.2.3:5433/labdb", "the file wins over the environment")
        let e = try LabURL.load(file: nil, environment: [LabURL.environmentVariable: "postgres://other@elsewhere/x"])
        #expect(e.description == "other@elsewhere:5432/x")
        #expect(throws: LabError.self) { try LabURL.load(file: nil, environment: [:]) }
        #expect(throws: LabError.self) { try LabURL.load(file: dir.path("missing.url"), environment: [:]) }
    }

    @Test func pdqChunksAreTheInCaseMatchersChunks() throws {
        let hex = "64d69b2966d69939b36b66d69929666664d699296656a52b912964761b2b5ad4"
        let c = try #require(PDQChunks(hex: hex))
        #expect(c.chunks == [0x64d6, 0x9b29, 0x66d6, 0x9939, 0xb36b, 0x66d6, 0x9929, 0x6666,
                             0x64d6, 0x9929, 0x6656, 0xa52b, 0x9129, 0x6476, 0x1b2b, 0x5ad4])
        #expect(c.bitString.count == 256 && c.bitString.hasPrefix("0110010011010110"))
        #expect(PDQChunks(hex: String(hex.dropLast())) == nil)
        #expect(PDQChunks(hex: String(hex.dropLast()) + "g") == nil)
        #expect(PDQChunks.neighbours(0, flips: 1) == [0] + (0..<16).map { 1 << $0 })
        #expect(PDQChunks.neighbours(0xffff, flips: 2).count == 1 + 16 + 120)
    }
}
