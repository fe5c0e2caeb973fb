import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// The trust list as a file: what it holds, who may have signed it, and each way it is refused.
final class TrustListTests: XCTestCase {
    typealias S = TrustListSupport
    var root: PrivateKey!
    var issuerKey: PrivateKey!

    override func setUpWithError() throws {
        root = try PrivateKey.generate(.es256)
        issuerKey = try PrivateKey.generate(.es256)
    }

    private func list(_ entries: [TrustListEntry] = [], sequence: UInt64 = 1, environment: TrustList.Environment = .production) throws -> TrustList {
        var list = try TrustList(header: S.header(sequence: sequence), environment: environment, authority: "Cục Đường bộ Việt Nam")
        for entry in entries { try list.add(entry) }
        return list
    }

    // MARK: - Round trip and format

    func testRoundTripKeepsEveryField() throws {
        var original = try list([try S.entry(issuerKey, types: ["vn.dl", "vn.tp"])], sequence: 7, environment: .test)
        let second = try PrivateKey.generate(.edDSA)
        try original.add(try S.entry(second, types: ["*"], issuer: "Sở Xây dựng Đà Nẵng"))
        try original.retire(keyID: issuerKey.publicKey.keyID, at: S.now, end: S.now + 365 * S.day)
        let third = try PrivateKey.generate(.es256)
        try original.add(try S.entry(third))
        try original.remove(keyID: third.publicKey.keyID, at: S.now + 1, reason: "khóa bị lộ")

        let bytes = try original.signed(with: root)
        let read = try TrustList.open(bytes, root: root.publicKey, source: "t.cose")
        XCTAssertEqual(read.header, S.header(sequence: 7))
        XCTAssertEqual(read.environment, .test)
        XCTAssertEqual(read.authority, "Cục Đường bộ Việt Nam")
        XCTAssertEqual(read.signerKeyID, root.publicKey.keyID)
        XCTAssertEqual(read.digest, Digest.sha256(bytes))
        XCTAssertEqual(read.entries.map(\.keyID), [issuerKey.publicKey.keyID, second.publicKey.keyID, third.publicKey.keyID])
        XCTAssertEqual(read.entries.map(\.issuer), [TestFixtures.issuerName, "Sở Xây dựng Đà Nẵng", TestFixtures.issuerName])
        XCTAssertEqual(read.entries.map(\.types), [["vn.dl", "vn.tp"], ["*"], ["vn.dl"]])
        XCTAssertEqual(read.entries.map(\.status), [.retired(at: S.now), .active, .removed(at: S.now + 1, reason: "khóa bị lộ")])
        XCTAssertEqual(read.entries.map(\.notAfter), [S.now + 365 * S.day, 2_051_222_400, 2_051_222_400])
        XCTAssertEqual(read.entries.map { $0.key.spkiDER }, [issuerKey, second, third].map { $0.publicKey.spkiDER })
        // Re-signing what was read gives the same body: the encoding is deterministic.
        XCTAssertEqual(CBOREncoder.encode(read.body()), CBOREncoder.encode(original.body()))
    }

    func testEnvelopeIsTaggedCoseSign1WithContentTypeAndRootKid() throws {
        let bytes = try list().signed(with: root)
        let cose = try CoseSign1.decode(bytes)
        XCTAssertEqual(cose.tags, [18])
        XCTAssertEqual(cose.protectedAlgorithm, .int(-7))
        XCTAssertEqual(cose.protectedKeyID, .bytes(root.publicKey.keyID))
        XCTAssertEqual(cose.protectedHeader.first { $0.key == .int(3) }?.value, .text("application/vnd.qrcert.trust-list+cbor"))
        XCTAssertTrue(cose.unprotectedHeader.isEmpty)
        // Body: {1: 1, 2: 1, 3: now, 4: now + 30 d, 5: 14 d, 6: "production", 7: authority, 8: []}, keys in order.
        let body = try CBORDecoder.decode(cose.payload, options: CBORDecoder.Options(requirePreferredEncoding: true))
        XCTAssertEqual(body, .map([CBORPair(.int(1), .int(1)), CBORPair(.int(2), .int(1)), CBORPair(.int(3), .int(S.now)),
                                   CBORPair(.int(4), .int(S.now + 30 * S.day)), CBORPair(.int(5), .int(14 * S.day)),
                                   CBORPair(.int(6), .text("production")), CBORPair(.int(7), .text("Cục Đường bộ Việt Nam")),
                                   CBORPair(.int(8), .array([]))]))
    }

