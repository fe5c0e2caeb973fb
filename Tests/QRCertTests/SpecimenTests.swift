import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// Specimens (docs/FORMAT.md §4.5, §5 step 13): the flag is signed into the credential claim as key 3 = true,
/// and a specimen is never valid, whatever else holds; any other value of key 3 fails closed.
final class SpecimenTests: XCTestCase {
    typealias S = TrustListSupport

    private func verifier(_ key: PrivateKey) throws -> Verifier {
        var store = TrustStore()
        store.add(key.publicKey, source: "k.pub.pem")
        return Verifier(trust: store, profiles: try TestFixtures.profiles())
    }

    func testASpecimenIsSignedAsOneAndNeverValid() throws {
        let key = try PrivateKey.generate(.edDSA)
        // Version 1's map form; CompactCredentialTests checks QC2:'s array form.
        var issuer = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1)
        let genuine = try issuer.issue(try S.licence())
        issuer.specimen = true
        let specimen = try issuer.issue(try S.licence())
        // The flag is inside the signed claims: key 3 of the credential claim, the CBOR value true (0xf5).
        let content = try XCTUnwrap(specimen.claims[CWTClaims.Key.credential])
        XCTAssertEqual(content[3], .bool(true))
        XCTAssertNil(try XCTUnwrap(genuine.claims[CWTClaims.Key.credential])[3])
        XCTAssertTrue(Hex.encode(CBOREncoder.encode(content)).hasSuffix("03f5"), "key 3, then true, last in the map")

        let verifier = try verifier(key)
        XCTAssertEqual(S.codes(verifier.verify(genuine.payload, at: S.now)), [])
        let verdict = verifier.verify(specimen.payload, at: S.now)
        XCTAssertEqual(S.codes(verdict), ["CONTENT_SPECIMEN"])
        XCTAssertFalse(verdict.isValid)
        XCTAssertTrue(verdict.signatureVerified)
        XCTAssertEqual(verdict.credential?.id, try S.licence().id, "the card of a specimen is still shown")
        // Expired as well: every failure is kept, the specimen's last (step 13).
        XCTAssertEqual(S.codes(verifier.verify(specimen.payload, at: 2_100_000_000)), ["CWT_EXPIRED", "CONTENT_SPECIMEN"])
    }

    func testKey3OtherThanTrueIsMalformed() throws {
        let key = try PrivateKey.generate(.es256)
        let claims = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1).claims(for: S.licence())
        for value in [CBOR.bool(false), .int(1), .text("yes")] {
            guard case .map(var pairs) = claims.encoded(), let index = pairs.firstIndex(where: { $0.key == .int(CWTClaims.Key.credential) }),
                  case .map(var content) = pairs[index].value else { return XCTFail("claims") }
            content.append(CBORPair(.int(3), value))
            pairs[index].value = .map(content)
            let verdict = try verifier(key).verify(try HandSigned.payload(.map(pairs), key: key), at: S.now)
            XCTAssertEqual(S.codes(verdict), ["CONTENT_BAD_RECORD"], "\(value)")
            XCTAssertEqual(verdict.reason?.message, "credential key 3 (specimen) must be true when present")
        }
    }
}
