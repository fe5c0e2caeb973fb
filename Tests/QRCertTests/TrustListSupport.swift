import Foundation
@testable import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// Keys, times and credentials shared by the trust list and revocation list tests.
enum TrustListSupport {
    /// 2025-06-01T00:00:00Z.
    static let now: Int64 = 1_748_736_000
    static let day: Int64 = 86_400
    /// iat of `LicenceRow.make()`: 2024-03-01 at +07:00 = 2024-02-29T17:00:00Z.
    static let licenceIssuedAt: Int64 = 1_709_226_000

    /// Sequence `sequence`, signed at `issuedAt`, next update 30 days later, 14 days of grace.
    static func header(sequence: UInt64 = 1, issuedAt: Int64 = now) -> ListHeader {
        ListHeader(sequence: sequence, issuedAt: issuedAt, nextUpdate: issuedAt + 30 * day, grace: 14 * day)
    }

    /// A driving licence (vn.dl) from `LicenceRow`, with `changes`.
    static func licence(_ changes: [String: String?] = [:]) throws -> Credential {
        let profile = try TestFixtures.profile("driving-licence")
        do throws(RejectedRow) {
            return try Credential(row: LicenceRow.make(changes), profile: profile)
        } catch {
            throw error.error
        }
    }

    /// A construction permit (vn.cp), the first row of Fixtures/records/construction-permits.csv.
    static func constructionPermit() throws -> Credential {
        let handle = try FileHandle(forReadingFrom: TestFixtures.url("records/construction-permits.csv"))
        defer { try? handle.close() }
        var reader = CSVRecordReader(handle: handle, source: "construction-permits.csv")
        guard case .row(let row)? = try reader.next() else {
            XCTFail("no first row in construction-permits.csv")
            throw QRCertError(.records, "TEST", "no row")
        }
        let profile = try TestFixtures.profile("construction-permit")
        do throws(RejectedRow) {
            return try Credential(row: row, profile: profile)
        } catch {
            throw error.error
        }
    }

    /// An entry for `key` of the Đà Nẵng transport department, driving licences only, valid 2020 to 2035.
    static func entry(_ key: PrivateKey, types: [String] = ["vn.dl"], issuer: String = TestFixtures.issuerName,
                      notBefore: Int64 = 1_577_836_800, notAfter: Int64 = 2_051_222_400) throws -> TrustListEntry {
        try TrustListEntry(key: key.publicKey, issuer: issuer, types: types, notBefore: notBefore, notAfter: notAfter)
    }

    /// `list` signed by `root` and read back, as a verifier gets it.
    static func roundTrip(_ list: TrustList, root: PrivateKey) throws -> TrustList {
        try TrustList.open(try list.signed(with: root), root: root.publicKey, source: "trust.cose")
    }

    /// A verifier whose keys all come from `list`, knowing the built-in profiles.
    static func verifier(_ list: TrustList, revocations: [(RevocationList, String)] = []) throws -> Verifier {
        var store = TrustStore()
        store.add(list, source: "trust.cose")
        var verifier = Verifier(trust: store, profiles: try TestFixtures.profiles())
        verifier.lists.trustList = list.summary(source: "trust.cose")
        verifier.lists.revocations = revocations.map { (list: $0.0, source: $0.1) }
        return verifier
    }

    /// The codes of a verdict's failures, in order.
    static func codes(_ verdict: Verdict) -> [String] { verdict.failures.map(\.code) }
}
