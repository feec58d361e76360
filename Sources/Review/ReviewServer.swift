import EvidenceStore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// How `exhibit serve` runs.
public struct ReviewServerOptions: Sendable {
    /// The case database (opened read-only).
    public var databasePath: String
    /// The sidecar review database (tags, notes, review log); beside the case by default.
    public var reviewPath: String
    /// Address to bind: `127.0.0.1` unless the user asked for another with `--listen`.
    public var host: String
    /// Port; 0 picks a free one (printed once bound).
    public var port: Int
    /// Access token required on every API request, or `nil` (loopback only).
    public var token: String?
    /// The reviewer's name recorded with every tag, note and reveal.
    public var reviewer: String
    /// Folder for the private scratch directory pictures are read through.
    public var temporaryRoot: String

    /// Options with the review database beside the case.
    public init(databasePath: String, host: String = "127.0.0.1", port: Int = 8080, token: String? = nil,
                reviewer: String, temporaryRoot: String) {
        self.databasePath = databasePath
        self.reviewPath = ReviewDatabase.sidecarPath(forCase: databasePath)
        self.host = host; self.port = port; self.token = token; self.reviewer = reviewer
        self.temporaryRoot = temporaryRoot
    }

    /// Whether `host` is a loopback address (no token needed there).
    public static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }
}

/// `exhibit serve`: the prosecutor's local, read-only review application (docs/review.md).
public enum ReviewServer {
    /// Opens the case read-only and the review database, then serves until interrupted.
    /// `ready` gets the URL to open once the socket is bound (with the token when one is required).
    public static func run(_ options: ReviewServerOptions, ready: @escaping @Sendable (String) -> Void) async throws {
        let db = try EvidenceDatabase.openExisting(path: options.databasePath, readOnly: true)
        let review: ReviewDatabase
        do {
            review = try ReviewDatabase(path: options.reviewPath)
        } catch {
            // A case on write-protected media: the tags must go somewhere else.
            throw ReviewServerError(message: "cannot open the review database \(options.reviewPath) "
                                    + "(pass --review-db FILE in a writable folder): \(error)")
        }
        let api = try ReviewAPI(db: db, review: review, reviewer: options.reviewer, temporaryRoot: options.temporaryRoot)
        try review.record(action: "review.open", reviewer: options.reviewer,
                          details: ["case": .string(URL(fileURLWithPath: options.databasePath).lastPathComponent)])
        let router = Router()
        let hosts = HostList()
        router.add(middleware: AccessGuard<BasicRequestContext>(token: options.token, hosts: hosts))
        api.register(on: router)
        Pages.register(on: router)
        var logger = Logger(label: "exhibit-serve")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                let shown = options.host.contains(":") ? "[\(options.host)]" : options.host
                hosts.set(["\(shown):\(port)".lowercased(), "localhost:\(port)", "127.0.0.1:\(port)"])
                let query = options.token.map { "?token=\($0)" } ?? ""
                ready("http://\(shown):\(port)/\(query)")
            },
            logger: logger)
        try await app.runService()
    }
}

/// Why the server could not start, in one sentence.
public struct ReviewServerError: Error, CustomStringConvertible {
    /// The sentence.
    public var message: String
    /// The sentence.
    public var description: String { message }
}

/// The accepted `Host` values, known only once the port is bound.
final class HostList: @unchecked Sendable {
    // Safe: `values` is only touched under `lock`.
    private let lock = NSLock()
    private var values: Set<String> = []

    /// Replaces the list.
    func set(_ hosts: Set<String>) { lock.withLock { values = hosts } }

    /// Whether `host` is accepted.
    func contains(_ host: String) -> Bool { lock.withLock { values.contains(host) } }
}
