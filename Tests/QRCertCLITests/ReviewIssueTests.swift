import Foundation
import XCTest

/// Defects found by the final review of the issuing path, each pinned by the test that showed it.
final class ReviewIssueTests: XCTestCase {
    private let header = "permit_no,owner,permit_type,project,site,issue_date,start_deadline,issuing_authority"

    private func row(_ id: String, owner: String = "Nguyễn Văn A") -> String {
        "\(id),\(owner),Xây dựng mới,Nhà ở,Hà Nội,2024-01-01,2025-01-01,Sở Xây dựng"
    }

    /// `keygen --out NAME` with no folder in NAME trapped in Foundation's deletingLastPathComponent.
    func testKeygenWithABareNameWritesInTheCurrentFolder() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let result = try CLI.run(["keygen", "--out", "bare"], in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.errorLines, ["qrcert: wrote bare.key.pem (private, ES256) and bare.pub.pem (public)"])
        XCTAssertEqual(CLI.mode(folder.appendingPathComponent("bare.key.pem").path), 0o600)
        XCTAssertEqual(CLI.mode(folder.appendingPathComponent("bare.pub.pem").path), 0o644)
    }

    /// Two ids (30 characters, within the profile's limit) whose percent-encoded names share their first 200
    /// bytes were both written to one PNG: the second overwrote the first and the manifest named one file twice.
    func testLongIDsSharingAPrefixGetTheirOwnPNGs() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let stem = String(repeating: "Ữ", count: 29)
        let records = folder.appendingPathComponent("long.csv")
        try ([header, row(stem + "A"), row(stem + "B")].joined(separator: "\n") + "\n").write(to: records, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out").path
        let result = try CLI.run(["issue", "--key", key, "--issuer", "Sở Xây dựng", "--profile", "construction-permit",
                                  "--out", out, records.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try CLI.jsonObjects(try String(contentsOfFile: out + "/manifest.jsonl", encoding: .utf8))
        XCTAssertEqual(lines.map { $0["id"] as? String }, [stem + "A", stem + "B"])
        let files = lines.compactMap { $0["file"] as? String }
        XCTAssertEqual(Set(files).count, 2, "\(files)")
        for name in files { XCTAssertLessThanOrEqual(name.utf8.count, 204, name) }
        // Each PNG holds its own record's payload, as zbar reads it.
        XCTAssertEqual(try CLI.zbarimg(files.map { out + "/" + $0 }), lines.compactMap { $0["payload"] as? String })
    }

    /// A record whose payload is too long for any QR code is rejected on its own, naming its record; the
    /// records around it are issued (and --resume issues nothing twice).
    func testAPayloadTooLongForAQRCodeIsRejectedAlone() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        var generator = SystemRandomNumberGenerator()
        let noise = String((0..<200).map { _ in Character(Unicode.Scalar(UInt32.random(in: 0x4E00...0x9FFF, using: &generator)) ?? "x") })
        let big = "CP-2,\(noise),Xây dựng mới,\(String(noise.reversed())),\(String(noise.shuffled())),2024-01-01,2025-01-01,Sở Xây dựng"
        let records = folder.appendingPathComponent("big.csv")
        try ([header, row("CP-1"), big, row("CP-3")].joined(separator: "\n") + "\n").write(to: records, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out")
        let arguments = ["issue", "--key", key, "--issuer", "Sở Xây dựng", "--profile", "construction-permit", "--ec", "H",
                         "--out", out.path, records.path]
        let result = try CLI.run(arguments)
        XCTAssertEqual(result.status, 1, result.stderr)
        let error = try XCTUnwrap(result.errorLines.first, result.stderr)
        XCTAssertTrue(error.hasPrefix("\(records.path):3: text of "), error)
        XCTAssertTrue(error.hasSuffix("does not fit a version 40 qr code at level H [IMG_TOO_LONG]"), error)
        XCTAssertTrue(CLI.isSummary(result.errorLines.last ?? "", issued: 2, rejected: 1), result.stderr)
        let manifest = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
        XCTAssertEqual(manifest.compactMap { $0["id"] as? String }, ["CP-1", "CP-3"])
        let rejects = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("rejects.jsonl"), encoding: .utf8))
        XCTAssertEqual(rejects.map { $0["id"] as? String }, ["CP-2"])
        XCTAssertEqual(rejects.map { $0["code"] as? String }, ["IMG_TOO_LONG"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".png") }.sorted(),
                       ["CP-1~34efa2ee.png", "CP-3~ae95762f.png"])

        let resumed = try CLI.run(arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 1, resumed.stderr)
        XCTAssertEqual(try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)).count, 2)
    }
}
