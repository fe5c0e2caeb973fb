import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// What cannot be checked fails: a `cti` that cannot be looked up when a revocation list applies, a retired key's
/// credential without `iat`. Payloads are assembled here from claim maps, never by `Issuer`.
final class FailClosedTests: XCTestCase {
    typealias S = TrustListSupport

    private func revocationVerifier(_ key: PrivateKey) throws -> Verifier {
        let root = try PrivateKey.generate(.es256)
        var list = try TrustList(header: S.header(), environment: .production, authority: "Cục CSGT")
        try list.add(try S.entry(key, types: ["*"]))
        let trust = try S.roundTrip(list, root: root)
        var store = TrustStore()
        store.add(trust, source: "trust.cose")
        var revocations = try RevocationList(header: S.header(), issuer: "Cục CSGT")
        try revocations.set([try RevocationEntry(certificateID: [1, 2, 3, 4, 5, 6, 7, 8], status: .revoked,
                                                 since: try XCTUnwrap(CivilDate("2025-01-01")), reason: "court order")])
        let opened = try RevocationList.open(try revocations.signed(with: root),
                                             signers: RevocationList.Signer.all(root: root.publicKey, trust: store, at: S.now), source: "r.cose")
        var verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        verifier.lists.revocations = [(opened, "r.cose")]
        return verifier
    }

    /// A foreign (HC1:) CWT with a 7- or 9-byte cti, or none, under a covering list: CTI_MISSING, not VALID.
    /// The old verifier looked a 7-byte id up, found nothing, and said VALID.
    func testRevocationFailsClosedWhenTheCertificateIDCannotBeLookedUp() throws {
        let key = try PrivateKey.generate(.es256)
        let verifier = try revocationVerifier(key)
        for cti: [UInt8]? in [[1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 8, 9], nil] {
            var pairs = [CBORPair(.int(1), .text("VN")), CBORPair(.int(4), .int(S.now + 86_400)), CBORPair(.int(6), .int(S.now - 86_400))]
            if let cti { pairs.append(CBORPair(.int(7), .bytes(cti))) }
            let verdict = verifier.verify(try HandSigned.payload(.map(pairs), key: key, prefix: .dcc), at: S.now)
            XCTAssertEqual(S.codes(verdict), ["CTI_MISSING"], "\(cti?.count ?? 0) bytes")
        }
        let listed = [CBORPair(.int(1), .text("VN")), CBORPair(.int(4), .int(S.now + 86_400)), CBORPair(.int(7), .bytes([1, 2, 3, 4, 5, 6, 7, 8]))]
        XCTAssertEqual(S.codes(verifier.verify(try HandSigned.payload(.map(listed), key: key, prefix: .dcc), at: S.now)), ["CTI_REVOKED"])
    }

    /// A retired key's credential must show, by its iat, that it predates the retirement; without iat it cannot.
    func testRetiredKeyWithoutIssueTimeFailsClosed() throws {
        let key = try PrivateKey.generate(.es256), root = try PrivateKey.generate(.es256)
        var list = try TrustList(header: S.header(), environment: .production, authority: "Cục CSGT")
        try list.add(try S.entry(key, types: ["*"]))
        try list.retire(keyID: key.publicKey.keyID, at: S.now - 86_400, end: S.now + 365 * 86_400)
        let verifier = try S.verifier(try S.roundTrip(list, root: root))
        let claims = [CBORPair(.int(1), .text("VN")), CBORPair(.int(4), .int(S.now + 86_400))]
        let verdict = verifier.verify(try HandSigned.payload(.map(claims), key: key, prefix: .dcc), at: S.now)
        XCTAssertEqual(S.codes(verdict), ["KEY_RETIRED"])
        XCTAssertEqual(verdict.reason?.message.hasPrefix("no issue time (iat) with key"), true, verdict.reason?.message ?? "")
        let before = claims + [CBORPair(.int(6), .int(S.now - 2 * 86_400))]
        XCTAssertEqual(S.codes(verifier.verify(try HandSigned.payload(.map(before), key: key, prefix: .dcc), at: S.now)), [])
    }

    /// The prefix is not signed: qrcert's credential claim under HC1: gets qrcert's content rules (the old verifier
    /// skipped them, so any record, unknown fields and all, was VALID).
    func testCredentialClaimUnderTheDCCPrefixGetsContentRules() throws {
        let key = try PrivateKey.generate(.es256)
        var store = TrustStore()
        store.add(key.publicKey, source: "k.pub.pem")
        let verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        let claims = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1).claims(for: S.licence())
        XCTAssertEqual(S.codes(verifier.verify(try HandSigned.payload(claims.encoded(), key: key, prefix: .dcc), at: S.now)), [])
        guard case .map(var pairs) = claims.encoded() else { return XCTFail("claims") }
        VectorGenerator.editRecord(&pairs) { record in
            guard let index = record.firstIndex(where: { $0.key == .int(2) }) else { return }
            record[index].value = .text("Nguyen\u{202E}Van")
        }
        let verdict = verifier.verify(try HandSigned.payload(.map(pairs), key: key, prefix: .dcc), at: S.now)
        XCTAssertEqual(S.codes(verdict), ["CONTENT_BAD_FIELD"])
        XCTAssertNil(verdict.credential)
    }
}
