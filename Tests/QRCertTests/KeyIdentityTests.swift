import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// A key is its SubjectPublicKeyInfo, not its kid (docs/FORMAT.md §5.1): one key, two kids (bare key and its
/// certificate), two arrival paths (trust list and `--trust`); listing, removal, scope, window, retirement and the
/// revocation list's scope and rollback slot follow the key. Each test failed on the verifier that trusted a kid.
final class KeyIdentityTests: XCTestCase {
    typealias S = TrustListSupport

    /// The TEST-ONLY ES256 key and a self-signed certificate over it (Fixtures/vectors/keys), valid 2025-2030.
    private func keyAndCertificate() throws -> (PrivateKey, Certificate) {
        let folder = ConformancePaths.vectors.appendingPathComponent("keys")
        let key = try PrivateKey.pem(String(contentsOf: folder.appendingPathComponent("TEST-ONLY-es256.key.pem"), encoding: .utf8), passphrase: nil)
        let pem = try String(contentsOf: folder.appendingPathComponent("TEST-ONLY-es256.crt.pem"), encoding: .utf8)
        let certificate = try XCTUnwrap(try Certificate.all(pem: pem).first)
        XCTAssertEqual(certificate.publicKey.spkiDER, key.publicKey.spkiDER)
        XCTAssertNotEqual(certificate.keyID, key.publicKey.keyID)
        return (key, certificate)
    }

    /// 2026-01-01, inside the certificate's window.
    static let now: Int64 = 1_767_225_600

    /// The trust list's listing of the bare key, read back; `change` edits the list before it is signed.
    private func listing(_ key: PrivateKey, types: [String] = ["vn.dl"], _ change: (inout TrustList) throws -> Void = { _ in }) throws -> (TrustList, PrivateKey) {
        let root = try PrivateKey.generate(.es256)
        var list = try TrustList(header: S.header(issuedAt: Self.now), environment: .production, authority: "Cục CSGT")
        try list.add(try TrustListEntry(key: key.publicKey, issuer: TestFixtures.issuerName, types: types,
                                        notBefore: 1_735_689_600, notAfter: 1_893_456_000))
        try change(&list)
        return (try TrustList.open(try list.signed(with: root), root: root.publicKey, source: "trust.cose"), root)
    }

