import Foundation
import QRCertCrypto
import QRCertFormat
import XCTest

/// EU DCC signer certificates from `../shared/conformance/dgc-testdata` (field TESTCTX.CERTIFICATE).
final class CertificateTests: XCTestCase {
    private func certificateDER(_ path: String) throws -> [UInt8] {
        let document = try sharedJSON("conformance/dgc-testdata/\(path)")
        let context = try XCTUnwrap(document["TESTCTX"] as? [String: Any], path)
        let base64 = try XCTUnwrap(context["CERTIFICATE"] as? String, path)
        return Array(try XCTUnwrap(Data(base64Encoded: base64), path))
    }

    func testECSignerCertificate() throws {
        let der = try certificateDER("DE/2DCode/raw/1.json")
        let certificate = try Certificate.der(der)
        XCTAssertEqual(certificate.derBytes, der)
        XCTAssertEqual(certificate.keyID, Array(Digest.sha256(der).prefix(8)))
        // Figures from `openssl x509 -inform DER -noout -dates` and `sha256sum`.
        XCTAssertEqual(hexString(certificate.keyID), "0c4b15512be91401")
        XCTAssertEqual(certificate.notBefore, 1_619_515_882)  // Apr 27 09:31:22 2021 GMT
        XCTAssertEqual(certificate.notAfter, 1_651_311_082)  // Apr 30 09:31:22 2022 GMT
        XCTAssertEqual(certificate.publicKey.algorithms, [.es256])
        XCTAssertEqual(certificate.publicKey.typeDescription, "P-256")
        XCTAssertTrue(certificate.subject.hasPrefix("serialNumber=CSM017143437,"), certificate.subject)
        XCTAssertTrue(certificate.subject.contains("L=Köln,CN=Ubirch GmbH,O=Ubirch GmbH,C=DE"), certificate.subject)
    }

    func testRSASignerCertificate() throws {
        let der = try certificateDER("CH/2DCode/raw/1.json")
        let certificate = try Certificate.der(der)
        XCTAssertEqual(hexString(certificate.keyID), "24bc6b7b7bd2c328")
        XCTAssertEqual(certificate.notBefore, 1_620_996_622)  // May 14 12:50:22 2021 GMT
        XCTAssertEqual(certificate.notAfter, 1_715_691_022)  // May 14 12:50:22 2024 GMT
        XCTAssertEqual(certificate.publicKey.algorithms, [.ps256])
        XCTAssertEqual(certificate.publicKey.typeDescription, "RSA-2048")
        XCTAssertTrue(certificate.subject.hasPrefix("CN=COVID certificate ABN,"), certificate.subject)
        XCTAssertTrue(certificate.subject.hasSuffix("L=Köniz,ST=Bern,C=CH"), certificate.subject)
    }

    /// Every signer certificate in the suite parses, including the not-quite-DER ones.
    func testEverySuiteCertificateParses() throws {
        let root = sharedDirectory.appendingPathComponent("conformance/dgc-testdata")
        let countries = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        var seen = Set<[UInt8]>()
        var kinds: [String: Int] = [:]
        for country in countries {
            let raw = root.appendingPathComponent("\(country)/2DCode/raw")
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: raw.path) else { continue }
            for file in files.sorted() where file.hasSuffix(".json") {
                let path = "\(country)/2DCode/raw/\(file)"
                let document = try sharedJSON("conformance/dgc-testdata/\(path)")
                guard let base64 = (document["TESTCTX"] as? [String: Any])?["CERTIFICATE"] as? String,
                      let data = Data(base64Encoded: base64), seen.insert(Array(data)).inserted
                else { continue }
                let certificate = try Certificate.der(Array(data))
                XCTAssertFalse(certificate.publicKey.algorithms.isEmpty, path)
                XCTAssertLessThan(certificate.notBefore, certificate.notAfter, path)
                // Plausible: after 2015 (CO17 is a deliberately old one from 2018) and before 2100.
                XCTAssertGreaterThan(certificate.notBefore, 1_420_070_400, path)
                XCTAssertLessThan(certificate.notAfter, 4_102_444_800, path)
                XCTAssertEqual(certificate.keyID, Array(Digest.sha256(Array(data)).prefix(8)), path)
                XCTAssertFalse(certificate.subject.isEmpty, path)
                kinds[certificate.publicKey.typeDescription, default: 0] += 1
            }
        }
        XCTAssertGreaterThan(kinds["P-256"] ?? 0, 0)
        XCTAssertGreaterThan(kinds["RSA-2048"] ?? 0, 0)
        print("dgc-testdata signer certificates: \(seen.count) distinct, \(kinds.sorted { $0.key < $1.key })")
    }

    func testPEMList() throws {
        let first = try certificateDER("DE/2DCode/raw/1.json")
        let second = try certificateDER("CH/2DCode/raw/1.json")
        func block(_ der: [UInt8]) -> String {
            "-----BEGIN CERTIFICATE-----\n"
                + Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
                + "\n-----END CERTIFICATE-----\n"
        }
        let list = try Certificate.all(pem: "comment before\n" + block(first) + "between\n" + block(second))
        XCTAssertEqual(list.map(\.derBytes), [first, second])

        assertThrowsCode("CERT_BAD_PEM", stage: .trust) { _ = try Certificate.all(pem: "") }
        assertThrowsCode("CERT_BAD_PEM", stage: .trust) { _ = try Certificate.all(pem: "no pem here") }
        let keyPEM = try PrivateKey.generate(.es256).pemText(passphrase: nil)
        assertThrowsCode("CERT_BAD_PEM", stage: .trust) { _ = try Certificate.all(pem: block(first) + keyPEM) }
        assertThrowsCode("CERT_BAD_DER", stage: .trust) { _ = try Certificate.all(pem: block([0x30, 0x03, 0x02, 0x01, 0x01])) }
        assertThrowsCode("CERT_BAD_DER", stage: .trust) { _ = try Certificate.der(first + [0]) }
        assertThrowsCode("CERT_BAD_DER", stage: .trust) { _ = try Certificate.der([]) }
    }

    func testExtendedKeyUsage() throws {
        // A certificate made here by the openssl tool, with the DCC vaccination purpose.
        let key = try runTool(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        let keyPath = try temporaryFile(key, in: self)
        let der = try runTool([
            "openssl", "req", "-x509", "-new", "-key", keyPath, "-subj", "/CN=qrcert test/C=XX", "-days", "2",
            "-addext", "extendedKeyUsage=1.3.6.1.4.1.1847.2021.1.2,1.3.6.1.4.1.1847.2021.1.3", "-outform", "DER",
        ])
        let certificate = try Certificate.der(der)
        XCTAssertEqual(certificate.extendedKeyUsage, ["1.3.6.1.4.1.1847.2021.1.2", "1.3.6.1.4.1.1847.2021.1.3"])
        XCTAssertEqual(certificate.subject, "C=XX,CN=qrcert test")
        XCTAssertEqual(certificate.notAfter - certificate.notBefore, 2 * 86_400)
        let spki = try runTool(["openssl", "pkey", "-pubout", "-outform", "DER"], input: key)
        XCTAssertEqual(certificate.publicKey.spkiDER, spki)
    }
}
