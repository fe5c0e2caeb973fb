import Foundation
import QRCertFormat
import XCTest

/// `qrcert verify` and `inspect` as processes: exit codes 0/1/2, the `--json` fields, stdin line mode.
final class VerifyCommandTests: XCTestCase {
    struct Payloads: Sendable {
        let folder: URL
        /// Class B licence 048090001234, 2024-03-01 .. 2034-03-01, ES256 test key.
        let valid: String
        /// Class A1 licence 048090001235 without expiry, ES256 test key.
        let noExpiry: String
        /// The class B licence signed with the foreign test key.
        let foreign: String

        static func make() throws -> Payloads {
            let folder = try CLI.makeTemporaryDirectory()
            let records = """
                licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address
                048090001234,Nguyễn Thị Thu Hương,Nữ,1992-04-30,B,2024-03-01,2034-03-01,Sở GTVT Đà Nẵng,VNM,"12 Trần Phú, Hải Châu, Đà Nẵng"
                048090001235,Hồ Văn Lực,Nam,2001-12-31,A1,2024-05-02,,Sở GTVT Đà Nẵng,VNM,

                """
            func payloads(_ key: String) throws -> [String] {
                let result = try CLI.run(["issue", "--key", try CLI.key(key, in: folder), "--issuer", "Sở GTVT Đà Nẵng",
                                          "--profile", "driving-licence", "--format", "payload"], stdin: records)
                XCTAssertEqual(result.status, 0, result.stderr)
                return result.lines
            }
            let own = try payloads("es256"), foreign = try payloads("foreign")
            guard own.count == 2, foreign.count == 2 else { throw QRCertError(.internal, "TEST", "issue failed") }
            return Payloads(folder: folder, valid: own[0], noExpiry: own[1], foreign: foreign[0])
        }
    }

    static let shared: Result<Payloads, any Error> = Result { try Payloads.make() }

    override class func tearDown() {
        if case .success(let payloads) = shared { try? FileManager.default.removeItem(at: payloads.folder) }
        super.tearDown()
    }

    private var payloads: Payloads { get throws { try Self.shared.get() } }
    private let trust = ["--trust", CLI.publicKey("es256")]

    /// The payload's COSE message as version 1 (QC1:, zlib), its last Base45 character changed: it lies in zlib's
    /// Adler-32 checksum (a QC2: payload has none: its signature finds the damage).
    private func checksumTampered(_ payload: String) -> String {
        let version1 = (try? Payload.decode(payload)).map { Payload.encode($0.cose, prefix: .qrcert) } ?? payload
        return String(version1.dropLast()) + (version1.last == "0" ? "1" : "0")
    }

    /// Every layer re-encoded correctly around one changed value of the signed claims: the record's date of birth
    /// moved from 1992-04-30 (day 8155, 0x1FDB) to 1992-05-01 (0x1FDC). Only the signature can tell.
    private func recordTampered(_ payload: String) throws -> String {
        let decoded = try Payload.decode(payload)
        var cose = decoded.cose
        let birth: [UInt8] = [0x04, 0x19, 0x1F, 0xDB]  // record key 4 (date_of_birth): unsigned 8155
        let at = try XCTUnwrap((0...(cose.payload.count - birth.count)).first { Array(cose.payload[$0..<($0 + birth.count)]) == birth })
        cose.payload.replaceSubrange(at..<(at + birth.count), with: [0x04, 0x19, 0x1F, 0xDC])
        return Payload.encode(cose, prefix: decoded.prefix)
    }

    private func verify(_ arguments: [String], stdin: String? = nil) throws -> CLI.Result {
        try CLI.run(["verify"] + trust + arguments, stdin: stdin)
    }

    private func json(_ arguments: [String]) throws -> (Int32, [String: Any]) {
        let result = try verify(["--json"] + arguments)
        XCTAssertEqual(result.lines.count, 1, result.stdout + result.stderr)
        return (result.status, try CLI.jsonObject(result.lines.first ?? "{}"))
    }

