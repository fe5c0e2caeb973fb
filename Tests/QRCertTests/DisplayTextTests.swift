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

    /// A signed text field with a bidi override is refused (`CONTENT_BAD_FIELD`), as a C0 control already was.
    func testSignedFieldWithBidiOverrideIsRefused() throws {
        let key = try PrivateKey.generate(.es256)
        var store = TrustStore()
        store.add(key.publicKey, source: "k.pub.pem")
        let verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        let licence = try S.licence()
        for name in ["Nguyen\u{202E}Van", "Nguyen\u{2069}", "Nguyen\u{FEFF}"] {
            let values = licence.values.map { entry in
                entry.field.name == "full_name" ? (field: entry.field, value: Credential.Value.text(name)) : entry
            }
            let issued = try Issuer(key: key, name: TestFixtures.issuerName).issue(Credential(profile: licence.profile, values: values))
            let verdict = verifier.verify(issued.payload, at: S.now)
            XCTAssertEqual(S.codes(verdict), ["CONTENT_BAD_FIELD"], name)
            XCTAssertEqual(verdict.reason?.message, "field full_name holds a control character")
        }
    }
}
