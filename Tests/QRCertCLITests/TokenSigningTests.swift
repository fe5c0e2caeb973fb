import Foundation
import XCTest

/// Signing with keys in a PKCS#11 token (SoftHSM2, made by the test): batches issued end to end, every payload
/// verified with the public key the token gives out (read with pkcs11-tool and openssl), and each failure a
/// one-line error with its code and nothing half-written.
final class TokenSigningTests: XCTestCase {
    /// One token for the whole class (making keys costs a process each): ES256 `es256` (id 01), Ed25519
    /// `ed25519` (id 02), P-384 `p384` (id 03), two keys labelled `twin` (ids 04, 05).
    nonisolated(unsafe) static var shared: (folder: URL, token: SoftHSMToken)?

    var folder: URL!
    var token: SoftHSMToken!

    override func setUpWithError() throws {
        if Self.shared == nil {
            let folder = try CLI.makeTemporaryDirectory()
            let token = try SoftHSMToken(in: folder)
            try token.makeKeyPair("EC:prime256v1", label: "es256", id: "01")
            try token.makeKeyPair("EC:edwards25519", label: "ed25519", id: "02")
            try token.makeKeyPair("EC:secp384r1", label: "p384", id: "03")
            try token.makeKeyPair("EC:prime256v1", label: "twin", id: "04")
            try token.makeKeyPair("EC:prime256v1", label: "twin", id: "05")
            Self.shared = (folder, token)
        }
        token = Self.shared!.token
        folder = try CLI.temporaryDirectory(for: self)
    }

    override class func tearDown() {
        if let shared { try? FileManager.default.removeItem(at: shared.folder) }
        shared = nil
        super.tearDown()
    }

    private func qrcert(_ arguments: [String], environment: [String: String] = [:], status: Int32 = 0,
                        file: StaticString = #filePath, line: UInt = #line) throws -> CLI.Result {
        let result = try CLI.run(arguments, in: folder, environment: token.environment.merging(environment) { $1 }, file: file, line: line)
        XCTAssertEqual(result.status, status, "qrcert \(arguments.joined(separator: " "))\n\(result.stderr)", file: file, line: line)
        return result
    }

