import ExhibitKit

/// The per-kind parts of the plugin helpers, generated from the wire forms (``WireForm``,
/// declared beside each payload in ExhibitKit; `event` and `warning` in PluginWireKind.swift):
/// the Python helper's finding functions and the Swift helper's `Codable` mirrors. A new
/// plugin-sendable kind reaches both by its form alone; `make plugin-helpers` rewrites the
/// shipped copies. The Python functions keep protocol 1's signatures (parameter names, order
/// and defaults: ``WireForm/pythonParameters``, ``HelperParameter``), the Swift mirrors the
/// forms' field order (their memberwise initializers).
enum PluginHelperText {
    /// Every form a plugin may send, each followed by the nested forms of its fields.
    static var forms: [(form: WireForm, isKind: Bool)] {
        var out: [(WireForm, Bool)] = []
        for form in PluginWireKind.forms {
            out.append((form, true))
            for f in form.fields { if case .records(let nested) = f.type { out.append((nested, false)) } }
        }
        return out
    }

    // MARK: Python

    /// The Python functions of every form, separated by two blank lines.
    static var python: String { forms.map { python($0.form, isKind: $0.isKind) }.joined(separator: "\n\n\n") }

    /// `def chat(chat_key, platform, …)`: returns `(kind, data)` for a kind, the object for a nested form.
    static func python(_ form: WireForm, isKind: Bool) -> String {
        let aliases = form.fields.compactMap(\.alias)
        let parameters = form.pythonParameters ?? form.fields.map(\.name) + aliases
        let signature = parameters.map { p -> String in
            guard let f = form.field(p) else { return "\(p)=None" }
            if let d = f.helper.pythonDefault { return "\(p)=\(d)" }
            return f.required || f.helper.positional ? p : "\(p)=None"
        }
        var lines = wrap("def \(form.name)(", signature, close: "):")
        var doc = [sentence(form.summary)]
        for f in form.fields where !f.doc.isEmpty { doc.append("\(f.name): \(f.doc).") }
        for f in form.fields { if let a = f.alias, parameters.contains(a) { doc.append("\(a): the protocol-1 name of \(f.name) (still accepted).") } }
        let text = doc.flatMap { words($0, width: 100) }
        lines.append("    \"\"\"" + text.joined(separator: "\n    ") + "\"\"\"")
        lines.append(isKind ? "    return (\"\(form.name)\", _clean({" : "    return _clean({")
        for f in form.fields {
            var value = f.name
            if let a = f.alias, parameters.contains(a) { value = "_one(\(f.name), \(a), \"\(f.name)\", \"\(a)\")" }
            if let expression = f.helper.pythonValue { value = expression.replacingOccurrences(of: "$", with: value) }
            lines.append("        \"\(f.name)\": \(value),")
        }
        lines.append(isKind ? "    }))" : "    })")
        return lines.joined(separator: "\n")
    }

    /// `head` + items joined by ", ", broken before 110 columns under the first item.
    private static func wrap(_ head: String, _ items: [String], close: String) -> [String] {
        let indent = String(repeating: " ", count: head.count)
        var lines: [String] = [], line = head
        for (i, item) in items.enumerated() {
            let piece = item + (i == items.count - 1 ? close : ",")
            if line.count + piece.count + 1 > 110, line != head { lines.append(line); line = indent + piece } else {
                line += (line == head ? "" : " ") + piece
            }
        }
        if items.isEmpty { line += close }
        return lines + [line]
    }

    /// A line broken between words before `width` columns, later lines indented by `indent`.
    private static func words(_ text: String, width: Int, indent: String = "  ") -> [String] {
        var lines: [String] = [], line = ""
        for w in text.split(separator: " ") {
            if !line.isEmpty, line.count + w.count + 1 > width { lines.append(line); line = indent + w } else {
                line += (line.isEmpty ? "" : " ") + w
            }
        }
        return lines + [line]
    }

    private static func sentence(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    // MARK: Swift

    /// The Swift mirror's type of a field.
    static func swiftType(_ t: WireType) -> String {
        switch t {
        case .string: "String"
        case .bool: "Bool"
        case .integer: "Int"
        case .integer64: "Int64"
        case .time: "WireTime"
        case .times: "[String: WireTime]"
        case .object: "[String: JSONValue]"
        case .strings: "[String]"
        case .location: "Location"
        case .records(let f): "[\(f.mirror)]"
        }
    }

    /// Every mirror, then `enum Finding` with a case per kind.
    static var swiftMirrors: String {
        var parts = forms.map { swift($0.form, isKind: $0.isKind) }
        let cases = PluginWireKind.forms.map { "    case \(caseName($0))(\($0.mirror))" }
        parts.append("/// One reply line's finding: its `kind` and `data`.\nenum Finding: Equatable {\n" + cases.joined(separator: "\n") + "\n}")
        return parts.joined(separator: "\n\n")
    }

    /// `struct Chat: Codable, Equatable { … }` with `CodingKeys` when a wire name differs.
    static func swift(_ form: WireForm, isKind: Bool) -> String {
        var lines = words(isKind ? "`\(form.name)`: " + form.summary : sentence(form.summary), width: 110, indent: "").map { "/// " + $0 }
        lines.append("struct \(form.mirror): Codable, Equatable {")
        lines += pack("    var ", form.fields.map { f in
            let type = swiftType(f.type)
            if let d = f.helper.swiftDefault { return "\(f.property): \(type) = \(d)" }
            return f.required ? "\(f.property): \(type)" : "\(f.property): \(type)? = nil"
        })
        if form.fields.contains(where: { $0.name != $0.property }) {
            lines.append("    enum CodingKeys: String, CodingKey {")
            lines += pack("        case ", form.fields.map { $0.name == $0.property ? $0.property : "\($0.property) = \"\($0.name)\"" })
            lines.append("    }")
        }
        return (lines + ["}"]).joined(separator: "\n")
    }

    /// `prefix` + items joined by ", ", a new `prefix` line before 120 columns.
    private static func pack(_ prefix: String, _ items: [String]) -> [String] {
        var lines: [String] = [], line = ""
        for item in items {
            if !line.isEmpty, prefix.count + line.count + item.count + 2 > 120 { lines.append(prefix + line); line = item } else {
                line += (line.isEmpty ? "" : ", ") + item
            }
        }
        return line.isEmpty ? lines : lines + [prefix + line]
    }

    /// The `Finding` case of a kind's mirror (`MediaHash` → `mediaHash`).
    static func caseName(_ form: WireForm) -> String { form.mirror.prefix(1).lowercased() + form.mirror.dropFirst() }

    /// The line encoder's switch: one case per kind.
    static var swiftEncodeCases: String {
        PluginWireKind.forms.map {
            "            case .\(caseName($0))(let d): try c.encode(\"\($0.name)\", forKey: .kind); try c.encode(d, forKey: .data)"
        }.joined(separator: "\n")
    }
}
