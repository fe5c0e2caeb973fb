import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// The revocation list as a file and an index: entries, lookups, signers, and each way it is refused.
final class RevocationListTests: XCTestCase {
    typealias S = TrustListSupport
    var signer: PrivateKey!

    override func setUpWithError() throws {
        signer = try PrivateKey.generate(.es256)
    }

    private func empty(sequence: UInt64 = 1) throws -> RevocationList {
        try RevocationList(header: S.header(sequence: sequence), issuer: TestFixtures.issuerName)
    }

    private func id(_ n: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: n >> (56 - 8 * UInt64($0))) } }

    private func revoked(_ n: UInt64, reason: String = "court order") throws -> RevocationEntry {
        try RevocationEntry(certificateID: id(n), status: .revoked, since: try XCTUnwrap(CivilDate("2025-06-01")), reason: reason)
    }

    private func open(_ bytes: [UInt8], scope: RevocationList.Scope = .all) throws(QRCertError) -> RevocationList {
        try RevocationList.open(bytes, signers: [RevocationList.Signer(key: signer.publicKey, scope: scope)], source: "r.cose")
    }

    // MARK: - Entries and lookups

    func testEntryValidation() throws {
        let day = try XCTUnwrap(CivilDate("2025-06-01"))
        assertQRCertError(.revocation, "RL_BAD_ENTRY", message: "certificate id 01020304 must be 8 bytes (16 hex digits)") {
            try RevocationEntry(certificateID: [1, 2, 3, 4], status: .revoked, since: day, reason: "x")
        }
        assertQRCertError(.revocation, "RL_BAD_ENTRY", message: "0000000000000001: suspended until 2025-05-31, before it starts on 2025-06-01") {
            try RevocationEntry(certificateID: id(1), status: .suspended(until: try XCTUnwrap(CivilDate("2025-05-31"))), since: day, reason: "x")
        }
        assertQRCertError(.revocation, "RL_BAD_ENTRY") { try RevocationEntry(certificateID: id(1), status: .revoked, since: day, reason: " ") }
        assertQRCertError(.revocation, "RL_BAD_ENTRY") { try RevocationEntry(certificateID: id(1), status: .revoked, since: day, reason: "a\nb") }
        assertQRCertError(.revocation, "RL_BAD_ENTRY") { try RevocationEntry(certificateID: id(1), status: .revoked, since: day, reason: "a\rb") }
        assertQRCertError(.revocation, "RL_BAD_ENTRY", message: "0000000000000001: date 1969-12-31 is before 1970") {
            try RevocationEntry(certificateID: id(1), status: .revoked, since: try XCTUnwrap(CivilDate("1969-12-31")), reason: "x")
        }
    }

    /// A suspension from 2025-06-01 to 2025-08-31 at +07:00 covers 2025-05-31T17:00:00Z to 2025-08-31T17:00:00Z.
    func testInForceBoundaries() throws {
        let since = try XCTUnwrap(CivilDate("2025-06-01")), until = try XCTUnwrap(CivilDate("2025-08-31"))
        let suspended = try RevocationEntry(certificateID: id(1), status: .suspended(until: until), since: since, reason: "hết điểm")
        let start: Int64 = 1_748_710_800, end: Int64 = 1_756_659_600
        XCTAssertFalse(suspended.inForce(at: start - 1, utcOffset: 25_200))
        XCTAssertTrue(suspended.inForce(at: start, utcOffset: 25_200))
        XCTAssertTrue(suspended.inForce(at: end - 1, utcOffset: 25_200))
        XCTAssertFalse(suspended.inForce(at: end, utcOffset: 25_200))
        let revoked = try RevocationEntry(certificateID: id(1), status: .revoked, since: since, reason: "court order")
        XCTAssertFalse(revoked.inForce(at: start - 1, utcOffset: 25_200))
        XCTAssertTrue(revoked.inForce(at: start, utcOffset: 25_200))
        XCTAssertTrue(revoked.inForce(at: 4_102_444_800, utcOffset: 25_200), "2100: revoked for good")
    }

    func testSetLookupReplaceAndLift() throws {
        var list = try empty()
        // Ids in a scrambled order, with a repeat: a later entry for the same id wins.
        var numbers = (1...2_000).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        numbers.shuffle()
        try list.set(try numbers.map { try revoked($0) })
        XCTAssertEqual(list.count, 2_000)
        for n in numbers { XCTAssertEqual(list.entry(for: id(n))?.certificateID, id(n)) }
        XCTAssertNil(list.entry(for: id(12345)))
        XCTAssertNil(list.entry(for: [1, 2, 3]), "not 8 bytes: never listed")
        let until = try XCTUnwrap(CivilDate("2025-12-31"))
        let suspension = try RevocationEntry(certificateID: id(numbers[0]), status: .suspended(until: until),
                                             since: try XCTUnwrap(CivilDate("2025-07-01")), reason: "trừ hết điểm")
        try list.set([try revoked(numbers[0], reason: "first"), suspension, try revoked(7, reason: "new")])
        XCTAssertEqual(list.count, 2_001)
        XCTAssertEqual(list.entry(for: id(numbers[0])), suspension)
        XCTAssertEqual(list.entry(for: id(7))?.reason, "new")
        XCTAssertEqual(list.reasons, ["court order", "first", "trừ hết điểm", "new"])
        XCTAssertTrue(list.lift(id(7)))
        XCTAssertFalse(list.lift(id(7)))
        XCTAssertNil(list.entry(for: id(7)))
        XCTAssertEqual(list.count, 2_000)
        XCTAssertEqual(list.entries.map(\.certificateID), numbers.sorted().map(id))
    }

    func testBulkSetChecksOnce() throws {
        var list = try empty()
        let since = try XCTUnwrap(CivilDate("2025-06-01"))
        try list.set((1...1_000).map { id(UInt64($0)) }, status: .revoked, since: since, reason: "  quyết định 117/QĐ  ")
        XCTAssertEqual(list.count, 1_000)
        XCTAssertEqual(list.reasons, ["quyết định 117/QĐ"])
        XCTAssertEqual(list.entry(for: id(500)), try revoked(500, reason: "quyết định 117/QĐ"))
        assertQRCertError(.revocation, "RL_BAD_ENTRY", message: "certificate id 0102 must be 8 bytes (16 hex digits)") {
            try list.set([id(1), [1, 2]], status: .revoked, since: since, reason: "x")
        }
        assertQRCertError(.revocation, "RL_BAD_ENTRY") { try list.set([id(1)], status: .revoked, since: since, reason: "") }
        try list.set([], status: .revoked, since: since, reason: "")
        XCTAssertEqual(list.count, 1_000)
    }

    func testReasonLimit() throws {
        var list = try empty()
        try list.set(try (0..<256).map { try revoked(UInt64($0), reason: "reason \($0)") })
        XCTAssertEqual(list.reasons.count, 256)
        assertQRCertError(.revocation, "RL_TOO_MANY_REASONS") { try list.set([try revoked(999, reason: "one more")]) }
        try list.set([try revoked(999, reason: "reason 3")])
        XCTAssertEqual(list.entry(for: id(999))?.reason, "reason 3")
    }

    // MARK: - File

    func testRoundTripAndWireFormat() throws {
        var list = try empty(sequence: 4)
        let until = try XCTUnwrap(CivilDate("2025-08-31"))
        try list.set([try revoked(0x0102_0304_0506_0708),
                      try RevocationEntry(certificateID: id(0x00FF), status: .suspended(until: until),
                                          since: try XCTUnwrap(CivilDate("2025-06-01")), reason: "trừ hết 12 điểm")])
        let bytes = try list.signed(with: signer)
        let read = try open(bytes, scope: .issuer(TestFixtures.issuerName))
        XCTAssertEqual(read.header, S.header(sequence: 4))
        XCTAssertEqual(read.issuer, TestFixtures.issuerName)
        XCTAssertEqual(read.utcOffset, 25_200)
        XCTAssertEqual(read.scope, .issuer(TestFixtures.issuerName))
        XCTAssertEqual(read.signerKeyID, signer.publicKey.keyID)
        XCTAssertEqual(read.digest, Digest.sha256(bytes))
        XCTAssertEqual(read.entries, list.entries)

        let cose = try CoseSign1.decode(bytes)
        XCTAssertEqual(cose.protectedHeader.first { $0.key == .int(3) }?.value, .text("application/vnd.qrcert.revocations+cbor"))
        let body = try CBORDecoder.decode(cose.payload)
        XCTAssertEqual(body[8], .array([.text("court order"), .text("trừ hết 12 điểm")]))
        // 2025-06-01 is day 20240 (0x4F10), 2025-08-31 day 20331 (0x4F6B); entries sorted by id.
        XCTAssertEqual(body[9], .bytes([0, 0, 0, 0, 0, 0, 0, 0xFF, 2, 1, 0, 0, 0x4F, 0x10, 0, 0, 0x4F, 0x6B,
                                       1, 2, 3, 4, 5, 6, 7, 8, 1, 0, 0, 0, 0x4F, 0x10, 0, 0, 0, 0]))
    }

    func testSignerAndTampering() throws {
        var list = try empty()
        try list.set([try revoked(1)])
        let bytes = try list.signed(with: signer)
        let other = try PrivateKey.generate(.es256)
        assertQRCertError(.revocation, "RL_WRONG_SIGNER") {
            try RevocationList.open(bytes, signers: [RevocationList.Signer(key: other.publicKey, scope: .all)], source: "r.cose")
        }
        var codes: Set<String> = []
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x80
            do {
                _ = try open(changed)
                XCTFail("byte \(index) changed and the list was accepted")
            } catch {
                codes.insert(error.code)
                XCTAssertEqual(error.stage, .revocation)
            }
        }
        XCTAssertTrue(codes.isSubset(of: ["RL_SIG_INVALID", "RL_BAD_FILE", "RL_WRONG_SIGNER", "RL_WRONG_KIND"]), "\(codes)")
        XCTAssertTrue(codes.contains("RL_SIG_INVALID"))
        let trustList = try TrustList(header: S.header(), environment: .production, authority: "Cục Đường bộ Việt Nam").signed(with: signer)
        assertQRCertError(.revocation, "RL_WRONG_KIND", message: "t.cose is not a revocation list: it is a trust list") {
            try RevocationList.open(trustList, signers: [RevocationList.Signer(key: signer.publicKey, scope: .all)], source: "t.cose")
        }
        XCTAssertEqual(try RevocationList.openUnverified(bytes, source: "r.cose").count, 1)
        assertQRCertError(.revocation, "RL_BAD_FILE", message: "r.cose is not a qrcert revocation list: no content type in the protected header") {
            let bare = CoseSign1(protectedHeader: [CBORPair(.int(1), .int(-7))], payload: [0xA0], signature: [0])
            return try open(bare.encoded())
        }
    }

    /// Bodies the signer did sign but that break the entry format: each is refused with RL_BAD_CONTENT.
    func testSignedButMalformedEntries() throws {
        var list = try empty()
        try list.set([try revoked(1), try revoked(2)])
        let good = try CBORDecoder.decode(try CoseSign1.decode(try list.signed(with: signer)).payload)
        guard case .map(let pairs) = good, case .bytes(let wire)? = good[9] else { return XCTFail("unexpected body shape") }
        func with(_ entries: [UInt8], reasons: [CBOR] = [.text("court order")]) -> CBOR {
            .map(pairs.filter { $0.key != .int(9) && $0.key != .int(8) } + [CBORPair(.int(8), .array(reasons)), CBORPair(.int(9), .bytes(entries))])
        }
        let swapped = Array(wire[18...]) + Array(wire[..<18])
        var badStatus = wire; badStatus[8] = 3
        var badReason = wire; badReason[9] = 1
        var revokedWithEnd = wire; revokedWithEnd[17] = 1
        var suspendedBackwards = wire; suspendedBackwards[8] = 2
        let cases: [(CBOR, String)] = [
            (with(Array(wire.dropLast())), "r.cose: entries are 35 bytes, not a multiple of 18"),
            (with(swapped), "r.cose: entry 2 is not in ascending certificate id order (or repeats one)"),
            (with(Array(wire[..<18]) + Array(wire[..<18])), "r.cose: entry 2 is not in ascending certificate id order (or repeats one)"),
            (with(badStatus), "r.cose: entry 1 has status 3, not 1 (revoked) or 2 (suspended)"),
            (with(badReason), "r.cose: entry 1 points to reason 1 of 1"),
            (with(revokedWithEnd), "r.cose: entry 1 is revoked but has an end date"),
            (with(suspendedBackwards), "r.cose: entry 1 is suspended until before it starts"),
            (with(wire, reasons: [.int(1)]), "r.cose: reasons must be text"),
            (with(wire, reasons: [.text("court\u{1B}[2J order")]), "r.cose: reason 1 is not 1 to 200 bytes of text on one line"),
            (.map(pairs + [CBORPair(.int(10), .null)]), "r.cose: unknown field 10"),
        ]
        for (body, message) in cases {
            let bytes = try ListEnvelope.sign(body, kind: .revocations, key: signer)
            assertQRCertError(.revocation, "RL_BAD_CONTENT", message: message) { try open(bytes) }
        }
    }

    // MARK: - Signers

    func testSignersFromRootAndTrustList() throws {
        let root = try PrivateKey.generate(.es256)
        let active = try PrivateKey.generate(.es256), removed = try PrivateKey.generate(.es256), expired = try PrivateKey.generate(.es256)
        var trust = try TrustList(header: S.header(), environment: .production, authority: "Cục Đường bộ Việt Nam")
        try trust.add(try S.entry(active))
        try trust.add(try S.entry(removed))
        try trust.remove(keyID: removed.publicKey.keyID, at: S.now, reason: "stolen")
        try trust.add(try S.entry(expired, issuer: "Sở GTVT Huế", notBefore: 0, notAfter: S.now))
        var store = TrustStore()
        store.add(trust, source: "trust.cose")
        let direct = try PrivateKey.generate(.es256)
        store.add(direct.publicKey, source: "direct.pub.pem")
        let signers = RevocationList.Signer.all(root: root.publicKey, trust: store, at: S.now)
        XCTAssertEqual(signers.map { $0.key.keyID }, [root, active, direct].map { $0.publicKey.keyID })
        XCTAssertEqual(signers.map(\.scope), [.all, .issuer(TestFixtures.issuerName), .key(direct.publicKey.keyID)])

        var list = try empty()
        try list.set([try revoked(1)])
        assertQRCertError(.revocation, "RL_WRONG_SIGNER") {
            try RevocationList.open(try list.signed(with: removed), signers: signers, source: "r.cose")
        }
        assertQRCertError(.revocation, "RL_WRONG_SIGNER") {
            try RevocationList.open(try list.signed(with: expired), signers: signers, source: "r.cose")
        }
        XCTAssertEqual(try RevocationList.open(try list.signed(with: active), signers: signers, source: "r.cose").scope, .issuer(TestFixtures.issuerName))
        XCTAssertEqual(try RevocationList.open(try list.signed(with: root), signers: signers, source: "r.cose").scope, .all)
    }
}