    /// The licence's claims signed by `key` under `kid`.
    private func licence(_ key: PrivateKey, kid: [UInt8], credential: Credential? = nil) throws -> String {
        let claims = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1).claims(for: credential ?? S.licence(["issue_date": "2025-03-01", "expiry_date": "2029-03-01"]))
        return try HandSigned.payload(claims.encoded(), key: key, kid: kid)
    }

    /// The certificate given with `--trust` (loaded first, as the CLI does), then the trust list.
    private func verifier(_ list: TrustList, certificate: Certificate) throws -> Verifier {
        var store = TrustStore()
        store.add(certificate, source: "signer.crt")
        store.add(list, source: "trust.cose")
        return Verifier(trust: store, profiles: try TestFixtures.profiles())
    }

    func testRemovedKeyDoesNotComeBackUnderItsCertificate() throws {
        let (key, certificate) = try keyAndCertificate()
        let (list, _) = try listing(key) { try $0.remove(keyID: key.publicKey.keyID, at: Self.now - 86_400, reason: "key stolen") }
        let verifier = try verifier(list, certificate: certificate)
        for kid in [certificate.keyID, key.publicKey.keyID] {
            let verdict = verifier.verify(try licence(key, kid: kid), at: Self.now)
            XCTAssertEqual(S.codes(verdict), ["KEY_COMPROMISED"], Hex.encode(kid))
            XCTAssertFalse(verdict.signatureVerified)
        }
    }

    func testScopeWindowAndRetirementFollowTheKey() throws {
        let (key, certificate) = try keyAndCertificate()
        let (scoped, _) = try listing(key, types: ["vn.tp"])
        let verdict = try verifier(scoped, certificate: certificate).verify(try licence(key, kid: certificate.keyID), at: Self.now)
        XCTAssertEqual(S.codes(verdict), ["KEY_SCOPE"])
        XCTAssertEqual(verdict.anchor?.source, "signer.crt", "the certificate verified; the listing still applied")
        XCTAssertEqual(S.codes(try verifier(scoped, certificate: certificate).verify(try licence(key, kid: certificate.keyID), at: 1_900_000_000)),
                       ["CWT_EXPIRED", "CERT_WINDOW", "KEY_SCOPE", "KEY_EXPIRED"])
        let (retired, _) = try listing(key) { try $0.retire(keyID: key.publicKey.keyID, at: 1_740_000_000, end: 1_893_456_000) }
        XCTAssertEqual(S.codes(try verifier(retired, certificate: certificate).verify(try licence(key, kid: certificate.keyID), at: Self.now)),
                       ["KEY_RETIRED"])
    }

    /// `trust-list retire-key --key signer.pub.pem` finds a key listed as its certificate: the file's key, not a kid form, names it.
    func testListEditsFindTheKeyByAnyOfItsKids() throws {
        let (key, certificate) = try keyAndCertificate()
        var list = try TrustList(header: S.header(), environment: .production, authority: "Cục CSGT")
        try list.add(try TrustListEntry(certificate: certificate, issuer: TestFixtures.issuerName, types: ["vn.dl"]))
        try list.retire(keyID: key.publicKey.keyID, at: Self.now, end: 1_893_456_000)
        XCTAssertEqual(list.entries[0].status, .retired(at: Self.now))
        try list.remove(keyID: key.publicKey.keyID, at: Self.now, reason: "stolen")
        XCTAssertEqual(list.entries[0].status, .removed(at: Self.now, reason: "stolen"))
    }

    /// A key already listed, or once removed, cannot be added again in another form.
    func testTheSameKeyCannotBeListedTwice() throws {
        let (key, certificate) = try keyAndCertificate()
        var list = try TrustList(header: S.header(), environment: .production, authority: "Cục CSGT")
        try list.add(try TrustListEntry(key: key.publicKey, issuer: TestFixtures.issuerName, types: ["vn.dl"], notBefore: 0, notAfter: 1_893_456_000))
        let asCertificate = try TrustListEntry(certificate: certificate, issuer: "Another office", types: ["*"])
        assertQRCertError(.trust, "TL_KEY_EXISTS",
                          message: "key \(Hex.encode(certificate.keyID)) is already in the trust list as \(Hex.encode(key.publicKey.keyID)) (\(TestFixtures.issuerName), active)") {
            try list.add(asCertificate)
        }
        try list.remove(keyID: key.publicKey.keyID, at: S.now, reason: "stolen")
        assertQRCertError(.trust, "TL_KEY_EXISTS") { try list.add(asCertificate) }
        var byCertificate = try TrustList(header: S.header(), environment: .production, authority: "Cục CSGT")
        try byCertificate.add(asCertificate)
        assertQRCertError(.trust, "TL_KEY_EXISTS") {
            try byCertificate.add(try TrustListEntry(key: key.publicKey, issuer: TestFixtures.issuerName, types: ["vn.dl"], notBefore: 0, notAfter: 1_893_456_000))
        }
    }

    /// A signed list that holds one key under both kids is refused on reading.
    func testAListHoldingOneKeyTwiceIsRefused() throws {
        let (key, certificate) = try keyAndCertificate()
        let root = try PrivateKey.generate(.es256)
        var list = try TrustList(header: S.header(), environment: .production, authority: "Cục CSGT")
        try list.add(try TrustListEntry(key: key.publicKey, issuer: TestFixtures.issuerName, types: ["vn.dl"], notBefore: 0, notAfter: 1_893_456_000))
        let second = try TrustListEntry(certificate: certificate, issuer: TestFixtures.issuerName, types: ["vn.tp"])
        guard case .map(var pairs) = list.body(), let index = pairs.firstIndex(where: { $0.key == .int(8) }),
              case .array(let entries) = pairs[index].value else { return XCTFail("body") }
        pairs[index].value = .array(entries + [second.cbor()])
        let bytes = try ListEnvelope.sign(.map(pairs), kind: .trustList, key: root)
        assertQRCertError(.trust, "TL_BAD_CONTENT",
                          message: "t.cose: key \(Hex.encode(certificate.keyID)) is listed twice as \(Hex.encode(key.publicKey.keyID))") {
            try TrustList.open(bytes, root: root.publicKey, source: "t.cose")
        }
    }

    /// The same EC key written with a compressed point is the same key: its listing (here, removal) follows it,
    /// although its SPKI bytes, and so its kid, differ.
    func testAnotherEncodingOfTheSameKeyIsTheSameKey() throws {
        let key = try PrivateKey.generate(.es256)
        let spki = key.publicKey.spkiDER
        XCTAssertEqual(spki.count, 91)
        XCTAssertEqual(spki[26], 0x04, "uncompressed point")
        // RFC 5480 §2.2: the compressed form is 02 or 03 (the parity of y) followed by x.
        let x = spki[27..<59], y = spki[59..<91]
        let compressedSPKI: [UInt8] = [0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
                                       0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
                                       y.last! & 1 == 0 ? 0x02 : 0x03] + x
        let compressed = try PublicKey.der(compressedSPKI)
        XCTAssertEqual(compressed.spkiDER, compressedSPKI)
        XCTAssertNotEqual(compressed.keyID, key.publicKey.keyID)
        XCTAssertEqual(compressed.identity, key.publicKey.identity)
        XCTAssertEqual(key.publicKey.identity, spki, "qrcert's own keys are already canonical")

        let root = try PrivateKey.generate(.es256)
        var list = try TrustList(header: S.header(), environment: .production, authority: "Cục CSGT")
        try list.add(try S.entry(key))
        try list.remove(keyID: key.publicKey.keyID, at: S.now - 86_400, reason: "key stolen")
        var store = TrustStore()
        store.add(compressed, source: "compressed.der")
        store.add(try S.roundTrip(list, root: root), source: "trust.cose")
        let verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        let claims = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1).claims(for: S.licence())
        XCTAssertEqual(S.codes(verifier.verify(try HandSigned.payload(claims.encoded(), key: key, kid: compressed.keyID), at: S.now)),
                       ["KEY_COMPROMISED"])
        assertQRCertError(.trust, "TL_KEY_EXISTS") {
            try list.add(try TrustListEntry(key: compressed, issuer: "Another office", types: ["*"], notBefore: 0, notAfter: 2_000_000_000))
        }
    }

    /// A revocation list signed by a listed key keeps its issuer's scope and rollback slot when the key (or its
    /// certificate) is also given with `--trust`, so it still withdraws what the issuer's other keys signed.
    func testRevocationScopeFollowsTheKey() throws {
        let (listsKey, certificate) = try keyAndCertificate()
        let other = try PrivateKey.generate(.es256)
        let (list, root) = try listing(listsKey) { try $0.add(try TrustListEntry(key: other.publicKey, issuer: TestFixtures.issuerName,
                                                                                   types: ["vn.dl"], notBefore: 0, notAfter: 1_893_456_000)) }
        let payload = try licence(other, kid: other.publicKey.keyID)
        let cti = try Issuer(key: other, name: TestFixtures.issuerName, encoding: .version1).claims(for: S.licence(["issue_date": "2025-03-01", "expiry_date": "2029-03-01"])).certificateID
        var revocations = try RevocationList(header: S.header(issuedAt: Self.now), issuer: TestFixtures.issuerName)
        try revocations.set([try RevocationEntry(certificateID: try XCTUnwrap(cti), status: .revoked,
                                                 since: try XCTUnwrap(CivilDate("2025-06-01")), reason: "court order")])
        for given in [TrustAnchorFile.certificate(certificate), .key(listsKey.publicKey)] {
            var store = TrustStore()
            switch given {
            case .certificate(let c): store.add(c, source: "given")
            case .key(let k): store.add(k, source: "given")
            }
            store.add(list, source: "trust.cose")
            let opened = try RevocationList.open(try revocations.signed(with: listsKey),
                                                 signers: RevocationList.Signer.all(root: root.publicKey, trust: store, at: Self.now), source: "r.cose")
            XCTAssertEqual(opened.scope, .issuer(TestFixtures.issuerName))
            var verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
            verifier.lists.revocations = [(opened, "r.cose")]
            XCTAssertEqual(S.codes(verifier.verify(payload, at: Self.now)), ["CTI_REVOKED"])
        }
        // A removed key signs no revocation list, even when it is also given with --trust.
        let (removed, root2) = try listing(listsKey) { try $0.remove(keyID: listsKey.publicKey.keyID, at: Self.now, reason: "stolen") }
        var store = TrustStore()
        store.add(listsKey.publicKey, source: "given")
        store.add(removed, source: "trust.cose")
        assertQRCertError(.revocation, "RL_WRONG_SIGNER") {
            try RevocationList.open(try revocations.signed(with: listsKey),
                                    signers: RevocationList.Signer.all(root: root2.publicKey, trust: store, at: Self.now), source: "r.cose")
        }
    }

    private enum TrustAnchorFile {
        case certificate(Certificate)
        case key(PublicKey)
    }
}

