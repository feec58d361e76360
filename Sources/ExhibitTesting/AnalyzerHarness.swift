import ExhibitKit
import Foundation

/// Everything one analyzer emitted for one file, in order.
public struct AnalyzerOutput: Sendable, Equatable {
    /// Findings in the order emitted.
    public var findings: [Finding]
    /// Warnings in the order recorded.
    public var warnings: [AnalysisWarning]
    /// The error the analyzer threw after emitting the above, if it threw an ``AnalyzerError``.
    public var error: AnalyzerError?

    public static func == (a: AnalyzerOutput, b: AnalyzerOutput) -> Bool {
        a.findings == b.findings && a.warnings == b.warnings && a.error?.code == b.error?.code && a.error?.message == b.error?.message
    }
}

/// Runs one analyzer on one file the way the engine calls it — its descriptor asked first, one
/// synchronous call into a sink — and checks the contract on the way: the descriptor must accept
/// the file (by MIME type, glob, device path or sniff, as the engine decides), every emitted
/// finding's kind must be declared in ``AnalyzerDescriptor/produces``, and the same file must give
/// the same output twice (determinism). Both of the engine's sink modes (kept in memory, streamed
/// into the file's transaction) are exercised end to end by Tests/EngineTests' dispatch tests.
public enum AnalyzerHarness {
    /// A broken contract, found while running the analyzer.
    public struct ContractViolation: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `analyzer` on `file`. Throws ``ContractViolation`` when the analyzer breaks its
    /// contract. An ``AnalyzerError`` it throws is rethrown, or with `keepError` returned in
    /// ``AnalyzerOutput/error`` with what it emitted before (as the engine keeps it).
    /// `requireAcceptance: false` runs it on a file it would not be offered (bad-input tests that
    /// call the analyzer directly); `twice` runs it again and requires the same output.
    public static func run(_ analyzer: some Analyzer, on file: EvidenceFile, context: AnalysisContext,
                           requireAcceptance: Bool = true, twice: Bool = false, keepError: Bool = false) throws -> AnalyzerOutput {
        let d = analyzer.descriptor
        if requireAcceptance && !accepts(analyzer, file) {
            throw ContractViolation(description: "\(d.id) is not offered \(file.virtualPath) (mime \(file.mime)) by its own descriptor")
        }
        let first = try once(analyzer, file, context)
        if let error = first.error, !keepError { throw error }
        let declared = Set(d.produces)
        if let stray = first.findings.first(where: { !declared.contains($0.kind) }) {
            throw ContractViolation(description: "\(d.id) emitted a \(stray.kind.rawValue) finding it does not declare (produces: \(d.produces.map(\.rawValue)))")
        }
        if twice {
            let second = try once(analyzer, file, context)
            guard second == first else {
                throw ContractViolation(description: "\(d.id) gave different output for the same file on a second run")
            }
        }
        return first
    }

    /// Whether the engine would offer `file` to `analyzer`: MIME type, path or device-path glob, or
    /// (when the descriptor asks to sniff) its answer for the file's first bytes.
    public static func accepts(_ analyzer: some Analyzer, _ file: EvidenceFile) -> Bool {
        let accepts = analyzer.descriptor.accepts
        if accepts.matches(mime: file.mime, virtualPath: file.virtualPath, devicePath: file.devicePath) { return true }
        return accepts.sniff && analyzer.sniff(prefix: file.prefix(Acceptance.sniffLength), file: file)
    }

    private static func once(_ analyzer: some Analyzer, _ file: EvidenceFile, _ context: AnalysisContext) throws -> AnalyzerOutput {
        let sink = FindingCollector()
        var error: AnalyzerError?
        do { try analyzer.analyze(file, context: context, into: sink) } catch let e as AnalyzerError { error = e }
        return AnalyzerOutput(findings: sink.findings, warnings: sink.warnings, error: error)
    }
}

/// A sink that hands each finding and warning to a closure as it arrives (tests of large inputs
/// that count instead of keeping).
public final class CallbackSink: FindingSink {
    private let onFinding: (Finding) -> Void
    private let onWarning: (AnalysisWarning) -> Void
    /// A sink calling `finding` for each finding and `warning` for each warning.
    public init(finding: @escaping (Finding) -> Void, warning: @escaping (AnalysisWarning) -> Void = { _ in }) {
        onFinding = finding; onWarning = warning
    }
    public func emit(_ finding: Finding) { onFinding(finding) }
    public func warn(_ warning: AnalysisWarning) { onWarning(warning) }
    public var isStopped: Bool { false }
}

/// An analyzer's output reads as its list of findings (what most tests index and filter); its
/// warnings are ``AnalyzerOutput/warnings``.
extension AnalyzerOutput: RandomAccessCollection {
    public var startIndex: Int { findings.startIndex }
    public var endIndex: Int { findings.endIndex }
    public subscript(position: Int) -> Finding { findings[position] }
}
