import Foundation
@testable import QRCert
import QRCertFormat
import XCTest

/// A row checked against its profile: every REC_* code names its field; the wire form reads back.
final class CredentialTests: XCTestCase {
    var licence: Profile!

    override func setUpWithError() throws {
        licence = try TestFixtures.profile("driving-licence")
    }

    /// `FILE:LINE: FIELD: reason [CODE]` of the rejection, or "accepted".
    private func outcome(_ changes: [String: String?]) -> String {
        do throws(RejectedRow) {
            _ = try Credential(row: LicenceRow.make(changes), profile: licence)
            return "accepted"
        } catch {
            XCTAssertEqual(error.error.stage, .records)
            return error.description
        }
    }

    func testAValidRowBecomesTypedValues() throws {
        let credential = try Credential(row: LicenceRow.make(), profile: licence)
        XCTAssertEqual(credential.id, "048090001234")
        XCTAssertEqual(credential.values.map(\.field.name), LicenceRow.header)
        XCTAssertEqual(credential.displayValue("class"), "B")
        XCTAssertEqual(credential.displayValue("date_of_birth"), "1992-04-30")
        // Valid from midnight of the issue day in Vietnam (+07:00) to the midnight after the expiry day.
        XCTAssertEqual(credential.validFrom, 1_709_226_000)   // 2024-02-29T17:00:00Z
        XCTAssertEqual(credential.validUntil, 2_024_845_200)  // 2034-03-01T17:00:00Z
        XCTAssertFalse(credential.mayHaveNoExpiry)
    }

    func testEachRecordCodeNamesItsField() {
        let cases: [([String: String?], String)] = [
            (["blood_type": "O"], "t.csv:2: blood_type: not a field of profile vn.dl [REC_UNKNOWN_FIELD]"),
            (["full_name": nil], "t.csv:2: full_name: required value is missing [REC_MISSING_FIELD]"),
            (["full_name": "   "], "t.csv:2: full_name: required value is missing [REC_MISSING_FIELD]"),
            (["licence_no": ""], "t.csv:2: licence_no: required value is missing [REC_MISSING_FIELD]"),
            (["nationality": "VNMX"], "t.csv:2: nationality: 4 characters, at most 3 allowed [REC_TOO_LONG]"),
            (["address": "12 Trần Phú\nHải Châu"], "t.csv:2: address: contains a control character [REC_BAD_TEXT]"),
            (["full_name": "Lê\tVăn"], "t.csv:2: full_name: contains a control character [REC_BAD_TEXT]"),
            (["date_of_birth": "1992-02-30"], "t.csv:2: date_of_birth: \"1992-02-30\" is not a date of the form YYYY-MM-DD [REC_BAD_DATE]"),
            (["date_of_birth": "30/04/1992"], "t.csv:2: date_of_birth: \"30/04/1992\" is not a date of the form YYYY-MM-DD [REC_BAD_DATE]"),
            (["issue_date": "2024-3-1"], "t.csv:2: issue_date: \"2024-3-1\" is not a date of the form YYYY-MM-DD [REC_BAD_DATE]"),
            (["date_of_birth": "1899-12-31"], "t.csv:2: date_of_birth: \"1899-12-31\" is not a date of the form YYYY-MM-DD [REC_BAD_DATE]"),
            (["sex": "nam"], "t.csv:2: sex: \"nam\" is not one of Nam, Nữ [REC_BAD_ENUM]"),
            (["class": "B2"], "t.csv:2: class: \"B2\" is not one of A1, A, B1, B, C1, C, D1, D2, D, BE, C1E, CE, D1E, D2E, DE [REC_BAD_ENUM]"),
            (["expiry_date": "2024-02-29"], "t.csv:2: expiry_date: 2024-02-29 is before issue_date 2024-03-01 [REC_BAD_VALIDITY]"),
            (["expiry_date": nil], "t.csv:2: expiry_date: an expiry date is required (only class A1, A, B1 may have none) [REC_MISSING_EXPIRY]"),
            (["class": "C", "expiry_date": ""], "t.csv:2: expiry_date: an expiry date is required (only class A1, A, B1 may have none) [REC_MISSING_EXPIRY]"),
        ]
        for (changes, expected) in cases {
            XCTAssertEqual(outcome(changes), expected, "\(changes)")
        }
    }

