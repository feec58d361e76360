import Foundation

/// A column's type affinity (SQLite "Determination Of Column Affinity").
public enum Affinity: String, Sendable, Hashable {
    case integer, text, blob, real, numeric

    /// The affinity of a declared type, by SQLite's five substring rules in order.
    public static func of(declaredType t: String) -> Affinity {
        let u = t.uppercased()
        if u.contains("INT") { return .integer }
        if u.contains("CHAR") || u.contains("CLOB") || u.contains("TEXT") { return .text }
        if u.contains("BLOB") || u.isEmpty { return .blob }
        if u.contains("REAL") || u.contains("FLOA") || u.contains("DOUB") { return .real }
        return .numeric
    }
}

/// One column of a table as declared.
public struct ColumnSchema: Sendable, Hashable {
    /// Column name as written (unquoted).
    public var name: String
    /// Declared type text (`INTEGER`, `VARCHAR(20)`, empty).
    public var declaredType: String
    /// Affinity from the declared type.
    public var affinity: Affinity
}

/// A table from `sqlite_master` with the columns its `CREATE TABLE` declares.
public struct TableSchema: Sendable, Hashable {
    /// Table name.
    public var name: String
    /// Root page of its b-tree (0 for virtual tables).
    public var rootPage: Int
    /// Columns in declaration order.
    public var columns: [ColumnSchema]
    /// Index of the `INTEGER PRIMARY KEY` column (an alias of the rowid, stored as NULL), if any.
    public var rowidAlias: Int?
    /// `WITHOUT ROWID` tables are index b-trees; their rows are not carved (noted, see docs/recovery.md).
    public var withoutRowid: Bool
    /// The `CREATE TABLE` text.
    public var sql: String
    /// For a `WITHOUT ROWID` table, the table column each record field holds: SQLite stores the
    /// PRIMARY KEY columns first, in key order, then the others in declaration order. Empty for
    /// rowid tables (record order is column order).
    public var recordOrder: [Int] = []
    /// For a `WITHOUT ROWID` table, how many leading record fields are its PRIMARY KEY.
    public var keyFields: Int = 0

    /// Values read in record order, put in column order (``recordOrder``); unchanged for rowid
    /// tables or when the count does not agree.
    func columnOrder(_ record: [SQLValue]) -> [SQLValue] {
        guard withoutRowid, recordOrder.count == record.count, record.count == columns.count else { return record }
        var out = Array(repeating: SQLValue.missing, count: record.count)
        for (i, c) in recordOrder.enumerated() where c < out.count { out[c] = record[i] }
        return out
    }
}