    // MARK: - Exit 0

    func testValidPayloadInWords() throws {
        let english = try verify(["--lang", "en", "--at", "2025-06-01", try payloads.valid])
        XCTAssertEqual(english.status, 0)
        XCTAssertEqual(english.stderr, "")
        let text = english.stdout
        XCTAssertTrue(text.hasPrefix(" ✔ VALID "), text)
        for expected in ["Driving licence", "Sở GTVT Đà Nẵng", "c141e6ca121b1f2d", "ES256", "2024-03-01 → 2034-03-01",
                         "Full name", "Nguyễn Thị Thu Hương", "Class", "Licence no.", "048090001234"] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        XCTAssertFalse(text.contains("\u{1B}["), "colour on a pipe")
        let vietnamese = try verify(["--lang", "vi", "--at", "2025-06-01", try payloads.valid])
        XCTAssertEqual(vietnamese.status, 0)
        for expected in ["HỢP LỆ", "Giấy phép lái xe", "Họ và tên", "Hạng"] {
            XCTAssertTrue(vietnamese.stdout.contains(expected), "missing \(expected) in\n\(vietnamese.stdout)")
        }
    }

    func testJSONOfAValidPayload() throws {
        let (status, object) = try json(["--at", "2025-06-01T12:00:00+07:00", try payloads.valid])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(object["valid"] as? Bool, true)
        for key in ["stage", "code", "message"] { XCTAssertTrue(object[key] is NSNull, "\(key): \(object[key] ?? "absent")") }
        XCTAssertEqual(object["kid"] as? String, "c141e6ca121b1f2d")
        XCTAssertEqual(object["issuer"] as? String, "Sở GTVT Đà Nẵng")
        XCTAssertEqual(object["issued_at"] as? String, "2024-02-29T17:00:00Z")
        XCTAssertEqual(object["expires_at"] as? String, "2034-03-01T17:00:00Z")
        XCTAssertEqual(object["record"] as? [String: String], [
            "licence_no": "048090001234", "full_name": "Nguyễn Thị Thu Hương", "sex": "Nữ", "date_of_birth": "1992-04-30",
            "class": "B", "issue_date": "2024-03-01", "expiry_date": "2034-03-01", "issuing_authority": "Sở GTVT Đà Nẵng",
            "nationality": "VNM", "address": "12 Trần Phú, Hải Châu, Đà Nẵng",
        ])
    }

    func testNoExpiryLicenceIsValidForever() throws {
        let (status, object) = try json(["--at", "2150-01-01", try payloads.noExpiry])
        XCTAssertEqual(status, 0)
        XCTAssertTrue(object["expires_at"] is NSNull)
        XCTAssertEqual((object["record"] as? [String: String])?["class"], "A1")
        XCTAssertNil((object["record"] as? [String: String])?["expiry_date"])
    }

    func testTrustFolderTrustsEveryPublicKeyInIt() throws {
        // Fixtures/keys holds private keys, a README and a passphrase too: only *.pub.pem are read.
        let result = try CLI.run(["verify", "--trust", CLI.fixture("keys").path, "--at", "2025-06-01", "--json", try payloads.foreign])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(try CLI.jsonObject(result.stdout)["kid"] as? String, "951887ab8761e872")
    }

    // MARK: - Exit 1

