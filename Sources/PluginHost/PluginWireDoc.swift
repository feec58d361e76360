import ExhibitKit

extension PluginScaffold {
    /// The line before docs/plugins.md's generated field lists of the finding kinds.
    public static let findingKindsDocBegin = "<!-- generated from the wire forms by `make plugin-helpers`: edit the forms, not this -->"
    /// The line after them.
    public static let findingKindsDocEnd = "<!-- end of the generated finding kinds -->"

    /// docs/plugins.md, "Finding kinds": every kind a plugin may send, from its ``WireForm`` (its
    /// summary, a sample `data`, and a table of its fields), between ``findingKindsDocBegin`` and
    /// ``findingKindsDocEnd``. `exhibit plugin wire-doc` prints it; `make plugin-helpers` puts it
    /// into the doc and FindingKindChecklistTests fails while the doc differs.
    public static var findingKindsDoc: String {
        var out = [findingKindsDocBegin, ""]
        for (form, isKind) in PluginHelperText.forms {
            out.append(isKind ? "**`\(form.name)`** — \(form.summary)" : "An **`\(form.name)`** is \(form.summary)")
            if isKind { out += ["", "```json", form.sample, "```"] }
            out += ["", "| field | type | |", "|---|---|---|"]
            for f in form.fields {
                var doc = f.doc
                if let a = f.alias { doc += (doc.isEmpty ? "" : "; ") + "protocol-1 name `\(a)`" }
                out.append("| `\(f.name)`\(f.required ? "*" : "") | \(typeName(f.type)) | \(doc) |")
            }
            out.append("")
        }
        return (out + [findingKindsDocEnd]).joined(separator: "\n")
    }

    private static func typeName(_ t: WireType) -> String {
        switch t {
        case .string: "string"
        case .bool: "true/false"
        case .integer, .integer64: "integer"
        case .time: "[time](#time-values)"
        case .times: "object of named [times](#time-values)"
        case .object: "object"
        case .strings: "array of strings"
        case .location: "location"
        case .records(let f): "array of `\(f.name)`"
        }
    }
}
