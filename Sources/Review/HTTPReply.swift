import Foundation
import HTTPTypes
import EvidenceStore
import Hummingbird
import NIOCore

/// Builds the server's responses: JSON bodies, static assets, and errors as JSON with a status.
/// Every response carries the same security headers (no CORS header is ever sent, so no other
/// origin can read the API; the content security policy allows only Exhibit's own scripts).
enum HTTPReply {
    /// Headers on every response.
    static let securityHeaders: [(HTTPField.Name, String)] = [
        (header("Content-Security-Policy"), "default-src 'self'; img-src 'self' blob:; style-src 'self'; script-src 'self'; "
            + "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        (header("X-Content-Type-Options"), "nosniff"),
        (header("Referrer-Policy"), "no-referrer"),
        (header("Cache-Control"), "no-store"),
        (header("X-Frame-Options"), "DENY"),
    ]

    /// A header name written out (valid by construction; the fallback is never reached).
    static func header(_ name: String) -> HTTPField.Name { HTTPField.Name(name) ?? .contentType }

    /// A JSON body of `value` (sorted keys, so equal data gives equal bytes).
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return bytes(try enc.encode(value), type: "application/json; charset=utf-8", status: status)
    }

    /// `{"error": message}` with `status`.
    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data("{}".utf8)
        return bytes(body, type: "application/json; charset=utf-8", status: status)
    }

    /// Raw bytes with a content type.
    static func bytes(_ data: Data, type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        for (name, value) in securityHeaders { headers[name] = value }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// UTF-8 text with a content type.
    static func text(_ text: String, type: String) -> Response {
        bytes(Data(text.utf8), type: type)
    }
}

/// A request's query parameters, read with limits: a page never exceeds its cap whatever is asked.
struct QueryReader {
    let request: Request

    /// The parameter, `nil` when absent or empty.
    func string(_ name: String) -> String? {
        guard let v = request.uri.queryParameters.get(name), !v.isEmpty else { return nil }
        return v
    }

    /// Every value of a repeated parameter, and comma-separated ones.
    func strings(_ name: String) -> [String] {
        request.uri.queryParameters.getAll(name).flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty }
    }

    /// An integer in `0...cap` (default when absent); text that is not a number from 0 to
    /// 2147483647 (an empty value too) throws a 400.
    func int(_ name: String, default value: Int, cap: Int) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let n = Int32(text), n >= 0 else { throw HTTPError(.badRequest, message: "\(name): not an integer from 0 to 2147483647") }
        return min(Int(n), cap)
    }

    /// A value of a closed vocabulary (a file status, an entry kind), `nil` when absent or
    /// empty; any other text is a 400 naming the accepted values.
    func choice<T: CaseIterable & RawRepresentable>(_ name: String, _: T.Type = T.self) throws -> T? where T.RawValue == String {
        guard let text = string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            throw HTTPError(.badRequest, message: "\(name): one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// A review target kind, `nil` when absent; any other text (an empty value too) is a 400.
    func target() throws -> ReviewTargetKind? {
        guard let text = request.uri.queryParameters.get("target") else { return nil }
        return try ReviewAPI.kind(text)
    }
}
