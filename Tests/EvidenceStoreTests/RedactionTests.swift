import EvidenceStore
import Testing

/// Issue 15, item 2: command lines are redacted by rule before they are recorded or printed.
@Suite("CommandLineRedaction")
struct RedactionTests {
    static let r = CommandLineRedaction.placeholder

    @Test(arguments: [
        (["exhibit", "ingest", "a.zip", "--sign-key", "/keys/lab.key"], ["exhibit", "ingest", "a.zip", "--sign-key", r]),
        (["ingest", "--sign-key=0123abcd", "a.zip"], ["ingest", "--sign-key=\(r)", "a.zip"]),
        (["ingest", "--password", "hunter2", "b.tar"], ["ingest", "--password", r, "b.tar"]),
        (["ingest", "--password-file", "/root/pw.txt", "b.tar"], ["ingest", "--password-file", r, "b.tar"]),
        (["ingest", "--backup-passphrase=correct horse"], ["ingest", "--backup-passphrase=\(r)"]),
        (["x", "--api-token", "ghp_abc", "--client-secret", "s3", "--Credentials", "c"], ["x", "--api-token", r, "--client-secret", r, "--Credentials", r]),
        (["x", "--db", "postgres://kim:S3cret@db.local:5432/case"], ["x", "--db", "postgres://kim:\(r)@db.local:5432/case"]),
        (["x", "Server=db;User Id=kim;Password=S3cret;Database=c"], ["x", "Server=db;User Id=kim;Password=\(r);Database=c"]),
        (["x", "https://h/api?user=kim&access_token=abc&x=1"], ["x", "https://h/api?user=kim&access_token=\(r)&x=1"]),
        (["x", "AccountKey=abc==;pwd=p"], ["x", "AccountKey=\(r);pwd=\(r)"]),
        // Not secrets: custody values, hashes, paths with '=' that name no secret.
        (["ingest", "a.zip", "--expect-sha256", "a.zip=\(String(repeating: "ab", count: 32))", "--item", "keys.zip=ITEM-7"],
         ["ingest", "a.zip", "--expect-sha256", "a.zip=\(String(repeating: "ab", count: 32))", "--item", "keys.zip=ITEM-7"]),
    ])
    func redactsByRule(_ given: [String], _ expected: [String]) {
        #expect(CommandLineRedaction.redact(given) == expected)
        #expect(CommandLineRedaction.redact(expected) == expected, "idempotent")
    }
}