    func testTheRejectionCarriesTheRecordID() {
        do throws(RejectedRow) {
            _ = try Credential(row: LicenceRow.make(["class": "B2"], line: 7, source: "x.csv"), profile: licence)
            XCTFail("accepted")
        } catch {
            XCTAssertEqual(error, RejectedRow(source: "x.csv", line: 7, field: "class", id: "048090001234",
                                              error: QRCertError(.records, "REC_BAD_ENUM", error.error.message)))
        }
    }

    func testAcceptedEdgeCases() {
        XCTAssertEqual(outcome(["class": " B "]), "accepted")                      // surrounding spaces trimmed
        XCTAssertEqual(outcome(["date_of_birth": "2000-02-29"]), "accepted")        // leap day
        XCTAssertEqual(outcome(["expiry_date": "2024-03-01"]), "accepted")          // expires the day it is issued
        XCTAssertEqual(outcome(["address": nil]), "accepted")                       // optional field
        XCTAssertEqual(outcome(["nationality": "VNM"]), "accepted")
        // max_length counts characters as a person does: 100 Vietnamese letters, each with two marks, fit.
        XCTAssertEqual(outcome(["full_name": String(repeating: "ễ", count: 100)]), "accepted")
        XCTAssertEqual(outcome(["full_name": String(repeating: "ễ", count: 101)]),
                       "t.csv:2: full_name: 101 characters, at most 100 allowed [REC_TOO_LONG]")
    }

    func testClassesWithoutExpiry() throws {
        for licenceClass in ["A1", "A", "B1"] {
            let credential = try Credential(row: LicenceRow.make(["class": licenceClass, "expiry_date": ""]), profile: licence)
            XCTAssertNil(credential.validUntil, licenceClass)
            XCTAssertTrue(credential.mayHaveNoExpiry, licenceClass)
        }
        // A no-expiry class may still carry an expiry date if the registry gives one.
        let dated = try Credential(row: LicenceRow.make(["class": "A1"]), profile: licence)
        XCTAssertEqual(dated.validUntil, 2_024_845_200)
        for licenceClass in ["B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE", "D1E", "D2E", "DE"] {
            XCTAssertTrue(outcome(["class": licenceClass, "expiry_date": nil]).hasSuffix("[REC_MISSING_EXPIRY]"), licenceClass)
        }
    }

    func testDuplicateIDsAcrossTheInput() {
        var checker = RecordChecker(profile: licence)
        let first = checker.check(.row(LicenceRow.make(line: 2)))
        guard case .success = first else { return XCTFail("\(first)") }
        let second = checker.check(.row(LicenceRow.make(["full_name": "Someone Else"], line: 9)))
        guard case .failure(let rejection) = second else { return XCTFail("\(second)") }
        XCTAssertEqual(rejection.description, "t.csv:9: licence_no: 048090001234 appears earlier in the input [REC_DUPLICATE_ID]")
        XCTAssertEqual(rejection.id, "048090001234")
        // A rejected row does not claim its id: the corrected row later in the file is accepted.
        var again = RecordChecker(profile: licence)
        _ = again.check(.row(LicenceRow.make(["class": "B2"], line: 2)))
        guard case .success = again.check(.row(LicenceRow.make(line: 3))) else { return XCTFail("corrected row rejected") }
    }

    func testReaderRejectionsPassThroughTheChecker() {
        var checker = RecordChecker(profile: licence)
        let rejection = RejectedRow(source: "r.csv", line: 4, field: nil, error: QRCertError(.records, "REC_RAGGED", "row has 2 fields, the header has 10"))
        guard case .failure(let out) = checker.check(.rejected(rejection)) else { return XCTFail() }
        XCTAssertEqual(out, rejection)
    }

    // MARK: - Wire form

    func testCompactRecordMapBytes() throws {
        let credential = try Credential(row: LicenceRow.make(["address": nil, "full_name": "Lê Văn Tám"]), profile: licence)
        // {1: "048090001234", 2: h'VISCII "Lê Văn Tám"', 3: 1 (Nữ), 4: 8155 (1992-04-30), 5: 3 (B), 6: 19783, 7: 23435,
        //  8: h'VISCII "Sở GTVT Đà Nẵng"', 9: "VNM"}; the VISCII bytes are what `iconv -t VISCII` gives.
        let expected = "a9" + "016c303438303930303031323334" + "024a" + "4cea2056e56e2054e16d" + "0301" + "04191fdb" + "0503"
            + "06194d47" + "07195b8b" + "084f" + "53b7204754565420d0e0204ec76e67" + "0963564e4d"
        XCTAssertEqual(Hex.encode(CBOREncoder.encode(credential.cbor)), expected)
        XCTAssertEqual(try Credential(cbor: credential.cbor, profile: licence), credential)
    }

