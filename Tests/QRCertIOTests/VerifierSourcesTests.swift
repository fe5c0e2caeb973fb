import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import QRCertIO
import XCTest

/// `VerifierSources.load(now:)`: the verifier `verify` builds from its options, each list's status, the
/// warnings in `verify`'s words, and a reload that takes a new edition and refuses an older one.
final class VerifierSourcesTests: XCTestCase {
    /// 2025-06-01T00:00:00Z.
    static let now: Int64 = 1_748_736_000
    static let day: Int64 = 86_400

    /// A trust list of the vector's key (Fixtures/keys/TEST-ONLY-ed25519), signed by the ES256 test key as root.
    static func trustList(sequence: UInt64, issuedAt: Int64 = now - day, environment: TrustList.Environment = .production) throws -> [UInt8] {
        let header = ListHeader(sequence: sequence, issuedAt: issuedAt, nextUpdate: issuedAt + 30 * day, grace: 14 * day)
        var list = try TrustList(header: header, environment: environment, authority: "Cục Cảnh sát giao thông")
        let key = try PublicKey.pem(String(decoding: try Data(contentsOf: URL(fileURLWithPath: IOFixtures.path("keys/TEST-ONLY-ed25519.pub.pem"))), as: UTF8.self))
        try list.add(try TrustListEntry(key: key, issuer: "Sở GTVT Đà Nẵng", types: ["vn.dl"], notBefore: 1_577_836_800, notAfter: 2_051_222_400))
        let root = try PrivateKey.pem(String(decoding: try Data(contentsOf: URL(fileURLWithPath: IOFixtures.path("keys/TEST-ONLY-es256.key.pem"))), as: UTF8.self),
                                      passphrase: nil)
        return try list.signed(with: root)
    }

