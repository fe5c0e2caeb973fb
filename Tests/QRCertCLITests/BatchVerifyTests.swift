import Foundation
import XCTest

/// `verify -` on several threads: the answers are those of one thread, in input order, and a person scanning
/// one code at a time still gets each answer before the next scan.
final class BatchVerifyTests: XCTestCase {
    func testEveryJobCountAnswersTheSameInInputOrder() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let records = try Batch.records(1500, seed: 31, in: folder)
        let issued = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Hà Nội", "--profile", "driving-licence",
                                  "--format", "payload", records.path])
        XCTAssertEqual(issued.status, 0, issued.stderr)
        // Valid payloads with, among them, blank scans, a damaged payload and a lower-case (Caps Lock) one.
        var lines = issued.lines
        var damaged = Array(lines[698])
        damaged[10] = "#"
        lines[698] = String(damaged)
        lines[898] = lines[898].lowercased()
        lines.insert("", at: 10)
        lines.insert("   ", at: 500)
        let input = lines.joined(separator: "\n") + "\n"
        for format in [[], ["--json"]] {
            var outputs: [String] = []
            for jobs in ["1", "2", "3", "8"] {
                let result = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--at", "2025-06-01", "--jobs", jobs] + format + ["-"],
                                         stdin: input)
                XCTAssertEqual(result.status, 1, result.stderr)  // the damaged payload (and licences expired by then)
                outputs.append(result.stdout)
            }
            XCTAssertEqual(outputs[0], outputs[1], "\(format)")
            XCTAssertEqual(outputs[0], outputs[2], "\(format)")
            XCTAssertEqual(outputs[0], outputs[3], "\(format)")  // more workers than cores: batches handed in out of turn
            if format == ["--json"] {
                let answers = try CLI.jsonObjects(outputs[0])
                XCTAssertEqual(answers.count, 1500)  // blank scans are not answered
                XCTAssertEqual(answers[698]["code"] as? String, "B45_BAD_CHAR")
                // In input order: the answer at each position is about the record issued at that position.
                let ids = try String(contentsOf: records, encoding: .utf8).split(separator: "\n").dropFirst().map {
                    String($0.split(separator: ",")[0])
                }
                for (index, answer) in answers.enumerated() where index != 698 {
                    XCTAssertEqual(answer["id"] as? String, ids[index], "answer \(index)")
                }
            }
        }
    }

    /// Lines cut at 64 KiB (the rest of such a line dropped, not read as more lines), a line of exactly 64 KiB kept
    /// whole, lines across the 64 KiB reads, and a last line without LF: the same answers with one job (read and
    /// verified on one thread) and with two (read, batched and handed to workers).
    func testLongLinesAndALastLineWithoutLineFeed() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let records = try Batch.records(3, seed: 33, in: folder)
        let issued = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Hà Nội", "--profile", "driving-licence",
                                  "--format", "payload", records.path])
        XCTAssertEqual(issued.lines.count, 3, issued.stderr)
        let long = "QC1:" + String(repeating: "0", count: 200_000)
        let exact = "QC1:" + String(repeating: "1", count: 65_532)
        let input = [issued.lines[0], long, issued.lines[1], exact, exact + "2", issued.lines[2]].joined(separator: "\n")
        let tooLong = "payload is 65536 bytes, more than the limit of 4296"
        for jobs in ["1", "2"] {
            let result = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--at", "2025-06-01", "--json", "--jobs", jobs, "-"],
                                     stdin: input)
            XCTAssertEqual(result.status, 1, result.stderr)
            let answers = try CLI.jsonObjects(result.stdout)
            XCTAssertEqual(answers.count, 6, jobs)
            guard answers.count == 6 else { continue }
            for index in [1, 3, 4] {
                XCTAssertEqual(answers[index]["code"] as? String, "PAYLOAD_TOO_LONG", "answer \(index), --jobs \(jobs)")
                XCTAssertEqual(answers[index]["message"] as? String, tooLong, "answer \(index), --jobs \(jobs)")
            }
            // The payloads around them are read whole (some licences of the generator have expired by 2025).
            let ids = try String(contentsOf: records, encoding: .utf8).split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
            XCTAssertEqual([0, 2, 5].map { answers[$0]["signature_verified"] as? Bool }, [true, true, true], jobs)
            XCTAssertEqual([0, 2, 5].map { answers[$0]["id"] as? String }, ids, jobs)
        }
    }

    /// One payload, then its answer, then the next: answers are not held back to fill a batch, whether the payloads
    /// are verified on the reading thread (one job) or handed to workers.
    func testEachScanIsAnsweredBeforeTheNextArrives() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let records = try Batch.records(3, seed: 32, in: folder)
        let issued = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Hà Nội", "--profile", "driving-licence",
                                  "--format", "payload", records.path])
        XCTAssertEqual(issued.lines.count, 3)
        for jobs in ["1", "2"] {
            try answersEachScanAtOnce(issued.lines, records: records, jobs: jobs)
        }
    }

    private func answersEachScanAtOnce(_ payloads: [String], records: URL, jobs: String) throws {
        let process = Process()
        process.executableURL = try XCTUnwrap(CLI.binary)
        process.arguments = ["verify", "--trust", CLI.publicKey("ed25519"), "--at", "2025-06-01", "--json", "--jobs", jobs, "-"]
        process.environment = ["LANG": "C.UTF-8", "NO_COLOR": "1"]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var answered: [String] = []
        for payload in payloads {
            try stdin.fileHandleForWriting.write(contentsOf: Data((payload + "\n").utf8))
            // Read until this payload's answer line is complete; stdin stays open, so only an immediate answer ends the wait.
            var line = Data()
            while !line.contains(0x0A) {
                let chunk = stdout.fileHandleForReading.availableData
                XCTAssertFalse(chunk.isEmpty, "verify ended before answering")
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            answered.append(String(decoding: line, as: UTF8.self))
        }
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        XCTAssertEqual(answered.count, 3, "--jobs \(jobs)")
        for (answer, record) in zip(answered, try String(contentsOf: records, encoding: .utf8).split(separator: "\n").dropFirst()) {
            XCTAssertEqual(try CLI.jsonObject(answer.trimmingCharacters(in: .newlines))["id"] as? String, String(record.split(separator: ",")[0]))
        }
    }
}
