import QRCertCrypto
import QRCertFormat
import XCTest

/// RFC 7512 URIs: what is read from them, and what is refused.
final class PKCS11URITests: XCTestCase {
    func testAttributesArePercentDecoded() throws {
        // RFC 7512 §3's own example shape, with a token label holding a space and UTF-8.
        let uri = try PKCS11URI(parsing: "pkcs11:token=CSGT%20%C4%90%C3%A0%20N%E1%BA%B5ng;manufacturer=SoftHSM%20project;serial=1a2b;"
                                + "object=dl-2026;id=%01%a0;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin")
        XCTAssertEqual(uri.token, "CSGT Đà Nẵng")
        XCTAssertEqual(uri.manufacturer, "SoftHSM project")
        XCTAssertEqual(uri.serial, "1a2b")
        XCTAssertEqual(uri.object, "dl-2026")
        XCTAssertEqual(uri.id, [0x01, 0xA0])
        XCTAssertEqual(uri.modulePath, "/usr/lib/softhsm/libsofthsm2.so")
        XCTAssertEqual(uri.pinSource, "file:/run/pin")
        XCTAssertEqual(uri.description, "pkcs11:token=CSGT%20%c4%90%c3%a0%20N%e1%ba%b5ng;manufacturer=SoftHSM%20project;serial=1a2b;"
                       + "object=dl-2026;id=%01%a0?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin")
        XCTAssertEqual(try PKCS11URI(parsing: uri.description), uri)
        XCTAssertEqual(try PKCS11URI(parsing: "PKCS11:slot-id=7;object=k").slotID, 7)
        XCTAssertTrue(PKCS11URI.isURI("PKCS11:object=k"))
        XCTAssertFalse(PKCS11URI.isURI("keys/pkcs11.key.pem"))
        // Vendor attributes (x-) are allowed and ignored.
        XCTAssertEqual(try PKCS11URI(parsing: "pkcs11:object=k;x-vendor=1?x-other=2").object, "k")
    }

    func testMalformedOrUnsafeURIsAreRefused() {
        let refused: [(String, String)] = [
            ("pkcs11:token=t", "bad PKCS#11 URI: it names no key"),
            ("pkcs11:object=a;object=b", "bad PKCS#11 URI: attribute object is given twice"),
            ("pkcs11:object=k;library-version=3", "bad PKCS#11 URI: unknown attribute library-version"),
            ("pkcs11:object=%zz", "bad PKCS#11 URI: object has a bad percent escape"),
            ("pkcs11:object=%C3", "bad PKCS#11 URI: object is not UTF-8 once decoded"),
            ("pkcs11:object=k;type=cert", "bad PKCS#11 URI: type must be private: qrcert signs with a private key"),
            ("pkcs11:object=k;slot-id=x", "bad PKCS#11 URI: slot-id must be a decimal number"),
            ("pkcs11:object", "bad PKCS#11 URI: attribute object has no value"),
            ("pkcs11:object=k?pin-value=1234", "PKCS#11 URI carries pin-value: a PIN on the command line is visible to other users"),
        ]
        for (text, message) in refused {
            XCTAssertThrowsError(try PKCS11URI(parsing: text), text) { error in
                XCTAssertEqual((error as? QRCertError)?.code, "PKCS11_URI", text)
                XCTAssertEqual((error as? QRCertError)?.message, message, text)
            }
        }
    }
}
