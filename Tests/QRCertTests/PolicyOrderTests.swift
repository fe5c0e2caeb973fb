import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// The verifier's policies run in the order docs/FORMAT.md §5 states, every failure kept, the first shown.
final class PolicyOrderTests: XCTestCase {
    typealias S = TrustListSupport

    /// `Verifier.policies` are the rows 9-13 of the §5 table, in its order, under its names.
    func testPoliciesFollowTheDocumentedOrder() throws {
        let format = try String(contentsOf: ConformancePaths.packageRoot.appendingPathComponent("docs/FORMAT.md"), encoding: .utf8)
        let section = format.components(separatedBy: "## 5.").dropFirst().first?.components(separatedBy: "## 6.").first ?? ""
        var documented: [(Int, String)] = []
        for row in section.split(separator: "\n") {
            guard let match = row.wholeMatch(of: /\| (\d+) \| ([^|:(]+?)(?: \(| policy|:).*/), let step = Int(match.1), step >= 9 else { continue }
            documented.append((step, String(match.2)))
        }
        let verifier = Verifier(trust: TrustStore(), profiles: [])
        let policies = verifier.policies.map { (type(of: $0).step, type(of: $0).name) }
        XCTAssertEqual(documented.map(\.0), [9, 10, 11, 12, 13])
        XCTAssertEqual(policies.map(\.0), documented.map(\.0))
        for ((_, docName), (_, name)) in zip(documented, policies) {
            XCTAssertTrue(name.hasPrefix(docName), "\(name) is not the documented \(docName)")
        }
        // The table says which steps stop and which keep going.
        for row in section.split(separator: "\n") {
            guard let match = row.wholeMatch(of: /\| (\d+) \|.*\| ([^|]+) \|/), let step = Int(match.1) else { continue }
            XCTAssertEqual(match.2.hasPrefix("stop"), step <= 8, "step \(step): \(match.2)")
        }
    }

    /// One payload failing all four policies: content (9), validity (10), key (11), revocation (12), in that order.
    /// On the old verifier they were sorted by stage (key, validity, content, revocation).
    func testEveryPolicyFailureIsKeptInStepOrder() throws {
        let root = try PrivateKey.generate(.es256), key = try PrivateKey.generate(.es256)
        var list = try TrustList(header: S.header(), environment: .production, authority: "Cục CSGT")
        try list.add(try S.entry(key, types: ["vn.tp"]))
        let trust = try S.roundTrip(list, root: root)
        // Issued for real, then a field is appended to the record: the signature is made over the altered claims.
        // Version 1, whose cti is written: a QC2: record that does not decode gives no cti to look up (CTI_MISSING).
        let issued = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1).issue(try S.licence())
        guard case .map(var pairs) = issued.claims.encoded() else { return XCTFail("claims") }
        VectorGenerator.editRecord(&pairs) { $0.append(CBORPair(.int(99), .text("x"))) }
        let payload = try HandSigned.payload(CBOR.map(pairs), key: key)
        var revocations = try RevocationList(header: S.header(), issuer: "Cục CSGT")
        try revocations.set([try RevocationEntry(certificateID: issued.certificateID, status: .revoked,
                                                 since: try XCTUnwrap(CivilDate("2024-03-02")), reason: "court order")])
        var store = TrustStore()
        store.add(trust, source: "trust.cose")
        let opened = try RevocationList.open(try revocations.signed(with: root),
                                             signers: RevocationList.Signer.all(root: root.publicKey, trust: store, at: S.now), source: "r.cose")
        var verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        verifier.lists.revocations = [(opened, "r.cose")]
        let verdict = verifier.verify(payload, at: 2_100_000_000)
        XCTAssertEqual(S.codes(verdict), ["CONTENT_UNKNOWN_FIELD", "CWT_EXPIRED", "KEY_SCOPE", "KEY_EXPIRED", "CTI_REVOKED"])
        XCTAssertEqual(verdict.reason?.code, "CONTENT_UNKNOWN_FIELD")
        XCTAssertFalse(verdict.isValid)

        // What `verify` runs is `policies`, in their order: on the same input, the same failures, and the same findings.
        let decoded = try Payload.decode(payload)
        let claims = try CWTClaims.decode(try CBORDecoder.decode(decoded.cose.payload))
        func input() throws -> PolicyInput {
            var input = PolicyInput(prefix: decoded.prefix, claims: claims, signer: try XCTUnwrap(verdict.anchor),
                                    time: 2_100_000_000, clockSkew: verifier.clockSkew)
            input.keyID = try XCTUnwrap(verdict.keyID)
            return input
        }
        var listed = try input(), direct = try input()
        var byList: [QRCertError] = [], byVerifier: [QRCertError] = []
        for policy in verifier.policies { byList += policy.check(&listed) }
        verifier.runPolicies(&direct, into: &byVerifier)
        XCTAssertEqual(byVerifier, byList)
        XCTAssertEqual(byVerifier, verdict.failures)
        XCTAssertEqual(direct.revocation?.certificateID, listed.revocation?.certificateID)
        XCTAssertNotNil(direct.revocation)
        XCTAssertEqual(direct.claims, listed.claims)

        // A verdict is a value: a changed copy leaves the original as it was.
        var copy = verdict
        copy.failures.removeAll()
        copy.claims = nil
        XCTAssertEqual(S.codes(verdict), ["CONTENT_UNKNOWN_FIELD", "CWT_EXPIRED", "KEY_SCOPE", "KEY_EXPIRED", "CTI_REVOKED"])
        XCTAssertNotNil(verdict.claims)
        XCTAssertTrue(copy.failures.isEmpty)
        XCTAssertNil(copy.issuer)
        XCTAssertEqual(copy.time, verdict.time)
    }

    /// The no-expiry exemption is the record's: a class A1 licence without `exp` whose `iss` fails the content
    /// policy reports that failure only, not also CWT_NO_EXPIRY (the old verifier granted it only when content passed).
    func testNoExpiryExemptionDependsOnTheRecordAlone() throws {
        let key = try PrivateKey.generate(.edDSA)
        var store = TrustStore()
        store.add(key.publicKey, source: "k.pub.pem")
        let verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        let a1 = try S.licence(["class": "A1", "expiry_date": nil])
        let claims = try Issuer(key: key, name: TestFixtures.issuerName, encoding: .version1).claims(for: a1)
        XCTAssertNil(claims.expiresAt)
        guard case .map(var pairs) = claims.encoded() else { return XCTFail("claims") }
        pairs.removeAll { $0.key == .int(CWTClaims.Key.iss) }
        XCTAssertEqual(S.codes(verifier.verify(try HandSigned.payload(.map(pairs), key: key), at: S.now)), ["CWT_NO_ISSUER"])
        // A record that cannot be decoded grants nothing: exp is then required.
        VectorGenerator.editRecord(&pairs) { $0.append(CBORPair(.int(99), .text("x"))) }
        pairs.append(CBORPair(.int(CWTClaims.Key.iss), .text(TestFixtures.issuerName)))
        XCTAssertEqual(S.codes(verifier.verify(try HandSigned.payload(.map(pairs), key: key), at: S.now)),
                       ["CONTENT_UNKNOWN_FIELD", "CWT_NO_EXPIRY"])
    }
}

/// Payloads assembled in the test from a claims map: COSE_Sign1 with `{1: alg, 4: kid}`, signed, zlib, Base45.
enum HandSigned {
    static func payload(_ claims: CBOR, key: PrivateKey, kid: [UInt8]? = nil, prefix: Payload.Prefix = .qrcert,
                        protected extra: [CBORPair] = []) throws -> String {
        var message = CoseSign1(protectedHeader: [CBORPair(.int(1), .int(key.algorithm.rawValue))] + extra
                                    + [CBORPair(.int(4), .bytes(kid ?? key.publicKey.keyID))],
                                payload: CBOREncoder.encode(claims))
        message.signature = try key.sign(message.toBeSigned())
        return Payload.encode(message, prefix: prefix)
    }
}
