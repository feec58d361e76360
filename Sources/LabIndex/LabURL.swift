import Foundation

/// Where the lab index lives, parsed from a `postgres://user:password@host:port/database?sslmode=…`
/// connection string. The string carries a password, so it is read only from a file or the
/// environment (never from the command line, where `ps` shows it) and never printed or logged:
/// ``description`` and every error name the host, port and database only.
public struct LabURL: Sendable, CustomStringConvertible {
    /// How the connection uses TLS (libpq's `sslmode` words).
    public enum TLSMode: String, Sendable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it (libpq's default).
        case prefer
        /// TLS or no connection; the server's certificate chain AND host name are verified
        /// (`sslrootcert` names the CA file, else the system's roots): libpq's `verify-full`.
        case require
        /// TLS or no connection; the chain is verified, the host name is not (libpq's `verify-ca`:
        /// for a server reached by an address its certificate does not name).
        case verifyCA = "verify-ca"
    }

    /// Server host name or address.
    public var host: String
    /// TCP port (5432 unless given).
    public var port: Int
    /// Role to log in as.
    public var user: String
    /// The password, when the string has one (kept out of every description).
    var password: String?
    /// Database name (the user name unless given).
    public var database: String
    /// TLS mode (`sslmode`, default `prefer`).
    public var tls: TLSMode
    /// CA certificate file to verify the server with (`sslrootcert`), else the system's roots.
    public var rootCertificate: String?
    /// Client certificate (PEM, `sslcert`) presented to a server that authenticates by
    /// certificate (pg_hba `cert`, or `clientcert=verify-full`); always with ``clientKey``.
    public var clientCertificate: String?
    /// The client certificate's private key (PEM, `sslkey`); like libpq, refused when others
    /// than its owner may read it.
    public var clientKey: String?

    /// The environment variable read when no file is given.
    public static let environmentVariable = "EXHIBIT_LAB_URL"

    /// Parses a `postgres://` or `postgresql://` URL. Errors never quote the string.
    public init(parsing text: String) throws(LabError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let c = URLComponents(string: trimmed), let scheme = c.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql" else {
            throw LabError("the lab connection string is not a postgres:// URL (its text is not shown: it may hold a password)")
        }
        guard let host = c.host, !host.isEmpty else { throw LabError("the lab connection string names no host") }
        guard let user = c.user, !user.isEmpty else { throw LabError("the lab connection string names no user (postgres://USER@host/db)") }
        self.host = host
        self.port = c.port ?? 5432
        self.user = user
        self.password = c.password
        let db = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        self.database = db.isEmpty ? user : db
        var tls = TLSMode.prefer
        var root: String?
        var cert: String?, key: String?
        for item in c.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value ?? "" {
                case "disable", "allow": tls = .disable
                case "prefer": tls = .prefer
                case "require", "verify-full": tls = .require
                case "verify-ca": tls = .verifyCA
                default: throw LabError("sslmode must be disable, prefer, require, verify-ca or verify-full")
                }
            case "sslrootcert": root = item.value
            case "sslcert": cert = item.value
            case "sslkey": key = item.value
            default: throw LabError("unknown connection parameter '\(item.name)' (known: sslmode, sslrootcert, sslcert, sslkey)")
            }
        }
        guard (cert == nil) == (key == nil) else { throw LabError("sslcert and sslkey go together: give both or neither") }
        if cert != nil, tls == .disable { throw LabError("sslcert needs TLS: sslmode must not be disable") }
        self.tls = tls
        self.rootCertificate = root
        self.clientCertificate = cert
        self.clientKey = key
    }

    /// The connection string from `file` when given, else from `$EXHIBIT_LAB_URL`.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LabError) -> LabURL {
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw LabError("cannot read the lab connection string from \(file)")
            }
            return try LabURL(parsing: text)
        }
        guard let text = environment[environmentVariable], !text.isEmpty else {
            throw LabError("no lab index given: use --postgres-url-file FILE or set \(environmentVariable)")
        }
        return try LabURL(parsing: text)
    }

    /// `user@host:port/database` — no password.
    public var description: String { "\(user)@\(host):\(port)/\(database)" }
}

/// A lab-index failure, worded for the examiner; never carries the connection string.
public struct LabError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and, where known, what to do.
    public var message: String
    /// Makes an error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
