import Foundation

/// One decoded value of a ``WireField``.
public enum WireValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case number(WireNumber)
    case time(WireTime)
    case times([String: WireTime])
    case json(JSONValue)
    case strings([String])
    case location(WireLocation)
    case records([WireRecord])
}

/// A finding's `data` (or a nested object) decoded by its ``WireForm``: each field under its
/// name and its protocol-1 alias, typed but not yet checked. Unknown fields are ignored and
/// `null` is the same as a missing field. Payloads read it with the accessors below, whose
/// failures name the field by its path (`message.attachments[0].size`).
public struct WireRecord: Sendable, Equatable {
    public let form: WireForm
    /// The path of this object in messages (`message`, `message.attachments[0]`).
    public let path: String
    private var values: [String: WireValue] = [:]
    /// Values sent under a protocol-1 alias, by the field's name: the alias and the value.
    private var aliased: [String: (alias: String, value: WireValue)] = [:]

    public static func == (a: WireRecord, b: WireRecord) -> Bool {
        a.path == b.path && a.values == b.values && a.aliased.mapValues(\.value) == b.aliased.mapValues(\.value)
    }

    /// Decodes `data` by `form`; a mistyped field throws `DecodingError` (named by its coding path).
    public init(form: WireForm, path: String, from decoder: Decoder) throws {
        self.form = form; self.path = path
        let c = try decoder.container(keyedBy: WireKey.self)
        for f in form.fields {
            if let v = try Self.decode(f.type, c, WireKey(f.name), path: path, field: f.name) { values[f.name] = v }
            if let a = f.alias, let v = try Self.decode(f.type, c, WireKey(a), path: path, field: a) { aliased[f.name] = (a, v) }
        }
    }

    private static func decode(_ type: WireType, _ c: KeyedDecodingContainer<WireKey>, _ key: WireKey, path: String,
                               field: String) throws -> WireValue? {
        switch type {
        case .string: return try c.decodeIfPresent(String.self, forKey: key).map(WireValue.string)
        case .bool: return try c.decodeIfPresent(Bool.self, forKey: key).map(WireValue.bool)
        case .integer, .integer64: return try c.decodeIfPresent(WireNumber.self, forKey: key).map(WireValue.number)
        case .time: return try c.decodeIfPresent(WireTime.self, forKey: key).map(WireValue.time)
        case .times: return try c.decodeIfPresent([String: WireTime].self, forKey: key).map(WireValue.times)
        case .object: return try c.decodeIfPresent(WireJSON.self, forKey: key).map { .json($0.value) }
        case .strings: return try c.decodeIfPresent([String].self, forKey: key).map(WireValue.strings)
        case .location: return try c.decodeIfPresent(WireLocation.self, forKey: key).map(WireValue.location)
        case .records(let form):
            guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
            var a = try c.nestedUnkeyedContainer(forKey: key)
            var out: [WireRecord] = []
            while !a.isAtEnd {
                let i = a.currentIndex
                out.append(try WireRecord(form: form, path: "\(path).\(field)[\(i)]", from: a.superDecoder()))
            }
            return .records(out)
        }
    }

    /// The path of field `name` (`message.sent`).
    public func field(_ name: String) -> String { "\(path).\(name)" }

    /// The value of field `name` under its name or its protocol-1 alias (docs/plugins.md,
    /// "Names"); both present must be equal.
    public func value(_ name: String) throws -> WireValue? {
        let v = values[name]
        guard let (alias, old) = aliased[name] else { return v }
        if let v, v != old { throw WireInvalid("\(field(name)) and \(field(alias)) (its protocol-1 name) differ: send one") }
        return v ?? old
    }

    public func string(_ name: String) throws -> String? {
        if case .string(let s)? = try value(name) { return s }
        return nil
    }

    /// A required text field: present and not empty.
    public func requiredString(_ name: String) throws -> String {
        guard let s = try string(name), !s.isEmpty else { throw WireInvalid("\(field(name)) is required (non-empty string)") }
        return s
    }

    public func bool(_ name: String) throws -> Bool? {
        if case .bool(let b)? = try value(name) { return b }
        return nil
    }

    /// An integer field (integral, below 9e15 in magnitude).
    public func integer(_ name: String) throws -> Int? {
        if case .number(let n)? = try value(name) { return try n.integer(field(name)) }
        return nil
    }

    public func time(_ name: String, zone: TimeZone?) throws -> TimeValue? {
        if case .time(let t)? = try value(name) { return try t.timeValue(field: field(name), zone: zone) }
        return nil
    }

    /// The time object of field `name`, unread (an event reads it as its one named time).
    public func wireTime(_ name: String) throws -> WireTime? {
        if case .time(let t)? = try value(name) { return t }
        return nil
    }

    /// Named times: each name 1…64 characters.
    public func times(_ name: String, zone: TimeZone?) throws -> [String: TimeValue] {
        guard case .times(let v)? = try value(name) else { return [:] }
        var out: [String: TimeValue] = [:]
        for (k, t) in v {
            guard !k.isEmpty, k.count <= 64 else { throw WireInvalid("\(field(name)) has an empty or over-long time name") }
            out[k] = try t.timeValue(field: "\(field(name)).\(k)", zone: zone)
        }
        return out
    }

    /// Any JSON value (nil when absent or `null`).
    public func json(_ name: String) throws -> JSONValue? {
        if case .json(let j)? = try value(name), j != .null { return j }
        return nil
    }

    /// A JSON object field (`properties`, `extra`): nil when absent or `null`.
    public func object(_ name: String) throws -> JSONValue? {
        guard let j = try json(name) else { return nil }
        guard case .object = j else { throw WireInvalid("\(field(name)) must be an object") }
        return j
    }

    public func strings(_ name: String) throws -> [String]? {
        if case .strings(let s)? = try value(name) { return s }
        return nil
    }

    public func location(_ name: String = "location") throws -> SourceLocation? {
        if case .location(let l)? = try value(name) { return try l.sourceLocation(field(name)) }
        return nil
    }

    public func records(_ name: String) throws -> [WireRecord] {
        if case .records(let r)? = try value(name) { return r }
        return []
    }
}
