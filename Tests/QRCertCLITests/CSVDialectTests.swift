import Foundation
import XCTest

/// CSV as spreadsheets write it in decimal-comma locales (Viet Nam's among them): `;`-separated files are
/// detected from the header or named with --delimiter, and give the same credentials byte for byte.
final class CSVDialectTests: XCTestCase {
    /// The fixture licences rewritten with `;` by Python's csv module (an independent writer).
    private func semicolonCopy(in folder: URL) throws -> URL {
        let target = folder.appendingPathComponent("semicolon.csv")
        let script = """
            import csv, sys
            rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
            with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
                csv.writer(f, delimiter=";", lineterminator="\\r\\n").writerows(rows)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, CLI.fixture("records/driving-licences.csv").path, target.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return target
    }

    private func payloads(_ input: String, _ extra: [String] = [], key: String) throws -> CLI.Result {
        try CLI.run(["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                     "--format", "payload"] + extra + [input])
    }

    func testASemicolonFileGivesTheSamePayloadsAsTheCommaFile() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let semicolons = try semicolonCopy(in: folder)
        XCTAssertTrue(try String(contentsOf: semicolons, encoding: .utf8).hasPrefix("licence_no;full_name;"))
        let comma = try payloads(CLI.fixture("records/driving-licences.csv").path, key: key)
        XCTAssertEqual(comma.status, 0, comma.stderr)
        XCTAssertEqual(comma.lines.count, 300)
        let detected = try payloads(semicolons.path, key: key)
        XCTAssertEqual(detected.status, 0, detected.stderr)
        XCTAssertEqual(detected.stdout, comma.stdout)
        let named = try payloads(semicolons.path, ["--delimiter", ";"], key: key)
        XCTAssertEqual(named.stdout, comma.stdout)
    }

    func testAWrongDelimiterIsOneHeaderErrorNotThreeHundredRejects() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let result = try payloads(try semicolonCopy(in: folder).path, ["--delimiter", ","], key: key)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.errorLines.count, 2, result.stderr)
        XCTAssertTrue(result.errorLines.first?.hasPrefix("qrcert: error: \(folder.path)/semicolon.csv:1: the header names a column the profile does not have: licence_no;full_name;") ?? false,
                      result.stderr)
        XCTAssertTrue(result.errorLines.first?.hasSuffix("[REC_UNKNOWN_COLUMN]") ?? false, result.stderr)
    }

    func testDelimiterAppliesToCSVOnly() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let result = try payloads(CLI.fixture("records/driving-licences.jsonl").path, ["--delimiter", ";"], key: key)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.errorLines.first, "qrcert: error: --delimiter applies to CSV input [USAGE]")
    }
}
