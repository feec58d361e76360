import ArgumentParser
import ExhibitSupport
import Foundation
import Review

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Review the case in a browser: a local, read-only web application (docs/review.md).",
        discussion: """
        Opens the case database read-only and serves pages and a JSON API (/api/...,
        described at /openapi.json) on 127.0.0.1: overview (items, custody,
        integrity, known-bad pictures), timeline (paged, filtered, case-zone local
        time with UTC beside it), chats and threads (pictures blurred until clicked;
        each reveal is recorded), known media and files. No internet is needed:
        every page, script and style is served by Exhibit.

        Tags, notes and the hash-chained review log go to a separate review database
        beside the case (case.review.sqlite); the case database is never written.

        Another address than loopback needs --listen ADDR; a warning is printed and
        every API request must then carry the access token shown in the printed URL
        (or --token).

        Examples:
          exhibit serve --db case.sqlite --reviewer "Prosecutor Lee"
          exhibit serve --db case.sqlite --port 8443
          exhibit serve --db case.sqlite --listen 192.168.1.20 --port 8080

        Exit codes: 0 stopped (Ctrl-C); 1 the database cannot be read or the port
        cannot be bound; 2 bad option.
        """)

    @OptionGroup var database: DatabaseOption
    @Option(help: "TCP port (0 picks a free one; the URL printed says which).") var port: Int = 8080
    @Option(help: ArgumentHelp("Listen on this address instead of 127.0.0.1 (prints a warning; a token is then required).", valueName: "addr"))
    var listen: String?
    @Option(help: "Access token for --listen (default: a random one, printed in the URL).") var token: String?
    @Option(help: "Your name, recorded with every tag, note and reveal in the review log (default: $USER).")
    var reviewer: String?
    @Option(help: ArgumentHelp("The review database (default: beside the case, NAME.review.sqlite).", valueName: "file"))
    var reviewDb: String?
    @Option(help: "Folder for the private scratch directory pictures are read through.")
    var tempDir: String = TemporaryDirectory.defaultRoot

    func run() throws {
        guard (0...65535).contains(port) else { fail("--port: 0 to 65535", code: 2) }
        let name = reviewer ?? ProcessInfo.processInfo.environment["USER"] ?? "reviewer"
        var options = ReviewServerOptions(databasePath: database.db, port: port, reviewer: name, temporaryRoot: tempDir)
        if let reviewDb { options.reviewPath = reviewDb }
        if let listen, !ReviewServerOptions.isLoopback(listen) {
            options.host = listen
            let t = token ?? Self.randomToken()
            guard t.count >= 16, t.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                fail("--token: at least 16 letters or digits", code: 2)
            }
            options.token = t
            FileHandle.standardError.write(Data("""
                exhibit: WARNING: serving the case on \(listen), not only this machine. Anyone who can reach this
                address and has the token can read the case. Prefer the default (127.0.0.1).\n
                """.utf8))
        } else if let listen {
            options.host = listen
            options.token = token
        } else if token != nil {
            options.token = token
        }
        let dbPath = database.db, reviewPath = options.reviewPath, serveOptions = options
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await ReviewServer.run(serveOptions) { url in
                    // Unbuffered: a script (or a test) reads the URL while the server runs.
                    FileHandle.standardOutput.write(Data("""
                        Exhibit review of \(dbPath) (read-only) at \(url)
                        Review database: \(reviewPath). Stop with Ctrl-C.\n
                        """.utf8))
                }
            } catch {
                failure.set("\(dbPath): \(error)")
            }
            done.signal()
        }
        done.wait()
        if let message = failure.get() { fail(message, code: 1) }
    }

    /// 32 hex digits from the system's random source (getrandom on Linux).
    static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }
}

/// The server task's error, read after it ends.
private final class FailureBox: @unchecked Sendable {
    // Written once by the server task before it signals, read after the wait: no overlap.
    private var message: String?
    func set(_ m: String) { message = m }
    func get() -> String? { message }
}
