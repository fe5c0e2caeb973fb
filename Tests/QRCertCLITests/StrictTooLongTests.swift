import Foundation
import XCTest

/// `issue --strict` refuses a QC2: payload too long for any QR code at the run's level in its first pass, before
/// anything is written; under QC1: (zlib) only the draw finds it, as before.
final class StrictTooLongTests: XCTestCase {
    /// `count` CJK ideographs from a linear congruential sequence: text that zlib cannot shorten much.
    private static func noise(_ count: Int, seed: UInt64) -> String {
        var x = seed
        return String((0..<count).map { _ in
            x = (x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407)
            return Character(Unicode.Scalar(UInt32(0x4E00 + (x >> 33) % 20_000))!)
        })
    }

    /// CP-2 has five long CJK fields (200, 200, 200, 60 and 40 characters): its payload fits a QR code at EC L but not at H.
    private func records(in folder: URL) throws -> URL {
        let text = "permit_no,owner,permit_type,project,site,land_plot,floors,issue_date,start_deadline,issuing_authority\n"
            + "CP-1,Nguyễn Văn A,Xây dựng mới,Nhà ở,Hà Nội,,,2024-01-01,2025-01-01,Sở Xây dựng\n"
            + "CP-2,\(Self.noise(200, seed: 1)),Xây dựng mới,\(Self.noise(200, seed: 2)),\(Self.noise(200, seed: 3)),"
            + "\(Self.noise(60, seed: 4)),\(Self.noise(40, seed: 5)),2024-01-01,2025-01-01,Sở Xây dựng\n"
        let url = folder.appendingPathComponent("long.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testStrictRefusesAPayloadTooLongForTheLevelAndWritesNothing() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let records = try records(in: folder)
        func issue(_ ec: String, _ out: URL, _ extra: [String] = []) throws -> CLI.Result {
            try CLI.run(["issue", "--key", key, "--issuer", "Sở Xây dựng", "--profile", "construction-permit", "--ec", ec,
                         "--strict", "--out", out.path] + extra + [records.path])
        }

        // At L both fit: the strict run issues both, and gives CP-2's payload length (fixed for ES256: 64-byte r||s).
        let low = folder.appendingPathComponent("low")
        let issued = try issue("L", low)
        XCTAssertEqual(issued.status, 0, issued.stderr)
        let manifest = try CLI.jsonObjects(try String(contentsOf: low.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
        XCTAssertEqual(manifest.compactMap { $0["id"] as? String }, ["CP-1", "CP-2"])
        let bytes = try XCTUnwrap(manifest.last?["payload"] as? String).utf8.count
        XCTAssertGreaterThan(bytes, 2420)

        // At H the first pass refuses the run: exit 1, the row named with its file and line, no folder made.
        let high = folder.appendingPathComponent("high")
        let refused = try issue("H", high)
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertEqual(refused.stdout, "")
        XCTAssertEqual(refused.errorLines, [
            "\(records.path):3: text of \(bytes) bytes does not fit a version 40 qr code at level H [IMG_TOO_LONG]",
            "qrcert: 1 bad row(s); nothing issued (--strict)",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: high.path), "--strict created \(high.path)")

        // QC1: is unchanged: the first pass cannot foresee a zlib stream's length, so CP-1 is issued and the draw
        // rejects CP-2 alone.
        let version1 = folder.appendingPathComponent("v1")
        let drawn = try issue("H", version1, ["--payload-version", "1"])
        XCTAssertEqual(drawn.status, 1, drawn.stderr)
        let error = try XCTUnwrap(drawn.errorLines.first, drawn.stderr)
        XCTAssertTrue(error.hasPrefix("\(records.path):3: text of "), error)
        XCTAssertTrue(error.hasSuffix(" bytes does not fit a version 40 qr code at level H [IMG_TOO_LONG]"), error)
        XCTAssertTrue(CLI.isSummary(drawn.errorLines.last ?? "", issued: 1, rejected: 1), drawn.stderr)
        let rejects = try CLI.jsonObjects(try String(contentsOf: version1.appendingPathComponent("rejects.jsonl"), encoding: .utf8))
        XCTAssertEqual(rejects.map { $0["code"] as? String }, ["IMG_TOO_LONG"])
    }
}
