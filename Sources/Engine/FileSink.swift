import EvidenceStore
import ExhibitKit
import Foundation

/// The engine's ``FindingSink`` for one file: every analyzer run on the file writes into it, one
/// after another, on one analysis thread.
///
/// It starts by keeping findings in memory, to be committed with the file's row in a batch of
/// files. When the file has produced ``streamAfter`` findings (a chat of a million messages) it
/// opens the file's own transaction on a commit thread of its own (``OutcomeWriter/deliverStreaming``)
/// and from then on hands each finding over as it comes (``FindingPipe``): memory stays bounded by
/// the parser, and the file is still done only when that transaction commits. The analyzer never
/// knows which happened. Error and warning rows are always written after the findings, so both
/// ways store the same rows in the same order (`streamingCommitStoresTheSameFindings`).
final class FileSink: FindingSink, @unchecked Sendable {
    // Safe: used by one analysis thread at a time (the file's analyzers run one after another);
    // the commit thread touches only the pipe and `stream`'s result box, after `done` for the latter.
    private(set) var outcome: FileOutcome
    private let writer: OutcomeWriter
    private let streamAfter: Int
    /// The file's commit turn (``OutcomeWriter/takeTurn()``); nil for a container (its turn is
    /// taken when it closes) or to take one on delivery.
    private let turn: Int?
    private var analyzerID = "", analyzerVersion = ""
    private var stream: OpenStream?
    /// The case database failed while this file streamed: nothing more is taken.
    private(set) var failure: Error?
    /// Called after the analyzer had to wait for the writer (another file held it, or SQLite was
    /// behind): the dispatcher restarts the supervisor's clock for the pair, so time spent waiting
    /// for the store is never counted as the analyzer hanging.
    var resumedAfterWait: (() -> Void)?

    /// `streamAfter` findings kept in memory before the file's transaction is opened.
    init(outcome: FileOutcome, writer: OutcomeWriter, streamAfter: Int, turn: Int? = nil) {
        self.outcome = outcome; self.writer = writer; self.streamAfter = max(0, streamAfter); self.turn = turn
    }

    /// The analyzer whose findings follow (its id and version are their provenance).
    func begin(_ descriptor: AnalyzerDescriptor) {
        analyzerID = descriptor.id
        analyzerVersion = descriptor.version
    }

    func emit(_ finding: Finding) {
        guard failure == nil else { return }
        let produced = ProducedFinding(analyzerID: analyzerID, analyzerVersion: analyzerVersion, finding: finding)
        if let stream {
            do {
                if try stream.pipe.put(produced, whileWaiting: resumedAfterWait) { resumedAfterWait?() }
            } catch { failure = error }
            return
        }
        outcome.findings.append(produced)
        if outcome.findings.count >= streamAfter { open() }
    }

    func warn(_ warning: AnalysisWarning) {
        record(status: .warning, code: warning.code, message: warning.message, location: warning.location?.storedText)
    }

    var isStopped: Bool { failure != nil }

    /// An error row of the current analyzer (it threw, or broke the contract).
    func record(status: AnalysisStatus, code: String, message: String, location: String? = nil) {
        outcome.errors.append(AnalysisErrorInput(analyzerID: analyzerID, analyzerVersion: analyzerVersion, status: status,
                                                 code: code, message: message, location: location))
    }

    /// Appends an error row made elsewhere (intake, decryption).
    func record(_ error: AnalysisErrorInput) { outcome.errors.append(error) }

    /// Whether the file's transaction is open (findings go straight to the store).
    var isStreaming: Bool { stream != nil }

    /// Opens the file's transaction on a commit thread and hands it what was kept so far; the
    /// error rows stay here and are written last.
    private func open() {
        var first = outcome
        first.errors = []
        let head = first
        outcome.findings = []
        let s = OpenStream()
        let writer = self.writer, turn = self.turn
        let thread = Thread {
            do {
                try writer.deliverStreaming(head, turn: turn, next: { s.pipe.take() }, errors: { s.pipe.errors })
            } catch {
                s.pipe.fail(error)
                s.error = error
            }
            s.done.signal()
        }
        thread.name = "exhibit-commit"
        thread.start()
        stream = s
    }

    /// The file is finished: commits it from memory (through the writer's batches) or closes the
    /// open transaction and waits for it. Throws when the case database failed.
    func finish() throws {
        if let stream {
            stream.pipe.close(errors: outcome.errors)
            stream.done.wait()
            if let e = stream.error ?? failure { throw e }
            return
        }
        if let failure { throw failure }
        try writer.deliver(outcome, turn: turn)
    }

    /// One open transaction: the pipe feeding it and how it ended.
    private final class OpenStream: @unchecked Sendable {
        // Safe: `error` is written by the commit thread before `done` is signalled, read after.
        let pipe = FindingPipe()
        let done = DispatchSemaphore(value: 0)
        var error: Error?
    }
}
