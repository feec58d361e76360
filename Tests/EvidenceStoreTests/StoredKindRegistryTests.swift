import ExhibitKit
import Foundation
import GRDB
import Testing
@testable import EvidenceStore

/// docs/architecture.md, "How to add a finding kind", the store's part: what the compiler cannot
/// check about a kind's store file (`Kinds/`, ``StoredKind``) and its registry line, this does.
/// Every kind is stored by exactly one store that says so; its tables exist in a fresh case and
/// have a section in docs/schema.md; its migrations and digest sections are registered; its
/// writer prepares its statements against the real schema. And the frozen history — the order of
/// digest sections and migrations that cases in the field recorded — has not moved.
@Suite("Finding-kind stores: one registry, each kind complete")
struct StoredKindRegistryTests {
    @Test func everyKindHasExactlyOneStoreThatNamesIt() {
        for k in FindingKind.allCases {
            let store = StoredKinds.store(of: k)
            #expect(store.kinds.contains(k), "\(k.rawValue): its store \(store) does not list it in `kinds`")
            let holders = StoredKinds.all.filter { $0.kinds.contains(k) }
            #expect(holders.count == 1, "\(k.rawValue) is listed by \(holders.count) stores")
        }
        #expect(StoredKinds.all.count >= 5)
    }

    @Test func everyStoreTableExistsAndIsDocumented() throws {
        let dir = try TempDir()
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        let tables = Set(try db.queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") })
        let documented = try SchemaDocTests.documented()
        for store in StoredKinds.all {
            #expect(!store.tables.isEmpty, "\(store) names no table")
            for t in store.tables {
                #expect(tables.contains(t), "\(store): table \(t) is not in a fresh case (its migration is missing)")
                #expect(documented[t] != nil, "docs/schema.md has no section for \(store)'s table \(t)")
            }
        }
    }

    @Test func everyStoreMigrationAndDigestSectionIsRegistered() {
        let ids = StoreMigrations.identifiers
        #expect(Set(ids).count == ids.count)
        let sectionNames = FindingsDigest.sections.map(\.name)
        #expect(Set(sectionNames).count == sectionNames.count, "digest section names repeat")
        for store in StoredKinds.all {
            for m in store.migrations {
                #expect(ids.contains(m.identifier), "\(store): migration \(m.identifier) is not registered")
            }
            #expect(!store.digestSections.isEmpty, "\(store) declares no digest section: its findings would not be in the digest")
            for s in store.digestSections {
                #expect(sectionNames.contains(s.name), "\(store): digest section \(s.name) is not hashed")
            }
        }
    }

    /// The history is part of every recorded digest and every case's `grdb_migrations`: a kind's
    /// own migrations and sections come after it, and it never changes.
    @Test func theFrozenHistoryHasNotMoved() {
        #expect(FindingsDigest.history.map(\.name) == [
            "evidence", "files", "file_times", "artifacts", "analysis_errors", "chats", "participants", "messages",
            "attachments", "metadata", "indicators", "media_hashes", "hashsets", "hashset_matches", "events",
            "media_clusters", "device_paths", "device_layouts", "chat_owners", "attachment_hints", "recovered_records",
            "zones", "recovered_messages",
        ])
        #expect(Array(FindingsDigest.sections.map(\.name).prefix(FindingsDigest.history.count)) == FindingsDigest.history.map(\.name))
        #expect(Array(StoreMigrations.identifiers.prefix(10)) == [
            "v1-foundation", "v2-chat", "v3-metadata", "v4-media", "v5-timeline", "v6-phones", "v7-recovery",
            "v8-metadata-names", "v9-recovered-messages", "v10-file-owner",
        ])
    }

    @Test func everyStoreWriterPreparesAgainstTheRealSchema() throws {
        let dir = try TempDir()
        let db = try EvidenceDatabase(path: dir.path("case.sqlite"))
        try db.queue.write { c in
            for store in StoredKinds.all {
                var writer = try store.writer(c)
                writer.beginFile()
                try writer.deleteFile(-1)
                try writer.finish(fileID: -1)
            }
        }
    }
}
