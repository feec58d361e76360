import ExhibitTesting
import GRDB

/// The real binaries, as the end-to-end suites of EngineTests name them.
typealias Fixture = CLIFixture

extension CLIFixture {
    /// The case database opened read-only, for checking what a command wrote.
    static func open(_ db: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        return try DatabaseQueue(path: db, configuration: config)
    }
}
