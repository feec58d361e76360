import ExhibitTesting
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Certificates made by openssl at test time (nothing committed): a test CA, a server
/// certificate it signs for `IP:127.0.0.1` (not 127.0.0.2: the host-name check has something to
/// refuse), and a second, unrelated CA a client may wrongly trust; client certificates for role
/// `lab_cert` (CN = the role), one signed by the test CA and one by the other CA, keys mode 0600. Under root the server's key is
/// handed to the user the cluster runs as (PostgreSQL wants its key readable by itself only).
struct TestCertificates {
    let ca: String, otherCA: String, serverCert: String, serverKey: String
    /// Client certificate and key signed by the test CA, and a pair signed by the other CA.
    let clientCert: String, clientKey: String, strangerCert: String, strangerKey: String
    /// The role that authenticates by certificate (its name is the certificates' CN).
    static let clientRole = "lab_cert"

    init(dir: String, serverUser: String?) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        ca = dir + "/ca.pem"; otherCA = dir + "/other-ca.pem"; serverCert = dir + "/server.pem"; serverKey = dir + "/server.key"
        let openssl = ["/usr/bin/openssl", "/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "openssl"
        clientCert = dir + "/client.pem"; clientKey = dir + "/client.key"; strangerCert = dir + "/stranger.pem"; strangerKey = dir + "/stranger.key"
        let ext = dir + "/server.ext"
        let clientExt = dir + "/client.ext"
        try "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n".write(toFile: clientExt, atomically: true, encoding: .utf8)
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
        ] + [(clientCert, clientKey, ca), (strangerCert, strangerKey, otherCA)].flatMap { cert, key, signer in
            [["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert + ".csr",
              "-subj", "/CN=\(Self.clientRole)"],
             ["x509", "-req", "-in", cert + ".csr", "-CA", signer, "-CAkey", signer.replacingOccurrences(of: ".pem", with: ".key"),
              "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", clientExt]]
        }
        for args in steps {
            let r = try Run.command(openssl, args)
            guard r.exitCode == 0 else { throw ClusterError("openssl \(args.first ?? ""): \(r.stderr)") }
        }
        for key in [serverKey, clientKey, strangerKey] { chmod(key, 0o600) }
        if let u = serverUser {
            for f in [dir, serverCert, serverKey, ca] {
                let r = try Run.command("/bin/chown", [u, f])
                guard r.exitCode == 0 else { throw ClusterError("chown \(u) \(f): \(r.stderr)") }
            }
        }
    }
}
