import ExhibitKit
import GRDB

/// The store's side of ``EntryKey``'s canonical order (`files.sort_key`, see ``EntryKey/sortKey``):
/// checking a key's stored text and ordering tables that have no stored `sort_key`.
enum EntryKeyOrder {
    /// The sortable form of the stored text `key`, or `nil` when it is not an ``EntryKey``'s text.
    static func sortKey(_ key: String) -> String? { EntryKey(text: key)?.sortKey }

    /// Like ``sortKey(_:)`` but throws the store's error for a malformed key.
    static func requireSortKey(_ key: String) throws -> String {
        guard let s = sortKey(key) else { throw EvidenceStoreError.invalidEntryKey(key) }
        return s
    }

    /// `exhibit_sort_key(entry_key)`, registered on the store's own connections so that tables
    /// without a stored `sort_key` (analysis_errors) can be ordered canonically too. Malformed
    /// keys sort as themselves, after every well-formed one of the same prefix.
    static let sqlFunction = DatabaseFunction("exhibit_sort_key", argumentCount: 1, pure: true) { values in
        guard let key = String.fromDatabaseValue(values[0]) else { return nil }
        return sortKey(key) ?? "~" + key
    }
}
