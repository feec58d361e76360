// The test bed: the real `exhibit` command tree plus analyzers that misbehave on purpose, so
// tests can prove that dispatch records failures and that the supervisor survives crashes and
// hangs. Built only as a test helper; never shipped or registered in the real `exhibit`.
import Engine
import ExhibitCLI

var catalog = AnalyzerCatalog.builtin
catalog.fileAnalyzers += TestBedAnalyzers.all
ExhibitCommand.catalog = catalog
ExhibitCommand.main()
