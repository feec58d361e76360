import EvidenceStore
import ExhibitSupport
import Foundation

/// The one writer of every `--json` output (issue 15, item 18): the contract is the same for
/// every command, so it is kept here rather than by each output type.
///
/// - keys are snake_case (`fileID` → `file_id`, `sentUTC` → `sent_utc`); keys that are data
///   (a dictionary's keys, such as metadata tag names or indicator time names) are kept as found;
/// - every key is always present: an unknown value is `null`, never a missing key (Swift's
///   synthesized `Encodable` leaves nil optionals out; this encoder writes them);
/// - beside every `utc`/`*_utc` text an explicit local time (`local`/`*_local`,
///   `2024-08-28 15:12:03 +09:00`) in the display zone, `null` without a zone or an instant;
/// - keys sorted, two-space indentation, `/` not escaped, non-ASCII text as UTF-8; strings,
///   numbers and key order are ExhibitSupport's `CanonicalJSON` (strings with `.forReaders`).
enum OutputJSON {
    /// The JSON text of `value`, pretty-printed.
    static func text(_ value: some Encodable, clock: CaseTimeText? = nil) throws -> String {
        let root = JSONNode()
        try JSONNode.encode(value, into: root, path: [])
        var tree = root.tree()
        if let clock { tree = addLocal(tree, clock: clock) }
        var out = ""
        write(tree, indent: 0, into: &out)
        return out
    }

    /// snake_case of a Swift property name; names already in snake_case are unchanged.
    static func snake(_ key: String) -> String {
        guard key.contains(where: \.isUppercase) else { return key }
        let chars = Array(key)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let prev = chars[i - 1]
                let nextLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if prev.isLowercase || prev.isNumber || (prev.isUppercase && nextLower), out.last != "_" { out.append("_") }
            }
            out += c.lowercased()
        }
        return out
    }

    /// Adds `local` beside `utc` and `x_local` beside `x_utc` (text values) wherever they are
    /// missing, recursively.
    static func addLocal(_ tree: JSONTree, clock: CaseTimeText) -> JSONTree {
        switch tree {
        case .array(let a): return .array(a.map { addLocal($0, clock: clock) })
        case .object(let pairs, let data):
            var out = pairs.map { ($0.0, addLocal($0.1, clock: clock)) }
            guard !data else { return .object(out, data: true) }
            let keys = Set(pairs.map(\.0))
            for (k, v) in pairs where k == "utc" || k.hasSuffix("_utc") {
                let localKey = k == "utc" ? "local" : String(k.dropLast(4)) + "_local"
                guard !keys.contains(localKey) else { continue }
                if case .string(let s) = v { out.append((localKey, clock.local(utc: s).map(JSONTree.string) ?? .null)) }
                else if case .null = v { out.append((localKey, .null)) }
            }
            return .object(out, data: false)
        default: return tree
        }
    }

    private static func write(_ t: JSONTree, indent: Int, into out: inout String) {
        switch t {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += CanonicalJSON.integer(i)
        case .uint(let u): out += CanonicalJSON.integer(u)
        case .double(let d): out += CanonicalJSON.number(d) ?? "null"
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            guard !a.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (i, v) in a.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                write(v, indent: indent + 1, into: &out)
                out += i + 1 < a.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .object(let pairs, _):
            guard !pairs.isEmpty else { out += "{}"; return }
            out += "{\n"
            let sorted = pairs.sorted { CanonicalJSON.keyPrecedes($0.0, $1.0) }
            for (i, (k, v)) in sorted.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                writeString(k, into: &out)
                out += " : "
                write(v, indent: indent + 1, into: &out)
                out += i + 1 < sorted.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        }
    }

    /// Text for other programs: the canonical escapes plus DEL and U+2028/U+2029 (``CanonicalJSON/Escapes/forReaders``).
    private static func writeString(_ s: String, into out: inout String) {
        CanonicalJSON.appendString(s, to: &out, escaping: .forReaders)
    }
}

/// A JSON value with its keys in encoding order; `data` marks an object whose keys are data
/// (a dictionary), which are neither renamed nor given local times.
indirect enum JSONTree {
    case null, bool(Bool), int(Int64), uint(UInt64), double(Double), string(String)
    case array([JSONTree])
    case object([(String, JSONTree)], data: Bool)
}

/// A dictionary keyed by text: its keys are data, written as found.
private protocol DataKeyedDictionary {
    func encodeEntries(into node: JSONNode, path: [CodingKey]) throws
}

extension Dictionary: DataKeyedDictionary where Key == String, Value: Encodable {
    fileprivate func encodeEntries(into node: JSONNode, path: [CodingKey]) throws {
        node.makeObject(data: true)
        for (k, v) in self {
            let child = JSONNode()
            try JSONNode.encode(v, into: child, path: path)
            node.set(k, child)
        }
    }
}

/// One value under construction (a reference, so nested containers can fill it later).
final class JSONNode {
    private enum Kind { case empty, value, array, object }
    private var kind = Kind.empty
    private var value = JSONTree.null
    private var items: [JSONNode] = []
    private var keys: [String] = []
    private var index: [String: Int] = [:]
    private var values: [JSONNode] = []
    private var dataKeys = false

    func setValue(_ v: JSONTree) { kind = .value; value = v }
    func makeObject(data: Bool = false) { if kind != .object { kind = .object; dataKeys = data } }
    func makeArray() { if kind != .array { kind = .array } }
    func append(_ n: JSONNode) { makeArray(); items.append(n) }
    func set(_ key: String, _ n: JSONNode) {
        makeObject()
        if let i = index[key] { values[i] = n } else { index[key] = keys.count; keys.append(key); values.append(n) }
    }

