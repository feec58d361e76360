import Foundation

/// Why a Postbox value could not be read. Every case names where, so a warning can say it.
enum PostboxError: Error, Equatable, Sendable {
    /// The bytes end inside a value (`need` more bytes at `offset`).
    case truncated(offset: Int, need: Int)
    /// A declared length or count reaches past the end of its buffer.
    case lengthPastEnd(offset: Int, declared: Int64)
    /// A value type byte outside the documented set 0…13: nothing after it can be located.
    case unknownValueType(UInt8, key: String)
    /// Objects nested deeper than ``PostboxDecoder/maxDepth``.
    case tooDeep
    /// A string that is not UTF-8 (never decoded by guessing).
    case notUTF8(key: String)

    /// The warning code for this kind of problem.
    var code: String {
        switch self {
        case .truncated: return "truncated-value"
        case .lengthPastEnd: return "length-past-end"
        case .unknownValueType: return "unknown-value-type"
        case .tooDeep: return "nesting-too-deep"
        case .notUTF8: return "text-not-utf8"
        }
    }

    /// Words for the warning.
    var text: String {
        switch self {
        case .truncated(let o, let n): return "a Postbox value ends early (\(n) more bytes needed at offset \(o))"
        case .lengthPastEnd(let o, let d): return "a Postbox length or count (\(d)) at offset \(o) reaches past the end of its data"
        case .unknownValueType(let t, let k): return "Postbox value type \(t) (field \"\(k)\") is not one of the documented types 0-13; the rest of that object is not decoded"
        case .tooDeep: return "Postbox objects nested deeper than \(PostboxDecoder.maxDepth) levels; the inner ones are not decoded"
        case .notUTF8(let k): return "a Postbox string (field \"\(k)\") is not UTF-8; left empty"
        }
    }
}

/// A bounds-checked cursor over evidence bytes. Postbox writes its typed values little-endian;
/// table keys (t6, t7) are big-endian so that SQLite's byte order is the index order.
struct ByteCursor {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes; self.offset = start; self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { max(0, end - offset) }
    var atEnd: Bool { offset >= end }

    /// The next `count` bytes; throws rather than reading past the end.
    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw PostboxError.truncated(offset: offset, need: count - remaining) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func u8() throws -> UInt8 { try take(1).first ?? 0 }

    /// An unsigned integer of `size` bytes in the given byte order.
    private mutating func uint(_ size: Int, bigEndian: Bool) throws -> UInt64 {
        let s = try take(size)
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(bigEndian ? size - 1 - i : i)) }
        return v
    }

    mutating func u32() throws -> UInt32 { UInt32(truncatingIfNeeded: try uint(4, bigEndian: false)) }
    mutating func i32() throws -> Int32 { Int32(bitPattern: try u32()) }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try uint(8, bigEndian: false)) }
    mutating func f64() throws -> Double { Double(bitPattern: try uint(8, bigEndian: false)) }
    mutating func i32BE() throws -> Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: try uint(4, bigEndian: true))) }
    mutating func i64BE() throws -> Int64 { Int64(bitPattern: try uint(8, bigEndian: true)) }

    /// An Int32 length (or count of `unit`-byte items) that must fit in what is left.
    mutating func length(unit: Int = 1) throws -> Int {
        let at = offset
        let n = try i32()
        guard n >= 0, Int64(n) * Int64(unit) <= Int64(remaining) else { throw PostboxError.lengthPastEnd(offset: at, declared: Int64(n)) }
        return Int(n)
    }

    /// Int32 length + bytes.
    mutating func lengthPrefixed() throws -> [UInt8] { Array(try take(try length())) }
}

/// One decoded Postbox value (the `ValueType` set of Telegram-iOS `Postbox/Sources/Coding.swift`).
indirect enum PostboxValue: Equatable, Sendable {
    case int32(Int32), int64(Int64), bool(Bool), double(Double), string(String)
    case object(PostboxObject)
    case int32Array([Int32]), int64Array([Int64])
    case objectArray([PostboxObject])
    /// Key/value object pairs, flattened in order.
    case objectDictionary([PostboxObject])
    case bytes([UInt8]), null
    case stringArray([String]), bytesArray([[UInt8]])
}

/// A Postbox object: the MurmurHash3 of its Swift type name and its keyed fields, in stored order.
struct PostboxObject: Equatable, Sendable {
    var typeHash: Int32
    var fields: [(String, PostboxValue)]

