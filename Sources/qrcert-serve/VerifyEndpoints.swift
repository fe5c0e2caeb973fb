import Foundation
import Hummingbird
import QRCert
import QRCertFormat
import QRCertIO

/// `POST /v1/verify`, `POST /v1/verify-image` and `GET /v1/lists`: the answers of `qrcert verify --json`,
/// byte for byte, rendered by the same `VerdictRenderer`; batches and images are computed on the `VerifyPool`.
struct VerifyEndpoints: Sendable {
    let state: TrustState
    let pool: VerifyPool
    let limits: Limits
    /// `--lang`: the reason texts' language when a request does not say.
    let language: Language
    /// `--at`: the fixed time to verify at, or nil for the clock at each request.
    let fixedTime: Int64?

    static let jsonLines = "application/jsonl"

    /// The endpoints by path.
    var table: [String: Endpoint] {
        ["/v1/verify": Endpoint(method: .post) { try await verify($0) },
         "/v1/verify-image": Endpoint(method: .post) { try await verifyImage($0) },
         "/v1/lists": Endpoint(method: .get) { _ in lists() }]
    }

    /// The time a request verifies at.
    private var now: Int64 { fixedTime ?? Int64(Date().timeIntervalSince1970) }

    /// `?lang=vi|en`, else `--lang`.
    private func renderer(_ request: Request) throws -> VerdictRenderer {
        var language = self.language
        if let asked = request.uri.queryParameters["lang"] {
            guard let chosen = Language(rawValue: String(asked)) else {
                throw ServeError(status: .badRequest, code: "SRV_BAD_LANG", message: "lang=\(DisplayText.escaped(String(asked))) is not vi or en")
            }
            language = chosen
        }
        return VerdictRenderer(language: language, style: Style(enabled: false))
    }

    /// The snapshot to verify against at `time`, or 503 when a list in it has expired.
    private func snapshot(at time: Int64) throws -> TrustSnapshot {
        let snapshot = state.current
        if let list = snapshot.expiredList(at: time) {
            throw ServeError(status: .serviceUnavailable, code: "SRV_LIST_EXPIRED",
                             message: "\(list.source) (\(list.kind.noun) #\(list.header.sequence)) expired at \(Timestamp.iso(list.header.expiresAt)); nothing is verified against an expired list until a newer edition is in place")
        }
        return snapshot
    }

    private func verify(_ request: Request) async throws -> Response {
        let type = request.mediaType
        let batch: Bool
        switch type {
        case "text/plain": batch = false
        case Self.jsonLines, "application/x-ndjson": batch = true
        default: throw ServeError.unsupportedType(request.headers[.contentType], accepted: ["text/plain", Self.jsonLines])
        }
        let renderer = try renderer(request)
        let body = try await request.boundedBody(limit: limits.maxBody)
        guard let text = String(validating: body, as: UTF8.self) else {
            throw ServeError(status: .badRequest, code: "SRV_BAD_TEXT", message: "the request body is not UTF-8 text")
        }
        let time = now
        let snapshot = try snapshot(at: time)
        let verifier = snapshot.verifier
        if !batch {
            guard !ScanText.isBlank(text) else { throw Self.noPayload }
            // One payload is short work (~70 µs): verified in this task, which saves a thread hop (docs/SERVE.md).
            var bytes: [UInt8] = []
            renderer.jsonLine(.verdict(verifier.verify(ScanText.normalize(text), at: time)), into: &bytes)
            return .bytes(bytes, type: "application/json")
        }
        let payloads = try Self.payloads(text, limit: limits.maxPayloads)
        let bytes = try await pool.map(payloads) { slice in
            var out: [UInt8] = []
            out.reserveCapacity(slice.count * 1024)
            for payload in slice { renderer.jsonLine(.verdict(verifier.verify(ScanText.normalize(payload), at: time)), into: &out) }
            return out
        }
        return .bytes(bytes, type: Self.jsonLines)
    }

    private static let noPayload = ServeError(status: .badRequest, code: "SRV_NO_PAYLOAD", message: "the request holds no payload")

