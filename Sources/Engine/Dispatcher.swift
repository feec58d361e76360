import EvidenceStore
import ExhibitKit
import Foundation

/// Offers each file to the analyzers whose descriptors accept it and runs them on the ingest's
/// analysis threads, turning every failure into a recorded error row. One analyzer's failure never
/// affects another's findings or the ingest.
final class Dispatcher: Sendable {
    let analyzers: [any Analyzer]
    let context: AnalysisContext
    /// Pairs recorded as `crashed`/`timeout` by the supervisor in an earlier worker: skipped.
    let crashed: Set<WorkPair>
    /// Pairs that were in flight when a worker died: run one at a time, alone.
    let isolate: Set<WorkPair>
    let channel: WorkerChannel?
    /// Wall-time limit per (file, analyzer) when the descriptor sets none; enforced by the supervisor.
    let fileTimeout: Double
    /// Findings of one file kept in memory before its transaction is opened and they stream into it.
    let streamAfter: Int
    /// The analysis threads (`jobs` of them).
    let lanes: AnalysisLanes

    init(analyzers: [any Analyzer], context: AnalysisContext, crashed: Set<WorkPair>, isolate: Set<WorkPair>,
         channel: WorkerChannel?, fileTimeout: Double, jobs: Int, streamAfter: Int = IngestOptions.defaultStreamAfter) {
        self.analyzers = analyzers; self.context = context; self.crashed = crashed
        self.isolate = isolate; self.channel = channel; self.fileTimeout = fileTimeout
        self.streamAfter = streamAfter
        lanes = AnalysisLanes(count: jobs)
    }

    deinit { lanes.shutdown() }

    /// The analyzers that accept `file`, in registration order.
    func select(for file: EvidenceFile) -> [any Analyzer] {
        guard !analyzers.isEmpty else { return [] }
        var prefix: Data?
        return analyzers.filter { analyzer in
            let accepts = analyzer.descriptor.accepts
            if accepts.matches(mime: file.mime, virtualPath: file.virtualPath, devicePath: file.devicePath) { return true }
            guard accepts.sniff else { return false }
            if prefix == nil { prefix = file.prefix(Acceptance.sniffLength) }
            return analyzer.sniff(prefix: prefix ?? Data(), file: file)
        }
    }

    /// Whether any selected pair of this file must run in isolation.
    func needsIsolation(evidenceID: Int64, entryKey: EntryKey, analyzers selected: [any Analyzer]) -> Bool {
        guard !isolate.isEmpty else { return false }
        return selected.contains {
            isolate.contains(WorkPair(evidenceID: evidenceID, entryKey: entryKey, analyzerID: $0.descriptor.id))
        }
    }

    /// Runs the selected analyzers on one file, one after another, into the file's sink. An
    /// analyzer's thrown error becomes its error row (what it emitted before stays); a failure of
    /// the case database is rethrown — it stops the run, not the analyzer.
    func run(_ selected: [any Analyzer], on file: EvidenceFile, evidenceID: Int64, entryKey: EntryKey, into sink: FileSink) throws {
        for analyzer in selected {
            let d = analyzer.descriptor
            let pair = WorkPair(evidenceID: evidenceID, entryKey: entryKey, analyzerID: d.id)
            if crashed.contains(pair) { continue }
            let timeout = d.timeoutSeconds ?? fileTimeout
            channel?.begin(pair, timeout: timeout, version: d.version, path: file.virtualPath)
            sink.begin(d)
            // A repeated begin restarts the supervisor's clock for the pair (see FileSink).
            if let channel {
                sink.resumedAfterWait = { channel.begin(pair, timeout: timeout, version: d.version, path: file.virtualPath) }
            }
            do {
                try analyzer.analyze(file, context: context, into: sink)
            } catch let e as AnalyzerError {
                sink.record(status: .error, code: e.code, message: e.message)
            } catch {
                sink.record(status: .error, code: "analyzer-error", message: "\(error)")
            }
            channel?.end(pair)
            sink.resumedAfterWait = nil
            if let failure = sink.failure { throw failure }
        }
    }
}
