import ExhibitSupport

extension JSONValue {
    /// The canonical text (``ExhibitSupport/CanonicalJSON``: sorted keys by UTF-8 bytes, no
    /// whitespace, `JSONEncoder`'s escapes and numbers), or `nil` when a number anywhere in the
    /// value is infinite or NaN.
    public var canonicalJSON: String? { canonicalJSON(escaping: []) }

    /// The canonical text with extra escapes (``ExhibitSupport/CanonicalJSON/Escapes``), or `nil`
    /// when a number is not finite.
    public func canonicalJSON(escaping extra: CanonicalJSON.Escapes) -> String? {
        var out: [UInt8] = []
        guard appendCanonical(to: &out, escaping: extra) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the canonical text; `false` when a number is not finite (the output is then partial).
    public func appendCanonical(to out: inout [UInt8], escaping extra: CanonicalJSON.Escapes = []) -> Bool {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n):
            guard let text = CanonicalJSON.number(n) else { return false }
            out.append(contentsOf: text.utf8)
        case .string(let s): CanonicalJSON.appendString(s, to: &out, escaping: extra)
        case .array(let a):
            out.append(0x5B)
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(0x2C) }
                guard v.appendCanonical(to: &out, escaping: extra) else { return false }
            }
            out.append(0x5D)
        case .object(let o):
            out.append(0x7B)
            for (i, k) in CanonicalJSON.sortedKeys(o.keys).enumerated() {
                if i > 0 { out.append(0x2C) }
                CanonicalJSON.appendString(k, to: &out, escaping: extra)
                out.append(0x3A)
                guard o[k]?.appendCanonical(to: &out, escaping: extra) ?? false else { return false }
            }
            out.append(0x7D)
        }
        return true
    }
}
