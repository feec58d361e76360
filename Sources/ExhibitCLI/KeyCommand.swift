import ArgumentParser
import EvidenceStore
import ExhibitSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Make and read the Ed25519 key files that sign the audit chain's head.",
        subcommands: [New.self, Public.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Write a new private key FILE (mode 0600) and print its public key.",
            discussion: """
            The file holds the 32-byte Ed25519 private key seed as 64 hex
            characters (docs/schema.md, "Signing key file"). It is created with
            mode 0600 and never overwritten. Keep it off the case's disk; give
            the printed public key to whoever verifies the case
            ('exhibit verify --public-key HEX').

            Examples:
              exhibit key new ~/.exhibit/lab.key
              exhibit key public ~/.exhibit/lab.key > lab.pub
              exhibit ingest seized.zip --db case.sqlite --sign-key ~/.exhibit/lab.key

            Exit codes: 0 written; 1 FILE exists or cannot be written.
            """)

        @Argument(help: "The key file to create.") var file: String

        func run() throws {
            let (priv, pub) = ChainSigner.generateKey()
            let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                fail("\(file): cannot create the key file (\(String(cString: strerror(errno)))); an existing key is never overwritten", code: 1)
            }
            let bytes = Array((priv + "\n").utf8)
            let written = FileDescriptorIO.writeAll(fd, bytes)
            let synced = fsync(fd) == 0
            close(fd)
            guard written, synced else {
                unlink(file)
                fail("\(file): cannot write the key file", code: 1)
            }
            print("private key written to \(file) (mode 0600)")
            print("public key: \(pub)")
        }
    }

    struct Public: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "public",
            abstract: "Print the public key of a private key FILE.",
            discussion: """
            Example:
              exhibit key public ~/.exhibit/lab.key

            Exit codes: 0 printed; 2 not a key file, or readable by others.
            """)

        @Argument(help: "The private key file.") var file: String

        func run() throws {
            do { print(try ChainSigner.publicKey(ofKeyFile: file)) } catch { fail("\(error)", code: 2) }
        }
    }
}