    func testEntryKeysAndCertificate() throws {
        let entry = try S.entry(issuerKey)
        guard case .map(let pairs) = entry.cbor() else { return XCTFail("entry is not a map") }
        XCTAssertEqual(pairs.map { $0.key.int64 }, [1, 2, 3, 5, 6, 7, 8])
        XCTAssertEqual(pairs[2].value, .bytes(issuerKey.publicKey.spkiDER))
        XCTAssertEqual(pairs[6].value, .int(0))

        // A signer certificate from the EU DCC suite: kid of the certificate, window from it unless narrowed.
        let certificate = try XCTUnwrap(try Self.conformanceCertificate())
        let fromCertificate = try TrustListEntry(certificate: certificate, issuer: "DCC test signer", types: ["*"])
        XCTAssertEqual(fromCertificate.keyID, certificate.keyID)
        XCTAssertEqual(fromCertificate.notBefore, certificate.notBefore)
        XCTAssertEqual(fromCertificate.notAfter, certificate.notAfter)
        XCTAssertTrue(fromCertificate.allows(nil), "* covers foreign payloads")
        var withCertificate = try list()
        try withCertificate.add(fromCertificate)
        let read = try S.roundTrip(withCertificate, root: root)
        XCTAssertEqual(read.entries.first?.certificate?.derBytes, certificate.derBytes)
        XCTAssertEqual(read.entries.first?.keyID, certificate.keyID)
    }

