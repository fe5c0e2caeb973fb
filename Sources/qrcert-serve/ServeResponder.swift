import Foundation
import Hummingbird
import HTTPTypes

/// Every request of the server: its path picks an `Endpoint` (404 when none, 405 for another method), a
/// refused request is answered with its JSON error, every answer gets the security headers, and one log line
/// is written per request. Six fixed paths need no router: no parameters, no wildcards, nothing a client
/// names is looked up anywhere but in this table.
struct ServeResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let endpoints: [String: Endpoint]

    func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        var code: String?
        let path = request.uri.path
        do {
            guard let endpoint = endpoints[path] else { throw ServeError.notFound(path) }
            guard request.method == endpoint.method else {
                throw ServeError.methodNotAllowed(request.method.rawValue, allowed: [endpoint.method.rawValue])
            }
            response = try await endpoint.handle(request)
        } catch let error as ServeError {
            response = .error(error)
            code = error.code
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            LogLine("error").with("path", path).with("message", String(describing: error)).write()
            response = .error(ServeError(status: .internalServerError, code: "SRV_INTERNAL",
                                         message: "the server could not answer this request; its log says why"))
            code = "SRV_INTERNAL"
        }
        SecurityHeaders.apply(to: &response.headers)
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        guard LogLevel.current == .requests else { return response }
        var line = LogLine("request").with("method", request.method.rawValue).with("path", path).with("status", response.status.code)
        if let code { line = line.with("code", code) }
        line.with("us", Int(micros)).write()
        return response
    }
}