    func tree() -> JSONTree {
        switch kind {
        case .empty: return .object([], data: false)
        case .value: return value
        case .array: return .array(items.map { $0.tree() })
        case .object: return .object(Array(zip(keys, values.map { $0.tree() })), data: dataKeys)
        }
    }

    /// Encodes `v` into `node`: scalars directly, text-keyed dictionaries with their keys kept,
    /// anything else through its own `encode(to:)`.
    static func encode<T: Encodable>(_ v: T, into node: JSONNode, path: [CodingKey]) throws {
        switch v {
        case let s as String: node.setValue(.string(s))
        case let b as Bool: node.setValue(.bool(b))
        case let d as Double: node.setValue(.double(d))
        case let f as Float: node.setValue(.double(Double(f)))
        case let i as any BinaryInteger:
            if let signed = Int64(exactly: i) { node.setValue(.int(signed)) } else { node.setValue(.uint(UInt64(clamping: i))) }
        case let d as DataKeyedDictionary: try d.encodeEntries(into: node, path: path)
        default: try v.encode(to: TreeEncoder(node: node, codingPath: path))
        }
    }
}

/// The `Encoder` filling a ``JSONNode``.
private struct TreeEncoder: Encoder {
    let node: JSONNode
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedTree<Key>(node: node, codingPath: codingPath))
    }
    func unkeyedContainer() -> UnkeyedEncodingContainer { node.makeArray(); return UnkeyedTree(node: node, codingPath: codingPath) }
    func singleValueContainer() -> SingleValueEncodingContainer { SingleTree(node: node, codingPath: codingPath) }
}

private struct KeyedTree<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONNode
    let codingPath: [CodingKey]

    private func put<T: Encodable>(_ v: T?, _ key: Key) throws {
        let child = JSONNode()
        if let v { try JSONNode.encode(v, into: child, path: codingPath + [key]) } else { child.setValue(.null) }
        node.set(OutputJSON.snake(key.stringValue), child)
    }

    mutating func encodeNil(forKey key: Key) throws { try put(Optional<Int>.none, key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try put(value, key) }
    // Every key always present: nil optionals are written as null (the synthesized code calls these).
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try put(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try put(value, key) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = JSONNode()
        child.makeObject()
        node.set(OutputJSON.snake(key.stringValue), child)
        return KeyedEncodingContainer(KeyedTree<NestedKey>(node: child, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let child = JSONNode()
        child.makeArray()
        node.set(OutputJSON.snake(key.stringValue), child)
        return UnkeyedTree(node: child, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> Encoder {
        let child = JSONNode()
        node.set("super", child)
        return TreeEncoder(node: child, codingPath: codingPath)
    }
    mutating func superEncoder(forKey key: Key) -> Encoder {
        let child = JSONNode()
        node.set(OutputJSON.snake(key.stringValue), child)
        return TreeEncoder(node: child, codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { String(intValue ?? 0) }
    var intValue: Int?
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedTree: UnkeyedEncodingContainer {
    let node: JSONNode
    let codingPath: [CodingKey]
    private(set) var count = 0

    init(node: JSONNode, codingPath: [CodingKey]) { self.node = node; self.codingPath = codingPath }

    mutating func encodeNil() throws { let c = JSONNode(); c.setValue(.null); node.append(c); count += 1 }
    mutating func encode<T: Encodable>(_ value: T) throws { try add(value) }
    mutating func encode(_ value: Bool) throws { try add(value) }
    mutating func encode(_ value: String) throws { try add(value) }
    mutating func encode(_ value: Double) throws { try add(value) }
    mutating func encode(_ value: Float) throws { try add(value) }
    mutating func encode(_ value: Int) throws { try add(value) }
    mutating func encode(_ value: Int8) throws { try add(value) }
    mutating func encode(_ value: Int16) throws { try add(value) }
    mutating func encode(_ value: Int32) throws { try add(value) }
    mutating func encode(_ value: Int64) throws { try add(value) }
    mutating func encode(_ value: UInt) throws { try add(value) }
    mutating func encode(_ value: UInt8) throws { try add(value) }
    mutating func encode(_ value: UInt16) throws { try add(value) }
    mutating func encode(_ value: UInt32) throws { try add(value) }
    mutating func encode(_ value: UInt64) throws { try add(value) }
    private mutating func add<T: Encodable>(_ value: T) throws {
        let c = JSONNode()
        try JSONNode.encode(value, into: c, path: codingPath + [IndexKey(count)])
        node.append(c); count += 1
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let c = JSONNode(); c.makeObject(); node.append(c); count += 1
        return KeyedEncodingContainer(KeyedTree<NestedKey>(node: c, codingPath: codingPath + [IndexKey(count - 1)]))
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let c = JSONNode(); c.makeArray(); node.append(c); count += 1
        return UnkeyedTree(node: c, codingPath: codingPath + [IndexKey(count - 1)])
    }
    mutating func superEncoder() -> Encoder {
        let c = JSONNode(); node.append(c); count += 1
        return TreeEncoder(node: c, codingPath: codingPath + [IndexKey(count - 1)])
    }
}

private struct SingleTree: SingleValueEncodingContainer {
    let node: JSONNode
    let codingPath: [CodingKey]
    mutating func encodeNil() throws { node.setValue(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: Bool) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: String) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: Double) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: Float) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: Int) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: Int8) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: Int16) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: Int32) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: Int64) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: UInt) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: UInt8) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: UInt16) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: UInt32) throws { try JSONNode.encode(value, into: node, path: codingPath) }
    mutating func encode(_ value: UInt64) throws { try JSONNode.encode(value, into: node, path: codingPath) }
}