/// An X.509 certificate that is a CA, or whose keyUsage lacks digitalSignature, is no signer (RFC 5280 §4.2.1.3,
/// §4.2.1.9): the verifier never verifies with it (the vectors 06-key-certificate-*), and the trust list refuses it
/// unless it is a CA, which it lists as an authority for the signers under it.
final class SignerCertificateTests: XCTestCase {
    private func certificate(_ name: String) throws -> Certificate {
        let text = try String(contentsOf: ConformancePaths.vectors.appendingPathComponent("keys/\(name)"), encoding: .utf8)
        return try XCTUnwrap(try Certificate.all(pem: text).first)
    }

    func testCertificatesThatAreNoSigners() throws {
        XCTAssertNil(try certificate("TEST-ONLY-es256.crt.pem").signerProblem)
        let ca = try certificate("TEST-ONLY-es256-ca.crt.pem"), agreement = try certificate("TEST-ONLY-es256-no-signing.crt.pem")
        XCTAssertEqual(ca.signerProblem, "it is a CA certificate (basicConstraints cA), which certifies keys and signs nothing else")
        XCTAssertEqual(agreement.signerProblem, "its keyUsage lacks digitalSignature")
        // A CA may be listed (it vouches for the signers that chain to it, docs/TRUST.md §5.5), but as an authority, never as a key.
        var list = try TrustList(header: TrustListSupport.header(), environment: .production, authority: "Bộ Công an")
        try list.add(try TrustListEntry(certificate: ca, issuer: "Cục CSGT", types: ["*"]))
        var listed = TrustStore()
        listed.add(list, source: "trust.cose")
        XCTAssertEqual(listed.authorities.map(\.certificate.keyID), [ca.keyID])
        XCTAssertTrue(listed.anchors(for: ca.keyID).isEmpty)
        assertQRCertError(.trust, "CERT_NOT_SIGNER") { try TrustListEntry(certificate: agreement, issuer: "Cục CSGT", types: ["*"]) }
        for cert in [ca, agreement] {
            var store = TrustStore()
            store.add(cert, source: "ca.crt")
            XCTAssertTrue(RevocationList.Signer.all(root: nil, trust: store, at: 1_800_000_000).isEmpty, "no revocation lists either")
        }
    }
}
