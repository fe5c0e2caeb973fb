import Foundation
import XCTest

/// A batch that dies loses nothing (docs/HOSTILE.md): `issue` killed with SIGKILL at several points (before
/// its first record, in the middle, and again while resuming), then `--resume` until it finishes. With an
/// ES256 key every signature is fresh, so nothing is compared with another run: the finished folder is
/// checked on its own terms, with independent tools (zbarimg reads the PNGs, `qrcert verify` the payloads).
final class KillResumeTests: XCTestCase {
    private static let count = 600

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let pngEnd: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    /// Every PNG under its final name is whole: the kill may leave temporary files and a cut manifest line, never a cut PNG.
    private func assertFinalPNGsAreWhole(_ out: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        for name in try Batch.files(out) where name.hasSuffix(".png") {
            let bytes = [UInt8](try Data(contentsOf: out.appendingPathComponent(name)))
            XCTAssertTrue(bytes.starts(with: Self.pngSignature) && bytes.suffix(12).elementsEqual(Self.pngEnd),
                          "\(name) is cut (\(bytes.count) bytes)", file: file, line: line)
        }
    }

    func testKilledThreeTimesThenResumedIssuesEveryRecordExactlyOnce() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("es256", in: folder)
        let csv = try Batch.records(Self.count, seed: 99, in: folder)
        let ids = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) }
        XCTAssertEqual(ids.count, Self.count)
        let out = folder.appendingPathComponent("out")
        let manifest = out.appendingPathComponent("manifest.jsonl")
        let arguments = Batch.issueArguments(key: key, out: out, ["--jobs", "2", csv.path])

        // 1. As soon as the output folder exists: perhaps nothing issued yet.
        let early = try Batch.stop(arguments, signal: SIGKILL) { FileManager.default.fileExists(atPath: out.path) }
        XCTAssertEqual(early.status, 128 + SIGKILL, early.stderr)
        try assertFinalPNGsAreWhole(out)

        // 2. The resumed run, killed in the middle.
        let middle = try Batch.stop(arguments + ["--resume"], signal: SIGKILL) { Batch.lineCount(manifest) >= 150 }
        XCTAssertEqual(middle.status, 128 + SIGKILL, middle.stderr)
        try assertFinalPNGsAreWhole(out)
        let afterMiddle = Batch.lineCount(manifest)
        XCTAssertTrue((150..<Self.count).contains(afterMiddle), "\(afterMiddle) lines when killed")

        // 3. Killed again, later.
        let late = try Batch.stop(arguments + ["--resume"], signal: SIGKILL) { Batch.lineCount(manifest) >= afterMiddle + 150 }
        XCTAssertEqual(late.status, 128 + SIGKILL, late.stderr)
        try assertFinalPNGsAreWhole(out)

        // 4. Resumed to the end.
        let finished = try CLI.run(arguments + ["--resume"])
        XCTAssertEqual(finished.status, 0, finished.stderr)
        XCTAssertNotNil(finished.errorLines.last?.range(
            of: #"^qrcert: issued [0-9]+, rejected 0 in .*; [0-9]+ already issued by the earlier run"#, options: .regularExpression),
                        finished.stderr)

        // Every record exactly once, in input order; nothing else in the folder.
        let lines = try Batch.manifestLines(out)
        let objects = try lines.map { try CLI.jsonObject($0) }
        XCTAssertEqual(objects.map { $0["id"] as? String }, ids.map { Optional($0) })
        XCTAssertEqual(Set(objects.compactMap { $0["cti"] as? String }).count, Self.count, "a cti twice")
        let files = try objects.map { try XCTUnwrap($0["file"] as? String) }
        XCTAssertEqual(try Batch.files(out), (files + ["manifest.jsonl"]).sorted(), "a temporary or stray file is left")
        try assertFinalPNGsAreWhole(out)
        for object in objects {
            let name = try XCTUnwrap(object["file"] as? String)
            XCTAssertEqual(try Batch.size(out.appendingPathComponent(name)), object["png_bytes"] as? Int, name)
        }

        // Each PNG reads back, with zbar, as its manifest payload.
        let payloads = try objects.map { try XCTUnwrap($0["payload"] as? String) }
        for start in stride(from: 0, to: files.count, by: 300) {
            let end = min(start + 300, files.count)
            let read = try CLI.zbarimg(files[start..<end].map { out.appendingPathComponent($0).path })
            XCTAssertEqual(read, Array(payloads[start..<end]), "PNGs \(start)..<\(end)")
        }

        // Each payload verifies with the issuer's public key.
        let verified = try CLI.run(["verify", "--trust", CLI.publicKey("es256"), "--json", "--at", "2026-03-01T00:00:00Z", "-"],
                                   stdin: payloads.joined(separator: "\n") + "\n")
        let verdicts = try CLI.jsonObjects(verified.stdout)
        XCTAssertEqual(verdicts.count, Self.count, verified.stderr)
        let invalid = verdicts.filter { $0["valid"] as? Bool != true }
        // Licences issued after 2026-03-01 or expired before it are invalid only by their window, never by their signature.
        for verdict in invalid {
            XCTAssertTrue(["CWT_NOT_YET_VALID", "CWT_EXPIRED"].contains(verdict["code"] as? String ?? ""), "\(verdict)")
            XCTAssertNotNil(verdict["issuer"] as? String, "the signature did not verify: \(verdict)")
        }
        XCTAssertGreaterThan(verdicts.count - invalid.count, Self.count / 2)
    }
}
