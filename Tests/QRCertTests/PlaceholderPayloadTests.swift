import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import QRCertImage
import XCTest

/// `--strict` foresees a `QC2:` payload too long for any QR code before signing: `Issuer.placeholderPayload` is as
/// long as the signed payload, and `BatchIssue.check(_:drawnAt:)` rejects the row the draw would reject.
final class PlaceholderPayloadTests: XCTestCase {
    private static let files = [("driving-licences.csv", "driving-licence"), ("transport-permits.csv", "transport-permit"),
                                ("construction-permits.csv", "construction-permit")]

    private func credentials(_ file: String, profile: Profile) throws -> [Credential] {
        let handle = try FileHandle(forReadingFrom: TestFixtures.url("records/\(file)"))
        defer { try? handle.close() }
        var reader = CSVRecordReader(handle: handle, source: file)
        var checker = RecordChecker(profile: profile)
        var out: [Credential] = []
        while let item = try reader.next() {
            switch checker.check(item) {
            case .success(let (_, credential)): out.append(credential)
            case .failure(let rejection): XCTFail(rejection.description)
            }
        }
        return out
    }

    /// For every fixture record, ES256 and Ed25519: the placeholder text has the signed payload's length, and the
    /// two differ only in the Base45 characters that carry the signature (the last ceil(2n/3)+1 or so).
    func testPlaceholderIsAsLongAsTheSignedPayloadForEveryFixtureRecord() throws {
        for (name, length) in [("es256", 64), ("ed25519", 64)] {
            let key = try TestFixtures.privateKey(name)
            XCTAssertEqual(key.signatureLength, length, name)
            let issuer = try Issuer(key: key, name: TestFixtures.issuerName)
            var count = 0
            for (file, profileName) in Self.files {
                for credential in try credentials(file, profile: try TestFixtures.profile(profileName)) {
                    let placeholder = try XCTUnwrap(try issuer.placeholderPayload(for: credential))
                    let signed = try issuer.issue(credential).payload
                    XCTAssertEqual(placeholder.utf8.count, signed.utf8.count, "\(name) \(file) \(credential.id)")
                    let common = zip(placeholder.utf8, signed.utf8).prefix { $0 == $1 }.count
                    XCTAssertGreaterThanOrEqual(common, signed.utf8.count - (length * 3 / 2 + 2), "\(name) \(file) \(credential.id)")
                    count += 1
                }
            }
            XCTAssertGreaterThan(count, 300, name)
        }
    }

    /// Under `QC1:` the zlib stream's length depends on the signature: no placeholder, so no foresight.
    func testVersion1HasNoPlaceholder() throws {
        let issuer = try Issuer(key: try TestFixtures.privateKey("ed25519"), name: TestFixtures.issuerName, encoding: .version1)
        let credential = try XCTUnwrap(try credentials("driving-licences.csv", profile: try TestFixtures.profile("driving-licence")).first)
        XCTAssertNil(try issuer.placeholderPayload(for: credential))
    }

    /// `count` CJK ideographs from a linear congruential sequence: text that zlib cannot shorten much.
    private static func noise(_ count: Int, seed: UInt64) -> String {
        var x = seed
        return String((0..<count).map { _ in
            x = (x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407)
            return Character(Unicode.Scalar(UInt32(0x4E00 + (x >> 33) % 20_000))!)
        })
    }

    /// A construction permit with five long CJK fields: its QC2: payload fits no QR code at EC H (nor Q) but fits at
    /// L, as libqrencode says of the signed payload itself.
    static func longPermitCSV() -> String {
        "permit_no,owner,permit_type,project,site,land_plot,floors,issue_date,start_deadline,issuing_authority\n"
            + "CP-1,Nguyễn Văn A,Xây dựng mới,Nhà ở,Hà Nội,,,2024-01-01,2025-01-01,Sở Xây dựng\n"
            + "CP-2,\(noise(200, seed: 1)),Xây dựng mới,\(noise(200, seed: 2)),\(noise(200, seed: 3)),"
            + "\(noise(60, seed: 4)),\(noise(40, seed: 5)),2024-01-01,2025-01-01,Sở Xây dựng\n"
    }

    private func check(_ issuer: Issuer, drawnAt level: ErrorCorrection?) throws -> [String] {
        let batch = BatchIssue(profile: try TestFixtures.profile("construction-permit"), issuer: issuer, jobs: 1)
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(Self.longPermitCSV().utf8), in: self), source: "long.csv")
        return try batch.check(&reader, drawnAt: level).map(\.description)
    }

    func testCheckRejectsAPayloadTooLongForTheRunsLevel() throws {
        let issuer = try Issuer(key: try TestFixtures.privateKey("ed25519"), name: "Sở Xây dựng")
        let profile = try TestFixtures.profile("construction-permit")
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(Self.longPermitCSV().utf8), in: self), source: "long.csv")
        var checker = RecordChecker(profile: profile)
        var long: Credential?
        while let item = try reader.next() { if case .success(let (_, credential)) = checker.check(item), credential.id == "CP-2" { long = credential } }
        // External truth: libqrencode refuses the signed payload at H and Q and draws it at L.
        let payload = try issuer.issue(try XCTUnwrap(long)).payload
        let bytes = payload.utf8.count
        XCTAssertGreaterThan(bytes, ErrorCorrection.Q.alphanumericCapacity)
        XCTAssertLessThanOrEqual(bytes, ErrorCorrection.L.alphanumericCapacity)
        assertQRCertError(.image, "IMG_TOO_LONG") { try QRCode.encode(payload, level: .H) }
        XCTAssertNoThrow(try QRCode.encode(payload, level: .L))

        XCTAssertEqual(try check(issuer, drawnAt: .H),
                       ["long.csv:3: text of \(bytes) bytes does not fit a version 40 qr code at level H [IMG_TOO_LONG]"])
        XCTAssertEqual(try check(issuer, drawnAt: .Q),
                       ["long.csv:3: text of \(bytes) bytes does not fit a version 40 qr code at level Q [IMG_TOO_LONG]"])
        XCTAssertEqual(try check(issuer, drawnAt: .L), [])
        // Nothing drawn (--format payload): no QR code to fit.
        XCTAssertEqual(try check(issuer, drawnAt: nil), [])
    }

    /// Under `QC1:` the check behaves as before: the row passes and only the draw can refuse it.
    func testCheckLeavesVersion1PayloadsToTheDraw() throws {
        let issuer = try Issuer(key: try TestFixtures.privateKey("ed25519"), name: "Sở Xây dựng", encoding: .version1)
        XCTAssertEqual(try check(issuer, drawnAt: .H), [])
        // Its QC1: payload is too long at H all the same: the draw refuses it, and `run` rejects that row alone.
        var reader = CSVRecordReader(handle: try RecordText.handle(Array(Self.longPermitCSV().utf8), in: self), source: "long.csv")
        var checker = RecordChecker(profile: try TestFixtures.profile("construction-permit"))
        var payloads: [String] = []
        while let item = try reader.next() { if case .success(let (_, credential)) = checker.check(item) { payloads.append(try issuer.issue(credential).payload) } }
        XCTAssertEqual(payloads.map { $0.hasPrefix("QC1:") }, [true, true])
        XCTAssertNoThrow(try QRCode.encode(payloads[0], level: .H))
        assertQRCertError(.image, "IMG_TOO_LONG") { try QRCode.encode(payloads[1], level: .H) }
    }
}
