import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// What a trust list makes the verifier do: scope, key windows, retirement, removal (rotation and compromise).
final class TrustListVerifierTests: XCTestCase {
    typealias S = TrustListSupport
    var root: PrivateKey!
    var oldKey: PrivateKey!
    var newKey: PrivateKey!

    override func setUpWithError() throws {
        root = try PrivateKey.generate(.es256)
        oldKey = try PrivateKey.generate(.es256)
        newKey = try PrivateKey.generate(.edDSA)
    }

    private func list(_ entries: [TrustListEntry]) throws -> TrustList {
        var list = try TrustList(header: S.header(sequence: 3), environment: .production, authority: "Cục Đường bộ Việt Nam")
        for entry in entries { try list.add(entry) }
        return try S.roundTrip(list, root: root)
    }

    private func issue(_ credential: Credential, with key: PrivateKey) throws -> String {
        try Issuer(key: key, name: TestFixtures.issuerName).issue(credential).payload
    }

    func testListedKeyVerifiesAndTheVerdictNamesTheList() throws {
        let trust = try list([try S.entry(oldKey)])
        let verdict = try S.verifier(trust).verify(try issue(try S.licence(), with: oldKey), at: S.now)
        XCTAssertTrue(verdict.isValid, "\(verdict.failures)")
        XCTAssertEqual(verdict.anchor?.source, "trust.cose #3: Sở GTVT Đà Nẵng")
        XCTAssertEqual(verdict.anchor?.listing?.types, ["vn.dl"])
        XCTAssertEqual(verdict.lists.count, 1)
        XCTAssertEqual(verdict.lists.first?.kind, .trustList)
        XCTAssertEqual(verdict.lists.first?.header.sequence, 3)
        XCTAssertEqual(verdict.lists.first?.environment, "production")
        XCTAssertEqual(verdict.lists.first?.signerKeyID, root.publicKey.keyID)
        XCTAssertEqual(verdict.lists.first?.count, 1)
        // A key the list does not hold stays unknown.
        let stranger = try PrivateKey.generate(.es256)
        XCTAssertEqual(S.codes(try S.verifier(trust).verify(try issue(try S.licence(), with: stranger), at: S.now)), ["KID_UNKNOWN"])
    }

    func testScope() throws {
        let trust = try list([try S.entry(oldKey, types: ["vn.dl", "vn.tp"])])
        let permit = try issue(try S.constructionPermit(), with: oldKey)
        let verdict = try S.verifier(trust).verify(permit, at: S.now)
        XCTAssertTrue(verdict.signatureVerified)
        XCTAssertEqual(S.codes(verdict), ["KEY_SCOPE"])
        XCTAssertEqual(verdict.reason?.stage, .key)
        XCTAssertEqual(verdict.reason?.message, "key \(Hex.encode(oldKey.publicKey.keyID)) of Sở GTVT Đà Nẵng may sign vn.dl, vn.tp, not vn.cp")
        // The construction department's key may.
        let builder = try list([try S.entry(oldKey, types: ["vn.cp"], issuer: "Sở Xây dựng thành phố Đà Nẵng")])
        XCTAssertEqual(S.codes(try S.verifier(builder).verify(permit, at: S.now)), [])
        let any = try list([try S.entry(oldKey, types: ["*"])])
        XCTAssertEqual(S.codes(try S.verifier(any).verify(permit, at: S.now)), [])
    }

    func testKeyWindow() throws {
        let start = S.now - 10 * S.day, end = S.now + 10 * S.day
        let trust = try list([try S.entry(oldKey, notBefore: start, notAfter: end)])
        let payload = try issue(try S.licence(), with: oldKey)
        let verifier = try S.verifier(trust)
        XCTAssertEqual(S.codes(verifier.verify(payload, at: end - 1)), [])
        XCTAssertEqual(S.codes(verifier.verify(payload, at: end)), ["KEY_EXPIRED"])
        XCTAssertEqual(verifier.verify(payload, at: end).reason?.message,
                       "key \(Hex.encode(oldKey.publicKey.keyID)) of Sở GTVT Đà Nẵng was valid until 2025-06-11T00:00:00Z; what it signed is no longer accepted")
        XCTAssertEqual(S.codes(verifier.verify(payload, at: start - 300)), [], "within the clock skew")
        XCTAssertEqual(S.codes(verifier.verify(payload, at: start - 301)), ["KEY_NOT_YET_VALID"])
    }

