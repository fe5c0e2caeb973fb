import Foundation
import XCTest

/// Records and runs for the batch tests: realistic licences from `../shared/bench/gen_records.py`, `issue`
/// with the committed Ed25519 key (deterministic, so runs can be compared byte for byte), and a run that can
/// be stopped while it works.
enum Batch {
    /// `../shared/bench/gen_records.py`, read in place beside the package.
    static let generator = CLI.root.deletingLastPathComponent().appendingPathComponent("shared/bench/gen_records.py")

    /// `records.csv` of `count` generated licences, in `folder`.
    static func records(_ count: Int, seed: Int = 7, in folder: URL) throws -> URL {
        let out = folder.appendingPathComponent("records-\(count)-\(seed)")
        let result = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"),
                                        ["python3", generator.path, "--n", "\(count)", "--seed", "\(seed)", "--out", out.path], stdin: nil)
        XCTAssertEqual(result.status, 0, result.stderr)
        return out.appendingPathComponent("records.csv")
    }

    /// `issue` arguments with the Ed25519 TEST-ONLY key, PNGs into `out`, then `extra`.
    static func issueArguments(key: String, out: URL, _ extra: [String]) -> [String] {
        ["issue", "--key", key, "--issuer", "Sở GTVT Hà Nội", "--profile", "driving-licence", "--out", out.path] + extra
    }

    /// The manifest's lines as text (no trailing empty line).
    static func manifestLines(_ out: URL) throws -> [String] {
        try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Every regular file under `folder`, as paths relative to it, sorted.
    static func files(_ folder: URL) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        var names: [String] = []
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory),
               !isDirectory.boolValue {
                names.append(name)
            }
        }
        return names.sorted()
    }

    /// Size of a file in bytes.
    static func size(_ url: URL) throws -> Int {
        try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
    }

    /// Starts `qrcert ARGUMENTS` and returns once `ready` is true (polled every 20 ms) or the process ended;
    /// then sends `signal` and waits for the exit. stderr is returned with the status.
    static func stop(_ arguments: [String], signal: Int32, when ready: () -> Bool) throws -> CLI.Result {
        let binary = try XCTUnwrap(CLI.binary, "qrcert binary not found beside the test bundle")
        let scratch = try CLI.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1"]
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = errHandle
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && !ready() && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(process.isRunning, "the run ended before it could be stopped: give it more records")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        try errHandle.close()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CLI.Result(status: status, stdout: "", stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Lines in a file so far (0 when it does not exist yet).
    static func lineCount(_ url: URL) -> Int {
        guard let data = FileManager.default.contents(atPath: url.path) else { return 0 }
        return data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}
