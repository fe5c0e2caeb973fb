import QRCertCrypto
import QRCertFormat
import XCTest

final class PublicKeyTests: XCTestCase {
    func testSHA256KnownVectors() {
        // FIPS 180-2 appendix B.1 and the empty string.
        XCTAssertEqual(
            hexString(Digest.sha256(Array("abc".utf8))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            hexString(Digest.sha256([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testKeyIDMatchesOpenSSLTool() throws {
        for algorithm in [SignatureAlgorithm.es256, .edDSA] {
            let key = try PrivateKey.generate(algorithm).publicKey
            let der = try runTool(["openssl", "pkey", "-pubin", "-outform", "DER"], input: Array(key.pemText.utf8))
            XCTAssertEqual(der, key.spkiDER)
            let sum = String(decoding: try runTool(["sha256sum"], input: der), as: UTF8.self)
            XCTAssertEqual(hexString(key.keyID), String(sum.prefix(16)))
            XCTAssertEqual(key.keyID.count, 8)
        }
    }

    func testKeyIDFixedVector() throws {
        // Wycheproof's first P-256 P1363 key; kid computed with `openssl pkey -pubin -outform DER | sha256sum`.
        let key = try PublicKey.der(hex(
            "3059301306072a8648ce3d020106082a8648ce3d030107034200042927b10512bae3eddcfe467828128bad2903269919f7086069c8c4df6c732838c7787964eaac00e5921fb1498a60f4606766b3d9685001558d1a974e7341513e"))
        let sum = String(decoding: try runTool(["sha256sum"], input: key.spkiDER), as: UTF8.self)
        XCTAssertEqual(hexString(key.keyID), String(sum.prefix(16)))
        XCTAssertEqual(key.typeDescription, "P-256")
        XCTAssertTrue(key.pemText.hasPrefix("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKSexBRK64"))
    }

    func testAlgorithmMismatchThrows() throws {
        let ed25519 = try PrivateKey.generate(.edDSA)
        let signature = try ed25519.sign([1, 2, 3])
        assertThrowsCode("KEY_ALG_MISMATCH", stage: .key) {
            _ = try ed25519.publicKey.verify(signature, of: [1, 2, 3], algorithm: .es256)
        }
        let p256 = try PrivateKey.generate(.es256).publicKey
        for algorithm in [SignatureAlgorithm.es384, .ps256, .edDSA] {
            assertThrowsCode("KEY_ALG_MISMATCH", stage: .key) { _ = try p256.verify(signature, of: [], algorithm: algorithm) }
        }
    }

    func testOtherCurveHasNoAlgorithms() throws {
        let pem = try runTool(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"])
        let spki = try runTool(["openssl", "pkey", "-pubout", "-outform", "DER"], input: pem)
        let key = try PublicKey.der(spki)
        XCTAssertEqual(key.algorithms, [])
        XCTAssertEqual(key.typeDescription, "EC secp256k1")
        assertThrowsCode("KEY_ALG_MISMATCH", stage: .key) { _ = try key.verify([UInt8](repeating: 1, count: 64), of: [], algorithm: .es256) }
    }
}
