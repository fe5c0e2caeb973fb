import Foundation
import XCTest

/// `issue --partition K/N` as independent GNU parallel jobs: with an Ed25519 key (deterministic) the N runs
/// together write exactly the single run's manifest lines and PNGs, and report each bad row exactly once.
final class PartitionRunTests: XCTestCase {
    private func sortedLines(_ url: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Runs the N parts under GNU parallel, each into OUT/part-K; returns parallel's exit status.
    private func parallelRun(_ n: Int, records: String, key: String, out: URL, extra: [String] = []) throws -> Int32 {
        let arguments = ["--will-cite", "--quote", "--halt", "never", "-j", "2",
                         try XCTUnwrap(CLI.binary).path, "issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng",
                         "--profile", "driving-licence", "--jobs", "1"] + extra + [
                         "--partition", "{}/\(n)", "--out", out.path + "/part-{}", records, ":::"] + (1...n).map(String.init)
        let result = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/parallel"), arguments, stdin: nil)
        if result.status > 1 { XCTFail("parallel: \(result.stderr)") }
        return result.status
    }

    func testPartsUnderGNUParallelReproduceTheSingleRun() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        // 80 licences keep the test cheap; every part of 7 still gets several.
        let all = try String(contentsOf: CLI.fixture("records/driving-licences.csv"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let records = folder.appendingPathComponent("licences.csv")
        try (all.prefix(81).joined(separator: "\n") + "\n").write(to: records, atomically: true, encoding: .utf8)

        let single = folder.appendingPathComponent("single")
        let run = try CLI.run(["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                               "--out", single.path, records.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let expected = try sortedLines(single.appendingPathComponent("manifest.jsonl"))
        XCTAssertEqual(expected.count, 80)

        for n in [1, 3, 7] {
            let out = folder.appendingPathComponent("parts-\(n)")
            XCTAssertEqual(try parallelRun(n, records: records.path, key: key, out: out), 0, "N=\(n)")
            var lines: [String] = []
            var pngs: [String] = []
            for k in 1...n {
                let part = out.appendingPathComponent("part-\(k)")
                let partLines = try sortedLines(part.appendingPathComponent("manifest.jsonl"))
                if n == 7 { XCTAssertGreaterThan(partLines.count, 3, "part \(k)/7") }
                lines += partLines
                pngs += try FileManager.default.contentsOfDirectory(atPath: part.path).filter { $0.hasSuffix(".png") }
                for png in try FileManager.default.contentsOfDirectory(atPath: part.path).filter({ $0.hasSuffix(".png") }) {
                    XCTAssertEqual(try Data(contentsOf: part.appendingPathComponent(png)), try Data(contentsOf: single.appendingPathComponent(png)), png)
                }
            }
            // The documented merge: the parts' lines in input order (their `line`) are the single run's manifest.
            let merged = try lines.sorted { try line(of: $0) < line(of: $1) }
            XCTAssertEqual(merged, expected, "N=\(n)")
            XCTAssertEqual(pngs.count, 80, "N=\(n)")
        }
    }

    func testEachBadRowIsReportedByExactlyOnePart() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        for file in ["ragged-row.csv", "duplicate-id.csv", "unknown-class.csv"] {
            let single = folder.appendingPathComponent("single-\(file)")
            _ = try CLI.run(["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                             "--out", single.path, CLI.fixture("bad/\(file)").path])
            let out = folder.appendingPathComponent("parts-\(file)")
            XCTAssertNotEqual(try parallelRun(3, records: CLI.fixture("bad/\(file)").path, key: key, out: out), 0, file)
            var rejects: [String] = [], issued: [String] = []
            for k in 1...3 {
                rejects += try sortedLines(out.appendingPathComponent("part-\(k)/rejects.jsonl"))
                issued += try sortedLines(out.appendingPathComponent("part-\(k)/manifest.jsonl"))
            }
            XCTAssertEqual(rejects.sorted(), try sortedLines(single.appendingPathComponent("rejects.jsonl")).sorted(), file)
            XCTAssertEqual(issued.sorted(), try sortedLines(single.appendingPathComponent("manifest.jsonl")).sorted(), file)
        }
    }

    private func line(of manifestLine: String) throws -> Int {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(manifestLine.utf8)) as? [String: Any])
        return try XCTUnwrap(object["line"] as? Int)
    }
}
