/// Where an entry sits in its evidence item: its index in its container's header order, one
/// element per nesting level (`[3, 17]` = entry 17 of the nested container that is entry 3).
///
/// The key is the identity of a `files` row within its evidence item — never the entry's name,
/// which repeats in hostile archives. Its stored text form ``text`` (`3/17`) is what the case
/// database, the digest and the supervisor's work pairs hold; it is made in one place here so
/// that every layer writes the same bytes and parses them back the same way.
public struct EntryKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Positions from the outermost container inward; `[]` is the evidence item itself.
    public var positions: [Int]

    /// Digits per position in ``sortKey``: a key with a position past this width has no sort key.
    public static let sortKeyWidth = 10

    /// Wraps positions as the walker counts them.
    public init(_ positions: [Int]) { self.positions = positions }

    /// Parses the stored text form: non-negative decimal positions without leading zeros, at
    /// most ``sortKeyWidth`` digits each, joined by `/`. `nil` for anything else (the empty
    /// string included: the evidence item itself has no row).
    public init?(text: String) {
        var out: [Int] = []
        for part in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= Self.sortKeyWidth, part.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  part.count == 1 || part.first != 48 else { return nil }
            var value = 0
            for digit in part { value = value * 10 + Int(digit - 48) }
            out.append(value)
        }
        positions = out
    }

    /// The stored text form: positions in decimal joined by `/` (`3/17`); `""` for the evidence item.
    public var text: String { positions.map(String.init).joined(separator: "/") }

    /// Same as ``text``.
    public var description: String { text }

    /// The containing nested archive's key; `nil` for entries of the evidence item itself (and for it).
    public var parent: EntryKey? { positions.count > 1 ? EntryKey(Array(positions.dropLast())) : nil }

    /// The container this entry is listed in: its parent, or `[]` (the evidence item) at the top level.
    public var container: EntryKey { EntryKey(Array(positions.dropLast())) }

    /// Nesting depth: 0 for entries of the evidence item itself.
    public var depth: Int { positions.count - 1 }

    /// The key of child `index` of this entry (a nested container's entry).
    public func child(_ index: Int) -> EntryKey { EntryKey(positions + [index]) }

    /// Every proper ancestor, outermost first (`1/2/3` → `1`, `1/2`).
    public var ancestors: [EntryKey] {
        positions.count < 2 ? [] : (1..<positions.count).map { EntryKey(Array(positions[..<$0])) }
    }

    /// Whether every position can be stored: not negative and within ``sortKeyWidth`` digits,
    /// and at least one of them.
    public var isStorable: Bool {
        !positions.isEmpty && positions.allSatisfy { $0 >= 0 && $0 <= 9_999_999_999 }
    }

    /// The form stored in `files.sort_key`: each position zero-padded to ten digits, joined by
    /// `/`, so that plain `ORDER BY sort_key` (any SQLite tool, no collation) gives the order of
    /// ``<(_:_:)``: `/` sorts below every digit, so a key sorts before its own descendants.
    /// `nil` when the key is not ``isStorable``.
    public var sortKey: String? {
        guard isStorable else { return nil }
        var out = ""
        out.reserveCapacity(positions.count * (Self.sortKeyWidth + 1))
        for (i, p) in positions.enumerated() {
            if i > 0 { out += "/" }
            let digits = String(p)
            out += String(repeating: "0", count: Self.sortKeyWidth - digits.utf8.count)
            out += digits
        }
        return out
    }

    /// The canonical order: positions compared numerically, element by element, a container
    /// before everything inside it (the order of ``sortKey``).
    public static func < (a: EntryKey, b: EntryKey) -> Bool {
        a.positions.lexicographicallyPrecedes(b.positions)
    }
}

extension EntryKey: Codable {
    /// Decodes the stored text form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let key = EntryKey(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid entry key \"\(text)\""))
        }
        self = key
    }

    /// Encodes the stored text form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}
