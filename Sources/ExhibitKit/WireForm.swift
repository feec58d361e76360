import Foundation

/// The type of one field of a ``WireForm``: how the wire reads it, how the helpers' mirrors type
/// it and how docs/plugins.md names it.
public indirect enum WireType: Sendable {
    case string
    case bool
    /// An integral number (Swift mirror `Int`).
    case integer
    /// An integral number that may need 64 bits (sizes, microseconds; Swift mirror `Int64`).
    case integer64
    /// A time object (docs/plugins.md, "Time values").
    case time
    /// An object of named time objects.
    case times
    /// A JSON object (any members).
    case object
    /// An array of strings.
    case strings
    /// `{"offset": …, "record": …}`.
    case location
    /// An array of objects of another form (a message's attachments).
    case records(WireForm)
}

/// How the Python helper's function takes a field, when not by the default rule (required:
/// positional; otherwise `=None`, and left out of the line when `None`).
public struct HelperParameter: Sendable {
    /// The default in the signature (Python literal, `"pdq"`, `False`); nil: the rule's.
    public var pythonDefault: String?
    /// Positional although the wire does not require it (`chat(chat_key, platform, …)`).
    public var positional = false
    /// The Python expression sent instead of the argument, `$` standing for it (`$ or {}`).
    public var pythonValue: String?
    /// The Swift mirror's default, making the property non-optional (`[:]`).
    public var swiftDefault: String?
    public init(pythonDefault: String? = nil, positional: Bool = false, pythonValue: String? = nil, swiftDefault: String? = nil) {
        self.pythonDefault = pythonDefault; self.positional = positional; self.pythonValue = pythonValue; self.swiftDefault = swiftDefault
    }
}

/// One field of a wire form. Its wire name is the Swift property's name in snake_case
/// (docs/plugins.md, "Names": `senderNativeID` → `sender_native_id`).
public struct WireField: Sendable {
    /// The Swift property the field fills (and the helpers' Swift mirror's property).
    public let property: String
    public var type: WireType
    /// A finding without it is invalid (marked * in docs/plugins.md).
    public var required: Bool
    /// The name protocol 1 first shipped, still accepted (both present must agree).
    public var alias: String?
    /// One line for docs/plugins.md and the helpers.
    public var doc: String
    /// A valid value as JSON text: the kind's sample (``WireForm/sample``) is its fields' examples.
    public var example: String?
    public var helper: HelperParameter

    public init(_ property: String, _ type: WireType, required: Bool = false, alias: String? = nil, example: String? = nil,
                helper: HelperParameter = HelperParameter(), _ doc: String = "") {
        self.property = property; self.type = type; self.required = required; self.alias = alias
        self.example = example; self.helper = helper; self.doc = doc
        name = Self.snakeCase(property)
    }

    /// The wire name: ``property`` in snake_case (derived once: every line's decoding reads it).
    public let name: String

    /// `nativeID` → `native_id`, `frameTimeMicros` → `frame_time_micros`: an underscore before
    /// an upper-case letter that follows a lower-case one or a digit, or that starts a word after
    /// an acronym; then lower case.
    public static func snakeCase(_ name: String) -> String {
        let chars = Array(name)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let prev = chars[i - 1], next = i + 1 < chars.count ? chars[i + 1] : nil
                if prev.isLowercase || prev.isNumber || (prev.isUppercase && next?.isLowercase == true) { out += "_" }
            }
            out += c.lowercased()
        }
        return out
    }
}

/// A payload's form on the plugin wire: its fields, in the order of the helpers' Swift mirror
/// (its memberwise initializer) and of the line the Python helper writes. Declared beside the
/// payload type; the host decodes `data` by it (``WireRecord``), and `make plugin-helpers`
/// generates the helpers' per-kind parts and docs/plugins.md's field lists from it.
public struct WireForm: Sendable {
    /// The kind's wire name (`media_hash`), or the name of a nested form (`attachment`).
    public var name: String
    /// The Swift helper's mirror type (`MediaHash`).
    public var mirror: String
    /// One sentence for docs/plugins.md and the helpers: what it is and where it is stored.
    public var summary: String
    public var fields: [WireField]
    /// The Python helper's parameter order by wire name, when it is not the fields' order
    /// followed by the aliases (kept as protocol 1 first shipped it).
    public var pythonParameters: [String]?

    public init(_ name: String, mirror: String, summary: String, fields: [WireField], pythonParameters: [String]? = nil) {
        self.name = name; self.mirror = mirror; self.summary = summary; self.fields = fields; self.pythonParameters = pythonParameters
    }

    /// The field named `name` on the wire (not an alias).
    public func field(_ name: String) -> WireField? { fields.first { $0.name == name } }

    /// One valid `data` of this form: every field with an example, in order.
    public var sample: String {
        "{" + fields.compactMap { f in f.example.map { "\"\(f.name)\": \($0)" } }.joined(separator: ", ") + "}"
    }
}

/// A plugin-sendable finding payload: its wire form and its validation from the decoded wire
/// value. ``FindingKind/wirePayload`` names the type for each kind a plugin may send.
public protocol WireSendable {
    static var wireForm: WireForm { get }
    /// The finding `data` stands for, or ``WireInvalid`` naming the field that is wrong.
    static func finding(wire data: WireRecord, state: inout WireReplyState) throws -> Finding
}

/// What the reply so far tells the next line: chats reported, the next message sequence, and
/// the file and declared zone the findings are about.
public struct WireReplyState: Sendable {
    public var chats: Set<String> = []
    public var nextSequence = 0
    public let file: EvidenceFile
    public let zone: TimeZone?
    public init(file: EvidenceFile, zone: TimeZone?) { self.file = file; self.zone = zone }
}
