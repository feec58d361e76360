import EvidenceStore
import Foundation
import HTTPTypes
import Hummingbird

/// Who may talk to the server. On loopback (the default) anyone on this machine; with `--listen`
/// on another address, only requests that carry the access token (`Authorization: Bearer …` or
/// `?token=` for pictures a page loads). Always: the `Host` header must name the server itself
/// (a web page elsewhere cannot reach it through DNS rebinding), and a write must be a JSON
/// request (a cross-origin form post cannot send one without a preflight, which is refused
/// because no CORS header is ever sent).
struct AccessGuard<Context: RequestContext>: RouterMiddleware {
    /// The required token, or `nil` on loopback.
    let token: String?
    /// Host header values accepted (`127.0.0.1:8080`, `localhost:8080`, the listen address).
    let hosts: HostList

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let host = request.head.authority ?? request.headers[HTTPReply.header("Host")] ?? ""
        guard hosts.contains(host.lowercased()) else {
            return HTTPReply.error("unknown Host header; open the address exhibit serve printed", status: .misdirectedRequest)
        }
        let path = request.uri.path
        let protected = path.hasPrefix("/api/") || path == "/openapi.json"
        if protected, let token {
            let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            let given = bearer ?? request.uri.queryParameters.get("token")
            guard let given, Self.equal(given, token) else {
                return HTTPReply.error("access token required (see the URL exhibit serve printed)", status: .unauthorized)
            }
        }
        // The write calls take POST only; everything else is read with GET (or HEAD).
        let writes = Self.writePaths.contains(path)
        let allowed: Bool = writes ? request.method == .post : (request.method == .get || request.method == .head)
        guard allowed else {
            var reply = HTTPReply.error("method not allowed", status: .methodNotAllowed)
            reply.headers[HTTPReply.header("Allow")] = writes ? "POST" : "GET, HEAD"
            return reply
        }
        if writes {
            let type = request.headers[.contentType] ?? ""
            guard type.lowercased().hasPrefix("application/json") else {
                return HTTPReply.error("writes must be sent as application/json", status: .unsupportedMediaType)
            }
        }
        do {
            return try await next(request, context)
        } catch let e as HTTPError {
            return HTTPReply.error(e.body ?? "\(e.status.reasonPhrase)", status: e.status)
        } catch let e as ReviewRequestError {
            return HTTPReply.error(e.message, status: e.status)
        } catch let e as PortableCase.Failure {
            return HTTPReply.error(e.description, status: .conflict)
        } catch let e as ReviewDatabaseError {
            return HTTPReply.error(e.description, status: .badRequest)
        } catch {
            // A bug or an unreadable database: say what, on the page and on the console.
            FileHandle.standardError.write(Data("exhibit serve: \(request.method) \(path): \(error)\n".utf8))
            return HTTPReply.error("internal error: \(error)", status: .internalServerError)
        }
    }

    /// The calls that write (to the review database or beside the case): POST with JSON only.
    static var writePaths: Set<String> { ["/api/review/tag", "/api/review/note", "/api/review/category", "/api/export/portable"] }

    /// Compares without stopping at the first difference (the token is a secret).
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// A request the API refuses, with the status to answer.
struct ReviewRequestError: Error {
    /// The status (400, 404, …).
    var status: HTTPResponse.Status
    /// One sentence for the page.
    var message: String
}