    /// The JSON string on each non-blank line; 400 `SRV_BAD_JSON_LINE` names the first line that is not one,
    /// 413 `SRV_TOO_MANY_PAYLOADS` stops at `limit` + 1.
    static func payloads(_ text: String, limit: Int) throws -> [String] {
        var payloads: [String] = []
        let decoder = JSONDecoder()
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            guard !line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) else { continue }
            guard let payload = try? decoder.decode(String.self, from: Data(line.utf8)) else {
                throw ServeError(status: .badRequest, code: "SRV_BAD_JSON_LINE",
                                 message: "line \(number) is not a JSON string (each line holds one payload, quoted: \"QC1:...\")")
            }
            guard payloads.count < limit else { throw ServeError.tooManyPayloads(limit) }
            payloads.append(payload)
        }
        guard !payloads.isEmpty else { throw noPayload }
        return payloads
    }

    private func verifyImage(_ request: Request) async throws -> Response {
        guard let type = request.mediaType, type == "image/png" || type == "image/jpeg" else {
            throw ServeError.unsupportedType(request.headers[.contentType], accepted: ["image/png", "image/jpeg"])
        }
        let renderer = try renderer(request)
        let body = try await request.boundedBody(limit: limits.maxBody)
        let time = now
        let verifier = try snapshot(at: time).verifier
        // The same answers as `qrcert verify --json --image -` of these bytes: the origin's file is `-`.
        let answers = try await pool.run { ImageScan.scan(body, file: "-", verifier: verifier, at: time) }
        if answers.count == 1, case .unread(let error) = answers[0].0 {
            throw ServeError(status: .unprocessableContent, code: error.code, message: error.message.replacingOccurrences(of: "<stdin>: ", with: ""))
        }
        var out: [UInt8] = []
        for (answer, origin) in answers { renderer.jsonLine(answer, origin: origin, into: &out) }
        return .bytes(out, type: Self.jsonLines)
    }

    /// `GET /v1/lists`: each list given, the edition in use with its freshness now, the newest file's refusal.
    private func lists() -> Response {
        let (snapshot, failure, reloads) = state.status
        let time = now
        func loadError(_ error: QRCertError, at: Int64) -> JSONText {
            .object([("code", .string(error.code)), ("message", .string(error.message)), ("at", .string(Timestamp.iso(at)))])
        }
        let lists: [JSONText] = snapshot.lists.map { status in
            let inUse: JSONText = status.summary.map { list in
                .object([("sequence", .number(Int64(clamping: list.header.sequence))),
                         ("issued_at", .string(Timestamp.iso(list.header.issuedAt))),
                         ("next_update", .string(Timestamp.iso(list.header.nextUpdate))),
                         ("expires_at", .string(Timestamp.iso(list.header.expiresAt))),
                         ("freshness", .string(list.header.freshness(at: time).rawValue)),
                         ("environment", .optional(list.environment)),
                         ("issuer", .string(list.issuer)),
                         ("signer_kid", .string(Hex.encode(list.signerKeyID))),
                         ("count", .number(Int64(list.count))),
                         ("sha256", .string(Hex.encode(list.digest)))])
            } ?? .null
            let refused = failure.flatMap { failure in
                failure.lists.first { $0.file == status.file && $0.kind == status.kind }?.error.map { loadError($0, at: failure.at) }
            }
            return .object([("kind", .string(status.kind == .trustList ? "trust_list" : "revocations")), ("file", .string(status.file)),
                            ("in_use", inUse), ("load_error", refused ?? .null)])
        }
        let answer = JSONText.object([("checked_at", .string(Timestamp.iso(time))), ("loaded_at", .string(Timestamp.iso(snapshot.loadedAt))),
                                      ("reloads", .number(Int64(reloads))), ("lists", .array(lists)),
                                      ("last_error", failure.map { loadError($0.error, at: $0.at) } ?? .null)])
        var out: [UInt8] = []
        answer.render(into: &out)
        out.append(UInt8(ascii: "\n"))
        return .bytes(out, type: "application/json")
    }
}
