import Crypto
import EvidenceStore
import ExhibitKit
import ExhibitSupport
import Foundation

/// A small JSON value for writing JSON-LD nodes in a fixed key order (CASE documents are
/// compared by people and by `diff`; sorted, stable output helps both).
indirect enum JSONLD {
    case string(String)
    case bool(Bool)
    /// A typed literal: `{"@type": type, "@value": value}`.
    case typed(String, String)
    /// A node reference: `{"@id": id}`.
    case ref(String)
    case array([JSONLD])
    case object([(String, JSONLD)])

    /// `xsd:dateTime` literal from µs since the epoch.
    static func dateTime(_ micros: Int64) -> JSONLD { .typed("xsd:dateTime", UTCFormat.string(micros: micros)) }
    /// `xsd:integer` literal.
    static func integer(_ value: Int64) -> JSONLD { .typed("xsd:integer", String(value)) }

    /// Appends the compact JSON text.
    func write(into out: inout [UInt8]) {
        switch self {
        case .string(let s): ExportEscape.json(s, into: &out)
        case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .typed(let t, let v):
            out.append(contentsOf: Array("{\"@type\":".utf8)); ExportEscape.json(t, into: &out)
            out.append(contentsOf: Array(",\"@value\":".utf8)); ExportEscape.json(v, into: &out); out.append(0x7D)
        case .ref(let id):
            out.append(contentsOf: Array("{\"@id\":".utf8)); ExportEscape.json(id, into: &out); out.append(0x7D)
        case .array(let items):
            out.append(0x5B)
            for (i, item) in items.enumerated() { if i > 0 { out.append(0x2C) }; item.write(into: &out) }
            out.append(0x5D)
        case .object(let pairs):
            out.append(0x7B)
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out.append(0x2C) }
                ExportEscape.json(k, into: &out); out.append(0x3A); v.write(into: &out)
            }
            out.append(0x7D)
        }
    }
}

/// Deterministic node identifiers: `kb:<Type>-<UUIDv5>` where the UUID is derived (RFC 4122
/// name-based, SHA-1) from the case name and a stable key of the thing (evidence label + entry
/// key, platform + account…) — never from row ids, so exporting the same case twice, or the same
/// evidence into another database, gives the same identifiers.
struct NodeIDs {
    /// Exhibit's namespace UUID for name-based identifiers (a fixed random value).
    private static let namespace: [UInt8] = [0x6b, 0x1f, 0x3c, 0x52, 0x8e, 0x0d, 0x4a, 0x77, 0x9c, 0x3b, 0x15, 0xe2, 0x44, 0xa0, 0x9d, 0x61]
    let caseName: String

    func id(_ type: String, _ key: String) -> String {
        var data = Self.namespace
        data.append(contentsOf: Array("\(caseName)\u{1F}\(type)\u{1F}\(key)".utf8))
        var b = Array(Insecure.SHA1.hash(data: data)).prefix(16).map { $0 }
        b[6] = (b[6] & 0x0F) | 0x50
        b[8] = (b[8] & 0x3F) | 0x80
        // 8-4-4-4-12 hex digits. Several ids per file and message: no per-byte String(format:).
        var uuid: [UInt8] = []
        uuid.reserveCapacity(36)
        for (i, c) in Hex.encode(b).utf8.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { uuid.append(0x2D) }
            uuid.append(c)
        }
        return "kb:\(type)-" + String(decoding: uuid, as: UTF8.self)
    }
}

/// Streams JSON-LD nodes into a `@graph` array, comma-separated, one node per line.
final class GraphWriter {
    let out: ExportOutput
    private(set) var count = 0
    private var items = 0

    init(_ out: ExportOutput) { self.out = out }

    /// One complete node.
    func node(_ pairs: [(String, JSONLD)]) throws {
        let first = count == 0
        try out.append { buf in
            if !first { buf.append(0x2C) }
            buf.append(0x0A)
            JSONLD.object(pairs).write(into: &buf)
        }
        count += 1
    }

    /// Starts a node whose last key is an array written element by element (``item(_:)``, then
    /// ``close()``): such arrays can list millions of objects and are never built in memory.
    func open(_ pairs: [(String, JSONLD)], arrayKey: String) throws {
        let first = count == 0
        try out.append { buf in
            if !first { buf.append(0x2C) }
            buf.append(0x0A)
            var obj: [UInt8] = []
            JSONLD.object(pairs).write(into: &obj)
            obj.removeLast()  // the closing brace: the array follows
            buf.append(contentsOf: obj)
            buf.append(0x2C)
            ExportEscape.json(arrayKey, into: &buf)
            buf.append(contentsOf: Array(":[".utf8))
        }
        count += 1
        items = 0
    }

    /// One element of the open array.
    func item(_ value: JSONLD) throws {
        let first = items == 0
        try out.append { buf in
            if !first { buf.append(0x2C) }
            value.write(into: &buf)
        }
        items += 1
    }

    /// Ends the open array and its node.
    func close() throws { try out.write("]}") }
}
