import Foundation
import XCTest

/// `qrcert-serve` on loopback, one server for the whole class: every endpoint, the answers byte for byte
/// against `qrcert verify --json` (one payload, JSON Lines in order, an image with three codes, `?lang=vi`), the
/// bounds (413, 415, 400), the security headers on every answer, the request timeout, an escaped log, and
/// docs/openapi.yaml checked against the running server (scripts/check-openapi).
final class ServeAPITests: XCTestCase {
    static let at = "2026-03-01T09:00:00+07:00"
    nonisolated(unsafe) static var folder: URL!
    nonisolated(unsafe) static var server: ServeProcess?
    /// Two genuine licences and one tampered payload.
    nonisolated(unsafe) static var payloads: [String] = []

    static var trustArguments: [String] { ["--trust", CLI.publicKey("es256"), "--at", at] }

    override class func setUp() {
        super.setUp()
        do {
            folder = try CLI.makeTemporaryDirectory()
            let records = folder.appendingPathComponent("three.csv")
            let csv = try String(contentsOf: CLI.fixture("records/driving-licences.csv"), encoding: .utf8)
            try Data((csv.split(separator: "\n").prefix(4).joined(separator: "\n") + "\n").utf8).write(to: records)
            let key = try CLI.key("es256", in: folder)
            let issued = try CLI.run(["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                                      "--format", "payload", records.path])
            var lines = issued.lines
            var tampered = Array(lines[1].utf8)
            tampered[tampered.count / 2] = tampered[tampered.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            lines[1] = String(decoding: tampered, as: UTF8.self)
            payloads = lines
            // Three PNGs side by side, and a blank image.
            _ = try CLI.run(["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                             "--out", folder.appendingPathComponent("png").path, records.path])
            let pngs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("png").path)
                .filter { $0.hasSuffix(".png") }.sorted().map { folder.appendingPathComponent("png/" + $0).path }
            _ = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["convert"] + pngs + ["+append", folder.appendingPathComponent("sheet.png").path], stdin: nil)
            _ = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["convert", "-size", "64x64", "xc:white", folder.appendingPathComponent("blank.png").path], stdin: nil)
            server = try ServeProcess(trustArguments + ["--max-body", "65536", "--max-payloads", "5", "--request-timeout", "1",
                                                      "--idle-timeout", "3", "--lang", "en"],
                                      in: folder)
        } catch {
            server = nil
        }
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        if let folder { try? FileManager.default.removeItem(at: folder) }
        super.tearDown()
    }

    private func running() throws -> ServeProcess { try XCTUnwrap(Self.server, "qrcert-serve did not start") }

    /// The security headers of the serve contract, on `answer`.
    private func assertHeaders(_ answer: HTTPAnswer, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(answer.headers["cache-control"], "no-store", file: file, line: line)
        XCTAssertEqual(answer.headers["x-content-type-options"], "nosniff", file: file, line: line)
        XCTAssertEqual(answer.headers["content-security-policy"],
                       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
                       file: file, line: line)
        XCTAssertEqual(answer.headers["referrer-policy"], "no-referrer", file: file, line: line)
        XCTAssertEqual(answer.headers["permissions-policy"], "camera=(self)", file: file, line: line)
    }

    /// `qrcert verify --json` of `arguments`' payloads (or stdin) with the server's trust and time.
    private func cli(_ arguments: [String], stdin: String? = nil) throws -> String {
        try CLI.run(["verify", "--json"] + Self.trustArguments + arguments, stdin: stdin).stdout
    }

    func testHealthAndPageWithHeadersOnEveryAnswer() throws {
        let server = try running()
        let health = try server.request("GET", "/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.text, "ok\n")
        XCTAssertEqual(health.headers["content-type"], "text/plain; charset=utf-8")
        assertHeaders(health)
        let root = CLI.root.appendingPathComponent("Sources/qrcert-serve/Page")
        for (path, file, type) in [("/", "index.html", "text/html"), ("/index.html", "index.html", "text/html"),
                                   ("/app.js", "app.js", "text/javascript"), ("/app.css", "app.css", "text/css")] {
            let answer = try server.request("GET", path)
            XCTAssertEqual(answer.status, 200, path)
            XCTAssertEqual(answer.headers["content-type"], "\(type); charset=utf-8", path)
            XCTAssertEqual(answer.body, [UInt8](try Data(contentsOf: root.appendingPathComponent(file))), "\(path) is not Page/\(file)")
            assertHeaders(answer)
        }
        let missing = try server.request("GET", "/v2/verify")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.text, #"{"error":{"code":"SRV_NOT_FOUND","message":"no such path: /v2/verify"}}"# + "\n")
        assertHeaders(missing)
        // No path reaches a file: a traversal is one more unknown path.
        XCTAssertEqual(try server.request("GET", "/../../etc/passwd").errorCode, "SRV_NOT_FOUND")
        let wrongMethod = try server.request("GET", "/v1/verify")
        XCTAssertEqual(wrongMethod.status, 405)
        XCTAssertEqual(wrongMethod.headers["allow"], "POST")
        XCTAssertEqual(wrongMethod.errorCode, "SRV_METHOD")
        assertHeaders(wrongMethod)
        XCTAssertEqual(try server.request("DELETE", "/healthz").headers["allow"], "GET")
    }

    func testOnePayloadAnswersExactlyAsVerifyJSON() throws {
        let server = try running()
        for payload in Self.payloads {
            let answer = try server.post("/v1/verify", type: "text/plain", payload + "\r\n")
            XCTAssertEqual(answer.status, 200)
            XCTAssertEqual(answer.headers["content-type"], "application/json")
            XCTAssertEqual(answer.text, try cli([payload]))
            assertHeaders(answer)
        }
        let valid = try CLI.jsonObject(try server.post("/v1/verify", type: "text/plain; charset=utf-8", Self.payloads[0]).text)
        XCTAssertEqual(valid["valid"] as? Bool, true)
        let invalid = try CLI.jsonObject(try server.post("/v1/verify", type: "text/plain", Self.payloads[1]).text)
        XCTAssertEqual(invalid["valid"] as? Bool, false)
        XCTAssertNotNil(invalid["code"] as? String)
        // The reasons in Vietnamese for this request only.
        let vi = try server.post("/v1/verify?lang=vi", type: "text/plain", Self.payloads[1])
        XCTAssertEqual(vi.text, try cli(["--lang", "vi", Self.payloads[1]]))
        XCTAssertNotEqual(vi.text, try server.post("/v1/verify", type: "text/plain", Self.payloads[1]).text)
        XCTAssertEqual(try server.post("/v1/verify?lang=fr", type: "text/plain", Self.payloads[0]).errorCode, "SRV_BAD_LANG")
    }

    func testJSONLinesAnswerInInputOrder() throws {
        let server = try running()
        let order = [0, 1, 2, 1, 0]
        let body = order.map { "\"" + Self.payloads[$0] + "\"" }.joined(separator: "\n\n") + "\n"
        for type in ["application/jsonl", "application/x-ndjson"] {
            let answer = try server.post("/v1/verify", type: type, body)
            XCTAssertEqual(answer.status, 200)
            XCTAssertEqual(answer.headers["content-type"], "application/jsonl")
            XCTAssertEqual(answer.text, try cli(["-"], stdin: order.map { Self.payloads[$0] }.joined(separator: "\n") + "\n"))
            XCTAssertEqual(answer.lines.count, 5)
        }
    }

    func testImageAnswersOneObjectPerCode() throws {
        let server = try running()
        let image = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("sheet.png")))
        let answer = try server.request("POST", "/v1/verify-image", type: "image/png", body: image)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.headers["content-type"], "application/jsonl")
        // `verify --json --image -` of the same bytes: three codes in reading order, each at its place.
        let expected = try CLI.runProgram(try XCTUnwrap(CLI.binary), ["verify", "--json"] + Self.trustArguments + ["--image", "-"],
                                          stdin: Data(image))
        XCTAssertEqual(answer.lines.count, 3, answer.text)
        XCTAssertEqual(answer.text, expected.stdout)
        XCTAssertEqual(try CLI.jsonObjects(answer.text).map { $0["file"] as? String }, ["-", "-", "-"])
        assertHeaders(answer)
        let blank = try server.request("POST", "/v1/verify-image", type: "image/png",
                                       body: [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("blank.png"))))
        XCTAssertEqual(blank.status, 422)
        XCTAssertEqual(blank.text, #"{"error":{"code":"IMG_NO_CODE","message":"no readable qr code in the image"}}"# + "\n")
        assertHeaders(blank)
        XCTAssertEqual(try server.request("POST", "/v1/verify-image", type: "image/gif", body: [1, 2, 3]).errorCode, "SRV_CONTENT_TYPE")
    }

