import Foundation
import XCTest

/// Output order and layout of a batch run whatever the number of worker threads: with the Ed25519 key,
/// `--jobs 1`, `2` and `3` must write byte-identical manifests, rejects and PNGs, in input order.
final class BatchOrderTests: XCTestCase {
    /// 800 generated licences (four batches of 256 or fewer) with bad rows among them, in the second and third
    /// batches: a duplicate id, a ragged row, an unknown class.
    private func recordsWithBadRows(in folder: URL) throws -> (url: URL, goodIDs: [String]) {
        var rows = try String(contentsOf: try Batch.records(800, seed: 21, in: folder), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        rows.insert(rows[5], at: 300)
        rows.insert("048000000001,Trần Văn A", at: 600)
        rows.insert(rows[700].replacingOccurrences(of: ",B,", with: ",Z9,"), at: 701)
        let url = folder.appendingPathComponent("records.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        var seen = Set<String>()
        let good = rows.dropFirst().compactMap { row -> String? in
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 10, fields[4] != "Z9", seen.insert(String(fields[0])).inserted else { return nil }
            return String(fields[0])
        }
        return (url, good)
    }

    func testEveryJobCountWritesTheSameBytesInInputOrder() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let (records, goodIDs) = try recordsWithBadRows(in: folder)
        XCTAssertEqual(goodIDs.count, 800)
        var stderrs: [Int: [String]] = [:]
        for jobs in [1, 2, 3] {
            let out = folder.appendingPathComponent("jobs\(jobs)")
            let result = try CLI.run(Batch.issueArguments(key: key, out: out, ["--jobs", "\(jobs)", records.path]))
            XCTAssertEqual(result.status, 1, result.stderr)  // the bad rows
            XCTAssertTrue(CLI.isSummary(result.errorLines.last ?? "", issued: 800, rejected: 3), result.stderr)
            stderrs[jobs] = Array(result.errorLines.dropLast())
        }
        XCTAssertEqual(stderrs[1]?.count, 3)
        XCTAssertEqual(stderrs[1], stderrs[2])
        XCTAssertEqual(stderrs[1], stderrs[3])
        let one = folder.appendingPathComponent("jobs1")
        let manifest = try Batch.manifestLines(one)
        XCTAssertEqual(try manifest.map { try XCTUnwrap(try CLI.jsonObject($0)["id"] as? String) }, goodIDs)
        let lines = try manifest.map { try XCTUnwrap(try CLI.jsonObject($0)["line"] as? Int) }
        XCTAssertEqual(lines, lines.sorted())
        for jobs in [2, 3] {
            let out = folder.appendingPathComponent("jobs\(jobs)")
            for name in ["manifest.jsonl", "rejects.jsonl"] {
                XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(name)), try Data(contentsOf: one.appendingPathComponent(name)),
                               "\(name) with --jobs \(jobs)")
            }
            XCTAssertEqual(try Batch.files(out), try Batch.files(one))
            for id in goodIDs.prefix(50) + goodIDs.suffix(50) {
                XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("\(id).png")), try Data(contentsOf: one.appendingPathComponent("\(id).png")), id)
            }
        }
        // Every manifest line tells the PNG's true size (what --resume checks).
        for text in manifest.prefix(100) {
            let line = try CLI.jsonObject(text)
            let file = one.appendingPathComponent(try XCTUnwrap(line["file"] as? String))
            XCTAssertEqual(line["png_bytes"] as? Int, try Batch.size(file))
        }
    }

    func testPayloadLinesAreInInputOrderWhateverTheJobs() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let (records, goodIDs) = try recordsWithBadRows(in: folder)
        let csv = try String(contentsOf: records, encoding: .utf8)
        var outputs: [String] = []
        for jobs in ["1", "2", "3"] {
            let result = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Hà Nội", "--profile", "driving-licence",
                                      "--format", "payload", "--jobs", jobs, "-"], stdin: csv)
            XCTAssertEqual(result.status, 1, result.stderr)
            XCTAssertEqual(result.lines.count, goodIDs.count)
            outputs.append(result.stdout)
        }
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertEqual(outputs[0], outputs[2])
        let png = folder.appendingPathComponent("png")
        XCTAssertEqual(try CLI.run(Batch.issueArguments(key: key, out: png, [records.path])).status, 1)
        XCTAssertEqual(try Batch.manifestLines(png).map { try XCTUnwrap(try CLI.jsonObject($0)["payload"] as? String) },
                       outputs[0].split(separator: "\n").map(String.init))
    }

    /// `--shard 2`: OUT/<first two hex digits of SHA-256(id)>/<id>.png, checked against `sha256sum`.
    func testShardedLayout() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let records = try Batch.records(300, seed: 22, in: folder)
        let out = folder.appendingPathComponent("out")
        let result = try CLI.run(Batch.issueArguments(key: key, out: out, ["--shard", "2", records.path]))
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try Batch.manifestLines(out).map { try CLI.jsonObject($0) }
        XCTAssertEqual(lines.count, 300)
        // External truth for the folder names: sha256sum over files holding each id.
        let ids = try lines.map { try XCTUnwrap($0["id"] as? String) }
        let idFolder = folder.appendingPathComponent("ids")
        try FileManager.default.createDirectory(at: idFolder, withIntermediateDirectories: true)
        for id in ids { try Data(id.utf8).write(to: idFolder.appendingPathComponent(id)) }
        let sums = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum"] + ids, stdin: nil, in: idFolder)
        XCTAssertEqual(sums.status, 0, sums.stderr)
        var digestByID: [String: String] = [:]
        for line in sums.lines {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            digestByID[String(parts[1])] = String(parts[0])
        }
        for (line, id) in zip(lines, ids) {
            let digest = try XCTUnwrap(digestByID[id])
            XCTAssertEqual(line["file"] as? String, "\(digest.prefix(2))/\(id).png")
        }
        let files = try Batch.files(out)
        XCTAssertEqual(files, (lines.compactMap { $0["file"] as? String } + ["manifest.jsonl"]).sorted())
        let folders = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0 != "manifest.jsonl" }
        XCTAssertTrue(folders.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() }, "\(folders)")
        XCTAssertEqual(Set(folders), Set(digestByID.values.map { String($0.prefix(2)) }))  // no empty or stray folders
        // zbar reads sharded PNGs back to their payloads.
        let sample = Array(lines.prefix(5))
        let paths = try sample.map { out.appendingPathComponent(try XCTUnwrap($0["file"] as? String)).path }
        XCTAssertEqual(try CLI.zbarimg(paths), sample.compactMap { $0["payload"] as? String })
    }

    func testShardAndResumeNeedPNGOutput() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        for (extra, message) in [(["--shard", "2"], "--resume and --shard apply to --format png, pdf and svg"),
                                 (["--resume"], "--resume and --shard apply to --format png, pdf and svg"),
                                 (["--out", folder.path, "--shard", "5"], "--shard must be 0 to 4")] {
            let result = try CLI.run(["issue", "--key", key, "--issuer", "X", "--profile", "driving-licence", "--format",
                                      extra.contains("--out") ? "png" : "payload"] + extra + ["-"])
            XCTAssertEqual(result.status, 2)
            XCTAssertEqual(result.errorLines.first, "qrcert: error: \(message) [USAGE]", "\(extra)")
        }
    }
}
