import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Names of the signals that end processes, for messages (`signal 11 (SIGSEGV)`). Shared by the
/// plugin host and the engine's supervisor, which both report how a child died.
public enum ProcessSignal {
    /// `SIGSEGV` for 11, …; `signal N` for a signal without a listed name.
    public static func name(_ s: Int32) -> String {
        [SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGFPE: "SIGFPE",
         SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGSYS: "SIGSYS", SIGTRAP: "SIGTRAP", SIGINT: "SIGINT", SIGHUP: "SIGHUP"][s] ?? "signal \(s)"
    }
}

/// A private (0700, `mkdtemp`) folder for `exhibit plugin test` and the probe run, removed by
/// ``remove()``. Named `exhibit-run-PID-…` like the engine's run folders, so the engine's sweep of
/// folders left by killed runs removes these too.
final class PluginTemporaryFolder: @unchecked Sendable {
    // Safe: immutable after init.
    let url: URL

    init(root: String) throws {
        var template = Array("\(root)/exhibit-run-\(getpid())-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard made else {
            throw PluginError(path: root, "cannot create a private temporary folder: \(String(cString: strerror(errno))); set TMPDIR")
        }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(path, 0o700)
        url = URL(fileURLWithPath: path, isDirectory: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
