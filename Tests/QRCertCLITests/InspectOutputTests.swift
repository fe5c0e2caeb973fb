import Foundation
import XCTest

/// `inspect --json` and `inspect --image`: the same decoding as the text form, UNVERIFIED, one JSON object
/// per payload, and the codes of a photo or a PNG decoded in-process.
final class InspectOutputTests: XCTestCase {
    func testJSONHasEveryStageAndTheRecordMarkedUnverified() throws {
        let licence = try ScannerLoopTests.shared.get().licence
        let result = try CLI.run(["inspect", "--json", licence])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.lines.count, 1)
        let object = try CLI.jsonObject(result.stdout)
        XCTAssertEqual(object["unverified"] as? Bool, true)
        XCTAssertEqual(object["prefix"] as? String, "QC2:")
        XCTAssertEqual(object["iss"] as? String, "Sở GTVT Đà Nẵng")
        XCTAssertEqual(object["exp"] as? String, "2034-03-01T17:00:00Z")
        XCTAssertEqual(object["type"] as? String, "vn.dl")
        XCTAssertEqual(object["tags"] as? [Int], [18])
        XCTAssertEqual((object["signature"] as? String)?.count, 128, "an Ed25519 signature in hex")
        let record = try XCTUnwrap(object["record"] as? [String: Any])
        XCTAssertEqual(record["full_name"] as? String, "Nguyễn Thị Thu Hương")
        XCTAssertEqual(record["expiry_date"] as? String, "2034-03-01")

        var damaged = Array(licence)
        damaged[damaged.count - 1] = "#"
        let broken = try CLI.run(["inspect", "--json", String(damaged)])
        XCTAssertEqual(broken.status, 1)
        let error = try XCTUnwrap(try CLI.jsonObject(broken.stdout)["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? String, "B45_BAD_CHAR")
        XCTAssertEqual(broken.stderr, "")
    }

    func testImageCodesAreInspectedWithTheirPlace() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let issued = try CLI.run(["issue", "--key", try CLI.key("ed25519", in: folder), "--issuer", "Sở GTVT Đà Nẵng",
                                  "--profile", "transport-permit", "--out", folder.appendingPathComponent("out").path,
                                  CLI.fixture("records/transport-permits.csv").path])
        XCTAssertEqual(issued.status, 0, issued.stderr)
        let manifest = try CLI.jsonObjects(try String(contentsOf: folder.appendingPathComponent("out/manifest.jsonl"), encoding: .utf8))
        let file = folder.appendingPathComponent("out").appendingPathComponent(try XCTUnwrap(manifest[0]["file"] as? String)).path
        let text = try CLI.run(["inspect", "--image", file])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(try XCTUnwrap(text.lines.first).hasPrefix("\(file): code 1 of 1 at x "), text.stdout)
        XCTAssertEqual(text.lines[1], "UNVERIFIED: decoded only; nothing below is checked against any key")
        let direct = try CLI.run(["inspect", try XCTUnwrap(manifest[0]["payload"] as? String)])
        XCTAssertEqual(Array(text.lines.dropFirst()), direct.lines, "the image's code is inspected as its payload text is")

        let json = try CLI.run(["inspect", "--json", "--image", file])
        let object = try CLI.jsonObject(json.stdout)
        XCTAssertEqual(object["file"] as? String, file)
        XCTAssertNotNil(object["x"] as? Int)
        XCTAssertEqual(object["cti"] as? String, manifest[0]["cti"] as? String)

        let missing = try CLI.run(["inspect", "--image", folder.appendingPathComponent("none.png").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr, "qrcert: error: image \(folder.appendingPathComponent("none.png").path) does not exist [IO_READ]\n")
        let both = try CLI.run(["inspect", "--image", file, "QC1:X"])
        XCTAssertEqual(both.status, 2)
    }
}
