import Foundation
import QRCertCrypto
import QRCertFormat
import XCTest

/// Path validation of document signer certificates made by the openssl CLI under a test CSCA (external truth:
/// `openssl verify` agrees with each answer).
final class CertificateChainTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("qrcert-chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { [folder] in try? FileManager.default.removeItem(at: folder!) }
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// A self-signed CA `name` (`subject` defaults to a name of its own).
    private func makeCA(_ name: String, subject: String? = nil, extensions: [String] = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign"]) throws -> Certificate {
        _ = try runTool(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", path("\(name).key"), "-out", path("\(name).pem"), "-days", "3650",
                         "-subj", subject ?? "/C=VN/CN=\(name)"] + extensions.flatMap { ["-addext", $0] })
        return try load(name)
    }

    /// A certificate `name` for a new key, signed by CA `ca`.
    private func makeSigner(_ name: String, by ca: String, days: Int = 365,
                            extensions: String = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n") throws -> Certificate {
        try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        _ = try runTool(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", path("\(name).key"), "-subj", "/C=VN/CN=\(name)", "-out", path("\(name).csr")])
        _ = try runTool(["openssl", "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
                         "-days", "\(days)", "-extfile", path("\(name).ext"), "-out", path("\(name).pem")])
        return try load(name)
    }

    private func load(_ name: String) throws -> Certificate {
        try XCTUnwrap(try Certificate.all(pem: String(contentsOfFile: path("\(name).pem"), encoding: .utf8)).first)
    }

    /// What `openssl verify` says of `name` against `ca`, at `time` (true: OK).
    private func opensslAccepts(_ name: String, ca: String, at time: Int64) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "verify", "-partial_chain", "-attime", "\(time)", "-CAfile", path("\(ca).pem"), path("\(name).pem")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    func testSignersUnderTheCSCAAndEachWayOneFails() throws {
        let csca = try makeCA("csca")
        let good = try makeSigner("good", by: "csca")
        let at = good.notBefore + 86_400
        XCTAssertNil(CertificateChain.problem(good, anchors: [csca], at: at, when: "then"))
        XCTAssertTrue(try opensslAccepts("good", ca: "csca", at: at))
        XCTAssertTrue(CertificateChain.isCA(csca))
        XCTAssertFalse(CertificateChain.isCA(good))

        let shortLived = try makeSigner("expired", by: "csca", days: 1)
        let later = shortLived.notAfter + 86_400
        XCTAssertEqual(CertificateChain.problem(shortLived, anchors: [csca], at: later, when: "at issue")?.code, "CHAIN_EXPIRED")
        XCTAssertEqual(CertificateChain.problem(shortLived, anchors: [csca], at: later, when: "at issue")?.message,
                       "signer certificate CN=expired,C=VN is not valid at issue")
        XCTAssertFalse(try opensslAccepts("expired", ca: "csca", at: later))

        let sealOnly = try makeSigner("encipher", by: "csca", extensions: "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\n")
        XCTAssertEqual(CertificateChain.problem(sealOnly, anchors: [csca], at: at, when: "then")?.code, "CERT_NOT_SIGNER")

        let subCA = try makeSigner("sub-ca", by: "csca", extensions: "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,digitalSignature\n")
        XCTAssertEqual(CertificateChain.problem(subCA, anchors: [csca], at: at, when: "then")?.code, "CERT_NOT_SIGNER")

        let other = try makeCA("other")
        let stranger = try makeSigner("stranger", by: "other")
        XCTAssertEqual(CertificateChain.problem(stranger, anchors: [csca], at: at, when: "then")?.code, "CHAIN_UNTRUSTED")
        XCTAssertFalse(try opensslAccepts("stranger", ca: "csca", at: at))
        XCTAssertNil(CertificateChain.problem(stranger, anchors: [csca, other], at: at, when: "then"))

        // A forger's CA under the CSCA's very name, and no authority key id to tell them apart: the name matches,
        // the signature does not.
        _ = try makeCA("forger", subject: "/C=VN/CN=csca")
        let forged = try makeSigner("forged", by: "forger",
                                    extensions: "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nauthorityKeyIdentifier=none\n")
        XCTAssertEqual(CertificateChain.problem(forged, anchors: [csca], at: at, when: "then")?.code, "CHAIN_BAD_SIGNATURE")
        XCTAssertFalse(try opensslAccepts("forged", ca: "csca", at: at))

        // Anything else libcrypto refuses, with its reason: here a critical extension nobody knows.
        let odd = try makeSigner("odd", by: "csca", extensions: "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n1.3.6.1.4.1.99999.1=critical,ASN1:NULL\n")
        XCTAssertEqual(CertificateChain.problem(odd, anchors: [csca], at: at, when: "then")?.message,
                       "signer certificate CN=odd,C=VN does not validate: unhandled critical extension")
        XCTAssertEqual(CertificateChain.problem(odd, anchors: [csca], at: at, when: "then")?.code, "CHAIN_FAILED")
        XCTAssertFalse(try opensslAccepts("odd", ca: "csca", at: at))

        // An issuer that is not a CA: the leaf's path goes through a certificate without cA=TRUE.
        let notCA = try makeSigner("plain", by: "csca")
        let underPlain = try makeSigner("under-plain", by: "plain")
        XCTAssertEqual(CertificateChain.problem(underPlain, intermediates: [notCA], anchors: [csca], at: at, when: "then")?.code,
                       "CHAIN_CA_INVALID")
    }
}
