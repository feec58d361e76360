import ExhibitTesting
import Foundation
import Testing

/// `exhibit lab …` end to end, as an examiner runs it: the connection string from a file or
/// `$EXHIBIT_LAB_URL` (never printed, also not in errors), init, publish twice, spread by
/// SHA-256, by PDQ and by picture file, search and known, and the exit codes.
@Suite("Lab index: exhibit lab commands")
struct LabCLITests {
    @Test func labCommandsEndToEnd() throws {
        let (a, b, _) = try LabFixture.cases.get()
        let cluster = try PostgresCluster()
        defer { cluster.stop() }
        let dir = try TestDirectory("lab-cli")
        defer { dir.remove() }
        // A password the server does not need (trust), so that we can look for it in every output.
        let secret = "pw-\(UUID().uuidString.prefix(8))"
        let url = cluster.url.replacingOccurrences(of: "lab@", with: "lab:\(secret)@")
        let file = dir.path("lab.url")
        try url.write(toFile: file, atomically: true, encoding: .utf8)
        let exe = LabFixture.exhibit
        func lab(_ args: [String], env: [String: String] = [:]) throws -> CommandResult {
            let r = try Run.command(exe, ["lab"] + args, environment: env)
            #expect(!(r.stdout + r.stderr).contains(secret), "the password was printed by lab \(args.first ?? "")")
            return r
        }
        let f = ["--postgres-url-file", file]

        var r = try lab(["spread", "--postgres-url-file", dir.path("none.url"), String(repeating: "a", count: 64)])
        #expect(r.exitCode == 2 && r.stderr.contains("cannot read the lab connection string"), "\(r.stderr)")
        r = try lab(["search", "x"], env: ["EXHIBIT_LAB_URL": ""])
        #expect(r.exitCode == 2 && r.stderr.contains("EXHIBIT_LAB_URL"), "\(r.stderr)")
        r = try lab(["publish"] + f + [a])
        #expect(r.exitCode == 1 && r.stderr.contains("lab init"), "before init: \(r.stderr)")
        // A server that is not there: exit 1, named by host and port only.
        let down = dir.path("down.url")
        try "postgres://lab:\(secret)@127.0.0.1:1/lab?sslmode=disable".write(toFile: down, atomically: true, encoding: .utf8)
        r = try lab(["known", "--postgres-url-file", down])
        #expect(r.exitCode == 1 && r.stderr.contains("lab@127.0.0.1:1/lab"), "\(r.stderr)")

        r = try lab(["init"] + f)
        #expect(r.exitCode == 0 && r.stdout.contains("applied v1-lab, v2-queue, v3-access, v4-hashsets, v5-partitions, v6-pdq-keys"), "\(r.stdout)\(r.stderr)")
        r = try lab(["init"], env: ["EXHIBIT_LAB_URL": url])
        #expect(r.exitCode == 0 && r.stdout.contains("up to date"), "\(r.stdout)\(r.stderr)")
        r = try lab(["publish"] + f + [a, b, dir.path("missing.sqlite")])
        #expect(r.exitCode == 1 && r.stdout.contains("published LAB-A") && r.stdout.contains("published LAB-B"), "\(r.stdout)\(r.stderr)")
        r = try lab(["publish", "--json"] + f + [a])
        #expect(r.exitCode == 0 && r.stdout.contains("\"case_name\" : \"LAB-A\""), "\(r.stdout)\(r.stderr)")

        let telegram = try LabFixture.sha256(in: b, pathSuffix: "Telegram Images/5402285916542734721_121.jpg")
        r = try lab(["spread"] + f + [telegram])
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("== 2 cases, "), "\(r.stdout)")
        #expect(r.stdout.contains("\(a) messages.id=2") && r.stdout.contains("\(b) files.id="), "\(r.stdout)")
        r = try lab(["spread", "--pdq"] + f + ["64d69b2966d69939b36b66d69929666664d699296656a52b912964761b2b5ad4"])
        #expect(r.exitCode == 0 && r.stdout.contains("pdq distance"), "\(r.stdout)\(r.stderr)")
        // A picture file from outside any case: the camera original from the sample case's phone.
        let unzip = try Run.command("/usr/bin/unzip", ["-o", "-q", Corpus.url("sample-case/phone-dump.zip").path,
                                                       "sdcard/Pictures/Edited/concert_small.jpg", "-d", dir.path("pic")])
        try #require(unzip.exitCode == 0, "\(unzip.stderr)")
        r = try lab(["spread", "--json"] + f + [dir.path("pic/sdcard/Pictures/Edited/concert_small.jpg")])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["cases"] as? Int == 2, "a half-size re-encoding finds the picture in both cases")
        // snake_case keys, every key present, a local time beside each UTC one (issue 15, item 18).
        let first = try #require(json["first"] as? [String: Any])
        #expect(first["utc_us"] != nil && first.keys.contains("local") && first["local"] is NSNull, "UTC unless --tz: \(first)")
        r = try lab(["spread"] + f + [String(repeating: "0", count: 64)])
        #expect(r.exitCode == 4, "\(r.stdout)\(r.stderr)")
        r = try lab(["spread"] + f + ["not-a-hash"])
        #expect(r.exitCode == 2)
        r = try lab(["search"] + f + ["콘서트 사진"])
        #expect(r.exitCode == 0 && r.stdout.split(separator: "\n").count == 3 && r.stdout.contains("\(a) messages.id=1"), "\(r.stdout)")
        // Cases may have different zones: UTC by default, --tz shows a zone with UTC beside it.
        r = try lab(["search", "--tz", "Asia/Seoul"] + f + ["콘서트 사진"])
        #expect(r.exitCode == 0 && r.stdout.split(separator: "\n").allSatisfy { $0.contains(" +09:00 (") }, "\(r.stdout)")
        r = try lab(["rebuild"] + f)
        #expect(r.exitCode == 0 && r.stdout.contains("published LAB-A from \(a)") && r.stdout.contains("published LAB-B from \(b)"),
                "\(r.stdout)\(r.stderr)")
        r = try lab(["known"] + f)
        #expect(r.exitCode == 0 && r.stdout.contains("== demo-known-pdq 64d69b29") && r.stdout.contains("2 cases"), "\(r.stdout)")
    }
}
