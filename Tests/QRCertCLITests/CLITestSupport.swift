import Foundation
import XCTest

/// The built `qrcert` binary run as a process, with stdin, stdout, stderr and the exit status captured,
/// plus the fixtures, keys and external tools the process tests use.
enum CLI {
    /// The package root (Tests/QRCertCLITests/ -> root).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Fixtures/NAME`.
    static func fixture(_ name: String) -> URL { root.appendingPathComponent("Fixtures").appendingPathComponent(name) }

    /// The `qrcert` built beside this test bundle: the products folder of the running build, so a test
    /// never picks up another scratch path's (possibly stale) binary.
    static let binary: URL? = {
        var folders: [URL] = []
        for bundle in Bundle.allBundles + [Bundle.main] {
            folders.append(bundle.bundleURL)
            folders.append(bundle.bundleURL.deletingLastPathComponent())
            if let executable = bundle.executableURL { folders.append(executable.deletingLastPathComponent()) }
        }
        folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for folder in folders {
            let candidate = folder.appendingPathComponent("qrcert")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        return nil
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// stdout split into lines (no trailing empty line).
        var lines: [String] { split(stdout) }
        /// stderr split into lines (no trailing empty line).
        var errorLines: [String] { split(stderr) }

        private func split(_ text: String) -> [String] {
            var parts = text.components(separatedBy: "\n")
            if parts.last == "" { parts.removeLast() }
            return parts
        }
    }

    /// Runs `qrcert ARGUMENTS` with `stdin` (nothing: /dev/null, never a terminal), in `directory`.
    /// The environment is clean and English (`LANG=C.UTF-8`, `NO_COLOR=1`) unless `environment` says otherwise.
    static func run(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil,
                    environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let binary = try XCTUnwrap(binary, "qrcert binary not found beside the test bundle", file: file, line: line)
        return try runProgram(binary, arguments, stdin: stdin.map { Data($0.utf8) }, in: directory, environment: environment)
    }

    /// Runs any program (resolved through PATH when not absolute) the same way.
    static func runProgram(_ program: URL, _ arguments: [String], stdin: Data?, in directory: URL? = nil,
                           environment: [String: String] = [:]) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("qrcert-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1",
                   "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"]
        env.merge(environment) { $1 }
        process.environment = env
        let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
        process.standardOutput = outHandle
        process.standardError = errHandle
        if let stdin {
            let inURL = scratch.appendingPathComponent("stdin")
            try stdin.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        }
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// A fresh folder, removed when `test` ends.
    static func temporaryDirectory(for test: XCTestCase) throws -> URL {
        let url = try makeTemporaryDirectory()
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qrcert-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Copies the committed TEST-ONLY private key `name` into `folder` with `mode` (git stores 0644; issue wants 0600).
    static func key(_ name: String, in folder: URL, mode: mode_t = 0o600) throws -> String {
        let target = folder.appendingPathComponent("TEST-ONLY-\(name).key.pem")
        if !FileManager.default.fileExists(atPath: target.path) {
            try FileManager.default.copyItem(at: fixture("keys/TEST-ONLY-\(name).key.pem"), to: target)
        }
        XCTAssertEqual(chmod(target.path, mode), 0)
        return target.path
    }

    /// The committed public key `name`.
    static func publicKey(_ name: String) -> String { fixture("keys/TEST-ONLY-\(name).pub.pem").path }

    /// The file mode bits of `path`.
    static func mode(_ path: String) -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return info.st_mode & 0o7777
    }

    /// What `zbarimg` (the real decoder, QR only) reads from `files`, one string per symbol, in file order.
    ///
    /// Every other symbology is disabled: with all enabled zbar finds a phantom Interleaved 2 of 5 code in some QR codes.
    static func zbarimg(_ files: [String]) throws -> [String] {
        let result = try runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable"] + files,
                                    stdin: nil)
        XCTAssertEqual(result.status, 0, "zbarimg: \(result.stderr)")
        return result.lines
    }

    /// The lines of a JSON Lines file (or text), each parsed as an object.
    static func jsonObjects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
    }

    /// The JSON object of one line, keys kept with JSON null as NSNull.
    static func jsonObject(_ line: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
    }

    /// Seconds since 1970 UTC of midnight at +07:00 of `YYYY-MM-DD`, plus `days`: computed here with
    /// Foundation's calendar, independently of qrcert's own date code.
    static func vietnamMidnight(_ date: String, plusDays days: Int = 0) throws -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try XCTUnwrap(TimeZone(secondsFromGMT: 7 * 3600))
        let parts = date.split(separator: "-").compactMap { Int($0) }
        XCTAssertEqual(parts.count, 3, date)
        let start = try XCTUnwrap(calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])))
        let shifted = try XCTUnwrap(calendar.date(byAdding: .day, value: days, to: start))
        return Int64(shifted.timeIntervalSince1970)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` of an instant, with Foundation.
    static func iso(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The one-line summary `issue` prints last on stderr.
    /// The PNG name `issue` gives `id`, by docs/BATCH.md's rule, with SHA-256 from coreutils' sha256sum:
    /// percent-encoding, and `~` + 8 hex digits of the hash when the id has an ASCII capital (names up to 200 bytes).
    static func pngName(_ id: String) throws -> String {
        var name = ""
        for (i, byte) in id.utf8.enumerated() {
            let plain = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x2D || byte == 0x5F || (byte == 0x2E && i > 0)
            name += plain ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }
        guard id.utf8.contains(where: { (0x41...0x5A).contains($0) }) else { return name + ".png" }
        let sum = try runProgram(URL(fileURLWithPath: "/usr/bin/sha256sum"), [], stdin: Data(id.utf8))
        return name + "~" + String(sum.stdout.prefix(8)) + ".png"
    }

    static func isSummary(_ line: String, issued: Int, rejected: Int) -> Bool {
        line.range(of: #"^qrcert: issued \#(issued), rejected \#(rejected) in [0-9]+\.[0-9]{2} s \([0-9]+ records/s\)$"#,
                   options: .regularExpression) != nil
    }
}
