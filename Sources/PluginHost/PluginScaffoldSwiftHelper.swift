import Foundation

// The protocol part of every Swift plugin's main.swift: Codable mirrors of the host's request,
// time and finding types, and the protocol loop. `exhibit plugin new --lang swift` writes it
// after the plugin's own code; plugins/examples/bash-history/main.swift carries the same text (a
// test checks they stay identical). Wire names are the host's Swift property names in snake_case,
// spelled out in CodingKeys (no key strategy: it would rewrite artifact property names too).
extension PluginScaffold {
    /// The marker line that starts the shared part of a Swift plugin's main.swift.
    public static let swiftHelperMarker = "// MARK: - Exhibit plugin protocol 1"

    /// The shared part of a Swift plugin's main.swift (from ``swiftHelperMarker`` to the end);
    /// the mirrors of the findings are generated from the wire forms (``PluginHelperText``).
    public static let swiftHelper = #"""
// MARK: - Exhibit plugin protocol 1 (written by `exhibit plugin new`; keep it as it is)
// Codable mirrors of the host's types: wire names are the host's Swift property names in
// snake_case (Exhibit's docs/plugins.md, "Names"). Call exhibitPluginMain at the top of the file.

/// A JSON value: artifact properties, message extra, indicator details.
enum JSONValue: Codable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])
    init(stringLiteral v: String) { self = .string(v) }
    init(integerLiteral v: Int) { self = .int(Int64(v)) }
    init(floatLiteral v: Double) { self = .double(v) }
    init(booleanLiteral v: Bool) { self = .bool(v) }
    init(arrayLiteral v: JSONValue...) { self = .array(v) }
    init(dictionaryLiteral v: (String, JSONValue)...) { self = .object(Dictionary(v, uniquingKeysWith: { $1 })) }
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) } else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// A time as the protocol carries it: set one form (instant, unixS/Ms/Us, local), or send back a
/// file time the host gave (it carries utcUs, instant and local, which agree).
struct WireTime: Codable, Equatable {
    var instant: String? = nil, unixS: Int64? = nil, unixMs: Int64? = nil, unixUs: Int64? = nil, utcUs: Int64? = nil
    var local: String? = nil, raw: String? = nil, precision: String? = nil, note: String? = nil, basis: String? = nil
    enum CodingKeys: String, CodingKey {
        case instant, unixS = "unix_s", unixMs = "unix_ms", unixUs = "unix_us", utcUs = "utc_us", local, raw, precision, note, basis
    }
}

/// Where in the file: a byte offset and/or a record (`line 3`, `sms._id 42`).
struct Location: Codable, Equatable {
    var offset: Int64? = nil, record: String? = nil
}

// Generated from the host's wire forms (`make plugin-helpers`).

"""# + PluginHelperText.swiftMirrors + #"""


/// One file to analyse (unknown fields are ignored, as the protocol asks).
struct AnalyzeRequest: Decodable {
    struct File: Decodable {
        var key: String, virtualPath: String, name: String, size: Int64, mime: String
        var hashes: [String: String], times: [String: WireTime]?
        enum CodingKeys: String, CodingKey { case key, virtualPath = "virtual_path", name, size, mime, hashes, times }
    }
    struct Content: Decodable { var path: String, delivery: String?, size: Int64? }
    struct Context: Decodable {
        var assumedZone: String?
        enum CodingKeys: String, CodingKey { case assumedZone = "assumed_zone" }
    }
    var request: Int, file: File, content: Content?, context: Context?
}

/// Throw to say the file cannot be read at all: one error row, no findings for the file.
struct PluginFailure: Error { var code: String, message: String }

/// Speaks the protocol on stdin/stdout until the host says shutdown or closes stdin: the
/// handshake, then one request at a time. `analyze` hands each finding to `emit` as it goes (each
/// is written at once: the host stores it as its line arrives). stdout is the protocol channel
/// only; print diagnostics to stderr.
func exhibitPluginMain(pluginID: String, version: String,
                       analyze: (AnalyzeRequest, (Finding) -> Void) throws -> Void) -> Never {
    struct Envelope: Decodable { var type: String, request: Int?, `protocol`: Int? }
    struct Hello: Encodable { var type = "hello", `protocol` = 1, plugin: String, version: String }
    struct ErrorBody: Encodable { var code: String, message: String }
    struct End: Encodable { var type = "end", request: Int, error: ErrorBody? = nil }
    struct Line: Encodable {
        var request: Int, finding: Finding
        enum CodingKeys: String, CodingKey { case type, request, kind, data }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("finding", forKey: .type)
            try c.encode(request, forKey: .request)
            switch finding {

"""# + PluginHelperText.swiftEncodeCases + #"""

            }
        }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    func send<T: Encodable>(_ value: T) {
        guard var data = try? encoder.encode(value) else {
            FileHandle.standardError.write(Data("\(pluginID): cannot encode a reply line\n".utf8))
            return
        }
        data.append(10)
        FileHandle.standardOutput.write(data)
    }
    let decoder = JSONDecoder()
    guard let first = readLine(), let hello = try? decoder.decode(Envelope.self, from: Data(first.utf8)),
          hello.type == "hello", hello.protocol == 1 else {
        FileHandle.standardError.write(Data("\(pluginID): unexpected handshake\n".utf8))
        exit(2)
    }
    send(Hello(plugin: pluginID, version: version))
    while let line = readLine() {
        guard let envelope = try? decoder.decode(Envelope.self, from: Data(line.utf8)) else { continue }
        if envelope.type == "shutdown" { break }
        guard envelope.type == "analyze", let id = envelope.request else { continue }
        do {
            let request = try decoder.decode(AnalyzeRequest.self, from: Data(line.utf8))
            try analyze(request) { send(Line(request: id, finding: $0)) }
            send(End(request: id))
        } catch let e as PluginFailure {
            send(End(request: id, error: ErrorBody(code: e.code, message: e.message)))
        } catch {
            send(End(request: id, error: ErrorBody(code: "plugin-exception", message: "\(error)")))
        }
    }
    exit(0)
}
"""#
}