    func testWireFormRoundTripsForEveryFixtureRecord() throws {
        for (name, file) in [("driving-licence", "driving-licences.csv"), ("transport-permit", "transport-permits.csv"),
                             ("construction-permit", "construction-permits.csv")] {
            let profile = try TestFixtures.profile(name)
            var reader = CSVRecordReader(handle: try FileHandle(forReadingFrom: TestFixtures.url("records/\(file)")), source: file)
            var checker = RecordChecker(profile: profile)
            var count = 0
            for item in try RecordText.drain(&reader) {
                switch checker.check(item) {
                case .failure(let rejection): XCTFail(rejection.description)
                case .success(let (_, credential)):
                    let decoded = try CBORDecoder.decode(CBOREncoder.encode(credential.cbor))
                    XCTAssertEqual(try Credential(cbor: decoded, profile: profile), credential)
                    count += 1
                }
            }
            XCTAssertEqual(count, name == "driving-licence" ? 300 : 30, file)
        }
    }

    func testContentErrorsOfARecordMap() {
        func map(_ pairs: [(Int64, CBOR)]) -> CBOR { .map(pairs.map { CBORPair(.int($0.0), $0.1) }) }
        let good: [(Int64, CBOR)] = [(1, .text("1")), (2, .text("A")), (3, .int(0)), (4, .int(8155)), (5, .int(0)),
                                     (6, .int(19783)), (8, .text("X")), (9, .text("VNM"))]
        XCTAssertNoThrow(try Credential(cbor: map(good), profile: licence))
        assertQRCertError(.content, "CONTENT_BAD_RECORD", message: "record must be a map") {
            try Credential(cbor: .array([]), profile: licence)
        }
        assertQRCertError(.content, "CONTENT_UNKNOWN_FIELD", message: "record has key 11 that profile vn.dl does not define") {
            try Credential(cbor: map(good + [(11, .text("?"))]), profile: licence)
        }
        assertQRCertError(.content, "CONTENT_MISSING_FIELD", message: "record lacks required field full_name") {
            try Credential(cbor: map(good.filter { $0.0 != 2 }), profile: licence)
        }
        assertQRCertError(.content, "CONTENT_BAD_FIELD", message: "field class must be one of its 15 values") {
            try Credential(cbor: map(good.map { $0.0 == 5 ? (5, .int(15)) : $0 }), profile: licence)
        }
        assertQRCertError(.content, "CONTENT_BAD_FIELD", message: "field date_of_birth must be a day number (1900-2199)") {
            try Credential(cbor: map(good.map { $0.0 == 4 ? (4, .text("1992-04-30")) : $0 }), profile: licence)
        }
        assertQRCertError(.content, "CONTENT_BAD_FIELD") {
            try Credential(cbor: map(good.map { $0.0 == 2 ? (2, .int(5)) : $0 }), profile: licence)
        }
        // Text has one encoding: ASCII as a text string, Vietnamese as VISCII bytes.
        assertQRCertError(.content, "CONTENT_BAD_FIELD", message: "field full_name must be a text string: it is all ASCII") {
            try Credential(cbor: map(good.map { $0.0 == 2 ? (2, .bytes([0x41])) : $0 }), profile: licence)
        }
        assertQRCertError(.content, "CONTENT_BAD_FIELD", message: "field full_name must be VISCII bytes: every character of its text has a VISCII code") {
            try Credential(cbor: map(good.map { $0.0 == 2 ? (2, .text("Lê")) : $0 }), profile: licence)
        }
        assertQRCertError(.content, "CONTENT_BAD_FIELD", message: "field full_name holds a control character") {
            try Credential(cbor: map(good.map { $0.0 == 2 ? (2, .bytes([0xEA, 0x01])) : $0 }), profile: licence)
        }
    }

