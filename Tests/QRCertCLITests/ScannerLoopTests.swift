import Foundation
import XCTest

/// The scanner loop: `qrcert verify --trust K` fed one scan per line through a pipe, as a USB scanner types
/// them, with pauses between scans. Each answer must arrive before the next line is written (a tool that
/// buffers its answers would hang this test), scanner artefacts are undone, and anything else is rejected
/// with its stage and code.
final class ScannerLoopTests: XCTestCase {
    struct Payloads: Sendable {
        /// Class B licence 048090001234 of Nguyễn Thị Thu Hương, 2024-03-01 .. 2034-03-01.
        let licence: String
        /// Transport permit 12/2024/GPKDVT, no expiry.
        let permit: String

        static func make() throws -> Payloads {
            let folder = try CLI.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            // Ed25519 signs deterministically: the same payloads, and the same damaged ones, on every run.
            let key = try CLI.key("ed25519", in: folder)
            let licence = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence",
                                       "--format", "payload"], stdin: """
                licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address
                048090001234,Nguyễn Thị Thu Hương,Nữ,1992-04-30,B,2024-03-01,2034-03-01,Sở GTVT Đà Nẵng,VNM,"12 Trần Phú, Hải Châu, Đà Nẵng"

                """)
            let permit = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Đà Nẵng", "--profile", "transport-permit",
                                      "--format", "payload", CLI.fixture("records/transport-permits.csv").path])
            guard licence.status == 0, let one = licence.lines.first, permit.status == 0, let two = permit.lines.first else {
                throw ScannerFailure("issue failed: \(licence.stderr) \(permit.stderr)")
            }
            return Payloads(licence: one, permit: two)
        }
    }

    struct ScannerFailure: Error { let message: String; init(_ message: String) { self.message = message } }

    static let shared: Result<Payloads, any Error> = Result { try Payloads.make() }
    private var payloads: Payloads { get throws { try Self.shared.get() } }

    /// A running `qrcert` with a pipe on stdin and stdout, read as answers arrive.
    final class Session {
        let process = Process()
        private let input = Pipe(), output = Pipe()
        private let errorFile: URL
        private var buffer = Data()

        init(_ arguments: [String], environment: [String: String] = [:]) throws {
            process.executableURL = try XCTUnwrap(CLI.binary)
            process.arguments = arguments
            var env = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": NSTemporaryDirectory()]
            env.merge(environment) { $1 }
            process.environment = env
            errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("scanner-\(UUID().uuidString).err")
            FileManager.default.createFile(atPath: errorFile.path, contents: nil)
            process.standardInput = input
            process.standardOutput = output
            process.standardError = try FileHandle(forWritingTo: errorFile)
            try process.run()
        }

        deinit {
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(at: errorFile)
        }

        /// Types `text` as the scanner would (bytes as given: CR, LF, spaces and all).
        func type(_ text: String) {
            input.fileHandleForWriting.write(Data(text.utf8))
        }

        /// Waits until stdout holds `count` complete answers (each ends with `terminator`) and returns them;
        /// fails after `seconds` (a liveness bound, not a speed measurement: answers take milliseconds).
        func answers(_ count: Int, endingWith terminator: String, within seconds: Double = 30,
                     line: UInt = #line) -> [String] {
            let deadline = Date().addingTimeInterval(seconds)
            let fd = output.fileHandleForReading.fileDescriptor
            while split(terminator).count < count {
                let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard left > 0, poll(&poller, 1, left) > 0 else {
                    XCTFail("no answer within \(seconds) s; stdout so far: \(String(decoding: buffer, as: UTF8.self))", line: line)
                    return split(terminator)
                }
                var chunk = [UInt8](repeating: 0, count: 65536)
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { break }
                buffer.append(contentsOf: chunk[0..<n])
            }
            return split(terminator)
        }

        /// Whatever has arrived without waiting, split into complete answers.
        func arrived(endingWith terminator: String) -> [String] {
            let fd = output.fileHandleForReading.fileDescriptor
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while poll(&poller, 1, 0) > 0 {
                var chunk = [UInt8](repeating: 0, count: 65536)
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { break }
                buffer.append(contentsOf: chunk[0..<n])
            }
            return split(terminator)
        }

        private func split(_ terminator: String) -> [String] {
            var parts = String(decoding: buffer, as: UTF8.self).components(separatedBy: terminator)
            parts.removeLast()  // what follows the last terminator: an answer still arriving, or nothing
            return parts.map { $0 + terminator }
        }

        /// Ends the input (the scanner unplugged, Ctrl-D) and returns the exit status and stderr.
        func finish() throws -> (status: Int32, stderr: String) {
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: try Data(contentsOf: errorFile), as: UTF8.self))
        }
    }

    /// The last Base45 character changed: it lies in zlib's Adler-32 checksum.
    private func tampered(_ payload: String) -> String {
        String(payload.dropLast()) + (payload.last == "0" ? "1" : "0")
    }

    private let verify = ["verify", "--trust", CLI.publicKey("ed25519"), "--trust", CLI.publicKey("es256"), "--at", "2025-06-01"]

    /// JSON answers, one per scan, each read before the next scan is typed.
    func testEachScanIsAnsweredBeforeTheNext() throws {
        let licence = try payloads.licence, permit = try payloads.permit
        let session = try Session(verify + ["--json", "-"])
        // (what the scanner types, the answer's expected fields; nil for a line that gets no answer)
        let scans: [(String, (valid: Bool, stage: String?, code: String?, id: String?)?)] = [
            (licence.lowercased() + "\n", (true, nil, nil, "048090001234")),           // Caps Lock on
            ("   \n", nil),                                                              // a blank scan
            ("\n", nil),
            ("  " + permit + "  \r\n", (true, nil, nil, "430/2024/GPKDVT")),           // spaces and CRLF
            ("hello world\n", (false, "prefix", "PREFIX_UNKNOWN", nil)),                 // not a certificate
            (tampered(licence) + "\r\n", (false, "zlib", "ZLIB_BAD_DATA", nil)),        // a misread character
            (String(licence.prefix(40)) + "é" + licence.dropFirst(40) + "\n", (false, "base45", "B45_BAD_CHAR", nil)),
            (licence + "\n", (true, nil, nil, "048090001234")),
        ]
        var expectedCount = 0
        for (typed, expected) in scans {
            session.type(typed)
            guard let expected else {
                Thread.sleep(forTimeInterval: 0.2)  // a pause, as between two scans; nothing may arrive
                XCTAssertEqual(session.arrived(endingWith: "\n").count, expectedCount, "an answer to a blank line")
                continue
            }
            expectedCount += 1
            let answers = session.answers(expectedCount, endingWith: "\n")
            XCTAssertEqual(answers.count, expectedCount, "no answer to \(typed.debugDescription) before the next scan")
            guard let last = answers.last, answers.count == expectedCount else { break }
            let object = try CLI.jsonObject(String(last.dropLast()))
            XCTAssertEqual(object["valid"] as? Bool, expected.valid, typed)
            XCTAssertEqual(object["stage"] as? String, expected.stage, typed)
            XCTAssertEqual(object["code"] as? String, expected.code, typed)
            XCTAssertEqual(object["id"] as? String, expected.id, typed)
            Thread.sleep(forTimeInterval: 0.1)
        }
        let (status, stderr) = try session.finish()
        XCTAssertEqual(status, 1)  // some scans were rejected
        XCTAssertEqual(stderr, "")  // no prompt: stdin is not a terminal
    }

    /// Text answers on a pipe: plain (no colour, no band), one block per scan ending with a blank line, the
    /// reason in plain words and the code; exit 0 when every scan was valid.
    func testTextAnswersOnAPipe() throws {
        let licence = try payloads.licence
        let session = try Session(verify + ["--lang", "en"], environment: ["TERM": "xterm-256color"])
        session.type(licence + "\n")
        let first = session.answers(1, endingWith: "\n\n")
        XCTAssertTrue(first.first?.hasPrefix(" ✔ VALID   Driving licence\n") ?? false, first.first ?? "")
        for expected in ["  Full name      Nguyễn Thị Thu Hương\n", "  Licence no.    048090001234\n", "  Class          B\n",
                         "  Valid          2024-03-01 → 2034-03-01\n", "  Signed by      Sở GTVT Đà Nẵng\n"] {
            XCTAssertTrue(first.first?.contains(expected) ?? false, "missing \(expected.debugDescription) in \(first.first ?? "")")
        }
        session.type(tampered(licence).lowercased() + "\r\n")
        let second = session.answers(2, endingWith: "\n\n").last ?? ""
        XCTAssertTrue(second.hasPrefix(" ✘ INVALID \n  The code's content is damaged\n  zlib: "), second)
        XCTAssertTrue(second.hasSuffix(" [ZLIB_BAD_DATA]\n\n"), second)
        let (status, stderr) = try session.finish()
        XCTAssertEqual(status, 1)
        XCTAssertEqual(stderr, "")
        XCTAssertFalse(first.joined().contains("\u{1B}"), "colour on a pipe")
        XCTAssertFalse(second.contains("\u{1B}"), "colour on a pipe")

        let allValid = try Session(verify)
        allValid.type(licence + "\n\n" + licence.lowercased() + "\n")
        XCTAssertEqual(allValid.answers(2, endingWith: "\n\n").count, 2)
        XCTAssertEqual(try allValid.finish().status, 0)
    }

    /// Vietnamese labels and messages, with diacritics; the default follows LANG (LC_ALL first), --lang wins.
    func testVietnamese() throws {
        let licence = try payloads.licence
        let session = try Session(verify, environment: ["LANG": "vi_VN.UTF-8"])
        session.type(licence + "\n" + tampered(licence) + "\n")
        let answers = session.answers(2, endingWith: "\n\n")
        XCTAssertTrue(answers.first?.hasPrefix(" ✔ HỢP LỆ   Giấy phép lái xe\n") ?? false, answers.first ?? "")
        for expected in ["  Họ và tên       Nguyễn Thị Thu Hương\n", "  Số GPLX         048090001234\n", "  Hạng            B\n",
                         "  Hiệu lực        01/03/2024 → 01/03/2034\n", "  Ký bởi          Sở GTVT Đà Nẵng\n"] {
            XCTAssertTrue(answers.first?.contains(expected) ?? false, "missing \(expected.debugDescription) in \(answers.first ?? "")")
        }
        // The record names the signer: one line says who signed (issue 13), not two.
        XCTAssertFalse(answers.first?.contains("Nơi cấp") ?? true, answers.first ?? "")
        XCTAssertEqual(answers.last, " ✘ KHÔNG HỢP LỆ \n  Nội dung mã bị hỏng\n  Mã lỗi: ZLIB_BAD_DATA\n\n")
        XCTAssertEqual(try session.finish().status, 1)

        let overridden = try CLI.run(verify + ["--lang", "en", licence], environment: ["LANG": "vi_VN.UTF-8"])
        XCTAssertTrue(overridden.stdout.hasPrefix(" ✔ VALID "), overridden.stdout)
        let lcAll = try CLI.run(verify + [licence], environment: ["LANG": "en_US.UTF-8", "LC_ALL": "vi_VN.UTF-8"])
        XCTAssertTrue(lcAll.stdout.hasPrefix(" ✔ HỢP LỆ "), lcAll.stdout)
        let forged = try CLI.run(verify + ["--lang", "vi", try forgedSignature(licence)])
        XCTAssertTrue(forged.stdout.contains("  Chữ ký không khớp: giấy tờ có thể đã bị làm giả hoặc sửa đổi\n"), forged.stdout)
        XCTAssertTrue(forged.stdout.contains("  Mã lỗi: SIG_INVALID\n"), forged.stdout)
    }

    /// The licence signed by the foreign TEST-ONLY key, its key id replaced by the trusted one: every layer is
    /// well formed and only the signature fails.
    private func forgedSignature(_ licence: String) throws -> String {
        let folder = try CLI.temporaryDirectory(for: self)
        let foreign = try CLI.run(["issue", "--key", try CLI.key("foreign", in: folder), "--issuer", "Sở GTVT Đà Nẵng",
                                   "--profile", "driving-licence", "--format", "payload"], stdin: """
            licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address
            048090001234,Nguyễn Thị Thu Hương,Nữ,1992-04-30,B,2024-03-01,2034-03-01,Sở GTVT Đà Nẵng,VNM,"12 Trần Phú, Hải Châu, Đà Nẵng"

            """)
        let inspect = try CLI.run(["inspect", try XCTUnwrap(foreign.lines.first)])
        XCTAssertTrue(inspect.stdout.contains("951887ab8761e872"), inspect.stdout)
        // Swap the kid inside the COSE bytes (protected header) and re-encode with the Python standard library.
        let script = """
            import sys, zlib
            A = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
            def b45d(s):
                out = bytearray()
                for i in range(0, len(s), 3):
                    c = [A.index(ch) for ch in s[i:i + 3]]
                    n = sum(v * 45 ** k for k, v in enumerate(c))
                    out += n.to_bytes(2, "big") if len(c) == 3 else bytes([n])
                return bytes(out)
            def b45e(b):
                out = ""
                for i in range(0, len(b), 2):
                    chunk = b[i:i + 2]
                    n = int.from_bytes(chunk, "big")
                    for _ in range(3 if len(chunk) == 2 else 2):
                        out += A[n % 45]; n //= 45
                return out
            text = sys.argv[1]
            cose = zlib.decompress(b45d(text[4:]))
            cose = cose.replace(bytes.fromhex("951887ab8761e872"), bytes.fromhex("c141e6ca121b1f2d"))
            print("QC1:" + b45e(zlib.compress(cose, 9)))
            """
        let python = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, try XCTUnwrap(foreign.lines.first)],
                                        stdin: nil)
        XCTAssertEqual(python.status, 0, python.stderr)
        return try XCTUnwrap(python.lines.first)
    }

    /// On a terminal (a pty made by `script`): the verdict as a band across the screen, in colour; with
    /// NO_COLOR, ruled lines and no escape sequence at all.
    func testTerminalBandWithAndWithoutColour() throws {
        let licence = try payloads.licence
        let folder = try CLI.temporaryDirectory(for: self)
        let scans = folder.appendingPathComponent("scans.txt")
        try Data((licence + "\n" + tampered(licence) + "\n").utf8).write(to: scans)
        let binary = try XCTUnwrap(CLI.binary).path
        let command = ([binary] + verify + ["--lang", "en"]).map { "'\($0)'" }.joined(separator: " ") + " < '\(scans.path)'"
        func onTerminal(_ environment: [String: String]) throws -> CLI.Result {
            try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/script"), ["-q", "-e", "-c", command, "/dev/null"], stdin: nil,
                               environment: ["TERM": "xterm-256color", "COLUMNS": "60"].merging(environment) { $1 })
        }
        var colour = try onTerminal(["NO_COLOR": ""])
        colour.stdout = colour.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        XCTAssertEqual(colour.status, 1)
        let green = "\u{1B}[1;97;42m", red = "\u{1B}[1;97;41m", reset = "\u{1B}[0m"
        let band = String(repeating: " ", count: 60)
        let validLine = "   ✔  V A L I D     Driving licence"
        XCTAssertTrue(colour.stdout.hasPrefix(
            "\(green)\(band)\(reset)\n\(green)\(validLine + String(repeating: " ", count: 60 - validLine.count))\(reset)\n\(green)\(band)\(reset)\n"),
            colour.stdout.debugDescription)
        XCTAssertTrue(colour.stdout.contains("\(red)   ✘  I N V A L I D"), colour.stdout.debugDescription)

        var plain = try onTerminal(["NO_COLOR": "1"])
        plain.stdout = plain.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        XCTAssertEqual(plain.status, 1)
        XCTAssertFalse(plain.stdout.contains("\u{1B}"), plain.stdout.debugDescription)
        let rule = String(repeating: "═", count: 60)
        XCTAssertTrue(plain.stdout.hasPrefix("\(rule)\n\(validLine + String(repeating: " ", count: 60 - validLine.count))\n\(rule)\n"),
                      plain.stdout.debugDescription)
        XCTAssertTrue(plain.stdout.contains("\(rule)\n   ✘  I N V A L I D"), plain.stdout.debugDescription)
    }

    /// Every code a verdict can carry (thrown in the format library or by the verifier and its policies) and
    /// every code of an image answer has its own sentence in both English and Vietnamese in ReasonText.
    func testEveryVerdictCodeHasASentenceInBothLanguages() throws {
        let sources = CLI.root.appendingPathComponent("Sources")
        var files = try FileManager.default.contentsOfDirectory(atPath: sources.appendingPathComponent("QRCertFormat").path)
            .map { sources.appendingPathComponent("QRCertFormat/\($0)") }
        files += try FileManager.default.contentsOfDirectory(atPath: sources.appendingPathComponent("QRCert").path)
            .filter { $0.hasPrefix("Verifier") || $0.hasSuffix("Policy.swift") || $0 == "Credential.swift" }.map { sources.appendingPathComponent("QRCert/\($0)") }
        let verdictStages = ["prefix", "base45", "zlib", "cbor", "cose", "key", "signature", "validity", "content", "revocation"]
        let thrown = try NSRegularExpression(pattern: #"QRCertError\(\s*\.(\w+),\s*"([A-Z0-9_]+)""#)
        let cbor = try NSRegularExpression(pattern: #"\berror\(\s*"(CBOR_[A-Z0-9_]+)""#)
        var codes: Set<String> = ["IMG_NO_CODE", "IMG_UNSUPPORTED", "IMG_BAD_DATA", "IMG_TOO_LARGE", "IMG_DECODER_FAILED", "IO_READ"]
        for file in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for match in thrown.matches(in: text, range: range) {
                guard let stage = Range(match.range(at: 1), in: text), let code = Range(match.range(at: 2), in: text) else { continue }
                if verdictStages.contains(String(text[stage])) { codes.insert(String(text[code])) }
            }
            for match in cbor.matches(in: text, range: range) {
                if let code = Range(match.range(at: 1), in: text) { codes.insert(String(text[code])) }
            }
        }
        XCTAssertGreaterThan(codes.count, 50)
        let reasons = try String(contentsOf: sources.appendingPathComponent("QRCertIO/ReasonText.swift"), encoding: .utf8)
        func table(_ name: String) throws -> Substring {
            let start = try XCTUnwrap(reasons.range(of: "static let \(name): [String: String] = ["), name)
            let end = try XCTUnwrap(reasons.range(of: "\n    ]", range: start.upperBound..<reasons.endIndex), name)
            return reasons[start.upperBound..<end.lowerBound]
        }
        let englishTable = try table("english"), vietnameseTable = try table("vietnamese")
        for code in codes.sorted() {
            XCTAssertTrue(englishTable.contains("\"\(code)\": \""), "\(code) has no English sentence")
            XCTAssertTrue(vietnameseTable.contains("\"\(code)\": \""), "\(code) has no Vietnamese sentence")
        }
    }
}