    private func assertRejected(_ object: [String: Any], stage: String, code: String, message: String? = nil, kid: String?,
                                verified: Bool, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(object["valid"] as? Bool, false, file: file, line: line)
        XCTAssertEqual(object["stage"] as? String, stage, file: file, line: line)
        XCTAssertEqual(object["code"] as? String, code, file: file, line: line)
        if let message { XCTAssertEqual(object["message"] as? String, message, file: file, line: line) }
        XCTAssertNotNil(object["message"] as? String, file: file, line: line)
        if let kid { XCTAssertEqual(object["kid"] as? String, kid, file: file, line: line) } else { XCTAssertTrue(object["kid"] is NSNull, file: file, line: line) }
        // Nothing of the record, nor of the claims, unless the signature verified.
        for key in ["issuer", "issued_at", "expires_at", "record"] {
            XCTAssertEqual(!(object[key] is NSNull), verified, "\(key) with signature verified = \(verified)", file: file, line: line)
            XCTAssertNotNil(object[key], "\(key) must be present (null or not)", file: file, line: line)
        }
    }

    func testTamperedPayloads() throws {
        let (zlibStatus, zlib) = try json(["--at", "2025-06-01", checksumTampered(try payloads.valid)])
        XCTAssertEqual(zlibStatus, 1)
        assertRejected(zlib, stage: "zlib", code: "ZLIB_BAD_DATA", message: "zlib data is corrupt: incorrect data check", kid: nil, verified: false)

        let (sigStatus, signature) = try json(["--at", "2025-06-01", try recordTampered(try payloads.valid)])
        XCTAssertEqual(sigStatus, 1)
        assertRejected(signature, stage: "signature", code: "SIG_INVALID",
                       message: "the signature does not verify with the trusted key c141e6ca121b1f2d", kid: "c141e6ca121b1f2d", verified: false)

        let words = try verify(["--lang", "en", try recordTampered(try payloads.valid)])
        XCTAssertEqual(words.status, 1)
        XCTAssertTrue(words.stdout.hasPrefix(" ✘ INVALID "), words.stdout)
        XCTAssertTrue(words.stdout.contains("[SIG_INVALID]"), words.stdout)
        XCTAssertFalse(words.stdout.contains("2059"), "a forged record must never be shown")
    }

    func testForeignKey() throws {
        let (status, object) = try json(["--at", "2025-06-01", try payloads.foreign])
        XCTAssertEqual(status, 1)
        assertRejected(object, stage: "key", code: "KID_UNKNOWN", message: "no trusted key has key id 951887ab8761e872",
                       kid: "951887ab8761e872", verified: false)
    }

    func testExpiredAndNotYetValidViaAt() throws {
        let (status, expired) = try json(["--at", "2034-03-02", try payloads.valid])
        XCTAssertEqual(status, 1)
        assertRejected(expired, stage: "validity", code: "CWT_EXPIRED", message: "expired at 2034-03-01T17:00:00Z",
                       kid: "c141e6ca121b1f2d", verified: true)
        XCTAssertEqual((expired["record"] as? [String: String])?["licence_no"], "048090001234")
        // The last second of the expiry day in Vietnam is still inside.
        XCTAssertEqual(try json(["--at", "2034-03-01T23:59:59+07:00", try payloads.valid]).0, 0)

        let (earlyStatus, early) = try json(["--at", "2024-02-29T16:54:59Z", try payloads.valid])
        XCTAssertEqual(earlyStatus, 1)
        assertRejected(early, stage: "validity", code: "CWT_NOT_YET_VALID", kid: "c141e6ca121b1f2d", verified: true)
        // Within the default 300 s of clock skew, and with --skew 0 not.
        XCTAssertEqual(try json(["--at", "2024-02-29T16:55:00Z", try payloads.valid]).0, 0)
        XCTAssertEqual(try json(["--at", "2024-02-29T16:59:59Z", "--skew", "0", try payloads.valid]).0, 1)
    }

    func testMalformedInput() throws {
        let (status, object) = try json(["HC1:NOT BASE45!"])
        XCTAssertEqual(status, 1)
        assertRejected(object, stage: "base45", code: "B45_BAD_CHAR", kid: nil, verified: false)
        let (prefixStatus, prefix) = try json(["https://example.com/"])
        XCTAssertEqual(prefixStatus, 1)
        assertRejected(prefix, stage: "prefix", code: "PREFIX_UNKNOWN", kid: nil, verified: false)
    }