    private func issue(key: String, module: String = SoftHSMToken.module, out: URL, records: URL, _ extra: [String] = [],
                       environment: [String: String] = [:], status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> CLI.Result {
        try qrcert(["issue", "--key", key, "--pkcs11-module", module, "--pin-file", token.pinFile, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng",
                    "--profile", "driving-licence", "--out", out.path] + extra + [records.path],
                   environment: environment, status: status, file: file, line: line)
    }

    /// Every manifest payload verified with `publicKey` (`verify --json`, one verdict a line): every signature good.
    private func assertAllValid(_ out: URL, publicKey: String, count: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let payloads = try CLI.jsonObjects(String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
            .map { try XCTUnwrap($0["payload"] as? String) }
        XCTAssertEqual(payloads.count, count, file: file, line: line)
        let verified = try CLI.run(["verify", "--trust", publicKey, "--at", "2025-06-01", "--json", "-"], stdin: payloads.joined(separator: "\n") + "\n")
        let verdicts = try CLI.jsonObjects(verified.stdout)
        XCTAssertEqual(verdicts.count, count, file: file, line: line)
        XCTAssertEqual(Set(verdicts.map { $0["signature_verified"] as? Bool }), [true], file: file, line: line)
        // The generated licences include some that expired before 2025-06-01: that is their only possible failure.
        XCTAssertTrue(Set(verdicts.compactMap { $0["code"] as? String }).isSubset(of: ["CWT_EXPIRED"]), verified.stdout, file: file, line: line)
        XCTAssertTrue(verdicts.contains { $0["valid"] as? Bool == true }, file: file, line: line)
        XCTAssertEqual(Set(verdicts.map { $0["kid"] as? String }), [try SoftHSMToken.keyID(ofPublicKey: publicKey)], file: file, line: line)
    }

    /// The first error line and the status: `qrcert: error: MESSAGE [CODE]`.
    private func failure(_ result: CLI.Result) -> String? { result.errorLines.first { $0.hasPrefix("qrcert: error: ") } }

    // MARK: Signing

    func testES256BatchOnTwoJobsVerifiesWithTheTokensPublicKey() throws {
        let records = try Batch.records(24, in: folder), out = folder.appendingPathComponent("out")
        let result = try issue(key: token.uri("es256"), out: out, records: records, ["--jobs", "2"])
        XCTAssertTrue(CLI.isSummary(try XCTUnwrap(result.errorLines.last), issued: 24, rejected: 0), result.stderr)
        try assertAllValid(out, publicKey: try token.publicKeyPEM("es256"), count: 24)
        // The PNGs hold the same payloads, read by zbar.
        let manifest = try CLI.jsonObjects(String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
        let first = try XCTUnwrap(manifest.first), last = try XCTUnwrap(manifest.last)
        XCTAssertEqual(try CLI.zbarimg([out.appendingPathComponent(try XCTUnwrap(first["file"] as? String)).path,
                                        out.appendingPathComponent(try XCTUnwrap(last["file"] as? String)).path]),
                       [try XCTUnwrap(first["payload"] as? String), try XCTUnwrap(last["payload"] as? String)])
    }

    func testTokenBatchUnderATestCSCAVerifiesThroughTheChain() throws {
        // The ministry certifies the token's public key (read out with pkcs11-tool) under its CSCA, with openssl.
        let csca = try TestCSCA(in: folder.appendingPathComponent("csca"))
        let signer = try csca.issue("DS Da Nang 2027", publicKey: try token.publicKeyPEM("es256"))
        let out = folder.appendingPathComponent("out")
        let result = try issue(key: token.uri("es256"), out: out, records: try TestCSCA.records(in: folder),
                               ["--cert", signer, "--embed-cert", "--jobs", "2"])
        XCTAssertTrue(CLI.isSummary(try XCTUnwrap(result.errorLines.last), issued: 3, rejected: 0), result.stderr)
        let payloads = try CLI.jsonObjects(String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
            .map { try XCTUnwrap($0["payload"] as? String) }
        // The laptop holds only the CSCA: each payload's own certificate chains to it.
        let verified = try CLI.run(["verify", "--trust-ca", csca.certificate, "--at", "2027-02-01", "--json", "-"],
                                   stdin: payloads.joined(separator: "\n") + "\n")
        XCTAssertEqual(verified.status, 0, verified.stdout + verified.stderr)
        let verdicts = try CLI.jsonObjects(verified.stdout)
        XCTAssertEqual(verdicts.map { $0["valid"] as? Bool }, [true, true, true])
        XCTAssertEqual(Set(verdicts.map { $0["kid"] as? String }), [try TestCSCA.keyID(ofCertificate: signer)])
        XCTAssertEqual(Set(verdicts.map { $0["trusted_by"] as? String }), ["x5chain in the payload, under CA \(csca.certificate)"])
        // zbar reads the same text from the PNG, certificate and all.
        let first = try CLI.jsonObjects(String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))[0]
        XCTAssertEqual(try CLI.zbarimg([out.appendingPathComponent(try XCTUnwrap(first["file"] as? String)).path]), [payloads[0]])
        // Another CA does not make it valid; a signer certificate is not a CA.
        let stranger = try TestCSCA(in: folder.appendingPathComponent("other"), name: "Some other CA")
        let refused = try CLI.run(["verify", "--trust-ca", stranger.certificate, "--at", "2027-02-01", "--json", payloads[0]])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(try CLI.jsonObject(refused.stdout)["code"] as? String, "CHAIN_UNTRUSTED")
        let notCA = try CLI.run(["verify", "--trust-ca", signer, payloads[0]])
        XCTAssertEqual(notCA.status, 2)
        XCTAssertEqual(notCA.errorLines.first,
                       "qrcert: error: \(signer): CN=DS Da Nang 2027,O=CSGT Da Nang,C=VN is not a CA certificate (no basicConstraints cA=TRUE) [TRUST_CA_NOT_CA]")
    }

    func testEd25519KeyByIdWithModuleAndPinInTheURI() throws {
        let records = try Batch.records(6, in: folder), out = folder.appendingPathComponent("out")
        let uri = "pkcs11:token=\(token.label);id=%02?module-path=\(SoftHSMToken.module)&pin-source=file:\(token.pinFile)"
        _ = try qrcert(["issue", "--key", uri, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                        "--out", out.path, records.path])
        try assertAllValid(out, publicKey: try token.ed25519PublicKeyPEM("ed25519"), count: 6)
        // Ed25519 is deterministic: the same records signed again give the same payloads.
        let again = try qrcert(["issue", "--key", uri, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                                "--format", "payload", records.path])
        let manifest = try CLI.jsonObjects(String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
        XCTAssertEqual(again.lines, try manifest.map { try XCTUnwrap($0["payload"] as? String) })
    }

    func testKeygenMakesTheKeyInTheTokenAndPrintsItsKid() throws {
        let uri = token.uri("made-\(UUID().uuidString.prefix(8))")
        let made = try qrcert(["keygen", "--pkcs11", uri, "--pkcs11-module", SoftHSMToken.module, "--pin-file", token.pinFile,
                               "--out", "made"])
        let kid = try XCTUnwrap(made.lines.first)
        // The public key written is the token's (read back with pkcs11-tool), and the kid is its SPKI kid.
        let label = String(uri.split(separator: "=").last!)
        XCTAssertEqual(try SoftHSMToken.keyID(ofPublicKey: try token.publicKeyPEM(label)), kid)
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("made.pub.pem"), encoding: .utf8),
                       try String(contentsOfFile: try token.publicKeyPEM(label), encoding: .utf8))
        // CKA_ID is the kid, and the private key is sensitive and never extractable.
        let listing = try token.tool(["--list-objects", "--type", "privkey", "--label", label]).stdout
        XCTAssertTrue(listing.contains("ID:         \(kid)"), listing)
        XCTAssertTrue(listing.contains("Access:     sensitive, always sensitive, never extractable, local"), listing)
        // It signs: a trust list made with it as root opens with its public key.
        _ = try qrcert(["trust-list", "create", "--root-key", uri, "--pkcs11-module", SoftHSMToken.module, "--pin-file", token.pinFile,
                        "--authority", "Cục Cảnh sát giao thông", "--environment", "test", "--out", "trust.cose", "--at", "2025-06-01"])
        let shown = try qrcert(["trust-list", "show", "trust.cose", "--root", "made.pub.pem"])
        XCTAssertEqual(shown.lines.first, "trust.cose: trust list #1, signature VERIFIED with root \(kid)")
        // A second key under the same label is refused, and the token is left as it was.
        let again = try qrcert(["keygen", "--pkcs11", uri, "--pkcs11-module", SoftHSMToken.module, "--pin-file", token.pinFile], status: 2)
        XCTAssertEqual(failure(again), "qrcert: error: the token already has a key labelled \(label) [PKCS11_KEY_EXISTS]")
    }

    func testRevocationListSignedWithATokenKey() throws {
        let pem = try token.publicKeyPEM("es256")
        _ = try qrcert(["revoke", "add", "--list", "revocations.cose", "--key", token.uri("es256"), "--pkcs11-module", SoftHSMToken.module,
                        "--pin-file", token.pinFile, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--cti", "0011223344556677",
                        "--status", "revoked", "--reason", "lost"])
        let shown = try qrcert(["revoke", "show", "revocations.cose", "--root", pem])
        XCTAssertEqual(shown.lines.first?.hasPrefix("revocations.cose: revocation list #1, signature VERIFIED with \(try SoftHSMToken.keyID(ofPublicKey: pem)) "), true, shown.stdout)
    }

    // MARK: Failures: one line, a code, nothing written

    func testEachKeyFailureIsOneLineWithItsCodeAndWritesNothing() throws {
        let records = try Batch.records(3, in: folder), out = folder.appendingPathComponent("out")
        let wrongPin = folder.appendingPathComponent("wrong-pin").path
        try "654321\n".write(toFile: wrongPin, atomically: true, encoding: .utf8)
        let cases: [(key: String, extra: [String], expected: String)] = [
            (token.uri("es256"), ["--pin-file", wrongPin],
             "qrcert: error: wrong PIN for token qrcert-test [PKCS11_PIN_INCORRECT]"),
            (token.uri("missing"), [],
             "qrcert: error: no private key pkcs11:token=qrcert-test;object=missing in the token [PKCS11_OBJECT_NOT_FOUND]"),
            (token.uri("p384"), [],
             "qrcert: error: token key pkcs11:token=qrcert-test;object=p384 is an EC key on P-384; qrcert signs with P-256 (ES256) or Ed25519 keys [PKCS11_KEY_TYPE]"),
            (token.uri("twin"), [],
             "qrcert: error: 2 private keys match pkcs11:token=qrcert-test;object=twin [PKCS11_AMBIGUOUS]"),
            ("pkcs11:token=elsewhere;object=es256", [],
             "qrcert: error: no token matches pkcs11:token=elsewhere;object=es256 in \(SoftHSMToken.module) [PKCS11_TOKEN_NOT_FOUND]"),
            (token.uri("es256") + "?pin-value=123456", [],
             "qrcert: error: PKCS#11 URI carries pin-value: a PIN on the command line is visible to other users [PKCS11_URI]"),
            ("pkcs11:token=qrcert-test;label=es256", [],
             "qrcert: error: bad PKCS#11 URI: unknown attribute label [PKCS11_URI]"),
        ]
        for (key, extra, expected) in cases {
            let result = try issue(key: key, out: out, records: records, extra, status: 2)
            XCTAssertEqual(failure(result), expected, key)
            XCTAssertEqual(result.errorLines.filter { $0.hasPrefix("qrcert: error: ") }.count, 1, result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(key): nothing may be written")
        }
        // No PIN and no terminal to ask on: refused, never a guess.
        let noPin = try qrcert(["issue", "--key", token.uri("es256"), "--pkcs11-module", SoftHSMToken.module, "--issuer", "x",
                                "--profile", "driving-licence", "--out", out.path, records.path], status: 2)
        XCTAssertEqual(failure(noPin), "qrcert: error: token qrcert-test needs a PIN and none was given [PKCS11_PIN_REQUIRED]")
        let missingModule = try issue(key: token.uri("es256"), module: folder.appendingPathComponent("none.so").path, out: out,
                                      records: records, status: 2)
        XCTAssertEqual(failure(missingModule)?.hasPrefix("qrcert: error: cannot load PKCS#11 module \(folder.path)/none.so: "), true,
                       missingModule.stderr)
        XCTAssertEqual(failure(missingModule)?.hasSuffix(" [PKCS11_MODULE]"), true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testAModuleFailingMidBatchStopsCleanlyAndResumeFinishes() throws {
        let shim = try SoftHSMToken.failingModule(in: folder)
        let records = try Batch.records(12, in: folder), out = folder.appendingPathComponent("out")
        // The token "is pulled out" after 5 signatures.
        let pulled = ["QRCERT_SHIM_MODULE": SoftHSMToken.module, "QRCERT_SHIM_SIGN_LIMIT": "5"]
        let stopped = try issue(key: token.uri("es256"), module: shim, out: out, records: records, ["--jobs", "1"],
                                environment: pulled, status: 2)
        let ids = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["sh", "-c", "cut -d, -f1 '\(records.path)'"], stdin: nil).lines
        XCTAssertEqual(failure(stopped),
                       "qrcert: error: \(records.path):7: record \(ids[6]): token pkcs11:token=qrcert-test;object=es256 failed to sign: C_Sign returned CKR_DEVICE_REMOVED [PKCS11_SIGN]")
        // What was issued is whole: five PNGs, five manifest lines naming them, no temporary file.
        let manifest = try Batch.manifestLines(out)
        XCTAssertEqual(manifest.count, 5)
        XCTAssertEqual(try Batch.files(out), (["manifest.jsonl"] + ids[1...5].map { "\($0).png" }).sorted())
        try assertAllValid(out, publicKey: try token.publicKeyPEM("es256"), count: 5)
        // With the token back, --resume issues the rest.
        let resumed = try issue(key: token.uri("es256"), out: out, records: records, ["--resume"])
        XCTAssertEqual(resumed.status, 0)
        XCTAssertEqual(Array(try Batch.manifestLines(out).prefix(5)), manifest)
        try assertAllValid(out, publicKey: try token.publicKeyPEM("es256"), count: 12)
        // A module that fails another call says which one, with its CKR_ name.
        let broken = try issue(key: token.uri("es256"), module: shim, out: folder.appendingPathComponent("other"), records: records,
                               environment: ["QRCERT_SHIM_MODULE": SoftHSMToken.module, "QRCERT_SHIM_FAIL_FIND": "1"], status: 2)
        XCTAssertEqual(failure(broken), "qrcert: error: cannot search token qrcert-test: C_FindObjectsInit returned CKR_DEVICE_ERROR [PKCS11_FAILED]")
    }
}
