import Foundation
@testable import QRCertCrypto
import QRCertFormat
import XCTest

/// Keys whose SubjectPublicKeyInfo is in its canonical form are built from their bytes (`CanonicalSPKI`), without
/// libcrypto's decoder and encoder; everything about such a key must be what libcrypto's own path makes of it.
final class CanonicalSPKITests: XCTestCase {
    private static let algorithms: [SignatureAlgorithm] = [.es256, .es384, .edDSA]

    func testCanonicalKeysAreTheKeysLibcryptoDecodes() throws {
        let message = Array("[\"Signature1\", h'a10126', h'', payload]".utf8)
        for algorithm in Self.algorithms {
            let signer = try PrivateKey.generate(algorithm)
            let der = signer.publicKey.spkiDER, pem = signer.publicKey.pemText
            XCTAssertNotNil(CanonicalSPKI.form(of: der), "\(algorithm)")
            XCTAssertEqual(CanonicalSPKI.der(pem: pem), der, "\(algorithm)")
            let signature = try signer.sign(message)
            let pairs = [(try PublicKey.der(der), try PublicKey.decoded(der: der)), (try PublicKey.pem(pem), try PublicKey.decoded(pem: pem))]
            for (built, decoded) in pairs {
                XCTAssertEqual(built.spkiDER, decoded.spkiDER, "\(algorithm)")
                XCTAssertEqual(built.identity, decoded.identity, "\(algorithm)")
                XCTAssertEqual(built.keyID, decoded.keyID, "\(algorithm)")
                XCTAssertEqual(built.identityID, decoded.identityID, "\(algorithm)")
                XCTAssertEqual(built.algorithms, decoded.algorithms, "\(algorithm)")
                XCTAssertEqual(built.typeDescription, decoded.typeDescription, "\(algorithm)")
                XCTAssertEqual(built.pemText, decoded.pemText, "\(algorithm)")
                // libcrypto writes the built key back as the same bytes, and verifies with it as with the decoded one.
                XCTAssertEqual(try built.key.spkiDER(stage: .key, code: "TEST"), der, "\(algorithm)")
                XCTAssertEqual(try built.key.canonicalSPKIDER(stage: .key, code: "TEST"), der, "\(algorithm)")
                XCTAssertTrue(try built.verify(signature, of: message, algorithm: algorithm), "\(algorithm)")
                XCTAssertFalse(try built.verify(signature, of: message + [0], algorithm: algorithm), "\(algorithm)")
            }
        }
    }

    /// The point must lie on the curve, its coordinates below the field prime: libcrypto refuses both when building
    /// the key, and the decoder then refuses the SPKI and names it.
    func testPointsLibcryptoRefusesAreRefusedAsBefore() throws {
        let p256 = try PrivateKey.generate(.es256).publicKey.spkiDER
        var offCurve = p256
        offCurve[offCurve.count - 1] ^= 1
        var outOfRange = p256
        for index in 27..<59 { outOfRange[index] = 0xFF }  // x = 2^256 - 1, above the prime
        for der in [offCurve, outOfRange] {
            XCTAssertNotNil(CanonicalSPKI.form(of: der))
            XCTAssertNil(CanonicalSPKI.key(der, form: .p256))
            assertThrowsCode("KEY_BAD_DER", stage: .key) { _ = try PublicKey.der(der) }
            assertThrowsCode("KEY_BAD_DER", stage: .key) { _ = try PublicKey.decoded(der: der) }
            assertThrowsCode("KEY_BAD_PEM", stage: .key) { _ = try PublicKey.pem(CanonicalSPKI.pem(der)) }
        }
    }

    /// Only the strict form is read here; any other PEM goes to libcrypto's reader, which reads the same key.
    func testOtherPEMFormsAreReadByLibcrypto() throws {
        let key = try PrivateKey.generate(.es256).publicKey
        let pem = key.pemText
        let body = pem.split(separator: "\n").dropFirst().dropLast().joined()
        let variants = [
            pem.replacingOccurrences(of: "\n", with: "\r\n"),
            "a comment before the block\n" + pem,
            "-----BEGIN PUBLIC KEY-----\n\(body)\n-----END PUBLIC KEY-----\n",  // one line of 124
            "-----BEGIN PUBLIC KEY-----\n\(body.prefix(60))\n\(body.dropFirst(60))\n-----END PUBLIC KEY-----\n",
            pem + "\n",
        ]
        for text in variants {
            XCTAssertNil(CanonicalSPKI.der(pem: text), text)
            let read = try PublicKey.pem(text)
            XCTAssertEqual(read.spkiDER, key.spkiDER, text)
            XCTAssertEqual(read.identity, key.identity, text)
        }
        for broken in [pem.replacingOccurrences(of: "A", with: "*"), String(pem.dropLast(30)), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"] {
            XCTAssertNil(CanonicalSPKI.der(pem: broken))
            assertThrowsCode("KEY_BAD_PEM", stage: .key) { _ = try PublicKey.pem(broken) }
        }
    }

    /// `pemText` is written from the SPKI here; `openssl pkey` writes the same text for every kind of key.
    func testPEMTextIsWhatOpenSSLWrites() throws {
        for algorithm in Self.algorithms + [.ps256] {
            let pem = try PrivateKey.generate(algorithm).publicKey.pemText
            let written = try runTool(["openssl", "pkey", "-pubin", "-pubout"], input: Array(pem.utf8))
            XCTAssertEqual(String(decoding: written, as: UTF8.self), pem, "\(algorithm)")
        }
    }
}
