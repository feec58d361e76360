import ExhibitTesting
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for one test: Debian's `initdb` and `pg_ctl` (package
/// `postgresql`, installed by `make deps`) in a private temp folder, listening on a free
/// loopback port, trust authentication for role `lab`, database `lab`. PostgreSQL refuses to run
/// as root, so under root (CI) the cluster runs as the `postgres` user the Debian package
/// creates (else `nobody`) through `runuser`. ``stop()`` ends it and removes the folder.
final class PostgresCluster: @unchecked Sendable {
    let dir: String
    let port: Int
    let bin: String
    let user: String?

    /// A connection string for the `lab` database (no password: trust on loopback).
    var url: String { "postgres://lab@127.0.0.1:\(port)/lab?sslmode=disable" }

    /// With `tls`, the server gets `ssl=on` with a certificate for 127.0.0.1 made by openssl for
    /// this cluster (``TestCertificates``), listens on 127.0.0.1 and 127.0.0.2, and refuses
    /// connections without TLS (`hostnossl … reject`); role `lab_cert` must log in with a client
    /// certificate the test CA signed (`cert` authentication; the role is the test's to create).
    let certificates: TestCertificates?

    init(tls: Bool = false) throws {
        guard let bin = Self.findBin() else {
            throw ClusterError("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run make deps (APT package postgresql)")
        }
        self.bin = bin
        var template = Array("/tmp/exhibit-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ClusterError("mkdtemp failed") }
        dir = String(cString: made)
        if getuid() == 0 {
            let u = getpwnam("postgres") != nil ? "postgres" : "nobody"
            user = u
            let r = try Self.run("/bin/chown", [u, dir], as: nil)
            guard r.exitCode == 0 else { throw ClusterError("chown \(u) \(dir): \(r.stderr)") }
        } else {
            user = nil
        }
        let i = try Self.run(bin + "/initdb", ["-D", dir + "/data", "-U", "lab", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], as: user)
        guard i.exitCode == 0 else { throw ClusterError("initdb: \(i.stderr)") }
        var tlsOptions = ""
        if tls {
            let certs = try TestCertificates(dir: dir + "/tls", serverUser: user)
            certificates = certs
            tlsOptions = " -c ssl=on -c ssl_cert_file=\(certs.serverCert) -c ssl_key_file=\(certs.serverKey) -c ssl_ca_file=\(certs.ca)"
            // TLS or nothing, from either loopback address. Role `\(TestCertificates.clientRole)`
            // logs in by client certificate only (signed by the test CA, its CN the role's name).
            let hba = "local all all trust\nhostssl all \(TestCertificates.clientRole) 127.0.0.0/8 cert\n"
                + "hostssl all all 127.0.0.0/8 trust\nhostnossl all all 0.0.0.0/0 reject\n"
            try hba.write(toFile: dir + "/data/pg_hba.conf", atomically: false, encoding: .utf8)
        } else {
            certificates = nil
        }
        let listen = tls ? "'127.0.0.1,127.0.0.2'" : "127.0.0.1"
        var started: Int?
        var lastError = ""
        for _ in 0..<3 {
            let p = Self.freePort()
            let s = try Self.run(bin + "/pg_ctl", ["-D", dir + "/data", "-l", dir + "/log", "-w", "-t", "60", "-o",
                                                   "-p \(p) -k \(dir) -c listen_addresses=\(listen) -c fsync=off -c full_page_writes=off" + tlsOptions, "start"], as: user)
            if s.exitCode == 0 { started = p; break }
            lastError = s.stderr + ((try? String(contentsOfFile: dir + "/log", encoding: .utf8)) ?? "")
        }
        guard let started else { throw ClusterError("pg_ctl start: \(lastError)") }
        port = started
        // Over the socket: a TLS-only cluster refuses plain TCP.
        let c = try Self.run(bin + "/createdb", ["-h", dir, "-p", String(port), "-U", "lab", "lab"], as: user)
        guard c.exitCode == 0 else { stop(); throw ClusterError("createdb: \(c.stderr)") }
    }

    /// Restarts the server (fast shutdown, same port), as an operator or a crash would.
    func restart() throws {
        let r = try Self.run(bin + "/pg_ctl", ["-D", dir + "/data", "-w", "-m", "fast", "restart"], as: user)
        guard r.exitCode == 0 else { throw ClusterError("pg_ctl restart: \(r.stderr)") }
    }

    /// Stops the server and removes its folder.
    func stop() {
        _ = try? Self.run(bin + "/pg_ctl", ["-D", dir + "/data", "-w", "-m", "immediate", "stop"], as: user)
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The newest `/usr/lib/postgresql/N/bin` that has `initdb`.
    static func findBin() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    /// Runs a server tool to completion. Not through Foundation's `Process`: its exit watch can
    /// miss a child whose own child daemonises (`pg_ctl start` under `runuser` was left a zombie
    /// and the wait never returned), so this spawns and `waitpid`s directly; output (stdout and
    /// stderr together) goes through a file.
    static func run(_ program: String, _ args: [String], as user: String?) throws -> (exitCode: Int32, stderr: String) {
        let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--", program] + args } ?? [program] + args
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("exhibit-pg-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let p = try ProcessGroup("/bin/sh", ["-c", "cd /tmp && exec \"$0\" \"$@\" 2>&1"] + argv, stdoutPath: out)
        let status = p.waitExit()
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        return (code, text)
    }

    /// A loopback port nothing listens on now (the kernel's pick).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

struct ClusterError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
