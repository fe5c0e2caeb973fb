import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// Codes of docs/ERRORS.md that no other library test raises, each triggered from the input its row names.
final class ErrorCatalogTriggersTests: XCTestCase {
    func testAProfileThatIsNotOneIsInvalid() {
        assertQRCertError(.profile, "PROFILE_INVALID") { try Profile.load(json: Data("{}".utf8), source: "bad.json") }
        do {
            _ = try Profile.load(json: Data("[1, 2]".utf8), source: "bad.json")
            XCTFail("an array is not a profile")
        } catch {
            XCTAssertEqual(error.code, "PROFILE_INVALID")
            XCTAssertTrue(error.message.hasPrefix("bad.json: not a valid profile: "), error.message)
        }
    }

    /// The TEST-ONLY signer certificate with its key algorithm changed to an OID no one knows (1.2.840.10045.2.127).
    func testACertificateWhoseKeyCannotBeRead() throws {
        let pem = try String(contentsOf: TestFixtures.url("vectors/keys/TEST-ONLY-es256.crt.pem"), encoding: .utf8)
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        var der = [UInt8](try XCTUnwrap(Data(base64Encoded: base64)))
        XCTAssertNoThrow(try Certificate.der(der))
        let ecPublicKey: [UInt8] = [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]
        let at = try XCTUnwrap((0...(der.count - ecPublicKey.count)).first { Array(der[$0..<($0 + ecPublicKey.count)]) == ecPublicKey })
        der[at + ecPublicKey.count - 1] = 0x7F
        assertQRCertError(.trust, "CERT_BAD_KEY", message: "certificate public key cannot be read") { try Certificate.der(der) }
        var store = TrustStore()
        assertQRCertError(.trust, "TRUST_BAD_FILE", message: "broken.der is neither a PEM file nor a DER certificate or public key") {
            try store.add(fileBytes: der, source: "broken.der")
        }
    }
}
