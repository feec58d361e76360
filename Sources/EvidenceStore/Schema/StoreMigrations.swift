import GRDB

/// The ordered list of every schema migration the store knows.
///
/// A finding kind declares its tables' migrations in its own file (`Kinds/`, ``StoredKind``);
/// any other feature adds its tables as one more migration group in its own file here
/// (`V2Chat.swift`, …) and one line at the end of ``history(_:)``. Landed migrations are never
/// edited or reordered: databases in the field already recorded them by name.
enum StoreMigrations {
    /// All migrations, in the order they apply: the history, then each finding kind's own
    /// (``StoredKind/migrations``, in ``StoredKinds/all`` order).
    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        history(&m)
        StoredKinds.registerMigrations(in: &m)
        return m
    }()

    /// The migrations landed before finding kinds got their own files (`Kinds/`), in order.
    /// A later migration that is no finding kind's table goes at the end of this list.
    static func history(_ m: inout DatabaseMigrator) {
        V1Foundation.register(in: &m)
        V2Chat.register(in: &m)
        V3Metadata.register(in: &m)
        V4Media.register(in: &m)
        V5Timeline.register(in: &m)
        V6Phones.register(in: &m)
        V7Recovery.register(in: &m)
        V8MetadataNames.register(in: &m)
        V9RecoveredMessages.register(in: &m)
        V10FileOwner.register(in: &m)
    }

    /// Identifiers of every known migration, in order.
    static var identifiers: [String] { migrator.migrations }
}
