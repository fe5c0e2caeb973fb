import Foundation
import XCTest

/// Faults of the machine, as processes (docs/HOSTILE.md): a full disk, a file size limit, a read-only output
/// folder and a missing key each end with a clear error, exit 2, and a folder holding whole files only;
/// after the fault is gone, `--resume` finishes the run with every record issued exactly once.
final class HostileFilesTests: XCTestCase {
    /// Generated licences shared by the tests of this class.
    static let records: Result<(folder: URL, csv: URL, ids: [String]), any Error> = Result {
        let folder = try CLI.makeTemporaryDirectory()
        let csv = try Batch.records(600, seed: 66, in: folder)
        // licence_no, the profile's id, is the first column and never quoted.
        let ids = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { String($0.prefix { $0 != "," }) }
        return (folder, csv, ids)
    }

    override class func tearDown() {
        if case .success(let records) = records { try? FileManager.default.removeItem(at: records.folder) }
        super.tearDown()
    }

    private var mounts: [URL] = []

    override func tearDown() {
        for mount in mounts.reversed() { _ = try? Self.shell("umount \(mount.path)") }
        mounts = []
        super.tearDown()
    }

    private static func shell(_ command: String) throws -> CLI.Result {
        try CLI.runProgram(URL(fileURLWithPath: "/bin/bash"), ["-c", command], stdin: nil)
    }

    /// A tmpfs of `size` at `folder` (root only; skipped elsewhere), unmounted when the test ends.
    private func mountTmpfs(_ folder: URL, options: String) throws {
        guard getuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let result = try Self.shell("mount -t tmpfs -o \(options) qrcert-test \(folder.path)")
        guard result.status == 0 else { throw XCTSkip("cannot mount a tmpfs here: \(result.stderr)") }
        mounts.append(folder)
    }

    private func issueArguments(key: String, out: URL, _ extra: [String] = []) throws -> [String] {
        Batch.issueArguments(key: key, out: out, extra + ["--jobs", "2", try Self.records.get().csv.path])
    }

    /// `qrcert ARGUMENTS` under `ulimit -f BLOCKS` (1 KiB blocks), stdout into `stdoutFile` (under the limit too)
    /// or merged with stderr. stderr reaches the test through a pipe: a file under the limit could not hold it.
    private func runLimited(_ blocks: Int, _ arguments: [String], stdoutFile: URL? = nil) throws -> CLI.Result {
        let binary = try XCTUnwrap(CLI.binary)
        let redirect = stdoutFile.map { " >'\($0.path)'" } ?? ""
        let result = try CLI.runProgram(URL(fileURLWithPath: "/bin/bash"),
                                        ["-c", "set -o pipefail; ( ulimit -f \(blocks); exec \"$0\" \"$@\"\(redirect) ) 2>&1 | cat",
                                         binary.path] + arguments, stdin: nil)
        return CLI.Result(status: result.status, stdout: "", stderr: result.stdout)
    }

    // MARK: The state a failed run leaves

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let pngEnd: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    /// Whole files only: no temporary file, every PNG from its signature to its IEND chunk, every manifest line
    /// complete JSON whose PNG is there at its recorded size and reads back (zbarimg) as its payload.
    /// Returns the manifest's ids in order.
    @discardableResult
    private func assertWholeFilesOnly(_ out: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let names = try Batch.files(out)
        for name in names where name != "manifest.jsonl" && name != "rejects.jsonl" {
            XCTAssertTrue(name.hasSuffix(".png") && !name.contains(".tmp"), "stray file \(name)", file: file, line: line)
            let bytes = [UInt8](try Data(contentsOf: out.appendingPathComponent(name)))
            XCTAssertTrue(bytes.starts(with: Self.pngSignature) && bytes.suffix(12).elementsEqual(Self.pngEnd),
                          "\(name) is not a whole PNG (\(bytes.count) bytes)", file: file, line: line)
        }
        guard names.contains("manifest.jsonl") else { return [] }
        let text = try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
        XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"), "the manifest ends in a cut line", file: file, line: line)
        var ids: [String] = [], files: [String] = [], payloads: [String] = []
        for entry in try Batch.manifestLines(out) {
            let object = try CLI.jsonObject(entry)
            let id = try XCTUnwrap(object["id"] as? String), name = try XCTUnwrap(object["file"] as? String)
            ids.append(id)
            files.append(out.appendingPathComponent(name).path)
            payloads.append(try XCTUnwrap(object["payload"] as? String))
            XCTAssertEqual(try Batch.size(out.appendingPathComponent(name)), object["png_bytes"] as? Int, name, file: file, line: line)
        }
        XCTAssertEqual(Set(ids).count, ids.count, "an id twice in the manifest", file: file, line: line)
        for start in stride(from: 0, to: files.count, by: 200) {
            let end = min(start + 200, files.count)
            XCTAssertEqual(try CLI.zbarimg(Array(files[start..<end])), Array(payloads[start..<end]), file: file, line: line)
        }
        return ids
    }

    /// After the fault: the same command with `--resume` issues the rest; the manifest lists each input record once, in order.
    private func assertResumeFinishes(_ arguments: [String], out: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let resumed = try CLI.run(arguments + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr, file: file, line: line)
        let ids = try assertWholeFilesOnly(out, file: file, line: line)
        XCTAssertEqual(ids, try Self.records.get().ids, "not every record exactly once, in input order", file: file, line: line)
        XCTAssertEqual(try Batch.files(out).count, ids.count + 1, "files beside the manifest's", file: file, line: line)
    }

