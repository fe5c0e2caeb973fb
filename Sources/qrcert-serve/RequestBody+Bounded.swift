import Hummingbird

extension Request {
    /// The body, read up to `limit` bytes: a Content-Length above it is refused before anything is read, and
    /// a body without one stops being read one chunk past the bound (`SRV_BODY_TOO_LARGE`, 413).
    func boundedBody(limit: Int) async throws -> [UInt8] {
        if let declared = headers[.contentLength].flatMap({ Int($0) }), declared > limit { throw ServeError.bodyTooLarge(limit) }
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                guard bytes.count + chunk.readableBytes <= limit else { throw ServeError.bodyTooLarge(limit) }
                chunk.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
            }
        } catch let error as ServeError {
            throw error
        } catch {
            // The connection closed mid-body: the client left, or RequestTimeout closed it. Nobody reads this answer;
            // it names the request in the log.
            throw ServeError(status: .badRequest, code: "SRV_BODY_INCOMPLETE",
                             message: "the request body ended before all of it arrived (the client left, or took more than --request-timeout)")
        }
        return bytes
    }

    /// The media type of the body, lower case, without parameters (`text/plain; charset=utf-8` is `text/plain`).
    var mediaType: String? {
        guard let value = headers[.contentType] else { return nil }
        let essence = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return essence.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
