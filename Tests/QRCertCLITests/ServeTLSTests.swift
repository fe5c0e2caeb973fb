import Foundation
import XCTest

/// `qrcert serve` (the CLI exec'ing the `qrcert-serve` beside it) over HTTPS with a self-signed certificate
/// made by openssl, read by curl; a revocation list that expires while the server runs (503, nothing verified
/// against it); and the start-up errors: a bad certificate or key, no `qrcert-serve`, one that cannot start.
final class ServeTLSTests: XCTestCase {
    static let issuer = "Phòng CSGT Công an TP. Đà Nẵng"

    private func curl(_ arguments: [String]) throws -> CLI.Result {
        try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["curl", "-sS", "--max-time", "30"] + arguments, stdin: nil)
    }

    func testHTTPSAndAListThatExpiresWhileServing() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let tlsKey = folder.appendingPathComponent("tls.key").path, tlsCert = folder.appendingPathComponent("tls.crt").path
        let made = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                      ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                       "-keyout", tlsKey, "-out", tlsCert, "-days", "2", "-subj", "/CN=127.0.0.1",
                                       "-addext", "subjectAltName=IP:127.0.0.1"], stdin: nil)
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertEqual(chmod(tlsKey, 0o600), 0)
        let records = folder.appendingPathComponent("one.csv")
        let csv = try String(contentsOf: CLI.fixture("records/driving-licences.csv"), encoding: .utf8)
        try Data((csv.split(separator: "\n").prefix(2).joined(separator: "\n") + "\n").utf8).write(to: records)
        let payload = try XCTUnwrap(try CLI.run(["issue", "--key", key, "--issuer", Self.issuer, "--profile", "driving-licence",
                                                 "--format", "payload", records.path]).lines.first)
        // A revocation list due one day after it was issued, with no grace: issued a day ago less 8 s, it expires
        // 8 s from now, so the server (on the clock, no --at) takes it at start and must refuse it after.
        let issued = Int64(Date().timeIntervalSince1970) - 86_400 + 8
        let expires = issued + 86_400
        let list = folder.appendingPathComponent("soon.cose").path
        let revoked = try CLI.run(["revoke", "--list", list, "--key", key, "--issuer", Self.issuer, "--status", "revoked",
                                   "--reason", "x", "--cti", "0000000000000001", "--valid-days", "1", "--grace-days", "0",
                                   "--at", CLI.iso(issued)], environment: ["XDG_STATE_HOME": folder.path + "/cli-state"])
        XCTAssertEqual(revoked.status, 0, revoked.stderr)

        let server = try ServeProcess(["--tls-cert", tlsCert, "--tls-key", tlsKey, "--trust", CLI.publicKey("es256"), "--revocations", list,
                                       "--reload-interval", "1"],
                                      in: folder, program: CLI.binary)
        defer { server.stop() }
        XCTAssertEqual(server.scheme, "https")
        let base = "https://127.0.0.1:\(server.port)"
        let health = try curl(["--cacert", tlsCert, base + "/healthz"])
        XCTAssertEqual(health.stdout, "ok\n", health.stderr)
        let headers = try curl(["--cacert", tlsCert, "-D", "-", "-o", "/dev/null", base + "/"])
        XCTAssertTrue(headers.stdout.lowercased().contains("content-security-policy: default-src 'self'; script-src 'self';"), headers.stdout)
        // Plain HTTP on the TLS port is no answer at all; TLS 1.1 is refused.
        XCTAssertNotEqual(try curl(["http://127.0.0.1:\(server.port)/healthz"]).stdout, "ok\n")
        XCTAssertNotEqual(try curl(["--cacert", tlsCert, "--tls-max", "1.1", base + "/healthz"]).status, 0)
        let before = Int64(Date().timeIntervalSince1970)
        let answer = try curl(["--cacert", tlsCert, "-H", "Content-Type: text/plain", "--data-binary", payload, base + "/v1/verify"])
        if before < expires - 1 {
            let verdict = try CLI.jsonObject(answer.stdout)
            XCTAssertEqual(verdict["valid"] as? Bool, true, answer.stdout)
            XCTAssertEqual((verdict["revocation_lists"] as? [[String: Any]])?.first?["freshness"] as? String, "current")
        }

        // After the list's expiry: 503, SRV_LIST_EXPIRED, until a newer edition loads.
        while Int64(Date().timeIntervalSince1970) <= expires + 1 { usleep(200_000) }
        let refused = try curl(["--cacert", tlsCert, "-w", "\n%{http_code}", "-H", "Content-Type: text/plain", "--data-binary", payload,
                                base + "/v1/verify"])
        XCTAssertEqual(refused.lines.last, "503", refused.stdout)
        XCTAssertEqual(refused.lines.first, #"{"error":{"code":"SRV_LIST_EXPIRED","message":"\#(list) (revocation list #1) expired at \#(CLI.iso(expires)); nothing is verified against an expired list until a newer edition is in place"}}"#)
        let lists = try CLI.jsonObject(try curl(["--cacert", tlsCert, base + "/v1/lists"]).stdout)
        let inUse = (lists["lists"] as? [[String: Any]])?.first?["in_use"] as? [String: Any]
        XCTAssertEqual(inUse?["freshness"] as? String, "expired")
        XCTAssertEqual(inUse?["expires_at"] as? String, CLI.iso(expires))
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !server.stderr.contains(" list-expired ") { usleep(100_000) }
        XCTAssertTrue(server.logLines.contains { $0.contains(" list-expired file=\(list) sequence=1 ") }, server.stderr)
    }

    func testStartUpErrors() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        try Data("not a certificate\n".utf8).write(to: folder.appendingPathComponent("bad.pem"))
        // A file name is shown escaped in the error, as every diagnostic is.
        let odd = "bad\u{1B}[31m.pem"
        try Data("not a certificate\n".utf8).write(to: folder.appendingPathComponent(odd))
        let serve = try XCTUnwrap(ServeProcess.binary)
        let badCert = try CLI.runProgram(serve, ["--tls-cert", odd, "--tls-key", "bad.pem", "--trust", CLI.publicKey("es256")],
                                         stdin: nil, in: folder)
        XCTAssertEqual(badCert.status, 2)
        XCTAssertTrue(badCert.errorLines.first?.hasPrefix(#"qrcert-serve: error: --tls-cert bad\u{1b}[31m.pem is not a readable PEM certificate chain: "#) == true,
                      badCert.stderr)
        XCTAssertFalse(badCert.stderr.contains("\u{1B}"))
        XCTAssertTrue(badCert.stderr.hasSuffix(" [SRV_TLS_CERT]\n"), badCert.stderr)
        let made = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                      ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                       "-keyout", "k.pem", "-out", "c.pem", "-days", "1", "-subj", "/CN=x"], stdin: nil, in: folder)
        XCTAssertEqual(made.status, 0, made.stderr)
        let badKey = try CLI.runProgram(serve, ["--tls-cert", "c.pem", "--tls-key", "bad.pem", "--trust", CLI.publicKey("es256")],
                                        stdin: nil, in: folder)
        XCTAssertEqual(badKey.status, 2)
        XCTAssertTrue(badKey.stderr.hasSuffix(" [SRV_TLS_KEY]\n"), badKey.stderr)
        let usage = try CLI.runProgram(serve, ["--listen", "8080"], stdin: nil, in: folder)
        XCTAssertEqual(usage.status, 2)
        XCTAssertEqual(usage.errorLines.first, "qrcert-serve: error: --listen 8080 is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080) [USAGE]")
        let noTrust = try CLI.runProgram(serve, ["--listen", "127.0.0.1:0"], stdin: nil, in: folder)
        XCTAssertEqual(noTrust.status, 2)
        XCTAssertTrue(noTrust.stderr.contains("[TRUST_NONE]"), noTrust.stderr)

        // `qrcert serve` with no qrcert-serve beside it, then with one that is no program. The qrcert binary is
        // hard-linked into a folder of its own beside the build (same file system), never copied.
        let binary = try XCTUnwrap(CLI.binary)
        let alone = binary.deletingLastPathComponent().appendingPathComponent("serve-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: alone, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: alone) }
        XCTAssertEqual(link(binary.path, alone.appendingPathComponent("qrcert").path), 0)
        let missing = try CLI.runProgram(alone.appendingPathComponent("qrcert"), ["serve", "--trust", "k.pem"], stdin: nil)
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.errorLines, [
            "qrcert: error: no qrcert-serve beside \(alone.path)/qrcert: the service is not installed with this qrcert [SERVE_MISSING]",
            "qrcert: hint: install the qrcert package, or build it with swift build --product qrcert-serve",
        ])
        let fake = alone.appendingPathComponent("qrcert-serve")
        try Data("not a program\n".utf8).write(to: fake)
        XCTAssertEqual(chmod(fake.path, 0o755), 0)
        let broken = try CLI.runProgram(alone.appendingPathComponent("qrcert"), ["serve"], stdin: nil)
        XCTAssertEqual(broken.status, 2)
        XCTAssertEqual(broken.errorLines, ["qrcert: error: cannot start \(fake.path): Exec format error [SERVE_EXEC]"])
        // `qrcert serve --help` is qrcert-serve's own help.
        let help = try CLI.run(["serve", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--tls-cert <file>"), help.stdout)
        XCTAssertTrue(help.stdout.contains("USAGE: qrcert-serve"), help.stdout)
    }
}
