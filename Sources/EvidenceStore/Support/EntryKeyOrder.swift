import GRDB

/// The canonical order of entry keys (`3/17`): positions compared numerically, element by
/// element, a container before everything inside it.
///
/// Stored as `files.sort_key` — each position zero-padded to ten digits, joined by `/` — so that
/// plain `ORDER BY sort_key` (with any SQLite tool, no custom collation) gives that order:
/// `/` sorts below every digit, so a key sorts before its own descendants.
enum EntryKeyOrder {
    static let width = 10

    /// The sortable form of `key`, or `nil` when `key` is not positions joined by `/`
    /// (non-negative decimal integers without leading zeros, at most ten digits each).
    static func sortKey(_ key: String) -> String? {
        var out = ""
        out.reserveCapacity(key.utf8.count * 3)
        var first = true
        for part in key.split(separator: "/", omittingEmptySubsequences: false) {
            let digits = part.utf8
            guard !digits.isEmpty, digits.count <= width, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  digits.count == 1 || digits.first != 48 else { return nil }
            if !first { out += "/" }
            first = false
            out += String(repeating: "0", count: width - digits.count)
            out += part
        }
        return out
    }

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

    /// Every proper ancestor key of `key` (`"1/2/3"` → `["1", "1/2"]`).
    static func ancestors(of key: String) -> [String] {
        var result: [String] = []
        var index = key.startIndex
        while let slash = key[index...].firstIndex(of: "/") {
            result.append(String(key[..<slash]))
            index = key.index(after: slash)
        }
        return result
    }
}
