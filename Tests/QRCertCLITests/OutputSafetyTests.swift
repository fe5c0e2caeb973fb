import Foundation
import XCTest

/// What `issue` writes cannot be steered into someone else's file: names unique on case-insensitive file
/// systems, final names created exclusively, no symbolic link followed in the output folder, and a resumed
/// run that trusts no payload it reads back from the manifest.
final class OutputSafetyTests: XCTestCase {
    private let header = "licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address"

    private func row(_ id: String, _ name: String = "Lê Văn Tám") -> String {
        "\(id),\(name),Nam,1990-01-01,A1,2025-04-01,,Phòng CSGT Công an TP. Đà Nẵng,VNM,12 Trần Phú"
    }

    private func records(_ rows: [String], in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("records.csv")
        try (([header] + rows).joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func issue(_ key: String, out: URL, _ extra: [String], issuer: String = "Phòng CSGT Công an TP. Đà Nẵng") throws -> CLI.Result {
        try CLI.run(["issue", "--key", key, "--issuer", issuer, "--profile", "driving-licence", "--out", out.path] + extra)
    }

    // MARK: - Names

    /// A FAT file system (a USB stick) through FUSE: `DN-001` and `dn-001` are one name there. Each record
    /// still gets its own PNG holding its own payload, as zbar reads them back.
    func testIDsThatDifferOnlyInCaseGetTheirOwnPNGsOnAFATStick() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let image = folder.appendingPathComponent("stick.img"), mount = folder.appendingPathComponent("stick")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        XCTAssertEqual(try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/truncate"), ["-s", "4M", image.path], stdin: nil).status, 0)
        let format = try CLI.runProgram(URL(fileURLWithPath: "/usr/sbin/mkfs.vfat"), [image.path], stdin: nil)
        XCTAssertEqual(format.status, 0, format.stderr)
        // Started by Python with every other descriptor closed: the FUSE daemon stays behind, and must not keep
        // the descriptor by which Foundation learns that its child has ended.
        let mounted = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", """
            import subprocess, sys
            sys.exit(subprocess.run(["fusefat", "-o", "rw+", sys.argv[1], sys.argv[2]], close_fds=True,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode)
            """, image.path, mount.path], stdin: nil)
        XCTAssertEqual(mounted.status, 0, "fusefat (scripts/setup installs it): \(mounted.stderr)")
        defer { _ = try? CLI.runProgram(URL(fileURLWithPath: "/usr/bin/fusermount"), ["-u", mount.path], stdin: nil) }
        // The file system really folds case: a second name in other letters is the same file.
        FileManager.default.createFile(atPath: mount.appendingPathComponent("Probe").path, contents: Data("x".utf8))
        XCTAssertTrue(FileManager.default.fileExists(atPath: mount.appendingPathComponent("pROBE").path))
        try FileManager.default.removeItem(at: mount.appendingPathComponent("Probe"))

        let key = try CLI.key("ed25519", in: folder)
        let ids = ["dn-001", "DN-001", "Dn-001"]
        let out = mount.appendingPathComponent("out")
        let result = try issue(key, out: out, [try records(ids.map { row($0) }, in: folder).path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let manifest = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
        let files = manifest.compactMap { $0["file"] as? String }
        XCTAssertEqual(files, try ids.map { try CLI.pngName($0) })
        XCTAssertEqual(Set(files.map { $0.lowercased() }).count, 3, "\(files)")
        XCTAssertEqual(try CLI.zbarimg(files.map { out.appendingPathComponent($0).path }), manifest.compactMap { $0["payload"] as? String })
    }

    /// A file already at a record's name (another record's, or anyone's) fails that record alone and stays as it was.
    func testANameAlreadyTakenFailsThatRecordAndReplacesNothing() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let taken = out.appendingPathComponent("079200000002.png")
        try Data("someone else's file".utf8).write(to: taken)
        let input = try records(["079200000001", "079200000002", "079200000003"].map { row($0) }, in: folder)
        let result = try issue(key, out: out, [input.path])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.errorLines.first, "\(input.path):3: \(taken.path) already exists; nothing was replaced [OUT_NAME_TAKEN]")
        XCTAssertEqual(try String(contentsOf: taken, encoding: .utf8), "someone else's file")
        let manifest = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
        XCTAssertEqual(manifest.compactMap { $0["id"] as? String }, ["079200000001", "079200000003"])
        let rejects = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("rejects.jsonl"), encoding: .utf8))
        XCTAssertEqual(rejects.compactMap { $0["code"] as? String }, ["OUT_NAME_TAKEN"])
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: out.path).contains { $0.contains(".tmp-") })
    }

    // MARK: - Symbolic links

    func testAShardFolderThatIsASymbolicLinkIsRefused() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let out = folder.appendingPathComponent("out"), elsewhere = folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        for digit in "0123456789abcdef" {
            try FileManager.default.createSymbolicLink(at: out.appendingPathComponent(String(digit)), withDestinationURL: elsewhere)
        }
        let result = try issue(key, out: out, ["--shard", "1", try records([row("079200000001")], in: folder).path])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.errorLines.first?.hasSuffix("is not a folder of this run (a symbolic link or a file); refused [IO_WRITE]") ?? false, result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path), [])
    }

    func testAManifestThatIsASymbolicLinkIsNotFollowedOnResume() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let victim = folder.appendingPathComponent("victim.txt")
        try Data("not a manifest\npartial".utf8).write(to: victim)
        try FileManager.default.createSymbolicLink(at: out.appendingPathComponent("manifest.jsonl"), withDestinationURL: victim)
        let result = try issue(key, out: out, ["--resume", try records([row("079200000001")], in: folder).path])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertEqual(result.errorLines.first, "qrcert: error: cannot read \(out.path)/manifest.jsonl: it is a symbolic link; refused [IO_READ]")
        XCTAssertEqual(try String(contentsOf: victim, encoding: .utf8), "not a manifest\npartial")
    }

    // MARK: - Resume trusts nothing it reads

    /// Issues three licences, stops "after" them with a cut fourth line, and returns the folder and manifest.
    private func stoppedRun(key: String, in folder: URL) throws -> (out: URL, input: URL, manifest: [String]) {
        let out = folder.appendingPathComponent("out")
        let input = try records(["079200000001", "079200000002", "079200000003", "079200000004"].map { row($0) }, in: folder)
        XCTAssertEqual(try issue(key, out: out, [input.path]).status, 0)
        var lines = try Batch.manifestLines(out)
        let cut = String(lines.removeLast().prefix(40))
        try (lines.joined(separator: "\n") + "\n" + cut).write(to: out.appendingPathComponent("manifest.jsonl"), atomically: true, encoding: .utf8)
        return (out, input, lines)
    }

    /// Writes `lines` back as OUT's manifest with `payload` in line `index` (0-based), as an editor would.
    private func rewrite(_ lines: [String], out: URL, line index: Int, payload: String?) throws {
        var objects = try lines.map { try CLI.jsonObject($0) }
        objects[index]["payload"] = try XCTUnwrap(payload)
        let edited = try objects.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        try (edited.joined(separator: "\n") + "\n").write(to: out.appendingPathComponent("manifest.jsonl"), atomically: true, encoding: .utf8)
    }

    private func assertRefused(_ result: CLI.Result, _ message: String, out: URL, untouched before: Data,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(result.status, 2, result.stderr, file: file, line: line)
        XCTAssertEqual(result.errorLines.first, "qrcert: error: \(out.path)/manifest.jsonl:\(message) [RESUME_MISMATCH]", file: file, line: line)
        // Nothing cut or rewritten before the manifest was validated, the partial last line included.
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("manifest.jsonl")), before, file: file, line: line)
    }

    func testResumeWithAnotherIssuerIsRefused() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let (out, input, _) = try stoppedRun(key: key, in: folder)
        let before = try Data(contentsOf: out.appendingPathComponent("manifest.jsonl"))
        let result = try issue(key, out: out, ["--resume", input.path], issuer: "Cục Cảnh sát giao thông")
        try assertRefused(result, "1: the payload of 079200000001 is not what this run signs for it: it names another issuer than this run's --issuer",
                          out: out, untouched: before)
    }

    func testAnEditedManifestPayloadIsNeitherKeptNorDrawn() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let (out, input, lines) = try stoppedRun(key: key, in: folder)
        // Line 2 gets line 3's genuine payload: a valid signature, but for another licence.
        try rewrite(lines, out: out, line: 1, payload: try CLI.jsonObject(lines[2])["payload"] as? String)
        let png = out.appendingPathComponent(try CLI.pngName("079200000002"))
        try FileManager.default.removeItem(at: png)
        let before = try Data(contentsOf: out.appendingPathComponent("manifest.jsonl"))
        let result = try issue(key, out: out, ["--resume", input.path])
        try assertRefused(result, "2: the payload of 079200000002 is not what this run signs for it: its signed claims differ from this run's for the record (another --issuer, profile or record)",
                          out: out, untouched: before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: png.path), "the edited payload was drawn")
    }

    func testAPayloadSignedByAnotherKeyIsRefused() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let (out, input, lines) = try stoppedRun(key: key, in: folder)
        let other = folder.appendingPathComponent("other")
        XCTAssertEqual(try issue(try CLI.key("es256", in: folder), out: other, [input.path]).status, 0)
        try rewrite(lines, out: out, line: 0, payload: try CLI.jsonObject(try Batch.manifestLines(other)[0])["payload"] as? String)
        let before = try Data(contentsOf: out.appendingPathComponent("manifest.jsonl"))
        let result = try issue(key, out: out, ["--resume", input.path])
        try assertRefused(result, "1: the payload of 079200000001 is not what this run signs for it: it was signed under another key id or algorithm",
                          out: out, untouched: before)
    }

    func testAGenuineStoppedRunIsFinishedAndItsCutLineRemoved() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let (out, input, lines) = try stoppedRun(key: key, in: folder)
        let result = try issue(key, out: out, ["--resume", input.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let after = try Batch.manifestLines(out)
        XCTAssertEqual(Array(after.prefix(3)), lines)
        XCTAssertEqual(after.count, 4)
        XCTAssertEqual(try CLI.jsonObject(after[3])["id"] as? String, "079200000004")
    }
}