/// Parsing of `CREATE TABLE` statements: enough to know column names, declared types, the rowid
/// alias and `WITHOUT ROWID`. Quoting with "", [], `` and '' and comments are handled.
enum CreateTableParser {
    private static let constraintWords: Set<String> = ["CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT",
                                                       "COLLATE", "REFERENCES", "GENERATED", "AS", "ON"]
    private static let tableConstraintWords: Set<String> = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]

    /// Tokens: words (unquoted), quoted names (unquoted, flagged), punctuation as single characters.
    struct Token { var text: String; var quoted: Bool; var upper: String { quoted ? "" : text.uppercased() } }

    static func tokens(_ sql: String) -> [Token] {
        let s = Array(sql.unicodeScalars)
        var out: [Token] = []
        var i = 0
        while i < s.count {
            let c = s[i]
            if CharacterSet.whitespacesAndNewlines.contains(c) { i += 1; continue }
            if c == "-", i + 1 < s.count, s[i + 1] == "-" { while i < s.count, s[i] != "\n" { i += 1 }; continue }
            if c == "/", i + 1 < s.count, s[i + 1] == "*" {
                i += 2
                while i + 1 < s.count, !(s[i] == "*" && s[i + 1] == "/") { i += 1 }
                i += 2; continue
            }
            if c == "\"" || c == "`" || c == "'" || c == "[" {
                let close: Unicode.Scalar = c == "[" ? "]" : c
                var text = String.UnicodeScalarView()
                i += 1
                while i < s.count {
                    if s[i] == close {
                        if close != "]", i + 1 < s.count, s[i + 1] == close { text.append(close); i += 2; continue }
                        break
                    }
                    text.append(s[i]); i += 1
                }
                i += 1
                out.append(Token(text: String(text), quoted: true)); continue
            }
            if CharacterSet.alphanumerics.contains(c) || c == "_" || c == "$" || c.value > 127 {
                var text = String.UnicodeScalarView()
                while i < s.count, CharacterSet.alphanumerics.contains(s[i]) || s[i] == "_" || s[i] == "$" || s[i].value > 127 {
                    text.append(s[i]); i += 1
                }
                out.append(Token(text: String(text), quoted: false)); continue
            }
            out.append(Token(text: String(c), quoted: false)); i += 1
        }
        return out
    }

    /// Columns, rowid alias and WITHOUT ROWID of a `CREATE TABLE` statement; `nil` when it is not one
    /// with a column list (`CREATE TABLE … AS SELECT` has no declared types and is skipped).
    static func parse(_ sql: String) -> (columns: [ColumnSchema], rowidAlias: Int?, withoutRowid: Bool, recordOrder: [Int], keyFields: Int)? {
        let t = tokens(sql)
        guard let open = t.firstIndex(where: { $0.text == "(" && !$0.quoted }) else { return nil }
        var depth = 0
        var defs: [[Token]] = [[]]
        var close = -1
        for i in (open + 1)..<t.count {
            let tok = t[i]
            if !tok.quoted, tok.text == "(" { depth += 1 }
            if !tok.quoted, tok.text == ")" {
                if depth == 0 { close = i; break }
                depth -= 1
            }
            if !tok.quoted, tok.text == ",", depth == 0 { defs.append([]); continue }
            defs[defs.count - 1].append(tok)
        }
        guard close > 0 else { return nil }
        let tail = t[(close + 1)...].map(\.upper)
        let withoutRowid = zip(tail, tail.dropFirst()).contains { $0 == "WITHOUT" && $1 == "ROWID" }
        var columns: [ColumnSchema] = []
        var alias: Int?
        var tablePK: [String] = []
        var columnPK: [Int] = []
        for def in defs where !def.isEmpty {
            if tableConstraintWords.contains(def[0].upper) {
                if def[0].upper == "PRIMARY", let o = def.firstIndex(where: { $0.text == "(" && !$0.quoted }) {
                    let names = def[(o + 1)...].prefix { !($0.text == ")" && !$0.quoted) }.filter { !($0.text == "," && !$0.quoted) }
                    let words = names.filter { !["ASC", "DESC", "COLLATE"].contains($0.upper) }
                    tablePK = words.map(\.text)
                }
                continue
            }
            let name = def[0].text
            var typeWords: [String] = []
            var j = 1
            while j < def.count, !constraintWords.contains(def[j].upper) {
                if def[j].text == "(" && !def[j].quoted {
                    var d = 0
                    var part = ""
                    while j < def.count {
                        if def[j].text == "(" { d += 1 }
                        if def[j].text == ")" { d -= 1 }
                        part += def[j].text
                        j += 1
                        if d == 0 { break }
                    }
                    if typeWords.isEmpty { typeWords.append(part) } else { typeWords[typeWords.count - 1] += part }
                    continue
                }
                typeWords.append(def[j].text); j += 1
            }
            let declared = typeWords.joined(separator: " ")
            let upper = def.map(\.upper)
            let isPK = zip(upper, upper.dropFirst()).contains { $0 == "PRIMARY" && $1 == "KEY" }
            let desc = upper.contains("DESC")
            if isPK, declared.uppercased() == "INTEGER", !desc { alias = columns.count }
            if isPK { columnPK.append(columns.count) }
            columns.append(ColumnSchema(name: name, declaredType: declared, affinity: .of(declaredType: declared)))
        }
        if alias == nil, tablePK.count == 1,
           let i = columns.firstIndex(where: { $0.name.lowercased() == tablePK[0].lowercased() }),
           columns[i].declaredType.uppercased() == "INTEGER" { alias = i }
        if withoutRowid { alias = nil }
        guard !columns.isEmpty else { return nil }
        var order: [Int] = []
        if withoutRowid {
            let pk = tablePK.compactMap { n in columns.firstIndex { $0.name.lowercased() == n.lowercased() } }
            for i in (pk.isEmpty ? columnPK : pk) where !order.contains(i) { order.append(i) }
        }
        let keyFields = order.count
        if withoutRowid { order += columns.indices.filter { !order.contains($0) } }
        return (columns, alias, withoutRowid, order, keyFields)
    }
}
