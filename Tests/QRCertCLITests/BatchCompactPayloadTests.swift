import Foundation
import QRCert
import XCTest

/// Compact payloads: Vietnamese text travels as VISCII bytes (RFC 1456), so the median driving licence fits
/// a version 15 QR code at EC level Q, and `verify` still shows every name and address as it was written.
final class BatchCompactPayloadTests: XCTestCase {
    /// External truth for the table: glibc's iconv converts all 256 VISCII bytes to the same scalars.
    func testVISCIITableIsIconvs() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let input = folder.appendingPathComponent("all-bytes")
        try Data((0...255).map { UInt8($0) }).write(to: input)
        let converted = try Data(contentsOf: try Self.iconvOutput(folder: folder, input: input))
        XCTAssertEqual(converted.count, 256 * 4)
        let scalars = stride(from: 0, to: converted.count, by: 4).map { i in
            converted[i..<(i + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
        XCTAssertEqual(scalars, VISCII.scalars)
        // Every Vietnamese letter, both cases, round-trips; text VISCII lacks is left to UTF-8.
        let letters = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
        for text in [letters, letters.uppercased(), "Sở GTVT Đà Nẵng, 12 Trần Phú"] {
            let bytes = try XCTUnwrap(VISCII.encode(text), text)
            XCTAssertEqual(bytes.count, text.count)
            XCTAssertEqual(VISCII.decode(bytes), text)
        }
        XCTAssertNil(VISCII.encode("Müller"))
        XCTAssertNil(VISCII.encode("Nguyễn 阮"))
    }

    /// `iconv -f VISCII -t UTF-32BE` of `input`, into a file (`runProgram` captures stdout as text, not bytes).
    private static func iconvOutput(folder: URL, input: URL) throws -> URL {
        let output = folder.appendingPathComponent("utf32")
        let result = try CLI.runProgram(URL(fileURLWithPath: "/bin/sh"),
                                        ["-c", "iconv -f VISCII -t UTF-32BE \"$0\" > \"$1\"", input.path, output.path], stdin: nil)
        XCTAssertEqual(result.status, 0, result.stderr)
        return output
    }

    func testTheMedianLicenceFitsVersion15AtLevelQ() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let records = try Batch.records(1000, seed: 1, in: folder)
        let out = folder.appendingPathComponent("out")
        let result = try CLI.run(Batch.issueArguments(key: key, out: out, ["--ec", "Q", records.path]))
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try Batch.manifestLines(out).map { try CLI.jsonObject($0) }
        let versions = try lines.map { try XCTUnwrap($0["qr_version"] as? Int) }.sorted()
        let lengths = try lines.map { try XCTUnwrap($0["payload"] as? String).count }.sorted()
        XCTAssertLessThanOrEqual(versions[versions.count / 2], 15)
        // 426 alphanumeric characters is what a version 15 symbol holds at level Q.
        XCTAssertLessThanOrEqual(lengths[lengths.count / 2], 426)
        XCTAssertGreaterThanOrEqual(versions.filter { $0 <= 15 }.count * 100 / versions.count, 75)
    }

    /// The names, addresses and authorities come back from the payload exactly as the input spelled them.
    func testVerifyShowsTheVietnameseTextAsWritten() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let records = try Batch.records(50, seed: 3, in: folder)
        let out = folder.appendingPathComponent("out")
        XCTAssertEqual(try CLI.run(Batch.issueArguments(key: key, out: out, [records.path])).status, 0)
        let payloads = try Batch.manifestLines(out).map { try XCTUnwrap(try CLI.jsonObject($0)["payload"] as? String) }
        let verified = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--at", "2025-06-01", "--json", "-"],
                                   stdin: payloads.joined(separator: "\n") + "\n")
        let csv = try String(contentsOf: records, encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(verified.lines.count, 50)
        for (line, row) in zip(verified.lines, csv) {
            let record = try XCTUnwrap(try CLI.jsonObject(line)["record"] as? [String: Any])
            let name = String(row.split(separator: ",")[1])
            XCTAssertEqual(record["full_name"] as? String, name)
            XCTAssertTrue(row.contains(try XCTUnwrap(record["address"] as? String)), "\(record)")
            XCTAssertTrue(row.contains(try XCTUnwrap(record["issuing_authority"] as? String)), "\(record)")
        }
    }
}
