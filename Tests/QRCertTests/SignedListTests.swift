@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// The mechanism both kinds of list share: editions (`ListEdition`, `SignedList.renew`), the slot a
/// verifier remembers an edition in, and the memory that only moves up (`AcceptedLists`).
final class SignedListTests: XCTestCase {
    typealias S = TrustListSupport

    private func code(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> (String, String)? {
        do {
            try body()
            XCTFail("no error", file: file, line: line)
            return nil
        } catch let error as QRCertError {
            return (error.code, error.message)
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return nil
        }
    }

    func testNextEditionKeepsPeriodAndGraceUnlessTold() throws {
        let current = ListHeader(sequence: 4, issuedAt: S.now, nextUpdate: S.now + 30 * S.day, grace: 14 * S.day)
        let later = S.now + 10 * S.day
        XCTAssertEqual(try ListEdition().next(after: current, at: later, kind: .trustList),
                       ListHeader(sequence: 5, issuedAt: later, nextUpdate: later + 30 * S.day, grace: 14 * S.day))
        XCTAssertEqual(try ListEdition(sequence: 9, validDays: 7, graceDays: 0).next(after: current, at: later, kind: .revocations),
                       ListHeader(sequence: 9, issuedAt: later, nextUpdate: later + 7 * S.day, grace: 0))
        let reused = code { _ = try ListEdition(sequence: 4).next(after: current, at: later, kind: .revocations) }
        XCTAssertEqual(reused?.0, "LIST_SEQUENCE")
        XCTAssertEqual(reused?.1, "--sequence 4 must be higher than the current revocation list's 4")
        XCTAssertEqual(code { _ = try ListEdition(validDays: 3651).next(after: current, at: later, kind: .trustList) }?.1, "--valid-days must be 1 to 3650")
        XCTAssertEqual(code { _ = try ListEdition(graceDays: 91).next(after: current, at: later, kind: .trustList) }?.1, "--grace-days must be 0 to 90")
    }

    func testFirstEditionTakesDefaultsAndKeepsBounds() throws {
        XCTAssertEqual(try ListEdition().first(at: S.now, validDays: 7, graceDays: 7),
                       ListHeader(sequence: 1, issuedAt: S.now, nextUpdate: S.now + 7 * S.day, grace: 7 * S.day))
        XCTAssertEqual(try ListEdition(sequence: 5, graceDays: 2).first(at: S.now, validDays: 30, graceDays: 14),
                       ListHeader(sequence: 5, issuedAt: S.now, nextUpdate: S.now + 30 * S.day, grace: 2 * S.day))
        XCTAssertEqual(code { _ = try ListEdition().first(at: S.now, sequence: 0, validDays: 30, graceDays: 14) }?.1, "--sequence must be at least 1")
        XCTAssertEqual(code { _ = try ListEdition(validDays: 0).first(at: S.now, validDays: 30, graceDays: 14) }?.0, "USAGE")
    }

    /// One generic edit serves both kinds: renewed, signed and read back, the new edition is what a verifier sees.
    func testRenewSignAndReopenBothKinds() throws {
        let root = try PrivateKey.generate(.edDSA), issuer = try PrivateKey.generate(.es256)
        func renewed<List: SignedList>(_ list: List, signer: any Signer, reopen: ([UInt8]) throws -> List) throws -> List {
            var list = list
            try list.renew(ListEdition(validDays: 10), at: S.now + S.day)
            let reopened = try reopen(try list.signed(with: signer))
            XCTAssertEqual(reopened.header, ListHeader(sequence: 2, issuedAt: S.now + S.day, nextUpdate: S.now + 11 * S.day, grace: 14 * S.day))
            XCTAssertEqual(reopened.signerKeyID, signer.publicKey.keyID)
            XCTAssertEqual(reopened.digest.count, 32)
            return reopened
        }
        var trust = try TrustList(header: S.header(), environment: .test, authority: "Cục Cảnh sát giao thông")
        try trust.add(try S.entry(issuer))
        let trusted = try renewed(trust, signer: root) { try TrustList.open($0, root: root.publicKey, source: "t.cose") }
        XCTAssertEqual(trusted.count, 1)
        XCTAssertEqual(trusted.acceptedSlot, "trust-list:\(Hex.encode(root.publicKey.keyID)):test")

        var revocations = try RevocationList(header: S.header(), issuer: "Phòng CSGT Công an TP. Đà Nẵng")
        try revocations.set([[1, 2, 3, 4, 5, 6, 7, 8]], status: .revoked, since: try XCTUnwrap(CivilDate("2025-06-01")), reason: "court order")
        let byRoot = try renewed(revocations, signer: root) {
            try RevocationList.open($0, signers: [RevocationList.Signer(key: root.publicKey, scope: .all)], source: "r.cose")
        }
        XCTAssertEqual(byRoot.count, 1)
        XCTAssertEqual(byRoot.acceptedSlot, "revocations:root:\(Hex.encode(root.publicKey.keyID))")
        let byIssuer = try renewed(revocations, signer: issuer) {
            try RevocationList.open($0, signers: [RevocationList.Signer(key: issuer.publicKey, scope: .issuer("Sở GTVT Đà Nẵng"))], source: "r.cose")
        }
        XCTAssertEqual(byIssuer.acceptedSlot, "revocations:issuer:Sở GTVT Đà Nẵng", "per issuer: a new key of the issuer does not restart the count")
    }

    func testAcceptedListsOnlyMoveUp() throws {
        func record(_ sequence: UInt64, _ source: String) -> AcceptedLists.Record {
            AcceptedLists.Record(edition: AcceptedList(sequence: sequence, digest: Array(repeating: UInt8(sequence), count: 32)),
                                 source: source, acceptedAt: "2025-06-01T00:00:00Z")
        }
        var mine = AcceptedLists(records: ["a": record(3, "a3"), "b": record(2, "b2")])
        mine.remember(record(3, "again"), in: "a")
        mine.remember(record(1, "older"), in: "b")
        XCTAssertEqual(mine.changed, [], "the same edition or an older one changes nothing")
        mine.remember(record(4, "a4"), in: "a")
        mine.remember(record(1, "c1"), in: "c")
        XCTAssertEqual(mine.changed, ["a", "c"])
        XCTAssertEqual(mine["a"]?.sequence, 4)
        // Another run saved a newer "c" and an "a" older than this run's since this one read the file.
        let theirs = AcceptedLists(records: ["a": record(2, "a2"), "c": record(7, "c7"), "d": record(1, "d1")])
        let merged = mine.merged(into: theirs)
        XCTAssertEqual(merged.records.mapValues(\.source), ["a": "a4", "c": "c7", "d": "d1"])

        let list = try RevocationList(header: S.header(sequence: 5), issuer: "Sở GTVT Đà Nẵng")
        var memory = AcceptedLists()
        memory.remember(list, source: "r.cose", at: S.now)
        XCTAssertEqual(memory.records[list.acceptedSlot], AcceptedLists.Record(edition: AcceptedList(sequence: 5, digest: []), source: "r.cose",
                                                                               acceptedAt: "2025-06-01T00:00:00Z"))
        let older = try RevocationList(header: S.header(sequence: 4), issuer: "Sở GTVT Đà Nẵng")
        XCTAssertEqual(code { _ = try older.accept(at: S.now, remembered: memory[older.acceptedSlot], source: "old.cose") }?.0, "RL_ROLLBACK")
    }

    /// A verifier takes a list's keys and scope only after its signer, environment and edition are accepted.
    func testVerifierUsesListsOnlyAfterTheyAreAccepted() throws {
        let root = try PrivateKey.generate(.edDSA), issuer = try PrivateKey.generate(.es256)
        var trust = try TrustList(header: S.header(sequence: 3), environment: .production, authority: "Cục Cảnh sát giao thông")
        try trust.add(try S.entry(issuer))
        let trustBytes = try trust.signed(with: root)
        var memory = AcceptedLists()
        var verifier = Verifier(trust: TrustStore(), profiles: [])
        XCTAssertEqual(code { _ = try verifier.useTrustList(trustBytes, source: "t.cose", root: root.publicKey, environment: .test,
                                                            at: S.now, memory: &memory) }?.0, "TL_ENVIRONMENT")
        XCTAssertTrue(verifier.trust.keys.isEmpty, "nothing taken from a refused list")
        XCTAssertEqual(try verifier.useTrustList(trustBytes, source: "t.cose", root: root.publicKey, environment: .production,
                                                 at: S.now, memory: &memory), [])
        XCTAssertEqual(verifier.lists.trustList?.header.sequence, 3)
        XCTAssertEqual(verifier.trust.keys.count, 1)

        var revocations = try RevocationList(header: S.header(sequence: 2), issuer: TestFixtures.issuerName)
        let second = try revocations.signed(with: issuer)
        try revocations.renew(ListEdition(), at: S.now)
        XCTAssertEqual(try verifier.useRevocations(try revocations.signed(with: issuer), source: "r3.cose", root: root.publicKey,
                                                   at: S.now, memory: &memory), [])
        XCTAssertEqual(verifier.lists.revocations.first?.list.scope, .issuer(TestFixtures.issuerName))
        XCTAssertEqual(memory.changed, ["trust-list:\(Hex.encode(root.publicKey.keyID)):production", "revocations:issuer:\(TestFixtures.issuerName)"])
        XCTAssertEqual(code { _ = try verifier.useRevocations(second, source: "r2.cose", root: root.publicKey, at: S.now, memory: &memory) }?.0,
                       "RL_ROLLBACK")
        XCTAssertEqual(verifier.lists.revocations.count, 1)
    }
}
