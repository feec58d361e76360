import ExhibitKit

/// The analyzers one run may use: the built-in ones plus whatever a front end adds
/// (external plugins, or test-only analyzers in the test bed).
public struct AnalyzerCatalog: Sendable {
    public var fileAnalyzers: [any Analyzer]
    public var caseAnalyzers: [any CaseAnalyzer]

    public init(fileAnalyzers: [any Analyzer] = [], caseAnalyzers: [any CaseAnalyzer] = []) {
        self.fileAnalyzers = fileAnalyzers
        self.caseAnalyzers = caseAnalyzers
    }

    /// Every analyzer built into Exhibit (one per folder under `plugins/`, see BuiltinAnalyzers).
    public static var builtin: AnalyzerCatalog {
        AnalyzerCatalog(fileAnalyzers: BuiltinAnalyzers.fileAnalyzers, caseAnalyzers: BuiltinAnalyzers.caseAnalyzers)
    }

    /// All descriptors, file analyzers first, in registration order.
    public var descriptors: [AnalyzerDescriptor] {
        fileAnalyzers.map(\.descriptor) + caseAnalyzers.map(\.descriptor)
    }

    /// Ids that occur more than once (must be empty: ids are provenance in every finding row).
    public var duplicateIDs: [String] {
        var seen = Set<String>(), dup = Set<String>()
        for d in descriptors where !seen.insert(d.id).inserted { dup.insert(d.id) }
        return dup.sorted()
    }

    /// The catalog without the named analyzers (`--disable`), or with none (`--no-analyzers`).
    public func filtered(keeping keep: (AnalyzerDescriptor) -> Bool) -> AnalyzerCatalog {
        AnalyzerCatalog(fileAnalyzers: fileAnalyzers.filter { keep($0.descriptor) },
                        caseAnalyzers: caseAnalyzers.filter { keep($0.descriptor) })
    }
}
