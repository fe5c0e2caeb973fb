import HTTPTypes
import QRCert

/// A request the server refuses: the HTTP status, a stable code (docs/ERRORS.md) and a one-line message,
/// answered as `{"error":{"code":"...","message":"..."}}`. A verdict, INVALID included, is never one of these.
struct ServeError: Error {
    /// The HTTP status.
    var status: HTTPResponse.Status
    /// Stable machine code, `SRV_...` or a library code such as `IMG_NO_CODE`.
    var code: String
    /// One line a person can act on.
    var message: String
    /// Extra header fields (`Allow` for 405).
    var headers: HTTPFields = [:]

    /// The error object as one JSON line (strings quoted as every qrcert JSON line is: `JSONString`).
    var json: [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"error":{"code":"#.utf8)
        JSONString.quote(code, into: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONString.quote(message, into: &out)
        out.append(contentsOf: "}}\n".utf8)
        return out
    }

    static func bodyTooLarge(_ limit: Int) -> ServeError {
        ServeError(status: .contentTooLarge, code: "SRV_BODY_TOO_LARGE",
                   message: "the request body is more than the \(limit) bytes this server accepts (--max-body)")
    }

    static func tooManyPayloads(_ limit: Int) -> ServeError {
        ServeError(status: .contentTooLarge, code: "SRV_TOO_MANY_PAYLOADS",
                   message: "the request holds more than the \(limit) payloads this server verifies at once (--max-payloads)")
    }

    static func unsupportedType(_ given: String?, accepted: [String]) -> ServeError {
        let what = given.map { "content type \(DisplayText.escaped($0)) is" } ?? "a request without a content type is"
        return ServeError(status: .unsupportedMediaType, code: "SRV_CONTENT_TYPE",
                          message: "\(what) not accepted here; send \(accepted.joined(separator: " or "))")
    }

    static func notFound(_ path: String) -> ServeError {
        ServeError(status: .notFound, code: "SRV_NOT_FOUND", message: "no such path: \(DisplayText.escaped(path))")
    }

    static func methodNotAllowed(_ method: String, allowed: [String]) -> ServeError {
        var headers = HTTPFields()
        headers[.allow] = allowed.joined(separator: ", ")
        return ServeError(status: .methodNotAllowed, code: "SRV_METHOD",
                          message: "method \(DisplayText.escaped(method)) is not allowed here; use \(allowed.joined(separator: " or "))",
                          headers: headers)
    }
}
