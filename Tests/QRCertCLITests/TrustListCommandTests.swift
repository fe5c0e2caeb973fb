import Foundation
import XCTest

/// `trust-list`, `revoke` and the list options of `verify`: what they refuse and what they say.
final class TrustListCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try CLI.temporaryDirectory(for: self)
        try qrcert(["keygen", "--out", "root"])
        try qrcert(["keygen", "--out", "issuer"])
    }

    @discardableResult
    private func qrcert(_ arguments: [String], status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> CLI.Result {
        let result = try CLI.run(arguments, in: folder, environment: ["XDG_STATE_HOME": folder.path + "/state"], file: file, line: line)
        XCTAssertEqual(result.status, status, "qrcert \(arguments.joined(separator: " "))\n\(result.stderr)", file: file, line: line)
        return result
    }

    /// The error line's code: `qrcert: error: ... [CODE]` -> CODE.
    private func code(_ result: CLI.Result) -> String? {
        guard let line = result.errorLines.first(where: { $0.hasPrefix("qrcert: error: ") }), line.hasSuffix("]"),
              let open = line.lastIndex(of: "[") else { return nil }
        return String(line[line.index(after: open)..<line.index(before: line.endIndex)])
    }

    private func makeList(environment: String = "production") throws {
        try qrcert(["trust-list", "create", "--root-key", "root.key.pem", "--authority", "Cục Đường bộ Việt Nam",
                    "--environment", environment, "--out", "trust.cose", "--at", "2025-06-01"])
        try qrcert(["trust-list", "add-key", "trust.cose", "--root-key", "root.key.pem", "--key", "issuer.pub.pem",
                    "--issuer", "Sở GTVT Đà Nẵng", "--types", "driving-licence,transport-permit,vn.cp", "--not-after", "2030-01-01", "--at", "2025-06-01"])
    }

    func testTrustListRefusals() throws {
        try makeList()
        XCTAssertEqual(code(try qrcert(["trust-list", "renew", "trust.cose", "--root-key", "root.key.pem", "--sequence", "2"], status: 2)), "LIST_SEQUENCE")
        XCTAssertEqual(code(try qrcert(["trust-list", "add-key", "trust.cose", "--root-key", "root.key.pem", "--key", "issuer.pub.pem",
                                        "--issuer", "x", "--types", "vn.dl", "--not-after", "2030-01-01"], status: 2)), "TL_KEY_EXISTS")
        XCTAssertEqual(code(try qrcert(["trust-list", "add-key", "trust.cose", "--root-key", "root.key.pem", "--key", "root.pub.pem",
                                        "--issuer", "x", "--types", "vn.dl"], status: 2)), "USAGE", "a bare key needs --not-after")
        XCTAssertEqual(code(try qrcert(["trust-list", "retire-key", "trust.cose", "--root-key", "root.key.pem", "--kid", "00112233",
                                        "--end", "2030-01-01"], status: 2)), "USAGE")
        XCTAssertEqual(code(try qrcert(["trust-list", "retire-key", "trust.cose", "--root-key", "root.key.pem", "--kid", "0011223344556677",
                                        "--end", "2030-01-01"], status: 2)), "TL_KEY_NOT_FOUND")
        // Editing with another root's key: the list is not that root's.
        try qrcert(["keygen", "--out", "other"])
        XCTAssertEqual(code(try qrcert(["trust-list", "renew", "trust.cose", "--root-key", "other.key.pem"], status: 2)), "TL_WRONG_ROOT")
        // A private key where the root's public key belongs.
        XCTAssertEqual(code(try qrcert(["verify", "--trust-list", "trust.cose", "--root", "root.key.pem", "QC1:"], status: 2)), "TRUST_PRIVATE_KEY")
        let noRoot = try qrcert(["verify", "--trust-list", "trust.cose", "QC1:"], status: 2)
        XCTAssertEqual(noRoot.errorLines.first, "qrcert: error: --trust-list needs --root ROOT.pub.pem, the key that signed it [USAGE]")
    }

    func testShowUnverifiedAndJSON() throws {
        try makeList()
        let shown = try qrcert(["trust-list", "show", "trust.cose"])
        let signer = try CLI.jsonObject(try qrcert(["trust-list", "show", "trust.cose", "--json"]).stdout)
        XCTAssertEqual(shown.lines.first, "trust.cose: trust list #2, UNVERIFIED (signed by \(try XCTUnwrap(signer["signer_kid"] as? String)); pass --root to check)")
        XCTAssertEqual(signer["verified"] as? Bool, false)
        XCTAssertEqual(signer["grace_days"] as? Int, 14)
        XCTAssertEqual(signer["refused_from"] as? String, "2025-07-15T00:00:00Z")
        let keys = try XCTUnwrap(signer["keys"] as? [[String: Any]])
        XCTAssertEqual(keys.first?["types"] as? [String], ["vn.dl", "vn.tp", "vn.cp"])
        XCTAssertEqual(keys.first?["not_before"] as? String, "2025-06-01T00:00:00Z", "default: the signing time")
    }

    func testStateFileAndTestEnvironment() throws {
        try makeList(environment: "test")
        let lists = ["--trust-list", "trust.cose", "--root", "root.pub.pem", "--at", "2025-06-02"]
        let warned = try qrcert(["verify"] + lists + ["QC1:"], status: 1)
        XCTAssertEqual(warned.errorLines, ["qrcert: warning: trust.cose is a TEST trust list: its keys are for training and testing, not for real credentials"])
        XCTAssertEqual(code(try qrcert(["verify"] + lists + ["--environment", "production", "QC1:"], status: 2)), "TL_ENVIRONMENT")
        try qrcert(["verify"] + lists + ["--environment", "test", "QC1:"], status: 1)
        // --state FILE instead of $XDG_STATE_HOME; an unreadable state is refused by name.
        try qrcert(["verify"] + lists + ["--state", "mine.json", "--environment", "test", "QC1:"], status: 1)
        let remembered = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("mine.json"))) as? [String: Any])
        XCTAssertEqual(remembered.count, 1)
        XCTAssertEqual(CLI.mode(folder.appendingPathComponent("mine.json").path), 0o600)
        try Data("not json".utf8).write(to: folder.appendingPathComponent("mine.json"))
        XCTAssertEqual(code(try qrcert(["verify"] + lists + ["--state", "mine.json", "QC1:"], status: 2)), "STATE_BAD_FILE")
    }

    func testRevokeRefusals() throws {
        let revoke = ["revoke", "--list", "r.cose", "--key", "issuer.key.pem"]
        let missing = try qrcert(revoke + ["--status", "revoked", "--reason", "x", "--cti", "0011223344556677"], status: 2)
        XCTAssertEqual(missing.errorLines, ["qrcert: error: revocation list r.cose does not exist [IO_READ]", "qrcert: hint: to make a new one, pass --issuer NAME"])
        XCTAssertEqual(code(try qrcert(revoke + ["--issuer", "x", "--status", "suspended", "--reason", "x", "--cti", "0011223344556677"], status: 2)), "USAGE")
        XCTAssertEqual(code(try qrcert(revoke + ["--issuer", "x", "--status", "revoked", "--until", "2030-01-01", "--reason", "x",
                                                 "--cti", "0011223344556677"], status: 2)), "USAGE")
        XCTAssertEqual(code(try qrcert(revoke + ["--issuer", "x", "--status", "revoked", "--reason", "x", "--cti", "00112233"], status: 2)), "RL_BAD_ENTRY")
        try Data("0011223344556677\r\n{\"cti\":\"8899aabbccddeeff\"}\n\nnot a cti\n".utf8).write(to: folder.appendingPathComponent("ids.txt"))
        let bad = try qrcert(revoke + ["--issuer", "x", "--status", "revoked", "--reason", "x", "--from", "ids.txt"], status: 2)
        XCTAssertEqual(bad.errorLines.first, "qrcert: error: ids.txt:4: \"not a cti\" is not 16 hex digits, a payload or a JSON line with \"cti\" [RL_BAD_ENTRY]")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.cose").path), "nothing written")
        try Data("0011223344556677\r\n{\"cti\":\"8899aabbccddeeff\"}\n\n".utf8).write(to: folder.appendingPathComponent("ids.txt"))
        try qrcert(revoke + ["--issuer", "Sở GTVT Đà Nẵng", "--status", "revoked", "--reason", "x", "--from", "ids.txt", "--since", "2025-06-01",
                             "--at", "2025-06-01"])
        let shown = try qrcert(["revoke", "show", "r.cose", "--trust", "issuer.pub.pem", "--entries"])
        XCTAssertEqual(Array(shown.lines.suffix(2)), ["0011223344556677  revoked    2025-06-01               x",
                                                      "8899aabbccddeeff  revoked    2025-06-01               x"])
        XCTAssertTrue(shown.lines.first?.hasSuffix("(key: credentials signed by \(try XCTUnwrap(try issuerKid())))") == true, shown.stdout)
        let lifted = try qrcert(["revoke", "lift", "--list", "r.cose", "--key", "issuer.key.pem", "--cti", "0011223344556677", "--cti", "0000000000000001",
                                 "--at", "2025-06-02"])
        XCTAssertEqual(Array(lifted.errorLines.prefix(2)), ["qrcert: warning: 0000000000000001 is not on the list", "qrcert: lifted 1 of 2 certificate id(s)"])
        XCTAssertEqual(code(try qrcert(["revoke", "check", "r.cose", "--cti", "0011223344556677"], status: 2)), "USAGE", "check needs a key")
        XCTAssertEqual(try qrcert(["revoke", "check", "r.cose", "--trust", "issuer.pub.pem", "--cti", "0011223344556677"]).lines,
                       ["0011223344556677  not listed"])
    }

    private func issuerKid() throws -> String? {
        let shown = try CLI.jsonObject(try qrcert(["revoke", "show", "r.cose", "--json"]).stdout)
        return shown["signer_kid"] as? String
    }
}
