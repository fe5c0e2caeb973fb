import Foundation
import XCTest

/// What a new user met at a terminal and in a first pipeline (issue 13), each on a real pseudo-terminal
/// where the terminal matters: the progress line and a reject, `issue` with nothing to read, `keygen`'s
/// passphrase prompt, the scanner loop's echo, an image given as a payload, a missing image, and
/// `verify -` fed nothing.
final class TerminalUseTests: XCTestCase {
    private func licencePayload() throws -> String { try ScannerLoopTests.shared.get().licence }

    // MARK: issue

    /// A reject printed while the progress line is on screen starts on a cleared line, not after `…/s`.
    func testARejectWhileTheProgressLineIsShownClearsItFirst() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let terminal = try PseudoTerminal()
        let input = CLI.fixture("bad/bad-date.csv").path
        try terminal.start(["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                            "--jobs", "1", "--out", folder.appendingPathComponent("out").path, input], on: [.stderr])
        XCTAssertEqual(terminal.finish(), 1, terminal.rawText)
        let reject = "\(input):3: date_of_birth: \"1991-02-30\" is not a date of the form YYYY-MM-DD [REC_BAD_DATE]"
        // Row 2 was issued first and drew the progress line; the reject of row 3 clears it.
        XCTAssertTrue(terminal.rawText.contains("1 issued"), terminal.rawText)
        XCTAssertTrue(terminal.rawText.contains("\r\u{1B}[K" + reject + "\r\n"), terminal.rawText)
        XCTAssertFalse(terminal.rawText.contains("/s" + reject), terminal.rawText)
    }

    /// `issue` with no records file while stdin is a terminal says so at once, exits 2, creates nothing.
    func testIssueWithNoInputAtATerminalExits2AndLeavesNoManifest() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let out = folder.appendingPathComponent("out")
        let terminal = try PseudoTerminal()
        try terminal.start(["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                            "--out", out.path], on: [.stdin])
        XCTAssertEqual(terminal.finish(within: 20), 2)
        XCTAssertEqual(try terminal.file(.stderr), """
            qrcert: error: no records file given and stdin is a terminal [USAGE]
            qrcert: hint: name the file (qrcert issue ... records.csv), or pipe it in: qrcert issue ... - < records.csv

            """)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "an output folder was created")
        // The same command with the file named runs in that folder (nothing blocks it).
        let run = try CLI.run(["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                               "--out", out.path, CLI.fixture("records/driving-licences.csv").path])
        XCTAssertEqual(run.status, 0, run.stderr)
    }

    // MARK: keygen

    private func keygenAtTerminal(_ answers: [String], extra: [String] = [], in folder: URL) throws -> (status: Int32, terminal: PseudoTerminal) {
        let terminal = try PseudoTerminal()
        try terminal.start(["keygen", "--out", folder.appendingPathComponent("k").path] + extra, on: [.stdin, .stderr])
        let prompts = ["Passphrase for \(folder.appendingPathComponent("k").path).key.pem (empty for none): ", "Same passphrase again: "]
        for (prompt, answer) in zip(prompts, answers) {
            XCTAssertTrue(terminal.wait(for: prompt), terminal.screenText)
            terminal.type(answer + "\n")
        }
        return (terminal.finish(), terminal)
    }

    /// On a terminal keygen asks twice, does not echo, and writes an encrypted key that opens with that passphrase.
    func testKeygenOnATerminalAsksForAPassphraseTwice() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let (status, terminal) = try keygenAtTerminal(["correct horse", "correct horse"], in: folder)
        XCTAssertEqual(status, 0, terminal.screenText)
        XCTAssertFalse(terminal.screenText.contains("correct horse"), "the passphrase was echoed")
        let key = folder.appendingPathComponent("k.key.pem").path
        XCTAssertTrue(try String(contentsOfFile: key, encoding: .utf8).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
        let openssl = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["openssl", "pkey", "-in", key, "-passin", "pass:correct horse", "-noout"], stdin: nil)
        XCTAssertEqual(openssl.status, 0, openssl.stderr)
    }

    /// An empty answer: unencrypted, with a warning; two different answers: nothing written.
    func testKeygenEmptyAnswerWarnsAndMismatchWritesNothing() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let (status, terminal) = try keygenAtTerminal([""], in: folder)
        XCTAssertEqual(status, 0, terminal.screenText)
        let key = folder.appendingPathComponent("k.key.pem").path
        XCTAssertTrue(terminal.screenText.contains("qrcert: warning: \(key) is not encrypted: anyone who copies the file can sign with it\n"), terminal.screenText)
        XCTAssertTrue(try String(contentsOfFile: key, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----\n"))

        let other = try CLI.temporaryDirectory(for: self)
        let (mismatch, screen) = try keygenAtTerminal(["one", "two"], in: other)
        XCTAssertEqual(mismatch, 2)
        XCTAssertTrue(screen.screenText.contains("qrcert: error: the two passphrases differ; no key written [KEY_PASSPHRASE_MISMATCH]\n"), screen.screenText)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: other.path), [])
    }

    /// --no-passphrase: no prompt even on a terminal; it contradicts the passphrase options.
    func testKeygenNoPassphraseDoesNotAsk() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let terminal = try PseudoTerminal()
        try terminal.start(["keygen", "--out", folder.appendingPathComponent("k").path, "--no-passphrase"], on: [.stdin, .stderr])
        XCTAssertEqual(terminal.finish(within: 20), 0, terminal.screenText)
        XCTAssertFalse(terminal.screenText.contains("Passphrase"), terminal.screenText)
        XCTAssertTrue(try String(contentsOfFile: folder.appendingPathComponent("k.key.pem").path, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let both = try CLI.run(["keygen", "--out", folder.appendingPathComponent("k2").path, "--no-passphrase", "--passphrase-env", "X"])
        XCTAssertEqual(both.status, 2)
        XCTAssertEqual(both.errorLines.first, "qrcert: error: --no-passphrase contradicts --passphrase-file and --passphrase-env [USAGE]")
    }

    // MARK: verify

    /// The scanner loop turns the terminal's echo off (the payload is not typed back above the card) and
    /// puts it back when the loop ends.
    func testScannerLoopDoesNotEchoThePayloadAndRestoresEcho() throws {
        let payload = try licencePayload()
        let terminal = try PseudoTerminal()
        try terminal.start(["verify", "--trust", CLI.publicKey("ed25519"), "--at", "2026-03-01"], on: [.stdin, .stdout])
        let deadline = Date().addingTimeInterval(30)
        while terminal.echoes && Date() < deadline { usleep(10_000) }
        XCTAssertFalse(terminal.echoes, "echo still on in the scanner loop")
        terminal.type(payload + "\n")
        XCTAssertTrue(terminal.wait(for: "Nguyễn Thị Thu Hương"), terminal.screenText)
        terminal.type("\u{04}")
        XCTAssertEqual(terminal.finish(), 0, terminal.screenText)
        XCTAssertFalse(terminal.screenText.contains(String(payload.prefix(24))), "the payload was echoed: \(terminal.screenText)")
        XCTAssertTrue(terminal.echoes, "echo not restored")
    }

    /// The scanner loop's answer fits an 80x24 screen: at most 24 lines of at most 80 columns, a long address
    /// cut rather than wrapped, and one line saying who signed (the record's own authority only when it
    /// differs, labelled as the document's).
    func testScannerCardFitsAn80x24ScreenWithOneSignerLine() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let address = "Số 12 Đường Trần Phú, Phường Thạch Thang, Quận Hải Châu, Thành phố Đà Nẵng, Việt Nam"
        let records = "licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address\n"
            + "048090001234,Nguyễn Thị Thu Hương,Nữ,1992-04-30,B,2025-03-01,2035-03-01,Phòng CSGT Công an TP. Đà Nẵng,VNM,\"\(address)\"\n"
            + "048090001235,Trần Văn Bình,Nam,1980-01-15,C,2020-06-01,2025-06-01,Sở GTVT Đà Nẵng,VNM,\"\(address)\"\n"
        let issued = try CLI.run(["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "driving-licence",
                                  "--format", "payload"], stdin: records)
        XCTAssertEqual(issued.status, 0, issued.stderr)
        for (language, signed, documents) in [("en", "Signed by", "Issued by (on the document)"), ("vi", "Ký bởi", "Nơi cấp (trên giấy tờ)")] {
            let terminal = try PseudoTerminal(columns: 80, rows: 24)
            try terminal.start(["verify", "--trust", CLI.publicKey("ed25519"), "--at", "2026-03-01", "--lang", language],
                               on: [.stdin, .stdout])
            let deadline = Date().addingTimeInterval(30)
            while terminal.echoes && Date() < deadline { usleep(10_000) }
            terminal.type(issued.lines[0] + "\n" + issued.lines[1] + "\n")
            XCTAssertTrue(terminal.wait(for: "Trần Văn Bình"), terminal.screenText)
            terminal.type("\u{04}")
            XCTAssertEqual(terminal.finish(), 1, terminal.screenText)
            let answers = terminal.screenText.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            XCTAssertEqual(answers.count, 2, terminal.screenText)
            for answer in answers {
                let lines = answer.components(separatedBy: "\n")
                XCTAssertLessThanOrEqual(lines.count + 1, 24, answer)  // with the blank line after it
                for line in lines { XCTAssertLessThanOrEqual(line.count, 80, line) }
                XCTAssertEqual(lines.filter { $0.hasPrefix("  \(signed) ") }.map { $0.hasSuffix(" Phòng CSGT Công an TP. Đà Nẵng") }, [true], answer)
                XCTAssertTrue(lines.contains { $0.contains("Số 12 Đường Trần Phú, Phường Thạch Thang") && $0.hasSuffix("…") }, answer)
            }
            XCTAssertFalse(answers[0].contains(documents), answers[0])
            XCTAssertTrue(answers[1].contains("  \(documents)  Sở GTVT Đà Nẵng\n"), answers[1])
            if language == "vi" {
                try Data(answers.joined(separator: "\n\n").utf8).write(to: URL(fileURLWithPath: NSTemporaryDirectory() + "qrcert-scanner-vi.txt"))
            }
        }
    }

    /// `verify photo.png`: an image given where a payload goes is read as one, with a hint, and answers as --image does.
    func testAnImageGivenAsAPayloadIsReadAsAnImage() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let out = folder.appendingPathComponent("out")
        let issued = try CLI.run(["issue", "--key", key, "--issuer", "Phòng CSGT Công an TP. Đà Nẵng", "--profile", "transport-permit",
                                  "--out", out.path, CLI.fixture("records/transport-permits.csv").path])
        XCTAssertEqual(issued.status, 0, issued.stderr)
        let png = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted().first { $0.hasSuffix(".png") })
        let path = out.appendingPathComponent(png).path
        // Named without its extension too: the PNG signature decides.
        let renamed = folder.appendingPathComponent("scan").path
        try FileManager.default.copyItem(atPath: path, toPath: renamed)
        let asImage = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "--image", path])
        for argument in [path, renamed] {
            let given = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), argument])
            XCTAssertEqual(given.status, 0, given.stderr)
            XCTAssertEqual(given.stderr, "qrcert: hint: reading \(argument) as images (qrcert verify --image FILE ...)\n")
            XCTAssertEqual(given.stdout, asImage.stdout.replacingOccurrences(of: path, with: argument))
        }
    }

    /// A missing image is a read error on stderr (exit 2), not the "no code read" band; the other files are answered.
    func testAMissingImageIsAReadError() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let missing = folder.appendingPathComponent("missing.jpg").path
        for arguments in [["--image", missing], [missing]] {
            let result = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519")] + arguments)
            XCTAssertEqual(result.status, 2)
            XCTAssertEqual(result.stdout, "")
            XCTAssertEqual(result.errorLines.last, "qrcert: error: image \(missing) does not exist [IO_READ]")
            XCTAssertFalse(result.stdout.contains("NO CODE READ"))
        }
    }

    /// `verify -` fed nothing (a failed step before it) is not "all valid": exit 2 with VERIFY_NO_PAYLOAD.
    func testVerifyStdinWithNoPayloadExitsNonZero() throws {
        for (stdin, extra) in [("", [String]()), ("\n  \r\n\n", ["--json"]), ("", ["-"])] {
            let result = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519")] + extra, stdin: stdin)
            XCTAssertEqual(result.status, 2, "\(extra)")
            XCTAssertEqual(result.stdout, "")
            XCTAssertEqual(result.stderr, """
                qrcert: error: no payload read from stdin; nothing was verified [VERIFY_NO_PAYLOAD]
                qrcert: hint: check the command that feeds qrcert verify -

                """)
        }
    }
}
