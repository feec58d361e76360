import ExhibitTesting
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Certificates made by openssl at test time (nothing committed): a test CA, a server
/// certificate it signs for `IP:127.0.0.1` (not 127.0.0.2: the host-name check has something to
/// refuse), and a second, unrelated CA a client may wrongly trust. Under root the server's key is
/// handed to the user the cluster runs as (PostgreSQL wants its key readable by itself only).
struct TestCertificates {
    let ca: String, otherCA: String, serverCert: String, serverKey: String

    init(dir: String, serverUser: String?) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        ca = dir + "/ca.pem"; otherCA = dir + "/other-ca.pem"; serverCert = dir + "/server.pem"; serverKey = dir + "/server.key"
        let openssl = ["/usr/bin/openssl", "/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "openssl"
        let ext = dir + "/server.ext"
        try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
            .write(toFile: ext, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir + "/ca.key", "-out", ca,
             "-days", "2", "-subj", "/CN=Exhibit Test Lab CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"],
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir + "/other-ca.key", "-out", otherCA,
             "-days", "2", "-subj", "/CN=Some Other CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", serverKey, "-out", dir + "/server.csr",
             "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", dir + "/server.csr", "-CA", ca, "-CAkey", dir + "/ca.key", "-CAcreateserial", "-out", serverCert,
             "-days", "2", "-extfile", ext],
        ]
        for args in steps {
            let r = try Run.command(openssl, args)
            guard r.exitCode == 0 else { throw ClusterError("openssl \(args.first ?? ""): \(r.stderr)") }
        }
        chmod(serverKey, 0o600)
        if let u = serverUser {
            for f in [dir, serverCert, serverKey, ca] {
                let r = try Run.command("/bin/chown", [u, f])
                guard r.exitCode == 0 else { throw ClusterError("chown \(u) \(f): \(r.stderr)") }
            }
        }
    }
}