    static func == (a: PostboxObject, b: PostboxObject) -> Bool {
        a.typeHash == b.typeHash && a.fields.map(\.0) == b.fields.map(\.0) && a.fields.map(\.1) == b.fields.map(\.1)
    }

    /// The first field named `key`.
    subscript(_ key: String) -> PostboxValue? { fields.first { $0.0 == key }?.1 }
    func string(_ key: String) -> String? { if case .string(let s)? = self[key] { return s }; return nil }
    func object(_ key: String) -> PostboxObject? { if case .object(let o)? = self[key] { return o }; return nil }
    func objects(_ key: String) -> [PostboxObject] { if case .objectArray(let a)? = self[key] { return a }; return [] }
    /// An Int32 or Int64 field as Int64 (clients widened some fields over time).
    func integer(_ key: String) -> Int64? {
        switch self[key] {
        case .int32(let v)?: return Int64(v)
        case .int64(let v)?: return v
        default: return nil
        }
    }
}

/// Reads Postbox's keyed encoding: per field a 1-byte key length, the UTF-8 key, a 1-byte value
/// type, then the value (Int32/Int64/Double little-endian; Bool 1 byte; String and Bytes an Int32
/// length + bytes; Object = Int32 type hash + Int32 length + inner fields; arrays an Int32 count).
/// Problems are collected in ``errors`` (first few kept); what was read before them is returned.
struct PostboxDecoder {
    /// Objects deeper than this are not decoded (a hostile blob could nest without end).
    static let maxDepth = 32
    private(set) var errors: [PostboxError] = []

    private mutating func note(_ e: PostboxError) { if errors.count < 8 { errors.append(e) } }

    /// The root object (field `_`) of a buffer written by `encodeRootObject`.
    mutating func root(_ bytes: [UInt8]) -> PostboxObject? {
        object(typeHash: 0, ByteCursor(bytes), depth: 0).object("_")
    }

    /// The fields of one object, read to the end of `cursor`. Stops at the first problem.
    mutating func object(typeHash: Int32, _ cursor: ByteCursor, depth: Int) -> PostboxObject {
        var c = cursor
        var obj = PostboxObject(typeHash: typeHash, fields: [])
        guard depth <= Self.maxDepth else { note(.tooDeep); return obj }
        while !c.atEnd {
            do {
                let keyLength = Int(try c.u8())
                guard let key = String(validating: try c.take(keyLength), as: UTF8.self) else { throw PostboxError.notUTF8(key: "?") }
                obj.fields.append((key, try value(&c, key: key, depth: depth)))
            } catch let e as PostboxError {
                note(e); break
            } catch { break }
        }
        return obj
    }

    private mutating func nested(_ c: inout ByteCursor, depth: Int) throws -> PostboxObject {
        let hash = try c.i32()
        let length = try c.length()
        let start = c.offset
        _ = try c.take(length)
        return object(typeHash: hash, ByteCursor(c.bytes, from: start, to: start + length), depth: depth + 1)
    }

    private func text(_ c: inout ByteCursor, key: String) throws -> String {
        guard let s = String(validating: try c.take(try c.length()), as: UTF8.self) else { throw PostboxError.notUTF8(key: key) }
        return s
    }

    private mutating func value(_ c: inout ByteCursor, key: String, depth: Int) throws -> PostboxValue {
        let type = try c.u8()
        switch type {
        case 0: return .int32(try c.i32())
        case 1: return .int64(try c.i64())
        case 2: return .bool(try c.u8() != 0)
        case 3: return .double(try c.f64())
        case 4: return .string(try text(&c, key: key))
        case 5: return .object(try nested(&c, depth: depth))
        case 6: return .int32Array(try (0..<c.length(unit: 4)).map { _ in try c.i32() })
        case 7: return .int64Array(try (0..<c.length(unit: 8)).map { _ in try c.i64() })
        case 8: return .objectArray(try (0..<c.length(unit: 8)).map { _ in try nested(&c, depth: depth) })
        case 9: return .objectDictionary(try (0..<c.length(unit: 16)).flatMap { _ in [try nested(&c, depth: depth), try nested(&c, depth: depth)] })
        case 10: return .bytes(try c.lengthPrefixed())
        case 11: return .null
        case 12: return .stringArray(try (0..<c.length(unit: 4)).map { _ in try text(&c, key: key) })
        case 13: return .bytesArray(try (0..<c.length(unit: 4)).map { _ in try c.lengthPrefixed() })
        default: throw PostboxError.unknownValueType(type, key: key)
        }
    }
}
