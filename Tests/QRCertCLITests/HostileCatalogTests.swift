import Foundation
import XCTest

/// Codes of docs/ERRORS.md that only the command line raises and no other test triggers.
final class HostileCatalogTests: XCTestCase {
    /// `--resume` reads the earlier manifest, which anyone may have edited: a line that is not one of a png run,
    /// or whose file points outside the output folder, is refused before anything is written.
    func testResumeRefusesAManifestItDidNotWrite() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let records = CLI.fixture("records/driving-licences.csv").path
        for (name, line) in [
            ("not-a-run", #"{"id":"x"}"#),
            ("escape", #"{"id":"079200000001","type":"vn.dl","cti":"0011223344556677","file":"../../escaped.png","png_bytes":10,"qr_version":10,"ec":"Q","line":2,"payload":"QC1:X"}"#),
            ("absolute", #"{"id":"079200000001","type":"vn.dl","cti":"0011223344556677","file":"/tmp/escaped.png","png_bytes":10,"qr_version":10,"ec":"Q","line":2,"payload":"QC1:X"}"#),
        ] {
            let out = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try Data((line + "\n").utf8).write(to: out.appendingPathComponent("manifest.jsonl"))
            let result = try CLI.run(["issue", "--key", key, "--issuer", "X", "--profile", "driving-licence", "--out", out.path,
                                      "--resume", records])
            XCTAssertEqual(result.status, 2, name)
            XCTAssertEqual(result.errorLines, [
                "qrcert: error: \(out.path)/manifest.jsonl:1: not a manifest line of a png run [RESUME_BAD_MANIFEST]",
                "qrcert: hint: the folder holds something else: issue into a new folder",
            ], name)
            XCTAssertEqual(try Batch.files(out), ["manifest.jsonl"], name)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.deletingLastPathComponent().appendingPathComponent("escaped.png").path))
    }

    func testAnImageWithoutACode() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let blank = folder.appendingPathComponent("blank.png")
        let made = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["convert", "-size", "200x200", "xc:white", blank.path], stdin: nil)
        XCTAssertEqual(made.status, 0, made.stderr)
        let result = try CLI.run(["verify", "--trust", CLI.publicKey("es256"), "--json", "--image", blank.path])
        XCTAssertEqual(result.status, 1, result.stderr)
        let object = try XCTUnwrap(try CLI.jsonObjects(result.stdout).first)
        XCTAssertEqual(object["code"] as? String, "IMG_NO_CODE")
        XCTAssertEqual(object["message"] as? String, "\(blank.path): no readable qr code in the image")
    }
}
