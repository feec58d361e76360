import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a command needs to know to be supervised, kept out of the CLI: the options the
/// supervisor adds to the worker's command line, and how a worker takes over its channel.
public enum WorkerRole {
    /// Options the supervisor adds for its worker (`--worker-channel N`, `--worker-page N`,
    /// `--isolate PAIR`, see ``Supervisor``); each takes one value.
    public static let workerOnlyOptions = ["--worker-channel", "--worker-page", "--isolate"]

    /// The arguments the examiner typed: without ``workerOnlyOptions`` and their values, in
    /// either spelling (`--isolate P` and `--isolate=P`) — what the run log records.
    public static func examinerArguments(_ args: [String]) -> [String] {
        var out: [String] = []
        var skipValue = false
        for a in args {
            if skipValue { skipValue = false; continue }
            if workerOnlyOptions.contains(a) { skipValue = true; continue }
            if workerOnlyOptions.contains(where: { a.hasPrefix($0 + "=") }) { continue }
            out.append(a)
        }
        return out
    }

    /// Takes over the supervisor's channel `fd` in a worker: refuses anything but a pipe (a wrong
    /// descriptor must never scribble on a file), keeps the worker's children from inheriting it,
    /// and starts watching the supervisor (``ParentWatch``: the worker ends when it dies).
    /// Throws an ``IngestError`` with exit code 2 when `fd` is not a pipe.
    public static func adoptChannel(_ fd: Int32) throws {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFIFO else {
            throw IngestError("--worker-channel \(fd) is not a pipe (it is for the supervisor's own use)", exitCode: 2)
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        ParentWatch.start()
    }
}
