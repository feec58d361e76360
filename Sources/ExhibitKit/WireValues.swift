import Foundation

// The plugin wire's primitives (docs/plugins.md), beside the finding types they serialize: each
// plugin-sendable payload declares its wire form (WireForm.swift) and its validation from these
// values, so a new kind is written once, in ExhibitKit. The wire must read whatever arrives and
// say which field is wrong, so every value here is lenient; the rules are checked when a payload
// is built from them, with messages naming the field (`message.attachments[0].size`).

/// A finding line whose content breaks a rule: the message names the field. The plugin host
/// records it as that line's warning (`plugin-invalid-finding`) and keeps the reply's other lines.
public struct WireInvalid: Error, Equatable, Sendable {
    /// A sentence naming the field (`chat.chat_key is required (non-empty string)`).
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// A line that is not JSON the host can read — a number no `Double` holds (`1e999`): the
/// conversation is out of step, as for any other unparseable line (`plugin-garbage`).
public struct WireGarbage: Error, Sendable {
    public var message: String
}

/// A JSON number as sent: an integer, or a number with a fraction or exponent.
public enum WireNumber: Decodable, Equatable, Sendable {
    case integer(Int64)
    case fraction(Double)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int64.self) {
            self = .integer(i)
            return
        }
        do {
            self = .fraction(try c.decode(Double.self))
        } catch DecodingError.dataCorrupted {
            throw WireGarbage(message: "a number that no 64-bit float holds")
        }
    }

    public var double: Double {
        switch self {
        case .integer(let i): return Double(i)
        case .fraction(let d): return d
        }
    }

    /// The number as text (the `raw` of a time given as a number).
    public var text: String {
        switch self {
        case .integer(let i): return String(i)
        case .fraction(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        }
    }

    /// The value as an integer: integral and below 9e15 in magnitude (a SQLite integer that a
    /// JSON reader elsewhere still reads exactly).
    public func integer(_ field: String) throws -> Int {
        let d = double
        guard d.rounded() == d, abs(d) < 9e15 else { throw WireInvalid("\(field) must be an integer") }
        if case .integer(let i) = self { return Int(i) }
        return Int(d)
    }
}

/// A coding key for any field name (the wire's objects are read by the names of a ``WireForm``).
public struct WireKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

/// Any JSON value (artifact properties, message extra, indicator details), read into
/// ``JSONValue``, at most ``maxDepth`` levels below the reply line.
public struct WireJSON: Decodable, Equatable, Sendable {
    public var value: JSONValue
    public static let maxDepth = 66

    public init(from decoder: Decoder) throws {
        guard decoder.codingPath.count <= Self.maxDepth else {
            throw WireInvalid("\(WireInvalid.fieldPath(decoder.codingPath)) is nested too deeply")
        }
        if var a = try? decoder.unkeyedContainer() {
            var out: [JSONValue] = []
            while !a.isAtEnd { out.append(try a.decode(WireJSON.self).value) }
            value = .array(out)
        } else if let o = try? decoder.container(keyedBy: WireKey.self) {
            var out: [String: JSONValue] = [:]
            for k in o.allKeys { out[k.stringValue] = try o.decode(WireJSON.self, forKey: k).value }
            value = .object(out)
        } else {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                value = .null
            } else if let b = try? c.decode(Bool.self) {
                value = .bool(b)
            } else if let s = try? c.decode(String.self) {
                value = .string(s)
            } else {
                value = .number(try c.decode(WireNumber.self).double)
            }
        }
    }
}

/// A time object (docs/plugins.md, "Time values"; read by ``timeValue(field:zone:)``).
public struct WireTime: Decodable, Equatable, Sendable {
    public var instant: String?, unixS: WireNumber?, unixMs: WireNumber?, unixUs: WireNumber?, utcUs: WireNumber?
    public var local: String?, raw: String?, precision: String?, note: String?, basis: String?
    enum CodingKeys: String, CodingKey {
        case instant, unixS = "unix_s", unixMs = "unix_ms", unixUs = "unix_us", utcUs = "utc_us", local, raw, precision, note, basis
    }
}

/// `location`: a byte offset and/or a record.
public struct WireLocation: Decodable, Equatable, Sendable {
    public var offset: WireNumber?, record: String?

    /// The location, its offset an integer.
    public func sourceLocation(_ field: String) throws -> SourceLocation {
        SourceLocation(offset: try offset.map { Int64(try $0.integer("\(field).offset")) }, record: record)
    }
}

extension WireInvalid {
    /// A coding path as the field names of docs/plugins.md (`message.attachments[0].kind`),
    /// without the line's own `data` key.
    public static func fieldPath(_ path: [any CodingKey], kind: String? = nil) -> String {
        var keys = path
        if keys.first?.stringValue == "data" { keys.removeFirst() }
        var out = kind ?? ""
        for k in keys {
            if let i = k.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + k.stringValue }
        }
        return out
    }

    /// A decoding error as the failure naming the field.
    public init(_ error: DecodingError, kind: String) {
        func what(_ type: Any.Type) -> String {
            let t = String(describing: type)
            if t.hasPrefix("Dictionary") { return "an object" }
            if t.hasPrefix("Array") { return "an array" }
            if t == "Bool" { return "true or false" }
            if t == "String" { return "a string" }
            return "a number"
        }
        switch error {
        case .typeMismatch(let type, let ctx), .valueNotFound(let type, let ctx):
            if Self.fieldPath(ctx.codingPath).isEmpty {
                self.init("finding \"\(kind)\": \"data\" must be an object")
            } else {
                self.init("\(Self.fieldPath(ctx.codingPath, kind: kind)) must be \(what(type))")
            }
        case .keyNotFound(let key, let ctx):
            self.init("\(Self.fieldPath(ctx.codingPath + [key], kind: kind)) is required")
        case .dataCorrupted(let ctx):
            self.init("\(Self.fieldPath(ctx.codingPath, kind: kind)) is not valid: \(ctx.debugDescription)")
        @unknown default:
            self.init("\(kind): \(error)")
        }
    }
}