    private func assertFailure(_ result: CLI.Result, error pattern: String, hint: String?,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, 2, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        let lines = result.errorLines
        XCTAssertEqual(lines.count, hint == nil ? 1 : 2, result.stderr, file: file, line: line)
        XCTAssertNotNil(lines.first?.range(of: pattern, options: .regularExpression), result.stderr, file: file, line: line)
        if let hint { XCTAssertEqual(lines.last, "qrcert: hint: \(hint)", file: file, line: line) }
    }

    // MARK: Full disk and size limit

    func testAFullDiskEndsWithAClearErrorAndResumeFinishesTheRun() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let disk = folder.appendingPathComponent("disk")
        try mountTmpfs(disk, options: "size=256k")
        let out = disk.appendingPathComponent("out")
        let arguments = try issueArguments(key: key, out: out)

        let full = try CLI.run(arguments)
        assertFailure(full, error: #"^qrcert: error: cannot (write|create) \#(NSRegularExpression.escapedPattern(for: out.path))/[^ ]+: No space left on device \[IO_WRITE\]$"#,
                      hint: "the disk (or a file size limit) is full")
        let issued = try assertWholeFilesOnly(out)
        XCTAssertLessThan(issued.count, 600)

        XCTAssertEqual(try Self.shell("mount -o remount,size=64m \(disk.path)").status, 0)
        try assertResumeFinishes(arguments, out: out)
    }

    func testAFileSizeLimitEndsWithAClearErrorAndNoCutManifestLine() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let out = folder.appendingPathComponent("out")
        let arguments = try issueArguments(key: key, out: out)

        // 40 KiB: the PNGs (about 1 KiB) fit, the manifest (about 540 bytes a line) does not.
        let limited = try runLimited(40, arguments)
        assertFailure(limited, error: #"^qrcert: error: cannot write \#(NSRegularExpression.escapedPattern(for: out.path))/manifest.jsonl: File too large \[IO_WRITE\]$"#,
                      hint: "the disk (or a file size limit) is full")
        let issued = try assertWholeFilesOnly(out)
        XCTAssertGreaterThan(issued.count, 10)
        XCTAssertLessThanOrEqual(try Batch.size(out.appendingPathComponent("manifest.jsonl")), 40 * 1024)
        XCTAssertEqual(issued, Array(try Self.records.get().ids.prefix(issued.count)))

        try assertResumeFinishes(arguments, out: out)
    }

    func testKeygenOnAFullDiskLeavesNoKeyFile() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let prefix = folder.appendingPathComponent("issuer").path
        let result = try runLimited(0, ["keygen", "--out", prefix])
        assertFailure(result, error: #"^qrcert: error: cannot write \#(NSRegularExpression.escapedPattern(for: prefix)).key.pem: File too large \[IO_WRITE\]$"#,
                      hint: "the disk (or a file size limit) is full")
        XCTAssertEqual(try Batch.files(folder), [])
    }

    /// Payload lines redirected into a full file: a clear error instead of a crash in the middle of a line.
    func testPayloadsIntoAFullFileEndWithAClearError() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let payloads = folder.appendingPathComponent("payloads.txt")
        let arguments = ["issue", "--key", key, "--issuer", "Sở GTVT Hà Nội", "--profile", "driving-licence", "--format", "payload",
                         try Self.records.get().csv.path]
        let result = try runLimited(64, arguments, stdoutFile: payloads)
        assertFailure(result, error: #"^qrcert: error: cannot write standard output: File too large \[IO_WRITE\]$"#,
                      hint: "the disk (or a file size limit) is full")
        XCTAssertLessThanOrEqual(try Batch.size(payloads), 64 * 1024)
    }

    // MARK: Read-only folder and missing key

    func testAReadOnlyOutputFolderIsRefusedBeforeAnythingIsSigned() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let out = folder.appendingPathComponent("readonly")
        let reason: String
        if getuid() == 0 {
            try mountTmpfs(out, options: "ro,size=64k")
            reason = "Read-only file system"
        } else {
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            XCTAssertEqual(chmod(out.path, 0o555), 0)
            addTeardownBlock { chmod(out.path, 0o755) }
            reason = "Permission denied"
        }
        let result = try CLI.run(try issueArguments(key: key, out: out))
        assertFailure(result, error: "^qrcert: error: cannot create \(NSRegularExpression.escapedPattern(for: out.path))/manifest.jsonl: \(reason) \\[IO_WRITE\\]$",
                      hint: nil)
        XCTAssertEqual(try Batch.files(out), [])

        // A folder to be made inside it.
        let inside = out.appendingPathComponent("new")
        let nested = try CLI.run(try issueArguments(key: key, out: inside))
        assertFailure(nested, error: "^qrcert: error: cannot create folder \(NSRegularExpression.escapedPattern(for: inside.path)): .+ \\[IO_WRITE\\]$", hint: nil)
        XCTAssertFalse(FileManager.default.fileExists(atPath: inside.path))
    }

    func testAMissingKeyEndsBeforeTheOutputFolderIsMade() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("out")
        let missing = folder.appendingPathComponent("nowhere.key.pem").path
        let result = try CLI.run(try issueArguments(key: missing, out: out))
        assertFailure(result, error: "^qrcert: error: key file \(NSRegularExpression.escapedPattern(for: missing)) does not exist \\[IO_READ\\]$", hint: nil)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        XCTAssertEqual(try Batch.files(folder), [])

        // A folder where the key should be.
        let directory = try CLI.run(try issueArguments(key: folder.path, out: out))
        XCTAssertEqual(directory.status, 2, directory.stderr)
        XCTAssertEqual(directory.errorLines.first.map { $0.hasPrefix("qrcert: error: ") && $0.hasSuffix("]") }, true, directory.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }
}
