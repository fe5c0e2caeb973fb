import Foundation
import XCTest

/// The revocation list of a running `qrcert-serve` replaced under it: the new edition is taken (a licence it
/// withdraws answers CTI_REVOKED, byte for byte as `verify --json` with that list), a damaged file and an older
/// edition are refused with the edition in use kept and `/v1/lists` and the log saying why, and SIGHUP reloads.
final class ServeReloadTests: XCTestCase {
    static let at = "2026-03-01T09:00:00+07:00"
    static let issuer = "Phòng CSGT Công an TP. Đà Nẵng"

    func testListReloadOnChangeAndSIGHUP() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let cliState = ["XDG_STATE_HOME": folder.path + "/cli-state"]
        let records = folder.appendingPathComponent("two.csv")
        let csv = try String(contentsOf: CLI.fixture("records/driving-licences.csv"), encoding: .utf8)
        // The third and fourth licences: both genuine and current on the --at date.
        let rows = csv.split(separator: "\n")
        try Data(([rows[0], rows[3], rows[4]].joined(separator: "\n") + "\n").utf8).write(to: records)
        let payloads = try CLI.run(["issue", "--key", key, "--issuer", Self.issuer, "--profile", "driving-licence", "--format", "payload",
                                    records.path]).lines
        XCTAssertEqual(payloads.count, 2)
        // Edition #1 withdraws another licence; edition #2 also revokes the second payload's.
        let list = folder.appendingPathComponent("revocations.cose")
        func revoke(_ extra: [String]) throws {
            let result = try CLI.run(["revoke", "--list", list.path, "--key", key, "--issuer", Self.issuer, "--status", "revoked",
                                      "--reason", "tòa án tước giấy phép", "--at", "2026-02-28"] + extra, environment: cliState)
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        try revoke(["--cti", "0000000000000001"])
        let first = try Data(contentsOf: list)
        try revoke(["--payload", payloads[1]])
        let second = try Data(contentsOf: list)
        try first.write(to: list)

        let server = try ServeProcess(["--trust", CLI.publicKey("es256"), "--revocations", list.path, "--at", Self.at, "--reload-interval", "1"],
                                      in: folder)
        defer { server.stop() }
        func lists() throws -> [String: Any] { try CLI.jsonObject(try server.request("GET", "/v1/lists").text) }
        func inUse() throws -> (sequence: Int?, error: String?) {
            let entry = try XCTUnwrap((try lists()["lists"] as? [[String: Any]])?.first)
            return ((entry["in_use"] as? [String: Any])?["sequence"] as? Int, (entry["load_error"] as? [String: Any])?["code"] as? String)
        }
        /// Polls /v1/lists until `done` holds (the watcher polls every second): a wait, not a timing assertion.
        func wait(_ what: String, _ done: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline { if try done() { return }; usleep(100_000) }
            XCTFail("timed out waiting for \(what): \(try lists())\n\(server.stderr)")
        }
        func verify(_ payload: String) throws -> String { try server.post("/v1/verify", type: "text/plain", payload).text }
        func cli(_ payload: String) throws -> String {
            try CLI.run(["verify", "--json", "--trust", CLI.publicKey("es256"), "--revocations", list.path, "--at", Self.at, payload],
                        environment: cliState).stdout
        }

        let start = try lists()
        let entry = try XCTUnwrap((start["lists"] as? [[String: Any]])?.first)
        XCTAssertEqual(entry["kind"] as? String, "revocations")
        XCTAssertEqual(entry["file"] as? String, list.path)
        let edition = try XCTUnwrap(entry["in_use"] as? [String: Any])
        XCTAssertEqual(edition["sequence"] as? Int, 1)
        XCTAssertEqual(edition["issued_at"] as? String, "2026-02-28T00:00:00Z")
        XCTAssertEqual(edition["next_update"] as? String, "2026-03-07T00:00:00Z")
        XCTAssertEqual(edition["freshness"] as? String, "current")
        XCTAssertEqual(edition["issuer"] as? String, Self.issuer)
        XCTAssertEqual(edition["count"] as? Int, 1)
        XCTAssertTrue(entry["load_error"] is NSNull)
        XCTAssertEqual(try CLI.jsonObject(try verify(payloads[1]))["valid"] as? Bool, true)
        XCTAssertEqual(try verify(payloads[1]), try cli(payloads[1]))

        // 1. The file replaced atomically by edition #2: taken, and the licence it revokes is REVOKED.
        let temporary = folder.appendingPathComponent("revocations.cose.new")
        try second.write(to: temporary)
        XCTAssertEqual(rename(temporary.path, list.path), 0)
        try wait("edition #2") { try inUse().sequence == 2 }
        let revoked = try CLI.jsonObject(try verify(payloads[1]))
        XCTAssertEqual(revoked["code"] as? String, "CTI_REVOKED")
        XCTAssertEqual(try verify(payloads[1]), try cli(payloads[1]))
        XCTAssertEqual(try CLI.jsonObject(try verify(payloads[0]))["valid"] as? Bool, true)
        XCTAssertTrue(server.logLines.contains { $0.contains(" reload reason=\"changed \(list.path)\" \(list.path)=#2") }, server.stderr)

        // 2. A damaged file (written in place): refused, #2 stays in use, and /v1/lists and the log say why.
        var damaged = [UInt8](second)
        damaged[damaged.count - 10] ^= 0x01  // in the signature: the list still parses, and its signature fails
        try Data(damaged).write(to: list)
        // (A write in place may be read half done first: the wait is for the whole file's refusal.)
        try wait("the damaged file's refusal") { try inUse().error == "RL_SIG_INVALID" }
        XCTAssertEqual(try inUse().sequence, 2)
        XCTAssertEqual((try lists()["last_error"] as? [String: Any])?["code"] as? String, "RL_SIG_INVALID")
        XCTAssertEqual(try CLI.jsonObject(try verify(payloads[1]))["code"] as? String, "CTI_REVOKED")
        XCTAssertTrue(server.logLines.contains { $0.contains(" reload-failed ") && $0.contains("code=RL_SIG_INVALID") }, server.stderr)

        // 3. Edition #1 again: a rollback, refused as verify refuses it (the server's state file remembers #2).
        try first.write(to: list)
        try wait("the rollback's refusal") { try inUse().error == "RL_ROLLBACK" }
        XCTAssertEqual(try inUse().sequence, 2)
        XCTAssertEqual(try CLI.jsonObject(try verify(payloads[1]))["code"] as? String, "CTI_REVOKED")

        // 4. Edition #2 back: taken, the error cleared; then SIGHUP reloads the unchanged file once more.
        try second.write(to: list)
        try wait("edition #2 again") { try inUse().error == nil && (try lists()["reloads"] as? Int) == 2 }
        XCTAssertTrue(try lists()["last_error"] is NSNull)
        server.signal(SIGHUP)
        try wait("the SIGHUP reload") { (try lists()["reloads"] as? Int) == 3 }
        XCTAssertTrue(server.logLines.contains { $0.contains(" reload reason=SIGHUP \(list.path)=#2") }, server.stderr)
        XCTAssertEqual(server.stop(), 0)
    }
}
