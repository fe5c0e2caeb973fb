import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// Defects found in the final review of the verification path, each pinned by the test that showed it.
final class ReviewVerifierTests: XCTestCase {
    typealias S = TrustListSupport

    /// A key in the trust list and also given with `--trust` (loaded first, as the CLI does): the listing
    /// must still apply, or the key policy and a revocation list signed by another key of the same issuer
    /// would be skipped (fail-open).
    func testListedKeyAlsoGivenDirectlyKeepsItsPolicies() throws {
        let root = try PrivateKey.generate(.es256), danang = try PrivateKey.generate(.es256)
        let danangLists = try PrivateKey.generate(.es256)
        var list = try TrustList(header: S.header(sequence: 2), environment: .production, authority: "Cục Đường bộ Việt Nam")
        try list.add(try S.entry(danang))
        try list.add(try S.entry(danangLists))
        let trust = try S.roundTrip(list, root: root)
        let licence = try Issuer(key: danang, name: TestFixtures.issuerName).issue(try S.licence())

        var store = TrustStore()
        store.add(danang.publicKey, source: "danang.pub.pem")
        store.add(trust, source: "trust.cose")
        var revocations = try RevocationList(header: S.header(), issuer: TestFixtures.issuerName)
        try revocations.set([try RevocationEntry(certificateID: licence.certificateID, status: .revoked,
                                                 since: try XCTUnwrap(CivilDate("2025-05-20")), reason: "court order 12/2025")])
        let opened = try RevocationList.open(try revocations.signed(with: danangLists),
                                             signers: RevocationList.Signer.all(root: root.publicKey, trust: store, at: S.now),
                                             source: "revocations.cose")
        var verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        verifier.lists.revocations = [(list: opened, source: "revocations.cose")]

        XCTAssertEqual(S.codes(verifier.verify(licence.payload, at: S.now)), ["CTI_REVOKED"])
        XCTAssertEqual(S.codes(verifier.verify(licence.payload, at: 2_100_000_000)), ["CWT_EXPIRED", "KEY_EXPIRED", "CTI_REVOKED"])
        XCTAssertEqual(S.codes(verifier.verify(try Issuer(key: danang, name: TestFixtures.issuerName).issue(try S.constructionPermit()).payload,
                                               at: S.now)).first, "KEY_SCOPE")
    }

    /// `inspect` prints the claimed times of an unverified payload; a NumericDate may be any 64-bit integer,
    /// including -2^63 (CBOR negative 2^63-1), which must print, not trap.
    func testTimestampOfExtremeNumericDates() {
        XCTAssertEqual(Timestamp.iso(Int64.min), "\(CivilDate(daysSinceEpoch: -106_751_991_167_301))T08:29:52Z")
        XCTAssertEqual(Timestamp.iso(Int64.min + 1), "\(CivilDate(daysSinceEpoch: -106_751_991_167_301))T08:29:53Z")
        XCTAssertEqual(Timestamp.iso(Int64.max), "\(CivilDate(daysSinceEpoch: 106_751_991_167_300))T15:30:07Z")
        XCTAssertEqual(Timestamp.iso(-86_401), "1969-12-30T23:59:59Z")
    }

    /// FORMAT.md §4.5: text values hold no control characters. VISCII bytes were checked, text strings were
    /// not, so a signed "\u{1B}[2J", a C1 CSI or a bidi override reached the terminal through the verdict.
    func testTextFieldWithAControlCharacterIsRefused() throws {
        let key = try PrivateKey.generate(.es256)
        var store = TrustStore()
        store.add(key.publicKey, source: "k.pub.pem")
        let verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        let licence = try S.licence()
        // C0 and C1 controls, and bidi and format characters (U+202E, U+2069, U+FEFF): DisplayText's whole set.
        for name in ["Nguyen\u{1B}[2J", "Nguyen\u{9B}2J", "Nguyen\tVan", "Nguyen\u{202E}Van", "Nguyen\u{2069}", "Nguyen\u{FEFF}"] {
            let values = licence.values.map { entry in
                entry.field.name == "full_name" ? (field: entry.field, value: Credential.Value.text(name)) : entry
            }
            let issued = try Issuer(key: key, name: TestFixtures.issuerName).issue(Credential(profile: licence.profile, values: values))
            let verdict = verifier.verify(issued.payload, at: S.now)
            XCTAssertEqual(S.codes(verdict), ["CONTENT_BAD_FIELD"], name)
            XCTAssertEqual(verdict.reason?.message, "field full_name holds a control character")
            XCTAssertTrue(verdict.credential == nil, "no credential is shown")
        }
    }
}