    /// Rotation: the new key added, the old one retired with an end date. Old credentials stay valid until
    /// that end; a credential dated after the retirement with the old key is refused.
    func testRotation() throws {
        var trust = try TrustList(header: S.header(sequence: 1), environment: .production, authority: "Cục Đường bộ Việt Nam")
        try trust.add(try S.entry(oldKey))
        let oldLicence = try issue(try S.licence(), with: oldKey)
        try trust.add(try S.entry(newKey))
        let end = S.now + 365 * S.day
        try trust.retire(keyID: oldKey.publicKey.keyID, at: S.now, end: end)
        trust.header = S.header(sequence: 2)
        let verifier = try S.verifier(try S.roundTrip(trust, root: root))

        let newLicence = try issue(try S.licence(["licence_no": "048090009999", "issue_date": "2025-06-02", "expiry_date": "2035-06-02"]), with: newKey)
        XCTAssertEqual(S.codes(verifier.verify(oldLicence, at: S.now + S.day)), [])
        XCTAssertEqual(S.codes(verifier.verify(newLicence, at: S.now + S.day)), [])
        XCTAssertEqual(S.codes(verifier.verify(oldLicence, at: end)), ["KEY_EXPIRED"])
        XCTAssertEqual(S.codes(verifier.verify(newLicence, at: end)), [])
        // The old key used after its retirement (an office that never switched): iat after the retirement.
        let late = try issue(try S.licence(["licence_no": "048090008888", "issue_date": "2025-06-02", "expiry_date": "2035-06-02"]), with: oldKey)
        let verdict = verifier.verify(late, at: S.now + 2 * S.day)
        XCTAssertEqual(S.codes(verdict), ["KEY_RETIRED"])
        XCTAssertEqual(verdict.reason?.message,
                       "issued at 2025-06-01T17:00:00Z with key \(Hex.encode(oldKey.publicKey.keyID)) of Sở GTVT Đà Nẵng, retired since 2025-06-01T00:00:00Z")
    }

    /// Compromise: the key removed from the list; everything it signed is refused with its own code, before
    /// the signature is even checked, and even when the same key is also trusted directly.
    func testRemovedKeyRefusesEverythingItSigned() throws {
        var trust = try TrustList(header: S.header(sequence: 1), environment: .production, authority: "Cục Đường bộ Việt Nam")
        try trust.add(try S.entry(oldKey))
        try trust.add(try S.entry(newKey))
        try trust.remove(keyID: oldKey.publicKey.keyID, at: S.now, reason: "private key stolen")
        var verifier = try S.verifier(try S.roundTrip(trust, root: root))
        let payload = try issue(try S.licence(), with: oldKey)
        let verdict = verifier.verify(payload, at: S.now)
        XCTAssertEqual(S.codes(verdict), ["KEY_COMPROMISED"])
        XCTAssertEqual(verdict.reason?.stage, .key)
        XCTAssertEqual(verdict.reason?.message,
                       "key \(Hex.encode(oldKey.publicKey.keyID)) of Sở GTVT Đà Nẵng was removed from the trust list on 2025-06-01T00:00:00Z (private key stolen); nothing it signed is accepted")
        XCTAssertFalse(verdict.signatureVerified)
        XCTAssertNil(verdict.credential)
        verifier.trust.add(oldKey.publicKey, source: "old.pub.pem")
        XCTAssertEqual(S.codes(verifier.verify(payload, at: S.now)), ["KEY_COMPROMISED"])
        XCTAssertEqual(S.codes(verifier.verify(try issue(try S.licence(), with: newKey), at: S.now)), [])
    }

    func testKeysGivenDirectlyHaveNoKeyPolicy() throws {
        var store = TrustStore()
        store.add(oldKey.publicKey, source: "old.pub.pem")
        let verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        XCTAssertEqual(S.codes(verifier.verify(try issue(try S.constructionPermit(), with: oldKey), at: S.now)), [])
        XCTAssertEqual(verifier.verify(try issue(try S.licence(), with: oldKey), at: S.now).lists, [])
    }
}
