import Foundation
import XCTest

/// `issue` options and the ways it refuses to run (exit 2), on one or two records at a time.
final class IssueOptionsTests: XCTestCase {
    private let oneLicence = """
        licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address
        048090001234,Nguyễn Thị Thu Hương,Nữ,1992-04-30,B,2024-03-01,2034-03-01,Sở GTVT Đà Nẵng,VNM,"12 Trần Phú, Hải Châu, Đà Nẵng"

        """

    private func issue(_ extra: [String], stdin: String? = nil, folder: URL) throws -> CLI.Result {
        try CLI.run(["issue", "--key", try CLI.key("es256", in: folder), "--issuer", "Sở GTVT Đà Nẵng",
                     "--profile", "driving-licence"] + extra, stdin: stdin)
    }

    /// Width of a PNG from its IHDR chunk (bytes 16-19, right after the signature and the chunk header).
    private func pngWidth(_ path: String) throws -> Int {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(String(decoding: bytes[12..<16], as: UTF8.self), "IHDR")
        return bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
    }

    func testQROptionsShapeThePNG() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        for (ec, size, margin) in [("Q", 4, 4), ("H", 3, 6), ("L", 2, 4), ("M", 5, 10)] {
            let out = folder.appendingPathComponent("\(ec)\(size)\(margin)")
            let result = try issue(["--out", out.path, "--ec", ec, "--module-size", "\(size)", "--margin", "\(margin)", "-"],
                                   stdin: oneLicence, folder: folder)
            XCTAssertEqual(result.status, 0, result.stderr)
            let line = try XCTUnwrap(try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)).first)
            XCTAssertEqual(line["ec"] as? String, ec)
            let version = try XCTUnwrap(line["qr_version"] as? Int)
            let png = out.appendingPathComponent("048090001234.png").path
            // A version v symbol is 17 + 4v modules wide, plus the quiet zone on both sides.
            XCTAssertEqual(try pngWidth(png), (17 + 4 * version + 2 * margin) * size, "\(ec) \(size) \(margin)")
            XCTAssertEqual(try CLI.zbarimg([png]), [try XCTUnwrap(line["payload"] as? String)])
        }
    }

    func testHigherCorrectionNeedsABiggerSymbol() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        var versions: [String: Int] = [:]
        for ec in ["L", "H"] {
            let out = folder.appendingPathComponent(ec)
            XCTAssertEqual(try issue(["--out", out.path, "--ec", ec, "-"], stdin: oneLicence, folder: folder).status, 0)
            let line = try XCTUnwrap(try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)).first)
            versions[ec] = line["qr_version"] as? Int
        }
        XCTAssertLessThan(try XCTUnwrap(versions["L"]), try XCTUnwrap(versions["H"]))
    }

    func testUsageErrorsExitTwo() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("out").path
        let cases: [([String], String)] = [
            (["--out", out, "--margin", "3", "-"], "--margin must be at least 4 modules (the QR quiet zone)"),
            (["--out", out, "--module-size", "0", "-"], "--module-size must be 1 to 64 pixels"),
            (["-"], "--out is required with --format png"),
            (["--out", out, "--ec", "X", "-"], "--ec"),
            (["--out", out, "--format", "jpeg", "-"], "--format"),
        ]
        for (arguments, fragment) in cases {
            let result = try issue(arguments, stdin: oneLicence, folder: folder)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.hasPrefix("qrcert: error: "), result.stderr)
            XCTAssertTrue(result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("[USAGE]"), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }

    func testInputsThatCannotBeRead() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("out").path
        let missing = folder.appendingPathComponent("missing.csv").path
        let result = try issue(["--out", out, missing], folder: folder)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.errorLines, ["qrcert: error: input \(missing) does not exist [IO_READ]"])

        let odd = folder.appendingPathComponent("records.txt")
        try oneLicence.write(to: odd, atomically: true, encoding: .utf8)
        let unknown = try issue(["--out", out, odd.path], folder: folder)
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.errorLines, [
            "qrcert: error: cannot tell the format of \(odd.path) from its extension [USAGE]",
            "qrcert: hint: pass --input-format csv, json or jsonl",
        ])
        let told = try issue(["--out", out, "--input-format", "csv", odd.path], folder: folder)
        XCTAssertEqual(told.status, 0, told.stderr)

        let profile = try CLI.run(["issue", "--key", try CLI.key("es256", in: folder), "--issuer", "X", "--profile", "fishing-licence",
                                   "--format", "payload", "-"], stdin: oneLicence)
        XCTAssertEqual(profile.status, 2)
        XCTAssertEqual(profile.errorLines.first, "qrcert: error: no profile fishing-licence: not a built-in name nor a file [PROFILE_UNKNOWN]")
    }

    func testAnEarlierRunIsNeverMixedIntoANewOne() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("out")
        XCTAssertEqual(try issue(["--out", out.path, "-"], stdin: oneLicence, folder: folder).status, 0)
        let manifest = try Data(contentsOf: out.appendingPathComponent("manifest.jsonl"))
        let again = try issue(["--out", out.path, "-"], stdin: oneLicence, folder: folder)
        XCTAssertEqual(again.status, 2)
        XCTAssertEqual(again.errorLines, [
            "qrcert: error: \(out.path)/manifest.jsonl already exists: the folder holds an earlier run [IO_EXISTS]",
            "qrcert: hint: issue into a new folder",
        ])
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("manifest.jsonl")), manifest)
    }

    /// Record ids become file names: nothing can climb out of the output folder, hide, or collide.
    func testIDsAreMadeSafeFileNames() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("out")
        let header = oneLicence.components(separatedBy: "\n")[0]
        let ids = ["../../escape", ".hidden", "a/b", "a%2Fb", "Đà Nẵng 1"]
        let rows = ids.map { "\"\($0)\",Lê Văn Tám,Nam,1990-01-01,A1,2024-01-01,,Sở GTVT Đà Nẵng,VNM," }
        let result = try issue(["--out", out.path, "-"], stdin: ([header] + rows).joined(separator: "\n") + "\n", folder: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        let manifest = try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
        XCTAssertEqual(manifest.compactMap { $0["id"] as? String }, ids)
        // Capitals (the F of %2F, the N of Nẵng) add 8 hex digits of SHA-256 of the id (Python's hashlib agrees).
        let files = ["%2E.%2F..%2Fescape.png", "%2Ehidden.png", "a%2Fb.png", "a%252Fb~771723a6.png", "%C4%90%C3%A0%20N%E1%BA%B5ng%201~2b813344.png"]
        XCTAssertEqual(manifest.compactMap { $0["file"] as? String }, files)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), (files + ["manifest.jsonl"]).sorted())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(), ["TEST-ONLY-es256.key.pem", "out"])
    }

    func testEmptyInputIssuesNothing() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let headerOnly = try issue(["--format", "payload", "-"], stdin: oneLicence.components(separatedBy: "\n")[0] + "\n", folder: folder)
        XCTAssertEqual(headerOnly.status, 0)
        XCTAssertEqual(headerOnly.stdout, "")
        XCTAssertTrue(CLI.isSummary(headerOnly.errorLines.last ?? "", issued: 0, rejected: 0), headerOnly.stderr)
        let nothing = try issue(["--format", "payload", "-"], stdin: "", folder: folder)
        XCTAssertEqual(nothing.status, 2)
        XCTAssertEqual(nothing.errorLines.first, "qrcert: error: <stdin>: no header row [REC_EMPTY_INPUT]")
    }

    /// `--payload-version 1` writes what verifiers older than version 2 read; the default is the compact QC2:.
    /// Both verify, with the same cti.
    func testPayloadVersionOption() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        func payload(_ extra: [String]) throws -> CLI.Result {
            try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence", "--format", "payload"] + extra,
                        stdin: oneLicence, in: folder)
        }
        let compact = try payload([]), old = try payload(["--payload-version", "1"]), two = try payload(["--payload-version", "2"])
        XCTAssertEqual(compact.status, 0, compact.stderr)
        XCTAssertEqual(compact.lines.count, 1)
        XCTAssertTrue(compact.stdout.hasPrefix("QC2:"), compact.stdout)
        XCTAssertEqual(two.lines, compact.lines)
        XCTAssertEqual(old.status, 0, old.stderr)
        XCTAssertEqual(old.lines.count, 1)
        XCTAssertTrue(old.stdout.hasPrefix("QC1:"), old.stdout)
        XCTAssertLessThan(compact.stdout.utf8.count + 40, old.stdout.utf8.count)
        let verified = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--at", "2025-06-01", "--json", "-"],
                                   stdin: old.stdout + compact.stdout)
        XCTAssertEqual(verified.status, 0, verified.stdout)
        let answers = try CLI.jsonObjects(verified.stdout)
        XCTAssertEqual(answers.map { $0["valid"] as? Bool }, [true, true])
        XCTAssertEqual(Set(answers.compactMap { $0["cti"] as? String }).count, 1, verified.stdout)
        let bad = try payload(["--payload-version", "3"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--payload-version must be 1 or 2"), bad.stderr)
    }

    func testPayloadModeOnStdoutOnly() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let result = try CLI.run(["issue", "--key", try CLI.key("ed25519", in: folder), "--issuer", "Sở GTVT Đà Nẵng",
                                  "--profile", "driving-licence", "--format", "payload"], stdin: oneLicence, in: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.lines.count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["TEST-ONLY-ed25519.key.pem"])
        // The payload is the Ed25519 vector's shape: inspect decodes it, UNVERIFIED.
        let inspected = try CLI.run(["inspect", result.lines[0]])
        XCTAssertEqual(inspected.status, 0)
        XCTAssertTrue(inspected.stdout.contains("048090001234"))
    }
}