    /// The pairs of a record map may come in any order, and a key twice keeps its last value: the walk that pairs them
    /// with their fields when they come in profile order (what the issuer writes) and the table taken otherwise agree.
    func testRecordPairsInAnyOrder() throws {
        func map(_ pairs: [(Int64, CBOR)]) -> CBOR { .map(pairs.map { CBORPair(.int($0.0), $0.1) }) }
        let good: [(Int64, CBOR)] = [(1, .text("1")), (2, .text("A")), (3, .int(0)), (4, .int(8155)), (5, .int(0)),
                                     (6, .int(19783)), (8, .text("X")), (9, .text("VNM"))]
        let inOrder = try Credential(cbor: map(good), profile: licence)
        XCTAssertEqual(try Credential(cbor: map(good.reversed()), profile: licence), inOrder)
        XCTAssertEqual(try Credential(cbor: map([good[1], good[0]] + good.dropFirst(2)), profile: licence), inOrder)
        let twice = try Credential(cbor: map(good + [(2, .text("B"))]), profile: licence)
        XCTAssertEqual(twice.displayValue("full_name"), "B")
        XCTAssertEqual(twice.entries.map(\.position), inOrder.entries.map(\.position))
        // The first missing field in profile order is named, whatever the order of the others.
        assertQRCertError(.content, "CONTENT_MISSING_FIELD", message: "record lacks required field full_name") {
            try Credential(cbor: map(good.filter { $0.0 != 2 && $0.0 != 3 }.reversed()), profile: licence)
        }
        assertQRCertError(.content, "CONTENT_UNKNOWN_FIELD", message: "record has key 11 that profile vn.dl does not define") {
            try Credential(cbor: map([(11, .text("?"))] + good.reversed()), profile: licence)
        }
    }

    /// A credential refers to its profile's fields by position: `entries`, `forEachValue`, `value(at:)` and
    /// `displayValue(at:)` read the same values as `values`, which copies the fields.
    func testValuesByPositionAreTheValues() throws {
        let credential = try Credential(row: LicenceRow.make(["address": nil]), profile: licence)
        let values = credential.values
        XCTAssertEqual(credential.entries.count, values.count)
        XCTAssertEqual(credential.entries.map { licence.fields[$0.position] }, values.map(\.field))
        XCTAssertEqual(credential.entries.map(\.value), values.map(\.value))
        var seen: [(Profile.Field, Credential.Value)] = []
        credential.forEachValue { seen.append(($0, $1)) }
        XCTAssertTrue(seen.elementsEqual(values) { $0.0 == $1.field && $0.1 == $1.value })
        for (position, field) in licence.fields.enumerated() {
            let entry = values.first { $0.field == field }
            XCTAssertEqual(credential.value(at: position), entry?.value, field.name)
            XCTAssertEqual(credential.displayValue(at: position), credential.displayValue(field.name), field.name)
            XCTAssertEqual(credential.displayValue(at: position), entry.map { Credential.displayText($0.value, $0.field) }, field.name)
        }
        XCTAssertNil(credential.displayValue("address"))
        // Built from (field, value) pairs, as before, it is the same credential.
        XCTAssertEqual(Credential(profile: licence, values: values), credential)
    }

    /// A profile is one shared box: a changed copy has its own fields and look-up positions, the original keeps its own.
    func testAChangedProfileCopyIsItsOwn() throws {
        var changed: Profile = licence
        XCTAssertEqual(changed, licence)
        changed.fields.reverse()
        XCTAssertNotEqual(changed, licence)
        XCTAssertEqual(changed.fields.map(\.name), licence.fields.map(\.name).reversed())
        for (position, field) in changed.fields.enumerated() {
            XCTAssertEqual(changed.position(key: field.key), position)
            XCTAssertEqual(licence.position(key: field.key), licence.fields.firstIndex(of: field))
        }
        XCTAssertEqual(changed.validFromPosition, changed.fields.firstIndex { $0.name == "issue_date" })
        XCTAssertEqual(licence.validFromPosition, licence.fields.firstIndex { $0.name == "issue_date" })
        changed.validUntil = nil
        XCTAssertNil(changed.validUntilPosition)
        XCTAssertEqual(licence.validUntil, "expiry_date")
        XCTAssertNotNil(licence.validUntilPosition)
        // A record read against the changed profile names its values by the changed positions.
        let credential = try Credential(row: LicenceRow.make(), profile: changed)
        XCTAssertEqual(credential.id, "048090001234")
        XCTAssertEqual(credential.values.map(\.field.name), LicenceRow.header.reversed())
    }
}
