import Foundation
import XCTest

/// Inputs are bounded before they are read: image files by their size (a path or stdin), `inspect -` by its line.
final class InputBoundsTests: XCTestCase {
    /// A sparse 64 MiB + 1 byte file is refused by its size, without reading it (the old verify read it whole).
    func testImageFileRefusedBySize() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let big = folder.appendingPathComponent("big.jpg")
        FileManager.default.createFile(atPath: big.path, contents: nil)
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: 64 << 20 + 1)
        try handle.close()
        let result = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--json", "--image", big.path])
        XCTAssertEqual(result.status, 1, result.stderr)
        let object = try CLI.jsonObject(try XCTUnwrap(result.lines.first))
        XCTAssertEqual(object["code"] as? String, "IMG_TOO_LARGE")
        XCTAssertEqual(object["message"] as? String, "\(big.path): image file is 67108865 bytes, more than the 64 MiB an image may be")
    }

    /// stdin is read with the same bound: reading stops one byte past it.
    func testImageFromStdinIsBounded() throws {
        let result = try CLI.runProgram(try XCTUnwrap(CLI.binary), ["verify", "--trust", CLI.publicKey("ed25519"), "--json", "--image", "-"],
                                        stdin: Data(count: 64 << 20 + 10))
        XCTAssertEqual(result.status, 1, result.stderr)
        let object = try CLI.jsonObject(try XCTUnwrap(result.lines.first))
        XCTAssertEqual(object["code"] as? String, "IMG_TOO_LARGE")
        XCTAssertEqual(object["message"] as? String, "<stdin>: image file is more than 67108864 bytes, more than the 64 MiB an image may be")
    }

    /// `inspect -` keeps at most 64 KiB of its line, as `verify -` does (the old one read the whole line into memory).
    func testInspectLineIsCapped() throws {
        let result = try CLI.run(["inspect", "-"], stdin: "QC1:" + String(repeating: "0", count: 200_000) + "\n")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.errorLines, ["qrcert: error: payload is 65536 bytes, more than the limit of 4296 [PAYLOAD_TOO_LONG]"])
    }
}

/// docs/TRUST.md names the commands that take `--at` and those that take none: the help of each agrees.
final class TimeOptionClaimTests: XCTestCase {
    func testTheCommandsTrustMDNamesTakeAt() throws {
        let trust = try String(contentsOf: CLI.root.appendingPathComponent("docs/TRUST.md"), encoding: .utf8)
        XCTAssertTrue(trust.contains("`verify`,\n`trust-list create`, `add-key`, `retire-key`, `remove-key` and `renew`, and `revoke`, `revoke lift`,\n`renew`, `show` and `check`"))
        let with = [["verify"], ["trust-list", "create"], ["trust-list", "add-key"], ["trust-list", "retire-key"], ["trust-list", "remove-key"],
                    ["trust-list", "renew"], ["revoke", "add"], ["revoke", "lift"], ["revoke", "renew"], ["revoke", "show"], ["revoke", "check"]]
        for command in with {
            XCTAssertTrue(try CLI.run(command + ["--help"]).stdout.contains("--at <at>"), command.joined(separator: " "))
        }
        for command in [["keygen"], ["issue"], ["trust-list", "show"]] {
            XCTAssertFalse(try CLI.run(command + ["--help"]).stdout.contains("--at <at>"), command.joined(separator: " "))
        }
    }
}

/// A path that stat cannot size (a character device) is read with the bound too, never without end.
final class DeviceImageTests: XCTestCase {
    func testEndlessDeviceIsBounded() throws {
        let result = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--json", "--image", "/dev/zero"])
        XCTAssertEqual(result.status, 1, result.stderr)
        let object = try CLI.jsonObject(try XCTUnwrap(result.lines.first))
        XCTAssertEqual(object["message"] as? String, "/dev/zero: image file is more than 67108864 bytes, more than the 64 MiB an image may be")
    }
}
