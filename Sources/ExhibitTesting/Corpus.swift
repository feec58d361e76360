import ExhibitSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds the repository's committed fixtures and built executables from a test file's path.
public enum Corpus {
    /// The package root (the folder holding Package.swift), found from `#filePath`.
    public static func packageRoot(from filePath: String = #filePath) -> URL {
        var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// A file under `corpora/`.
    public static func url(_ relative: String, filePath: String = #filePath) -> URL {
        packageRoot(from: filePath).appendingPathComponent("corpora").appendingPathComponent(relative)
    }

    /// A built executable (`exhibit`, `exhibit-testbed`): `$EXHIBIT_BIN_DIR`, else `.build/debug`.
    public static func executable(_ name: String, filePath: String = #filePath) -> String {
        if let dir = ProcessInfo.processInfo.environment["EXHIBIT_BIN_DIR"] { return "\(dir)/\(name)" }
        return packageRoot(from: filePath).appendingPathComponent(".build/debug/\(name)").path
    }
}

/// A private temp folder for one test, removed by ``remove()``.
public final class TestDirectory: @unchecked Sendable {
    // Safe: immutable after init.
    public let url: URL
    public init(_ tag: String = "test") throws {
        url = TemporaryDirectory.defaultURL.appendingPathComponent("exhibit-test-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs a program and captures its output.
public struct CommandResult: Sendable {
    public var exitCode: Int32
    /// Set when the process died from a signal.
    public var signal: Int32?
    public var stdout: String
    public var stderr: String
}

public enum Run {
    /// Runs `program` with `arguments` to completion (optional extra environment).
    @discardableResult
    public static func command(_ program: String, _ arguments: [String], environment: [String: String] = [:],
                               currentDirectory: String? = nil) throws -> CommandResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let currentDirectory { p.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        // Drain both pipes concurrently so a chatty child never blocks.
        let box = DataBox()
        let t = Thread { box.err = err.fileHandleForReading.readDataToEndOfFile(); box.done.signal() }
        t.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        box.done.wait()
        p.waitUntilExit()
        let signaled = p.terminationReason == .uncaughtSignal
        return CommandResult(exitCode: signaled ? -1 : p.terminationStatus, signal: signaled ? p.terminationStatus : nil,
                             stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: box.err, as: UTF8.self))
    }

    /// A shell pipeline, for generating fixtures with real tools.
    @discardableResult
    public static func shell(_ script: String, currentDirectory: String? = nil) throws -> CommandResult {
        try command("/bin/bash", ["-c", script], currentDirectory: currentDirectory)
    }

    private final class DataBox: @unchecked Sendable {
        // Safe: written by one thread before `done` is signalled, read after waiting on it.
        var err = Data()
        let done = DispatchSemaphore(value: 0)
    }
}

/// A child started in its own process group, so a test can kill -9 it and all its children at
/// once — the way a power cut or an impatient examiner would.
public final class ProcessGroup: @unchecked Sendable {
    // Safe: `pid` is immutable; waitpid is called from one thread.
    public let pid: pid_t

    public init(_ program: String, _ arguments: [String], stdoutPath: String = "/dev/null", stderrPath: String = "/dev/null",
                environment: [String: String] = [:]) throws {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Like a shell starting a job: its own group, nothing blocked, the stop signals at their
        // default (a test runner may block or ignore them; children would inherit that).
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attr, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var stops = sigset_t()
        sigemptyset(&stops)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&stops, sig) }
        posix_spawnattr_setsigdefault(&attr, &stops)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var args: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for a in args { free(a) } }
        var child: pid_t = 0
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for e in cEnv { free(e) } }
        let rc = posix_spawn(&child, program, &actions, &attr, &args, &cEnv)
        guard rc == 0 else { throw NSError(domain: "posix_spawn", code: Int(rc)) }
        pid = child
    }

    /// SIGKILL to the whole group, then reap the leader and give the others (a worker in the
    /// middle of an fsync dies only when the call returns) up to 5 s to be gone.
    public func killGroup() {
        kill(-pid, SIGKILL)
        _ = waitExit()
        for _ in 0..<500 {
            if kill(-pid, 0) != 0 { return }
            usleep(10_000)
        }
    }

    /// Waits for the leader; returns its raw wait status.
    @discardableResult
    public func waitExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }
}
