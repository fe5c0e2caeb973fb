@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// The issuer side of "nothing unescaped reaches a screen": names, types and record text refuse the characters
/// `DisplayText` escapes, and the verifier refuses a signed text field holding one (the issuer never writes it).
final class DisplayTextTests: XCTestCase {
    typealias S = TrustListSupport

    /// The written-out table is the platform's Cc, Cf, Zl and Zp, scalar for scalar, and the one-pass UTF-8 check
    /// agrees with it on every scalar.
    func testTheTableIsUnicodeCategories() {
        for value in UInt32(0)..<0x110000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let category = scalar.properties.generalCategory
            let expected = [.control, .format, .lineSeparator, .paragraphSeparator].contains(category)
            XCTAssertEqual(DisplayText.isUnsafe(scalar), expected, String(value, radix: 16))
            XCTAssertEqual(DisplayText.containsUnsafe("ab" + String(Character(scalar)) + "c"), expected, String(value, radix: 16))
        }
    }

    func testListNamesAndTypesRefuseBidiAndFormatCharacters() throws {
        let key = try PrivateKey.generate(.es256)
        for name in ["Sở GTVT\u{202E} Đà Nẵng", "A\u{2066}B", "A\u{200F}", "A\u{2028}B", "A\u{85}B"] {
            assertQRCertError(.trust, "TL_BAD_NAME") { _ = try S.entry(key, issuer: name) }
            assertQRCertError(.revocation, "RL_BAD_CONTENT") { _ = try RevocationList(header: S.header(), issuer: name) }
            assertQRCertError(.usage, "ISSUER_BAD_NAME") { _ = try Issuer(key: key, name: name) }
        }
        assertQRCertError(.trust, "TL_BAD_TYPES") { _ = try S.entry(key, types: ["vn.dl\u{202E}"]) }
        assertQRCertError(.trust, "TL_BAD_TYPES") { _ = try S.entry(key, types: ["vn.\u{1B}dl"]) }
    }
}