    func testTrustListGivesKeysStatusAndState() throws {
        let folder = try IOFixtures.folder("sources")
        defer { try? FileManager.default.removeItem(at: folder) }
        let list = folder.appendingPathComponent("trust.cose").path, state = folder.appendingPathComponent("state/accepted.json").path
        try Data(try Self.trustList(sequence: 3)).write(to: URL(fileURLWithPath: list))
        let sources = VerifierSources(trustList: list, root: IOFixtures.path("keys/TEST-ONLY-es256.pub.pem"), state: state)
        let setup = sources.load(now: Self.now)
        let verifier = try setup.accepted()
        XCTAssertEqual(setup.time, Self.now)
        XCTAssertEqual(setup.warnings, [])
        XCTAssertEqual(setup.lists.count, 1)
        let status = setup.lists[0]
        XCTAssertEqual(status.kind, .trustList)
        XCTAssertEqual(status.file, list)
        XCTAssertEqual(status.summary?.header.sequence, 3)
        XCTAssertEqual(status.summary?.header.issuedAt, Self.now - Self.day)
        XCTAssertEqual(status.summary?.header.nextUpdate, Self.now + 29 * Self.day)
        XCTAssertEqual(status.freshness, .current)
        XCTAssertNil(status.error)
        let verdict = verifier.verify(VerdictRendererTests.vector, at: setup.time)
        XCTAssertTrue(verdict.isValid, "\(verdict.failures)")
        XCTAssertEqual(verdict.lists.map(\.source), [list])
        // The edition accepted is remembered in the state file, as `verify` writes it.
        let memory = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state))) as? [String: [String: Any]])
        XCTAssertEqual(memory.values.map { $0["sequence"] as? Int }, [3])

        // A reload takes the next edition, and after it refuses the older one.
        try Data(try Self.trustList(sequence: 4)).write(to: URL(fileURLWithPath: list))
        XCTAssertEqual(sources.load(now: Self.now).lists[0].summary?.header.sequence, 4)
        try Data(try Self.trustList(sequence: 3)).write(to: URL(fileURLWithPath: list))
        let rolledBack = sources.load(now: Self.now)
        XCTAssertNil(rolledBack.verifier)
        XCTAssertEqual(rolledBack.refusal?.code, "TL_ROLLBACK")
        XCTAssertEqual(rolledBack.lists[0].error?.code, "TL_ROLLBACK")
        XCTAssertNil(rolledBack.lists[0].summary)
        XCTAssertThrowsError(try rolledBack.accepted()) { XCTAssertEqual(($0 as? QRCertError)?.code, "TL_ROLLBACK") }
    }

    /// A stale list and a test environment's list are used, with the warnings `verify` prints.
    func testWarningsInVerifyWords() throws {
        let folder = try IOFixtures.folder("warnings")
        defer { try? FileManager.default.removeItem(at: folder) }
        let list = folder.appendingPathComponent("trust.cose").path
        try Data(try Self.trustList(sequence: 1, issuedAt: Self.now - 35 * Self.day, environment: .test)).write(to: URL(fileURLWithPath: list))
        let setup = VerifierSources(trustList: list, root: IOFixtures.path("keys/TEST-ONLY-es256.pub.pem"),
                                    state: folder.appendingPathComponent("state.json").path).load(now: Self.now)
        XCTAssertNotNil(setup.verifier)
        XCTAssertEqual(setup.lists[0].freshness, .stale)
        XCTAssertEqual(setup.lists[0].warnings.map(\.code), ["TL_STALE"])
        XCTAssertEqual(setup.warnings.count, 2)
        guard setup.warnings.count == 2, case .list(let stale) = setup.warnings[0] else { return XCTFail("\(setup.warnings)") }
        XCTAssertEqual(stale.code, "TL_STALE")
        XCTAssertEqual(setup.warnings[0].lines(language: .en).first, "qrcert: warning: \(stale.message) [TL_STALE]")
        XCTAssertEqual(setup.warnings[0].lines(language: .vi), ["qrcert: cảnh báo: \(ReasonText.sentence(stale, language: .vi)) [TL_STALE]"])
        XCTAssertEqual(setup.warnings[1], .testTrustList(file: list))
        XCTAssertEqual(setup.warnings[1].lines(language: .en),
                       ["qrcert: warning: \(list) is a TEST trust list: its keys are for training and testing, not for real credentials"])
    }

    /// The first refusal stops the load: the lists after it are not read.
    func testRefusalStopsAtTheFirstBadList() throws {
        let folder = try IOFixtures.folder("refusal")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.cose").path, missing = folder.appendingPathComponent("missing.cose").path
        try Data("not a list".utf8).write(to: URL(fileURLWithPath: bad))
        let setup = VerifierSources(trust: [IOFixtures.path("keys/TEST-ONLY-ed25519.pub.pem")], revocations: [bad, missing],
                                    state: folder.appendingPathComponent("state.json").path).load(now: Self.now)
        XCTAssertNil(setup.verifier)
        XCTAssertEqual(setup.lists.map(\.file), [bad, missing])
        XCTAssertEqual(setup.lists[0].error?.stage, .revocation)
        XCTAssertEqual(setup.refusal, setup.lists[0].error)
        XCTAssertNil(setup.lists[1].error)
        XCTAssertNil(setup.lists[1].summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("state.json").path))
    }

    func testKeysAndTimeAsVerifyReadsThem() {
        XCTAssertEqual(VerifierSources().load(now: Self.now).refusal?.code, "TRUST_NONE")
        let key = IOFixtures.path("keys/TEST-ONLY-ed25519.pub.pem")
        let badTime = VerifierSources(trust: [key], at: "tomorrow").load(now: Self.now)
        XCTAssertEqual(badTime.refusal, QRCertError(.usage, "USAGE", "--at tomorrow is not an ISO 8601 time", hint: "e.g. 2030-01-01 or 2030-01-01T08:00:00+07:00"))
        XCTAssertEqual(VerifierSources(trust: [key], at: "2030-01-01").load(now: Self.now).time, 1_893_456_000)
        XCTAssertEqual(VerifierSources(trust: [IOFixtures.path("keys")]).load(now: Self.now).verifier?.trust.anchors.count, 4)
    }
}
