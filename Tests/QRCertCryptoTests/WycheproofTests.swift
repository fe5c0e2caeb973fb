import QRCertCrypto
import QRCertFormat
import XCTest

/// Wycheproof (C2SP `testvectors_v1`) verification vectors through `PublicKey.verify`.
///
/// Documented choice for `acceptable` cases: qrcert rejects them (COSE leaves no room for legacy
/// encodings). The files read here currently contain none, and the count printed says so.
final class WycheproofTests: XCTestCase {
    func testECDSAP256P1363() throws {
        try check("ecdsa_secp256r1_sha256_p1363_test.json", .es256, expectedGroupType: "EcdsaP1363Verify")
    }

    func testECDSAP384P1363() throws {
        try check("ecdsa_secp384r1_sha384_p1363_test.json", .es384, expectedGroupType: "EcdsaP1363Verify")
    }

    func testEd25519() throws {
        try check("ed25519_test.json", .edDSA, expectedGroupType: "EddsaVerify")
    }

    func testRSAPSS2048SHA256Salt32() throws {
        try check("rsa_pss_2048_sha256_mgf1_32_test.json", .ps256, expectedGroupType: "RsassaPssVerify") { group in
            XCTAssertEqual(group["sha"] as? String, "SHA-256")
            XCTAssertEqual(group["mgf"] as? String, "MGF1")
            XCTAssertEqual(group["mgfSha"] as? String, "SHA-256")
            XCTAssertEqual(group["sLen"] as? Int, 32)
        }
    }

    private func check(
        _ file: String, _ algorithm: SignatureAlgorithm, expectedGroupType: String,
        groupCheck: ([String: Any]) -> Void = { _ in }
    ) throws {
        let document = try sharedJSON("vectors/wycheproof/\(file)")
        let groups = try XCTUnwrap(document["testGroups"] as? [[String: Any]])
        var counts = ["valid": 0, "invalid": 0, "acceptable": 0]
        for group in groups {
            XCTAssertEqual(group["type"] as? String, expectedGroupType)
            groupCheck(group)
            let der = hex(try XCTUnwrap(group["publicKeyDer"] as? String))
            let key = try PublicKey.der(der)
            XCTAssertEqual(key.algorithms, [algorithm], file)
            XCTAssertEqual(key.spkiDER, der)
            // The PEM form of the same key must come out the same.
            let fromPEM = try PublicKey.pem(try XCTUnwrap(group["publicKeyPem"] as? String))
            XCTAssertEqual(fromPEM.spkiDER, der)
            XCTAssertEqual(fromPEM.keyID, key.keyID)
            for test in try XCTUnwrap(group["tests"] as? [[String: Any]]) {
                let id = test["tcId"] as? Int ?? -1
                let result = try XCTUnwrap(test["result"] as? String)
                let accepted = try key.verify(
                    hex(try XCTUnwrap(test["sig"] as? String)), of: hex(try XCTUnwrap(test["msg"] as? String)),
                    algorithm: algorithm)
                let comment = "\(file) tcId \(id) (\(test["comment"] as? String ?? "")) \(result)"
                switch result {
                case "valid": XCTAssertTrue(accepted, comment)
                case "invalid": XCTAssertFalse(accepted, comment)
                case "acceptable": XCTAssertFalse(accepted, comment)  // documented choice: reject
                default: XCTFail("unknown result in \(comment)")
                }
                counts[result, default: 0] += 1
            }
        }
        let total = counts.values.reduce(0, +)
        XCTAssertEqual(total, document["numberOfTests"] as? Int, file)
        XCTAssertGreaterThan(counts["valid"]!, 0)
        XCTAssertGreaterThan(counts["invalid"]!, 0)
        print("wycheproof \(file): \(counts["valid"]!) valid, \(counts["invalid"]!) invalid, \(counts["acceptable"]!) acceptable checked")
    }
}
