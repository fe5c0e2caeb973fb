import Foundation
import QRCert
import QRCertFormat
import XCTest

/// The committed record fixtures: every record passes its profile, and the three files of driving
/// licences (CSV, JSON array, JSON Lines, from gen_records.py) give the very same credentials.
final class FixtureRecordsTests: XCTestCase {
    private func credentials(_ file: String, profile: Profile) throws -> [(line: Int, credential: Credential)] {
        let handle = try FileHandle(forReadingFrom: TestFixtures.url("records/\(file)"))
        defer { try? handle.close() }
        var reader: any RecordReader
        switch (file as NSString).pathExtension {
        case "csv": reader = CSVRecordReader(handle: handle, source: file)
        case "json": reader = JSONRecordReader(handle: handle, source: file, layout: .array)
        default: reader = JSONRecordReader(handle: handle, source: file, layout: .lines)
        }
        var checker = RecordChecker(profile: profile)
        var out: [(Int, Credential)] = []
        while let item = try reader.next() {
            switch checker.check(item) {
            case .success(let (row, credential)): out.append((row.line, credential))
            case .failure(let rejection): XCTFail(rejection.description)
            }
        }
        return out
    }

    func testDrivingLicenceFixturesAgreeAcrossFormats() throws {
        let profile = try TestFixtures.profile("driving-licence")
        let csv = try credentials("driving-licences.csv", profile: profile)
        let json = try credentials("driving-licences.json", profile: profile)
        let lines = try credentials("driving-licences.jsonl", profile: profile)
        XCTAssertEqual(csv.count, 300)
        XCTAssertEqual(csv.map(\.credential), json.map(\.credential))
        XCTAssertEqual(csv.map(\.credential), lines.map(\.credential))
        XCTAssertEqual(csv.map(\.line), Array(2...301))
        XCTAssertEqual(lines.map(\.line), Array(1...300))
        // The JSON array is pretty-printed, 12 lines per record, the first `{` on line 2.
        XCTAssertEqual(json.map(\.line), (0..<300).map { 2 + 12 * $0 })
        XCTAssertEqual(Set(csv.map(\.credential.id)).count, 300)
    }

    /// Since 1 March 2025 driving licences are issued by the traffic police, no longer by the Departments
    /// of Transport: a licence issued from that day names a police authority, an older one a Sở GTVT.
    func testLicencesFromMarch2025NameTheTrafficPolice() throws {
        let profile = try TestFixtures.profile("driving-licence")
        let all = try credentials("driving-licences.csv", profile: profile).map(\.credential)
        var police = 0
        for credential in all {
            let issued = try XCTUnwrap(credential.displayValue("issue_date")), authority = try XCTUnwrap(credential.displayValue("issuing_authority"))
            if issued >= "2025-03-01" {
                police += 1
                XCTAssertTrue(authority.hasPrefix("Phòng CSGT Công an ") || authority == "Cục Cảnh sát giao thông", "\(credential.id) \(issued) \(authority)")
            } else {
                XCTAssertTrue(authority.hasPrefix("Sở GTVT ") || authority == "Cục Đường bộ Việt Nam", "\(credential.id) \(issued) \(authority)")
            }
        }
        XCTAssertGreaterThan(police, 0, "no licence issued since March 2025 in the fixtures")
    }

    func testFixturesCoverEveryKindOfLicence() throws {
        let profile = try TestFixtures.profile("driving-licence")
        let all = try credentials("driving-licences.csv", profile: profile).map(\.credential)
        let classes = Set(all.compactMap { $0.displayValue("class") })
        XCTAssertTrue(classes.isSuperset(of: ["A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE", "DE"]), "\(classes.sorted())")
        XCTAssertTrue(all.contains { $0.validUntil == nil }, "no licence without expiry")
        XCTAssertTrue(all.contains { $0.displayValue("sex") == "Nữ" })
        XCTAssertTrue(all.contains { $0.displayValue("nationality") != "VNM" })
        for credential in all {
            for (field, value) in credential.values {
                if case .text(let text) = value {
                    XCTAssertEqual(Array(text.utf8), Array(text.precomposedStringWithCanonicalMapping.utf8), "\(credential.id) \(field.name)")
                }
            }
        }
    }

    func testPermitFixtures() throws {
        let transport = try credentials("transport-permits.csv", profile: try TestFixtures.profile("transport-permit"))
        XCTAssertEqual(transport.count, 30)
        XCTAssertTrue(transport.allSatisfy { $0.credential.validUntil == nil })
        XCTAssertEqual(Set(transport.compactMap { $0.credential.displayValue("business_type") }).count, 7)
        XCTAssertTrue(transport.allSatisfy { $0.credential.displayValue("address")?.hasSuffix("TP. Đà Nẵng") ?? false })

        let construction = try credentials("construction-permits.csv", profile: try TestFixtures.profile("construction-permit"))
        XCTAssertEqual(construction.count, 30)
        XCTAssertTrue(construction.allSatisfy { ($0.credential.validUntil ?? 0) > ($0.credential.validFrom ?? .max) })
        XCTAssertTrue(construction.contains { $0.credential.displayValue("land_plot") == nil }, "an optional field left empty")
        XCTAssertEqual(Set(construction.compactMap { $0.credential.displayValue("permit_type") }).count, 4)
    }
}
