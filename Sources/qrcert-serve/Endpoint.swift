import Hummingbird
import HTTPTypes

/// One path of the API or the page: the method it answers and how.
struct Endpoint: Sendable {
    /// The one method this path answers; any other is 405 with `Allow`.
    var method: HTTPRequest.Method
    /// The answer; a thrown `ServeError` becomes its JSON error answer.
    var handle: @Sendable (Request) async throws -> Response

    /// A fixed body with its content type (the page's files, /healthz).
    static func fixed(_ type: String, _ bytes: [UInt8]) -> Endpoint {
        Endpoint(method: .get) { _ in .bytes(bytes, type: type) }
    }
}

extension Response {
    /// 200 (or `status`) with `bytes` as the body and `type` as its Content-Type.
    static func bytes(_ bytes: [UInt8], type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentLength] = String(bytes.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The JSON error answer for `error`.
    static func error(_ error: ServeError) -> Response {
        var response = Response.bytes(error.json, type: "application/json", status: error.status)
        for field in error.headers { response.headers.append(field) }
        return response
    }
}
