// The test bed: the real `exhibit` command tree plus analyzers that misbehave on purpose, so
// tests can prove that dispatch records failures and that the supervisor survives crashes and
// hangs. Built only as a test helper; never shipped or registered in the real `exhibit`.
import Engine
import ExhibitCLI

#if canImport(Glibc)
import Glibc
#endif

// Reading an entry whose path contains "crash-read" segfaults, as a libarchive bug would.
TestHooks.beforeEntryRead = { path in
    if path.contains("crash-read") {
        let p = UnsafeMutablePointer<Int>(bitPattern: 8)
        p?.pointee = 42
        raise(SIGSEGV)
    }
}

var catalog = AnalyzerCatalog.builtin
catalog.fileAnalyzers += TestBedAnalyzers.all
ExhibitCommand.catalog = catalog
ExhibitCommand.runMain()