    /// The first DCC signer certificate (base64 DER) that parses, in path order, from ../shared/conformance.
    static func conformanceCertificate() throws -> Certificate? {
        let folder = TestFixtures.root.deletingLastPathComponent().appendingPathComponent("shared/conformance")
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return nil }
        let files = walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        for url in files {
            guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
                  let testContext = object["TESTCTX"] as? [String: Any], let text = testContext["CERTIFICATE"] as? String,
                  let der = Data(base64Encoded: text) else { continue }
            // Some cases carry a deliberately broken certificate: skip to the next.
            if let certificate = try? Certificate.der([UInt8](der)) { return certificate }
        }
        return nil
    }

    // MARK: - Refusals when opening

    func testAnotherRootIsRefused() throws {
        let bytes = try list([try S.entry(issuerKey)]).signed(with: root)
        let other = try PrivateKey.generate(.es256)
        assertQRCertError(.trust, "TL_WRONG_ROOT",
                          message: "t.cose is signed by key \(Hex.encode(root.publicKey.keyID)), not by the root \(Hex.encode(other.publicKey.keyID))") {
            try TrustList.open(bytes, root: other.publicKey, source: "t.cose")
        }
        // Another root claiming this root's kid: the signature decides.
        var forged = try CoseSign1.decode(try list([try S.entry(issuerKey)]).signed(with: other))
        forged.protectedHeader = forged.protectedHeader.map { $0.key == .int(4) ? CBORPair(.int(4), .bytes(root.publicKey.keyID)) : $0 }
        forged.protectedBytes = CBOREncoder.encode(.map(forged.protectedHeader))
        assertQRCertError(.trust, "TL_SIG_INVALID") { try TrustList.open(forged.encoded(), root: root.publicKey, source: "t.cose") }
    }

    func testEveryChangedByteIsRefused() throws {
        let bytes = try list([try S.entry(issuerKey)]).signed(with: root)
        let accepted = ["TL_SIG_INVALID", "TL_BAD_FILE", "TL_WRONG_ROOT", "TL_WRONG_KIND"]
        var codes: [String: Int] = [:]
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x01
            do {
                _ = try TrustList.open(changed, root: root.publicKey, source: "t.cose")
                XCTFail("byte \(index) changed and the list was accepted")
            } catch {
                XCTAssertTrue(accepted.contains(error.code), "byte \(index): \(error)")
                codes[error.code, default: 0] += 1
            }
        }
        // Most bytes are the signed body and the signature: those fail the signature check.
        XCTAssertGreaterThan(codes["TL_SIG_INVALID", default: 0], bytes.count / 2, "\(codes)")
    }

    func testMalformedFiles() throws {
        assertQRCertError(.trust, "TL_BAD_FILE") { try TrustList.open([], root: root.publicKey, source: "t.cose") }
        assertQRCertError(.trust, "TL_BAD_FILE") { try TrustList.open(Array("-----BEGIN PUBLIC KEY-----".utf8), root: root.publicKey, source: "t.cose") }
        var untagged = try CoseSign1.decode(try list().signed(with: root))
        untagged.tags = []
        assertQRCertError(.trust, "TL_BAD_FILE", message: "t.cose is not a qrcert trust list: expected a COSE_Sign1 tagged 18") {
            try TrustList.open(untagged.encoded(), root: root.publicKey, source: "t.cose")
        }
        assertQRCertError(.trust, "TL_TOO_LARGE", message: "t.cose is 16777217 bytes, more than the 16 MiB a trust list may be") {
            try TrustList.open([UInt8](repeating: 0, count: 16 << 20 + 1), root: root.publicKey, source: "t.cose")
        }
        let revocations = try RevocationList(header: S.header(), issuer: TestFixtures.issuerName).signed(with: root)
        assertQRCertError(.trust, "TL_WRONG_KIND", message: "r.cose is not a trust list: it is a revocation list") {
            try TrustList.open(revocations, root: root.publicKey, source: "r.cose")
        }
    }

    /// Bodies the root did sign but that break the format: each is refused with TL_BAD_CONTENT.
    func testSignedButMalformedBodies() throws {
        let good = try list([try S.entry(issuerKey)]).body()
        guard case .map(let pairs) = good, case .array(let entries)? = good[8], case .map(let entry) = entries[0] else {
            return XCTFail("unexpected body shape")
        }
        func replacing(_ pairs: [CBORPair], _ key: Int64, _ value: CBOR?) -> [CBORPair] {
            var out = pairs.filter { $0.key != .int(key) }
            if let value { out.append(CBORPair(.int(key), value)) }
            return out
        }
        let otherKid = try PrivateKey.generate(.es256).publicKey.keyID
        let cases: [(String, CBOR, String)] = [
            ("version 2", .map(replacing(pairs, 1, .int(2))), "t.cose: format version 2 is not supported (this qrcert reads 1)"),
            ("sequence 0", .map(replacing(pairs, 2, .int(0))), "t.cose: sequence must be at least 1"),
            ("next update first", .map(replacing(pairs, 4, .int(S.now))), "t.cose: next update must come after the issue time"),
            ("unknown field", .map(pairs + [CBORPair(.int(9), .null)]), "t.cose: unknown field 9"),
            ("no environment", .map(replacing(pairs, 6, nil)), "t.cose: environment is missing"),
            ("staging", .map(replacing(pairs, 6, .text("staging"))), "t.cose: environment must be production or test"),
            ("aliased kid", .map(replacing(pairs, 8, .array([.map(replacing(entry, 1, .bytes(otherKid)))]))),
             "t.cose: key 1: kid \(Hex.encode(otherKid)) is not the key's own \(Hex.encode(issuerKey.publicKey.keyID))"),
            ("listed twice", .map(replacing(pairs, 8, .array([entries[0], entries[0]]))),
             "t.cose: key \(Hex.encode(issuerKey.publicKey.keyID)) is listed twice"),
            ("no types", .map(replacing(pairs, 8, .array([.map(replacing(entry, 5, .array([])))]))),
             "t.cose: key 1: key \(Hex.encode(issuerKey.publicKey.keyID)): no credential types"),
            ("status 3", .map(replacing(pairs, 8, .array([.map(replacing(entry, 8, .int(3)))]))),
             "t.cose: key 1: status 3 is not 0 (active), 1 (retired) or 2 (removed)"),
            ("removed without reason", .map(replacing(pairs, 8, .array([.map(replacing(replacing(entry, 8, .int(2)), 9, .int(S.now)))]))),
             "t.cose: key 1: reason is missing"),
            ("reason with an escape", .map(replacing(pairs, 8, .array([.map(replacing(replacing(replacing(entry, 8, .int(2)), 9, .int(S.now)), 10, .text("x\u{1B}[2J")))]))),
             "t.cose: key 1: reason is not 1 to 200 bytes of text on one line"),
            ("key and certificate", .map(replacing(pairs, 8, .array([.map(replacing(entry, 4, .bytes([1, 2])))]))),
             "t.cose: key 1: must hold exactly one of a public key (3) and a certificate (4)"),
        ]
        for (name, body, message) in cases {
            let bytes = try ListEnvelope.sign(body, kind: .trustList, key: root)
            assertQRCertError(.trust, "TL_BAD_CONTENT", message: message) { try TrustList.open(bytes, root: root.publicKey, source: "t.cose") }
            _ = name
        }
    }

    // MARK: - Acceptance: sequence and dates

    func testAcceptance() throws {
        let header = S.header(sequence: 5)
        let digest = Array(repeating: UInt8(7), count: 32)
        func accept(at time: Int64, _ remembered: AcceptedList?, digest: [UInt8] = digest) throws(QRCertError) -> [QRCertError] {
            try header.accept(.trustList, digest: digest, at: time, remembered: remembered, source: "t.cose")
        }
        XCTAssertEqual(try accept(at: S.now, nil), [])
        XCTAssertEqual(try accept(at: S.now, AcceptedList(sequence: 4, digest: [])), [])
        XCTAssertEqual(try accept(at: S.now, AcceptedList(sequence: 5, digest: digest)), [], "the same edition again")
        assertQRCertError(.trust, "TL_ROLLBACK", message: "t.cose is trust list #5, older than #6 already accepted on this computer") {
            try accept(at: S.now, AcceptedList(sequence: 6, digest: []))
        }
        assertQRCertError(.trust, "TL_SEQUENCE_REUSED", message: "t.cose is trust list #5 but differs from the #5 already accepted on this computer") {
            try accept(at: S.now, AcceptedList(sequence: 5, digest: Array(repeating: 8, count: 32)))
        }
        // Next update 2025-07-01, grace 14 days: stale from then, refused from 2025-07-15.
        XCTAssertEqual(header.freshness(at: S.now + 30 * S.day - 1), .current)
        XCTAssertEqual(header.freshness(at: S.now + 30 * S.day), .stale)
        XCTAssertEqual(header.freshness(at: S.now + 44 * S.day - 1), .stale)
        XCTAssertEqual(header.freshness(at: S.now + 44 * S.day), .expired)
        let stale = try accept(at: S.now + 30 * S.day, nil)
        XCTAssertEqual(stale.map(\.code), ["TL_STALE"])
        XCTAssertEqual(stale.first?.message,
                       "TRUST LIST t.cose (#5) IS OUT OF DATE: its next update was due 2025-07-01T00:00:00Z; it stops working at 2025-07-15T00:00:00Z")
        assertQRCertError(.trust, "TL_EXPIRED",
                          message: "t.cose (trust list #5) expired at 2025-07-15T00:00:00Z: next update was due 2025-07-01T00:00:00Z and the grace period of 14 day(s) is over") {
            try accept(at: S.now + 44 * S.day, nil)
        }
        // A list from the future (a laptop whose clock is behind) is used, with a warning naming the clock.
        XCTAssertEqual(try accept(at: S.now - 2 * S.day, nil).map(\.code), ["TL_CLOCK"])
        XCTAssertEqual(try accept(at: S.now - S.day, nil).map(\.code), [])
        // The same checks for a revocation list carry its own codes and stage.
        assertQRCertError(.revocation, "RL_ROLLBACK") {
            try header.accept(.revocations, digest: digest, at: S.now, remembered: AcceptedList(sequence: 9, digest: []), source: "r.cose")
        }
        assertQRCertError(.revocation, "RL_EXPIRED") {
            try header.accept(.revocations, digest: digest, at: S.now + 50 * S.day, remembered: nil, source: "r.cose")
        }
        assertQRCertError(.revocation, "RL_SEQUENCE_REUSED") {
            try header.accept(.revocations, digest: digest, at: S.now, remembered: AcceptedList(sequence: 5, digest: []), source: "r.cose")
        }
        let revocationWarnings = try header.accept(.revocations, digest: digest, at: S.now + 30 * S.day, remembered: nil, source: "r.cose")
        XCTAssertEqual(revocationWarnings.map(\.code), ["RL_STALE"])
        XCTAssertEqual(revocationWarnings.map(\.stage), [.revocation])
        XCTAssertEqual(try header.accept(.revocations, digest: digest, at: S.now - 2 * S.day, remembered: nil, source: "r.cose").map(\.code), ["RL_CLOCK"])
    }

    // MARK: - Editing

    func testEditingRules() throws {
        var edited = try list([try S.entry(issuerKey)])
        let kid = issuerKey.publicKey.keyID
        assertQRCertError(.trust, "TL_KEY_EXISTS", message: "key \(Hex.encode(kid)) is already in the trust list (Sở GTVT Đà Nẵng, active)") {
            try edited.add(try S.entry(issuerKey, types: ["vn.tp"]))
        }
        let unknown = try PrivateKey.generate(.es256).publicKey.keyID
        assertQRCertError(.trust, "TL_KEY_NOT_FOUND", message: "no key \(Hex.encode(unknown)) in the trust list") {
            try edited.retire(keyID: unknown, at: S.now, end: S.now + S.day)
        }
        assertQRCertError(.trust, "TL_BAD_WINDOW") { try edited.retire(keyID: kid, at: S.now, end: 1_000) }
        try edited.retire(keyID: kid, at: S.now, end: S.now + 90 * S.day)
        XCTAssertEqual(edited.entry(for: kid)?.status, .retired(at: S.now))
        XCTAssertEqual(edited.entry(for: kid)?.notAfter, S.now + 90 * S.day)
        try edited.remove(keyID: kid, at: S.now + S.day, reason: "  private key stolen  ")
        XCTAssertEqual(edited.entry(for: kid)?.status, .removed(at: S.now + S.day, reason: "private key stolen"))
        assertQRCertError(.trust, "TL_KEY_STATE", message: "key \(Hex.encode(kid)) is already removed") {
            try edited.remove(keyID: kid, at: S.now, reason: "again")
        }
        assertQRCertError(.trust, "TL_KEY_STATE", message: "key \(Hex.encode(kid)) was removed; it cannot be retired") {
            try edited.retire(keyID: kid, at: S.now, end: S.now + S.day)
        }
        // A compromised key never comes back, even under another issuer name.
        assertQRCertError(.trust, "TL_KEY_EXISTS") { try edited.add(try S.entry(issuerKey, issuer: "Sở GTVT Huế")) }
    }

    func testEntryValidation() throws {
        assertQRCertError(.trust, "TL_BAD_WINDOW") { try S.entry(issuerKey, notBefore: S.now, notAfter: S.now) }
        assertQRCertError(.trust, "TL_BAD_TYPES") { try S.entry(issuerKey, types: []) }
        assertQRCertError(.trust, "TL_BAD_TYPES") { try S.entry(issuerKey, types: ["vn.dl", "vn.dl"]) }
        assertQRCertError(.trust, "TL_BAD_TYPES") { try S.entry(issuerKey, types: ["vn.dl,vn.tp"]) }
        assertQRCertError(.trust, "TL_BAD_TYPES") { try S.entry(issuerKey, types: [String(repeating: "x", count: 33)]) }
        assertQRCertError(.trust, "TL_BAD_NAME") { try S.entry(issuerKey, issuer: "  ") }
        assertQRCertError(.trust, "TL_BAD_NAME") { try TrustList(header: S.header(), environment: .test, authority: String(repeating: "á", count: 101)) }
        let entry = try S.entry(issuerKey, types: ["vn.dl", "vn.tp"])
        XCTAssertTrue(entry.allows("vn.dl"))
        XCTAssertTrue(entry.allows("vn.tp"))
        XCTAssertFalse(entry.allows("vn.cp"))
        XCTAssertFalse(entry.allows(nil))
    }
}