    // MARK: - Exit 2

    func testVerificationThatCannotRunExitsTwo() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let payload = try payloads.valid
        let privateKey = try CLI.key("es256", in: folder)
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let cases: [([String], String)] = [
            (["--trust", "/nonexistent/issuer.pub.pem", payload], "qrcert: error: trust file /nonexistent/issuer.pub.pem does not exist [IO_READ]"),
            ([payload], "qrcert: error: no trusted keys [TRUST_NONE]"),
            (["--trust", CLI.publicKey("es256"), "--at", "yesterday", payload], "qrcert: error: --at yesterday is not an ISO 8601 time [USAGE]"),
            (["--trust", CLI.publicKey("es256"), "--at", "2024-02-30", payload], "qrcert: error: --at 2024-02-30 is not an ISO 8601 time [USAGE]"),
            // Out of the supported years: refused, never left to overflow the window arithmetic.
            (["--trust", CLI.publicKey("es256"), "--at", "@9223372036854775807", payload], "qrcert: error: --at @9223372036854775807 is not an ISO 8601 time [USAGE]"),
            (["--trust", CLI.publicKey("es256"), "--skew", "9223372036854775807", payload], "qrcert: error: --skew must be 0 to 604800 seconds (a week) [USAGE]"),
            (["--trust", privateKey, payload], "qrcert: error: \(privateKey) holds a private key; trust files hold public keys only [TRUST_PRIVATE_KEY]"),
            (["--trust", empty.path, payload], "qrcert: error: folder \(empty.path) holds no .pem, .der, .crt or .cer files [TRUST_BAD_FILE]"),
            (["--trust", CLI.fixture("keys/README.md").path, payload], "qrcert: error: \(CLI.fixture("keys/README.md").path) is neither a PEM file nor a DER certificate or public key [TRUST_BAD_FILE]"),
        ]
        for (arguments, expected) in cases {
            let result = try CLI.run(["verify"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertEqual(result.stdout, "", "\(arguments)")
            XCTAssertEqual(result.errorLines.first, expected)
        }
        let unknownOption = try CLI.run(["verify", "--trusted", CLI.publicKey("es256"), payload])
        XCTAssertEqual(unknownOption.status, 2)
        XCTAssertTrue(unknownOption.stderr.contains("[USAGE]"), unknownOption.stderr)
    }

    // MARK: - stdin

    func testStdinOneAnswerPerLineAndExitOneIfAnyIsInvalid() throws {
        let p = try payloads
        // A scanner types CR LF, spaces creep in, Caps Lock flips case, blank scans happen.
        let input = p.valid + "\r\n" + "\n" + checksumTampered(p.valid) + "\n" + "  " + p.noExpiry.lowercased() + "  \n" + p.foreign + "\n" + p.valid
        let result = try verify(["--json", "--at", "2025-06-01"], stdin: input)
        XCTAssertEqual(result.status, 1)
        let answers = try CLI.jsonObjects(result.stdout)
        XCTAssertEqual(answers.map { $0["valid"] as? Bool }, [true, false, true, false, true])
        XCTAssertEqual(answers.map { $0["code"] as? String }, [nil, "ZLIB_BAD_DATA", nil, "KID_UNKNOWN", nil])
        XCTAssertEqual(result.lines.count, 5)

        let allValid = try verify(["--json", "--at", "2025-06-01", "-"], stdin: [p.valid, p.noExpiry, p.valid].joined(separator: "\n") + "\n")
        XCTAssertEqual(allValid.status, 0)
        XCTAssertEqual(allValid.lines.count, 3)

        // Blank lines only: nothing was verified, which is not "every payload valid" (TerminalUseTests).
        let nothing = try verify(["--json"], stdin: "\n\n")
        XCTAssertEqual(nothing.status, 2)
        XCTAssertEqual(nothing.stdout, "")
        XCTAssertEqual(nothing.errorLines.first, "qrcert: error: no payload read from stdin; nothing was verified [VERIFY_NO_PAYLOAD]")
    }

    /// A scanner waits for each answer: the answer to a line is written before the next line arrives.
    func testEachAnswerIsWrittenBeforeTheNextLineArrives() throws {
        let binary = try XCTUnwrap(CLI.binary)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["verify"] + trust + ["--json", "--at", "2025-06-01", "-"]
        process.environment = ["LANG": "C.UTF-8", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let reader = LineReader(output.fileHandleForReading)
        for payload in [try payloads.valid, checksumTampered(try payloads.valid)] {
            input.fileHandleForWriting.write(Data((payload + "\n").utf8))
            // Guard against a hang only: a missing flush would block here until stdin closes.
            let line = try XCTUnwrap(reader.nextLine(waitingAtMost: 20), "no answer before the next line")
            XCTAssertEqual(try CLI.jsonObject(line)["valid"] as? Bool, payload == (try payloads.valid))
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
    }

    // MARK: - inspect

    /// An unverified payload cannot drive the terminal: control characters in its text are shown escaped.
    func testInspectEscapesControlCharacters() throws {
        let claims = CBOR.map([CBORPair(.int(1), .text("Sở\u{1B}[2J\u{9B}31m")), CBORPair(.int(-70001), .text("x"))])
        let cose = CoseSign1(protectedHeader: [CBORPair(.int(1), .int(-8)), CBORPair(.int(4), .bytes([1, 2, 3, 4, 5, 6, 7, 8]))],
                             payload: CBOREncoder.encode(claims), signature: [UInt8](repeating: 0, count: 64))
        let result = try CLI.run(["inspect", Payload.encode(cose)])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.lines.contains("iss         Sở\\u{1b}[2J\\u{9b}31m"), result.stdout)
        XCTAssertFalse(result.stdout.contains("\u{1B}"))
        XCTAssertFalse(result.stdout.unicodeScalars.contains("\u{9B}"))
    }

    func testInspectSaysUnverified() throws {
        let result = try CLI.run(["inspect", try payloads.foreign])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.lines.first, "UNVERIFIED: decoded only; nothing below is checked against any key")
        for expected in ["prefix      QC2:", "iss         Sở GTVT Đà Nẵng", "exp         2034-03-01T17:00:00Z", "vn.dl", "048090001234"] {
            XCTAssertTrue(result.stdout.contains(expected), "missing \(expected) in\n\(result.stdout)")
        }
        let fromStdin = try CLI.run(["inspect", "-"], stdin: try payloads.valid + "\r\n")
        XCTAssertEqual(fromStdin.status, 0)
        XCTAssertEqual(fromStdin.lines.first, "UNVERIFIED: decoded only; nothing below is checked against any key")

        let broken = try CLI.run(["inspect", checksumTampered(try payloads.valid)])
        XCTAssertEqual(broken.status, 1)
        XCTAssertEqual(broken.lines.first, "UNVERIFIED: decoded only; nothing below is checked against any key")
        XCTAssertEqual(broken.errorLines.first, "qrcert: error: zlib data is corrupt: incorrect data check [ZLIB_BAD_DATA]")
    }
}

/// Reads lines from a pipe on a background queue, so a test can wait for one with a deadline.
final class LineReader: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private let available = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            if data.isEmpty { handle.readabilityHandler = nil }
            self.lock.lock()
            self.buffer.append(data)
            self.lock.unlock()
            self.available.signal()
        }
    }

    /// The next complete line, or nil if none arrives within `seconds`.
    func nextLine(waitingAtMost seconds: Double) -> String? {
        let deadline = DispatchTime.now() + seconds
        while true {
            lock.lock()
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                lock.unlock()
                return String(decoding: line, as: UTF8.self)
            }
            lock.unlock()
            if available.wait(timeout: deadline) == .timedOut { return nil }
        }
    }
}
