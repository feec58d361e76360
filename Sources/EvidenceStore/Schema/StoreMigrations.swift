import GRDB

/// The ordered list of every schema migration the store knows.
///
/// Each feature adds its tables as one more migration group in its own file
/// (`V2Chats.swift`, …) and one line below. Landed migrations are never edited or reordered:
/// databases in the field already recorded them by name.
enum StoreMigrations {
    /// All migrations, in the order they apply.
    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
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
        return m
    }()

    /// Identifiers of every known migration, in order.
    static var identifiers: [String] { migrator.migrations }
}
