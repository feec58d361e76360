import ExhibitTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The sample case (corpora/sample-case with its known-bad hash sets, read in Asia/Seoul) plus
/// a hostile chat export, ingested by the real binary — the case every review test serves.
enum ReviewFixture {
    static let exhibit = Corpus.executable("exhibit")

    /// Text that must stay text in the pages: markup, a `javascript:` link, an RTL override.
    static let hostileText = "<script>document.title='owned'</script> javascript:alert(1) \u{202E}gnp.exe"

    /// A WhatsApp Android export (Python's zipfile) whose sender and text are hostile.
    static func hostileZip(in dir: TestDirectory) throws -> String {
        let path = dir.path("hostile-chat.zip")
        let script = """
            import sys, zipfile
            path, text = sys.argv[1:3]
            nn = "\\u202f"
            lines = [f"8/29/24, 9:00{nn}AM - Mallory <i>x</i>: {text}", f"8/29/24, 9:01{nn}AM - Mallory <i>x</i>: second"]
            with zipfile.ZipFile(path, "w") as z:
                z.writestr(zipfile.ZipInfo("WhatsApp Chat with Mallory.txt", (2024, 8, 29, 9, 5, 0)), "\\n".join(lines) + "\\n")
            """
        let r = try Run.command("/usr/bin/env", ["python3", "-c", script, path, hostileText])
        try #require(r.exitCode == 0, "hostile zip: \(r.stderr)")
        return path
    }

    /// Imports the sample case's known-bad lists, then ingests its two items and the hostile zip.
    static func caseDB(_ dir: TestDirectory) throws -> String {
        let db = dir.path("case.sqlite")
        for (name, algorithm, file) in [("known-pdq", "pdq", "pdq.txt"), ("known-sha256", "sha256", "sha256.txt")] {
            let r = try Run.command(exhibit, ["hashset", "import", "--db", db, "--name", name, "--kind", "known-bad",
                                              "--algorithm", algorithm, Corpus.url("sample-case/known-bad/\(file)").path])
            try #require(r.exitCode == 0, "hashset import: \(r.stderr)")
        }
        let r = try Run.command(exhibit, ["ingest", Corpus.url("sample-case/phone-dump.zip").path,
                                          Corpus.url("sample-case/pc-export.tar.gz").path, try hostileZip(in: dir),
                                          "--db", db, "--case", "REVIEW-1", "--examiner", "Tester", "--assume-tz", "Asia/Seoul",
                                          "--item", "phone-dump.zip=ITEM-1"])
        try #require(r.exitCode == 0, "ingest: \(r.stderr)")
        return db
    }

    static func sha256(_ path: String) throws -> String {
        try Run.shell("sha256sum '\(path)' | cut -d' ' -f1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// One `exhibit serve` child on a free port, stopped with SIGTERM.
final class ServeProcess: @unchecked Sendable {
    // Safe: set up in init, then only read; `stop` is called once by the owning test.
    let process = Process()
    let url: String
    let stderrPath: String

    /// Starts the server and waits (up to 30 s) for the URL it prints. With `ownReview`, the
    /// server gets its own review database (`NAME.review.sqlite`), so suites running side by
    /// side on one case do not see each other's log entries.
    init(db: String, dir: TestDirectory, extra: [String] = [], name: String = "serve", ownReview: Bool = true) throws {
        let out = dir.path("\(name).out"), err = dir.path("\(name).err")
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        stderrPath = err
        process.executableURL = URL(fileURLWithPath: ReviewFixture.exhibit)
        let review = ownReview && !extra.contains("--review-db") ? ["--review-db", dir.path("\(name).review.sqlite")] : []
        process.arguments = ["serve", "--db", db, "--port", "0", "--reviewer", "Test Reviewer"] + review + extra
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        try process.run()
        var found: String?
        for _ in 0..<300 {
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            if let r = text.range(of: "http://") {
                found = String(text[r.lowerBound...].prefix { !$0.isWhitespace })
                break
            }
            if !process.isRunning { break }
            usleep(100_000)
        }
        guard let found else {
            let e = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            process.terminate()
            throw ServeError(message: "exhibit serve printed no URL: \(e)")
        }
        url = found
    }

    /// `http://127.0.0.1:PORT` without the path and token.
    var base: String {
        guard let r = url.range(of: "/", range: url.index(url.startIndex, offsetBy: 7)..<url.endIndex) else { return url }
        return String(url[..<r.lowerBound])
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// SIGTERM and wait; a second call does nothing.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

struct ServeError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A real HTTP client on loopback (URLSession).
enum HTTP {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: body) }
    }

    static func request(_ url: String, method: String = "GET", body: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        guard let u = URL(string: url) else { throw ServeError(message: "bad URL \(url)") }
        var req = URLRequest(url: u)
        req.httpMethod = method
        req.httpBody = body
        for (k, v) in headers { req.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: req)
        guard let http = response as? HTTPURLResponse else { throw ServeError(message: "not HTTP") }
        var h: [String: String] = [:]
        for (k, v) in http.allHeaderFields { h[String(describing: k).lowercased()] = String(describing: v) }
        return Reply(status: http.statusCode, headers: h, body: data)
    }

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> Reply { try await request(url, headers: headers) }

    static func post(_ url: String, json: [String: Any], headers: [String: String] = [:]) async throws -> Reply {
        try await request(url, method: "POST", body: try JSONSerialization.data(withJSONObject: json),
                          headers: ["Content-Type": "application/json"].merging(headers) { $1 })
    }

    /// GET and decode a JSON object (fails the test on another status).
    static func object(_ url: String) async throws -> [String: Any] {
        let r = try await get(url)
        try #require(r.status == 200, "\(url): \(r.status) \(r.text)")
        return try #require(try r.json() as? [String: Any], "\(url): not an object: \(r.text)")
    }

    /// GET and decode a JSON array.
    static func array(_ url: String) async throws -> [[String: Any]] {
        let r = try await get(url)
        try #require(r.status == 200, "\(url): \(r.status) \(r.text)")
        return try #require(try r.json() as? [[String: Any]], "\(url): not an array: \(r.text)")
    }
}
