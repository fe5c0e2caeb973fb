import Foundation
import XCTest

/// `issue --specimen` end to end: the training card verifies as SPECIMEN (never VALID, exit 1) in the band,
/// in Vietnamese and in --json, and inspect shows the signed flag.
final class SpecimenCommandTests: XCTestCase {
    func testSpecimenIsShownAsSuchAndRejected() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let records = "licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address\n"
            + "048099999999,Nguyễn Văn Mẫu,Nam,1990-01-01,B,2025-03-01,2035-03-01,Phòng CSGT Công an TP. Đà Nẵng,VNM,1 Trần Phú\n"
        let issue = ["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence", "--format", "payload"]
        let specimen = try CLI.run(issue + ["--specimen"], stdin: records)
        let genuine = try CLI.run(issue, stdin: records)
        XCTAssertEqual(specimen.status, 0, specimen.stderr)
        let payload = try XCTUnwrap(specimen.lines.first)
        XCTAssertNotEqual(payload, genuine.lines.first, "the flag is in the signed payload")

        let trust = ["verify", "--trust", CLI.publicKey("ed25519"), "--at", "2026-01-01"]
        let english = try CLI.run(trust + ["--lang", "en", payload])
        XCTAssertEqual(english.status, 1)
        XCTAssertEqual(Array(english.lines.prefix(3)), [" ✘ SPECIMEN   Driving licence",
                                                        "  This is a SPECIMEN (a sample for training), not a real document",
                                                        "  content: the credential is a specimen, signed as such: not a real document [CONTENT_SPECIMEN]"])
        XCTAssertTrue(english.lines.contains("  Full name      Nguyễn Văn Mẫu"), english.stdout)
        let vietnamese = try CLI.run(trust + ["--lang", "vi", payload])
        XCTAssertEqual(vietnamese.status, 1)
        XCTAssertEqual(vietnamese.lines.first, " ✘ MẪU   Giấy phép lái xe")
        let json = try CLI.jsonObject(try CLI.run(trust + ["--json", payload]).stdout)
        XCTAssertEqual(json["valid"] as? Bool, false)
        XCTAssertEqual(json["code"] as? String, "CONTENT_SPECIMEN")
        XCTAssertEqual(json["signature_verified"] as? Bool, true)
        XCTAssertEqual(try CLI.run(trust + [try XCTUnwrap(genuine.lines.first)]).status, 0)

        let inspect = try CLI.run(["inspect", payload])
        XCTAssertTrue(inspect.lines.contains("specimen    true"), inspect.stdout)
        XCTAssertEqual(try CLI.jsonObject(try CLI.run(["inspect", "--json", payload]).stdout)["specimen"] as? Bool, true)
    }
}
