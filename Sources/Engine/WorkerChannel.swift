import ExhibitSupport
import ExhibitKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Identifies one unit of analysis work across processes: (evidence row, entry key, analyzer).
/// Text form `evidenceID|entryKey|analyzerID` — the form the store's `crashedPairs()` returns.
public struct WorkPair: Hashable, Sendable, CustomStringConvertible {
    /// The evidence row.
    public var evidenceID: Int64
    /// The entry within it.
    public var entryKey: EntryKey
    /// The analyzer (or intake step).
    public var analyzerID: String
    /// Names one pair.
    public init(evidenceID: Int64, entryKey: EntryKey, analyzerID: String) {
        self.evidenceID = evidenceID; self.entryKey = entryKey; self.analyzerID = analyzerID
    }
    /// Parses the text form; `nil` when a part is malformed (the entry key included).
    public init?(text: String) {
        let parts = text.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let id = Int64(parts[0]), let key = EntryKey(text: String(parts[1])) else { return nil }
        self.init(evidenceID: id, entryKey: key, analyzerID: String(parts[2]))
    }
    /// `evidenceID|entryKey|analyzerID`.
    public var description: String { "\(evidenceID)|\(entryKey.text)|\(analyzerID)" }
}

/// The worker's side of the supervision pipe: before an analyzer starts on a file the worker
/// writes `B <pair> <timeout> <version> <path>`, after it finishes `E <pair>` (an entry read is
/// published in the ``EntryPage`` instead, and comes here only when it does not fit the page). Each line is one
/// unbuffered `write(2)`, so whatever the supervisor has read when the worker dies is exactly
/// what was in flight. `L <pair> <path> <message>` says the intake guard stopped a libarchive
/// call and the worker is ending itself. Paths are percent-escaped so a line never contains a newline or a space.
final class WorkerChannel: @unchecked Sendable {
    // Safe: the file descriptor is only written under `lock`.
    private let fd: Int32
    private let lock = NSLock()

    init(fd: Int32) { self.fd = fd }

    func begin(_ pair: WorkPair, timeout: Double, version: String, path: String) {
        send("B \(pair) \(timeout) \(Self.escape(version)) \(Self.escape(path))\n")
    }

    func end(_ pair: WorkPair) { send("E \(pair)\n") }

    /// The intake guard stopped `pair` (a libarchive call) and is about to end the worker.
    func limit(_ pair: WorkPair, path: String, message: String) {
        send("L \(pair) \(Self.escape(path)) \(Self.escape(message))\n")
    }

    private func send(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        // One line per call under the lock; a failed write (supervisor gone) is ignored here:
        // `ParentWatch` ends the worker.
        FileDescriptorIO.writeAll(fd, Array(line.utf8))
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charsetString: "-._~/!#:@+,=")))
            ?? "?"
    }
    static func unescape(_ s: Substring) -> String { String(s).removingPercentEncoding ?? String(s) }
}

extension CharacterSet {
    fileprivate init(charsetString: String) { self.init(charactersIn: charsetString) }
}
