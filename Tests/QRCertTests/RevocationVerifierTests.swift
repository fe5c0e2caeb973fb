import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// The revocation policy of the verifier: REVOKED, SUSPENDED, no cti, and which lists cover which credentials.
final class RevocationVerifierTests: XCTestCase {
    typealias S = TrustListSupport
    var root: PrivateKey!
    var danang: PrivateKey!
    var hue: PrivateKey!
    var trust: TrustList!

    override func setUpWithError() throws {
        root = try PrivateKey.generate(.es256)
        danang = try PrivateKey.generate(.es256)
        hue = try PrivateKey.generate(.es256)
        var list = try TrustList(header: S.header(sequence: 2), environment: .production, authority: "Cục Đường bộ Việt Nam")
        try list.add(try S.entry(danang))
        try list.add(try S.entry(hue, issuer: "Sở GTVT Thừa Thiên Huế"))
        trust = try S.roundTrip(list, root: root)
    }

    private func issued(_ key: PrivateKey, _ changes: [String: String?] = [:]) throws -> Issuer.Issued {
        try Issuer(key: key, name: TestFixtures.issuerName).issue(try S.licence(changes))
    }

    /// A revocation list with `entries`, signed by `key` and read back with the signers a verifier would allow.
    private func revocations(_ entries: [RevocationEntry], signedBy key: PrivateKey, sequence: UInt64 = 1) throws -> RevocationList {
        var list = try RevocationList(header: S.header(sequence: sequence), issuer: TestFixtures.issuerName)
        try list.set(entries)
        var store = TrustStore()
        store.add(trust, source: "trust.cose")
        return try RevocationList.open(try list.signed(with: key), signers: RevocationList.Signer.all(root: root.publicKey, trust: store, at: S.now),
                                       source: "revocations.cose")
    }

    private func date(_ text: String) throws -> CivilDate { try XCTUnwrap(CivilDate(text)) }

    func testSuspendedThenValidAgain() throws {
        let licence = try issued(danang)
        let entry = try RevocationEntry(certificateID: licence.certificateID, status: .suspended(until: try date("2025-08-31")),
                                        since: try date("2025-06-01"), reason: "trừ hết 12 điểm")
        let list = try revocations([entry], signedBy: danang, sequence: 9)
        let verifier = try S.verifier(trust, revocations: [(list, "revocations.cose")])
        let verdict = verifier.verify(licence.payload, at: S.now)
        XCTAssertEqual(S.codes(verdict), ["CTI_SUSPENDED"])
        XCTAssertEqual(verdict.reason?.stage, .revocation)
        XCTAssertEqual(verdict.reason?.message,
                       "suspended from 2025-06-01 to 2025-08-31 inclusive: trừ hết 12 điểm (revocation list #9 of Sở GTVT Đà Nẵng, revocations.cose)")
        XCTAssertEqual(verdict.revocation, entry)
        XCTAssertTrue(verdict.signatureVerified)
        XCTAssertNotNil(verdict.credential)
        XCTAssertEqual(verdict.lists.map(\.kind), [.trustList, .revocations])
        XCTAssertEqual(verdict.lists.last?.header.sequence, 9)
        XCTAssertEqual(verdict.lists.last?.count, 1)
        // 2025-08-31T17:00:00Z is midnight of 1 September in Viet Nam: the suspension is over.
        let after = verifier.verify(licence.payload, at: 1_756_659_600)
        XCTAssertEqual(S.codes(after), [])
        XCTAssertNil(after.revocation)
        XCTAssertEqual(S.codes(verifier.verify(licence.payload, at: 1_756_659_599)), ["CTI_SUSPENDED"])
        // Another licence of the same issuer is untouched.
        XCTAssertEqual(S.codes(verifier.verify(try issued(danang, ["licence_no": "048090004321"]).payload, at: S.now)), [])
    }

    func testRevoked() throws {
        let licence = try issued(danang)
        let entry = try RevocationEntry(certificateID: licence.certificateID, status: .revoked, since: try date("2025-05-20"), reason: "court order 12/2025")
        let verifier = try S.verifier(trust, revocations: [(try revocations([entry], signedBy: root), "national.cose")])
        let verdict = verifier.verify(licence.payload, at: S.now)
        XCTAssertEqual(S.codes(verdict), ["CTI_REVOKED"])
        XCTAssertEqual(verdict.reason?.message, "revoked since 2025-05-20: court order 12/2025 (revocation list #1 of Sở GTVT Đà Nẵng, national.cose)")
        // Every failed check is kept, in step order (FORMAT.md §5: validity 10, key 11, revocation 12): in 2036
        // the licence and the key's window are over too.
        let all = verifier.verify(licence.payload, at: 2_100_000_000)
        XCTAssertEqual(S.codes(all), ["CWT_EXPIRED", "KEY_EXPIRED", "CTI_REVOKED"])
    }

    func testScopeOfAnIssuersList() throws {
        let ours = try issued(danang), theirs = try issued(hue)
        let entries = try [ours, theirs].map {
            try RevocationEntry(certificateID: $0.certificateID, status: .revoked, since: try date("2025-01-01"), reason: "x")
        }
        // Đà Nẵng's list cannot withdraw Huế's licences; the root's list can withdraw both.
        let byDanang = try S.verifier(trust, revocations: [(try revocations(entries, signedBy: danang), "dn.cose")])
        XCTAssertEqual(S.codes(byDanang.verify(ours.payload, at: S.now)), ["CTI_REVOKED"])
        XCTAssertEqual(S.codes(byDanang.verify(theirs.payload, at: S.now)), [])
        let byRoot = try S.verifier(trust, revocations: [(try revocations(entries, signedBy: root), "root.cose")])
        XCTAssertEqual(S.codes(byRoot.verify(ours.payload, at: S.now)), ["CTI_REVOKED"])
        XCTAssertEqual(S.codes(byRoot.verify(theirs.payload, at: S.now)), ["CTI_REVOKED"])
    }

    func testNoCertificateIDCannotBeChecked() throws {
        var claims = try Issuer(key: danang, name: TestFixtures.issuerName, encoding: .version1).claims(for: try S.licence())
        claims.certificateID = nil
        let protected = [CBORPair(.int(1), .int(-7)), CBORPair(.int(4), .bytes(danang.publicKey.keyID))]
        var message = CoseSign1(protectedHeader: protected, payload: CBOREncoder.encode(claims.encoded()))
        message.signature = try danang.sign(message.toBeSigned())
        let payload = Payload.encode(message)
        let list = try revocations([], signedBy: danang, sequence: 3)
        let verdict = try S.verifier(trust, revocations: [(list, "dn.cose")]).verify(payload, at: S.now)
        XCTAssertEqual(S.codes(verdict), ["CTI_MISSING"])
        XCTAssertEqual(verdict.reason?.message, "no certificate id (cti), so revocation list #3 (dn.cose) cannot be checked")
        // Without a revocation list covering the key, nothing is asked of the cti.
        XCTAssertEqual(S.codes(try S.verifier(trust).verify(payload, at: S.now)), [])
    }
}
