import Foundation
import XCTest

/// `issue --cert`: credentials issued under an X.509 document signer certificate made by openssl under a test CSCA.
final class IssueUnderCertificateTests: XCTestCase {
    var folder: URL!
    var csca: TestCSCA!

    override func setUpWithError() throws {
        folder = try CLI.temporaryDirectory(for: self)
        csca = try TestCSCA(in: folder.appendingPathComponent("csca"))
    }

    private func qrcert(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], status: Int32 = 0,
                        file: StaticString = #filePath, line: UInt = #line) throws -> CLI.Result {
        let result = try CLI.run(arguments, stdin: stdin, in: folder, environment: environment, file: file, line: line)
        XCTAssertEqual(result.status, status, "qrcert \(arguments.joined(separator: " "))\n\(result.stderr)", file: file, line: line)
        return result
    }

    private func payloads(_ out: URL) throws -> [String] {
        try CLI.jsonObjects(String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
            .map { try XCTUnwrap($0["payload"] as? String) }
    }

    func testIssuedUnderTheCertificatesKidAndVerifiedWithIt() throws {
        let key = try CLI.key("es256", in: folder)
        let signer = try csca.issue("DS Da Nang 2027", publicKey: CLI.publicKey("es256"))
        let out = folder.appendingPathComponent("out")
        _ = try qrcert(["issue", "--key", key, "--cert", signer, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng",
                        "--profile", "driving-licence", "--out", out.path, try TestCSCA.records(in: folder).path])
        let verified = try qrcert(["verify", "--trust", signer, "--at", "2027-02-01", "--json", "-"],
                                  stdin: try payloads(out).joined(separator: "\n") + "\n")
        let verdicts = try CLI.jsonObjects(verified.stdout)
        XCTAssertEqual(verdicts.map { $0["valid"] as? Bool }, [true, true, true])
        // The kid is the certificate's (EU DCC rule), not the bare key's: a verifier given only the bare key does not know it.
        XCTAssertEqual(Set(verdicts.map { $0["kid"] as? String }), [try TestCSCA.keyID(ofCertificate: signer)])
        let bare = try qrcert(["verify", "--trust", CLI.publicKey("es256"), "--at", "2027-02-01", "--json", try payloads(out)[0]], status: 1)
        XCTAssertEqual(try CLI.jsonObject(bare.stdout)["code"] as? String, "KID_UNKNOWN")
    }

    func testATrustListListingTheCSCAVouchesForItsSigners() throws {
        let key = try CLI.key("es256", in: folder)
        let signer = try csca.issue("DS Da Nang 2027", publicKey: CLI.publicKey("es256"))
        let out = folder.appendingPathComponent("out")
        _ = try qrcert(["issue", "--key", key, "--cert", signer, "--embed-cert", "--issuer", "Phòng CSGT Công an TP. Đà Nẵng",
                        "--profile", "driving-licence", "--out", out.path, try TestCSCA.records(in: folder).path])
        _ = try qrcert(["keygen", "--out", "root"])
        _ = try qrcert(["trust-list", "create", "--root-key", "root.key.pem", "--authority", "Bộ Công an", "--environment", "production",
                        "--out", "trust.cose", "--at", "2027-01-20"])
        _ = try qrcert(["trust-list", "add-key", "trust.cose", "--root-key", "root.key.pem", "--key", csca.certificate,
                        "--issuer", "Cục Cảnh sát giao thông", "--types", "driving-licence", "--at", "2027-01-20"])
        let shown = try qrcert(["trust-list", "show", "trust.cose", "--root", "root.pub.pem"])
        XCTAssertTrue(shown.lines.contains("  \(try TestCSCA.keyID(ofCertificate: csca.certificate))  CA certificate (P-256)  active"), shown.stdout)
        let payloads = try payloads(out)
        let verified = try qrcert(["verify", "--trust-list", "trust.cose", "--root", "root.pub.pem", "--at", "2027-02-01", "--json", "-"],
                                  stdin: payloads.joined(separator: "\n") + "\n", environment: ["XDG_STATE_HOME": folder.path + "/state"])
        XCTAssertEqual(try CLI.jsonObjects(verified.stdout).map { $0["valid"] as? Bool }, [true, true, true])
    }

    func testARecordOutsideTheCertificateIsRejectedAndTheRestIssued() throws {
        let key = try CLI.key("es256", in: folder)
        let signer = try csca.issue("DS short", publicKey: CLI.publicKey("es256"), days: 3000)
        let out = folder.appendingPathComponent("out")
        let records = try TestCSCA.records(in: folder, lastExpiry: "2040-01-07")
        let result = try qrcert(["issue", "--key", key, "--cert", signer, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng",
                                 "--profile", "driving-licence", "--out", out.path, records.path], status: 1)
        let notAfter = try XCTUnwrap(try TestCSCA.openssl(["x509", "-in", signer, "-noout", "-enddate", "-dateopt", "iso_8601"])
            .stdout.firstMatch(of: /notAfter=(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)Z/))
        XCTAssertEqual(result.errorLines.first,
                       "\(records.path):4: expiry_date: expires at 2040-01-07T17:00:00Z, after the signer certificate's notAfter \(notAfter.1)T\(notAfter.2)Z [CERT_NOT_COVERING]")
        XCTAssertEqual(try payloads(out).count, 2)
        let rejects = try CLI.jsonObjects(String(contentsOf: out.appendingPathComponent("rejects.jsonl"), encoding: .utf8))
        XCTAssertEqual(rejects.map { $0["code"] as? String }, ["CERT_NOT_COVERING"])
        // --strict refuses the whole batch.
        let strict = try qrcert(["issue", "--key", key, "--cert", signer, "--issuer", "x", "--profile", "driving-licence", "--strict",
                                 "--out", folder.appendingPathComponent("strict").path, records.path], status: 1)
        XCTAssertEqual(strict.errorLines.last, "qrcert: 1 bad row(s); nothing issued (--strict)")
    }

    func testACACertificateOrOneWithoutDigitalSignatureIsRefused() throws {
        let key = try CLI.key("es256", in: folder)
        let cases = [("DS ca", "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,digitalSignature\n",
                      "qrcert: error: signer certificate CN=DS ca,O=CSGT Da Nang,C=VN cannot sign payloads: it is a CA certificate (basicConstraints cA), which certifies keys and signs nothing else [CERT_NOT_SIGNER]"),
                     ("DS seal", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\n",
                      "qrcert: error: signer certificate CN=DS seal,O=CSGT Da Nang,C=VN cannot sign payloads: its keyUsage lacks digitalSignature [CERT_NOT_SIGNER]")]
        for (name, extensions, expected) in cases {
            let signer = try csca.issue(name, publicKey: CLI.publicKey("es256"), extensions: extensions)
            let result = try qrcert(["issue", "--key", key, "--cert", signer, "--issuer", "x", "--profile", "driving-licence",
                                     "--out", folder.appendingPathComponent("out").path, try TestCSCA.records(in: folder).path], status: 2)
            XCTAssertEqual(result.errorLines.first, expected)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
        }
    }

    func testACertificateOfAnotherKeyIsRefused() throws {
        let key = try CLI.key("ed25519", in: folder)
        let signer = try csca.issue("DS es256", publicKey: CLI.publicKey("es256"))
        let result = try qrcert(["issue", "--key", key, "--cert", signer, "--issuer", "x", "--profile", "driving-licence",
                                 "--out", folder.appendingPathComponent("out").path, try TestCSCA.records(in: folder).path], status: 2)
        let kid = try TestCSCA.keyID(ofCertificate: signer), keyKid = try SoftHSMToken.keyID(ofPublicKey: CLI.publicKey("ed25519"))
        XCTAssertEqual(result.errorLines.first,
                       "qrcert: error: the signer certificate (kid \(kid)) holds another public key than the signing key (kid \(keyKid)) [CERT_KEY_MISMATCH]")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }
}