    func testBoundsAndBadRequests() throws {
        let server = try running()
        // At the bound a body is read (and its payload refused by the verifier); one byte more is not.
        let atBound = try server.request("POST", "/v1/verify", type: "text/plain", body: [UInt8](repeating: UInt8(ascii: "A"), count: 65_536))
        XCTAssertEqual(atBound.status, 200)
        XCTAssertEqual(try CLI.jsonObject(atBound.text)["code"] as? String, "PAYLOAD_TOO_LONG")
        let large = try server.request("POST", "/v1/verify", type: "text/plain", body: [UInt8](repeating: UInt8(ascii: "A"), count: 65_537))
        XCTAssertEqual(large.status, 413)
        XCTAssertEqual(large.text, #"{"error":{"code":"SRV_BODY_TOO_LARGE","message":"the request body is more than the 65536 bytes this server accepts (--max-body)"}}"# + "\n")
        assertHeaders(large)
        // A Content-Length over the bound is refused before the body is sent.
        let connection = try HTTPConnection(port: server.port)
        defer { connection.close() }
        connection.write(Array("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000000000\r\n\r\n".utf8))
        XCTAssertEqual(try connection.read().errorCode, "SRV_BODY_TOO_LARGE")
        let six = Array(repeating: "\"" + Self.payloads[0] + "\"", count: 6).joined(separator: "\n")
        let many = try server.post("/v1/verify", type: "application/jsonl", six)
        XCTAssertEqual(many.status, 413)
        XCTAssertEqual(many.errorCode, "SRV_TOO_MANY_PAYLOADS")
        XCTAssertEqual(try server.post("/v1/verify", type: "application/jsonl", Array(six.split(separator: "\n").prefix(5)).joined(separator: "\n")).lines.count, 5)
        let xml = try server.post("/v1/verify", type: "application/xml", "<a/>")
        XCTAssertEqual(xml.status, 415)
        XCTAssertEqual(xml.text, #"{"error":{"code":"SRV_CONTENT_TYPE","message":"content type application/xml is not accepted here; send text/plain or application/jsonl"}}"# + "\n")
        XCTAssertEqual(try server.request("POST", "/v1/verify", body: Array("x".utf8)).status, 415)
        let badLine = try server.post("/v1/verify", type: "application/jsonl", "\"\(Self.payloads[0])\"\n\(Self.payloads[0])\n")
        XCTAssertEqual(badLine.status, 400)
        XCTAssertEqual(badLine.text, #"{"error":{"code":"SRV_BAD_JSON_LINE","message":"line 2 is not a JSON string (each line holds one payload, quoted: \"QC1:...\")"}}"# + "\n")
        XCTAssertEqual(try server.request("POST", "/v1/verify", type: "text/plain", body: [0x51, 0xC3, 0x28]).errorCode, "SRV_BAD_TEXT")
        XCTAssertEqual(try server.post("/v1/verify", type: "text/plain", " \r\n").errorCode, "SRV_NO_PAYLOAD")
        XCTAssertEqual(try server.post("/v1/verify", type: "application/jsonl", "\n\n").errorCode, "SRV_NO_PAYLOAD")
    }

    func testRequestTimeoutClosesATricklingClientAndNothingRawReachesTheLog() throws {
        let server = try running()
        let connection = try HTTPConnection(port: server.port)
        defer { connection.close() }
        connection.write(Array("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nQC1:".utf8))
        // --request-timeout 1: closed by the server, with no answer, well before the socket's own 30 s. The idle
        // timeout (3 s here) must be the longer one: a trickle that stops also idles, and the first to fire closes.
        let start = Date()
        XCTAssertTrue(connection.isClosedByServer())
        XCTAssertLessThan(Date().timeIntervalSince(start), 25)
        // --idle-timeout 3: a connection that sends nothing, or half a head, is closed too.
        let idle = try HTTPConnection(port: server.port)
        defer { idle.close() }
        idle.write(Array("GET /healthz HTTP/1.1\r\nHost".utf8))
        XCTAssertTrue(idle.isClosedByServer())
        // A path is logged as sent, never percent-decoded; raw control bytes in a request line never reach a
        // handler (the HTTP parser refuses them), so nothing raw reaches the log from a client.
        XCTAssertEqual(try server.request("GET", "/%1B[31mred").status, 404)
        let raw = try HTTPConnection(port: server.port)
        defer { raw.close() }
        raw.write(Array("GET /x\u{1B}[31my\u{202E} HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        XCTAssertEqual(try raw.read().status, 400)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !server.stderr.contains("code=SRV_BODY_INCOMPLETE") { usleep(50_000) }
        XCTAssertTrue(server.logLines.contains { $0.hasPrefix("qrcert-serve: ") && $0.hasSuffix(" timeout path=/v1/verify seconds=1") }, server.stderr)
        // The handler waiting for the rest of the body gives up when the connection closes; only the log sees it.
        XCTAssertTrue(server.logLines.contains { $0.contains(" request method=POST path=/v1/verify status=400 code=SRV_BODY_INCOMPLETE us=") },
                      server.stderr)
        XCTAssertTrue(server.stderr.contains(" request method=GET path=/%1B[31mred status=404 code=SRV_NOT_FOUND us="), server.stderr)
        XCTAssertFalse(server.stderr.contains("\u{1B}"), "a raw ESC reached the log")
        XCTAssertFalse(server.stderr.contains("\u{202E}"), "a raw bidi control reached the log")
    }

    func testListsWithoutSignedLists() throws {
        let server = try running()
        let answer = try server.request("GET", "/v1/lists")
        XCTAssertEqual(answer.status, 200)
        let object = try CLI.jsonObject(answer.text)
        XCTAssertEqual(object["checked_at"] as? String, "2026-03-01T02:00:00Z")
        XCTAssertEqual((object["lists"] as? [Any])?.count, 0)
        XCTAssertTrue(object["last_error"] is NSNull)
        XCTAssertEqual(object["reloads"] as? Int, 0)
    }

    func testTheServerAnswersAsDocsOpenAPISays() throws {
        let server = try running()
        let result = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                        ["python3", CLI.root.appendingPathComponent("scripts/check-openapi").path, "http://127.0.0.1:\(server.port)",
                                         "--valid", Self.payloads[0], "--invalid", Self.payloads[1],
                                         "--image", Self.folder.appendingPathComponent("sheet.png").path,
                                         "--spec", CLI.root.appendingPathComponent("docs/openapi.yaml").path], stdin: nil)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(result.lines.last, "check-openapi: 19 answers conform", result.stdout)
    }
}
