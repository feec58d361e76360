import EvidenceStore
import ExhibitKit
import Foundation

/// What all analyzers said about one file, ready for the store.
struct FileAnalysis: Sendable {
    var findings: [ProducedFinding] = []
    var errors: [AnalysisErrorInput] = []
    /// Streaming analyzers left for the writer to run inside the file's commit (large files).
    var deferred: [any StreamingAnalyzer] = []
}

/// Offers each file to the analyzers whose descriptors accept it and runs them, turning every
/// failure into a recorded error row. One analyzer's failure never affects another's findings
/// or the ingest.
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
    /// Files at least this large go to ``StreamingAnalyzer``s through the store's streaming commit.
    let streamingThreshold: Int64

    init(analyzers: [any Analyzer], context: AnalysisContext, crashed: Set<WorkPair>, isolate: Set<WorkPair>,
         channel: WorkerChannel?, fileTimeout: Double, streamingThreshold: Int64 = 4 << 20) {
        self.analyzers = analyzers; self.context = context; self.crashed = crashed
        self.isolate = isolate; self.channel = channel; self.fileTimeout = fileTimeout
        self.streamingThreshold = streamingThreshold
    }

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

    /// Runs the selected analyzers on one file, one after another.
    func analyze(_ file: EvidenceFile, evidenceID: Int64, entryKey: EntryKey, analyzers selected: [any Analyzer]) async -> FileAnalysis {
        var result = FileAnalysis()
        for analyzer in selected {
            let d = analyzer.descriptor
            let pair = WorkPair(evidenceID: evidenceID, entryKey: entryKey, analyzerID: d.id)
            if crashed.contains(pair) { continue }
            if let streaming = analyzer as? any StreamingAnalyzer, file.size >= streamingThreshold {
                result.deferred.append(streaming)
                continue
            }
            channel?.begin(pair, timeout: d.timeoutSeconds ?? fileTimeout, version: d.version, path: file.virtualPath)
            do {
                let findings = try await analyzer.analyze(file, context: context)
                for f in findings {
                    if case .warning(let w) = f {
                        result.errors.append(AnalysisErrorInput(
                            analyzerID: d.id, analyzerVersion: d.version, status: .warning, code: w.code,
                            message: w.message, location: w.location?.storedText))
                    } else {
                        result.findings.append(ProducedFinding(analyzerID: d.id, analyzerVersion: d.version, finding: f))
                    }
                }
            } catch let e as AnalyzerError {
                result.errors.append(AnalysisErrorInput(analyzerID: d.id, analyzerVersion: d.version, status: .error,
                                                        code: e.code, message: e.message, location: nil))
            } catch {
                result.errors.append(AnalysisErrorInput(analyzerID: d.id, analyzerVersion: d.version, status: .error,
                                                        code: "analyzer-error", message: "\(error)", location: nil))
            }
            channel?.end(pair)
        }
        return result
    }

    /// Runs deferred streaming analyzers, handing each finding to `sink` (the store, inside the
    /// file's transaction) as it is read; warnings and failures come back as error rows, exactly
    /// as ``analyze(_:evidenceID:entryKey:analyzers:)`` would report them.
    func stream(_ file: EvidenceFile, evidenceID: Int64, entryKey: EntryKey, analyzers: [any StreamingAnalyzer],
                sink: (ProducedFinding) throws -> Void) throws -> [AnalysisErrorInput] {
        var errors: [AnalysisErrorInput] = []
        for analyzer in analyzers {
            let d = analyzer.descriptor
            let pair = WorkPair(evidenceID: evidenceID, entryKey: entryKey, analyzerID: d.id)
            channel?.begin(pair, timeout: d.timeoutSeconds ?? fileTimeout, version: d.version, path: file.virtualPath)
            var storeFailure: Error?
            // The analyzer's `emit` may outlive the call; it reaches the store's (non-escaping)
            // sink only through this box, emptied before the sink goes out of scope.
            let box = SinkBox()
            do {
                try withoutActuallyEscaping(sink) { sink in
                    box.sink = sink
                    defer { box.sink = nil }
                    try analyzer.analyze(file, context: context) { finding in
                        guard storeFailure == nil, let sink = box.sink else { return }
                        if case .warning(let w) = finding {
                            errors.append(AnalysisErrorInput(analyzerID: d.id, analyzerVersion: d.version, status: .warning,
                                                             code: w.code, message: w.message, location: w.location?.storedText))
                            return
                        }
                        do { try sink(ProducedFinding(analyzerID: d.id, analyzerVersion: d.version, finding: finding)) } catch {
                            storeFailure = error
                        }
                    }
                }
            } catch let e as AnalyzerError {
                errors.append(AnalysisErrorInput(analyzerID: d.id, analyzerVersion: d.version, status: .error,
                                                 code: e.code, message: e.message, location: nil))
            } catch {
                errors.append(AnalysisErrorInput(analyzerID: d.id, analyzerVersion: d.version, status: .error,
                                                 code: "analyzer-error", message: "\(error)", location: nil))
            }
            channel?.end(pair)
            // A store failure is a failure of the run, not of the evidence.
            if let storeFailure { throw storeFailure }
        }
        return errors
    }

    /// Holds the store's sink for the duration of one streaming call (see ``stream``).
    private final class SinkBox: @unchecked Sendable {
        // Safe: set, used and cleared on the one thread running the streaming call.
        var sink: ((ProducedFinding) throws -> Void)?
    }
}
