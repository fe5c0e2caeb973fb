import Foundation
import XCTest

/// `--lang vi`: every line `verify`, `inspect` and the scanner loop print is Vietnamese, dates dd/mm/yyyy.
/// The check is against the English output of the very same runs: any English word that is not part of the
/// data (names, addresses, file names, key ids) or an identifier (codes, algorithms) must not appear in the
/// Vietnamese output, so a label, phrase or message added later in English only fails here.
final class ReaderLanguageTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try CLI.temporaryDirectory(for: self)
    }

    private func qrcert(_ arguments: [String], stdin: String? = nil, status: Int32? = nil,
                        file: StaticString = #filePath, line: UInt = #line) throws -> CLI.Result {
        let result = try CLI.run(arguments, stdin: stdin, in: folder)
        if let status { XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)", file: file, line: line) }
        return result
    }

    private static let header = "licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality,address\n"
    private static let police = "Phòng CSGT Công an TP. Đà Nẵng"

    /// The inputs of every run: what is data, not language.
    private var data = ""

    /// Runs every kind of answer in `language`: valid, expired, forged, unknown key, not a payload, an image
    /// without a code, a missing image, an image given as a payload, a test trust list with a suspension,
    /// inspect (text and --json), and the scanner loop's own lines on a terminal. Returns stdout and stderr of all.
    private func everything(_ language: String) throws -> String {
        var out = ""
        func run(_ arguments: [String], stdin: String? = nil) throws {
            let result = try qrcert(arguments + ["--lang", language], stdin: stdin)
            out += result.stdout + result.stderr
        }
        let csv = Self.header
            + "048090000001,Nguyễn Văn An,Nam,1990-01-01,B,2025-03-01,2035-03-01,\(Self.police),VNM,1 Trần Phú\n"
            + "048090000002,Trần Thị Bình,Nữ,1985-05-05,C,2020-04-01,2025-04-01,Sở GTVT Đà Nẵng,VNM,2 Bạch Đằng\n"
            + "048090000003,Lê Văn Cường,Nam,1979-09-09,A1,2025-05-01,,\(Self.police),VNM,3 Hùng Vương\n"
        try Data(csv.utf8).write(to: folder.appendingPathComponent("licences.csv"))
        data = csv
        if !FileManager.default.fileExists(atPath: folder.appendingPathComponent("keys/dn.key.pem").path) {
            for key in ["keys/dn", "keys/other", "root/vn-root"] { try qrcert(["keygen", "--out", key, "--no-passphrase"], status: 0) }
            try qrcert(["issue", "--key", "keys/dn.key.pem", "--issuer", Self.police, "--profile", "driving-licence",
                        "--out", "out", "licences.csv"], status: 0)
            try qrcert(["trust-list", "create", "--root-key", "root/vn-root.key.pem", "--authority", "Cục Cảnh sát giao thông",
                        "--environment", "test", "--out", "trust.cose", "--at", "2025-06-01"], status: 0)
            try qrcert(["trust-list", "add-key", "trust.cose", "--root-key", "root/vn-root.key.pem", "--key", "keys/dn.pub.pem",
                        "--issuer", Self.police, "--types", "driving-licence", "--not-after", "2030-01-01", "--at", "2025-06-01"], status: 0)
            let payloads = try String(contentsOf: folder.appendingPathComponent("out/manifest.jsonl"), encoding: .utf8)
                .split(separator: "\n").map { try CLI.jsonObject(String($0))["payload"] as? String ?? "" }
            try Data((payloads[2] + "\n").utf8).write(to: folder.appendingPathComponent("suspend.txt"))
            try qrcert(["revoke", "--list", "revocations.cose", "--key", "keys/dn.key.pem", "--issuer", Self.police,
                        "--status", "suspended", "--since", "2025-06-02", "--until", "2025-09-30", "--reason", "trừ hết 12 điểm",
                        "--from", "suspend.txt", "--at", "2025-06-02"], status: 0)
            try Data(payloads.joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("payloads.txt"))
            let blank = try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), ["convert", "-size", "120x120", "xc:white",
                                           folder.appendingPathComponent("blank.png").path], stdin: nil)
            XCTAssertEqual(blank.status, 0, blank.stderr)
        }
        let payloads = try String(contentsOf: folder.appendingPathComponent("payloads.txt"), encoding: .utf8).components(separatedBy: "\n")
        let png = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path).sorted().first { $0.hasSuffix(".png") })
        var forged = Array(payloads[0])
        forged[forged.count - 1] = forged[forged.count - 1] == "0" ? "1" : "0"
        let keys = ["verify", "--trust", "keys/dn.pub.pem", "--at", "2026-01-10"]
        try run(keys, stdin: payloads.joined(separator: "\n") + "\nHELLO\n" + String(forged) + "\n")
        try run(["verify", "--trust", "keys/other.pub.pem", payloads[0]])
        try run(keys + ["--image", "out/" + png, "blank.png", "missing.png"])
        try run(keys + ["out/" + png])
        try run(["verify", "--trust-list", "trust.cose", "--root", "root/vn-root.pub.pem", "--revocations", "revocations.cose",
                 "--environment", "test", "--at", "2025-06-10", "--state", "state.json"], stdin: payloads.joined(separator: "\n"))
        try run(["inspect", payloads[0]])
        try run(["inspect", "--json", payloads[0]])
        try run(["inspect", "QC1:HELLO"])
        // The scanner loop on a terminal: the waiting line, the band at arm's length, the card.
        let terminal = try PseudoTerminal()
        try terminal.start(keys + ["--lang", language], on: [.stdin, .stdout, .stderr], in: folder)
        terminal.wait(for: "Ctrl-D")
        let deadline = Date().addingTimeInterval(30)
        while terminal.echoes && Date() < deadline { usleep(10_000) }
        terminal.type(payloads[1] + "\n")
        terminal.wait(for: "Bạch Đằng")
        terminal.type("\u{04}")
        XCTAssertEqual(terminal.finish(), 1, terminal.screenText)
        out += terminal.screenText
        return out
    }

    /// Words: runs of ASCII letters, digits and `_` (a code such as CWT_EXPIRED is one word), outside JSON
    /// lines (`--json` keys and ISO times are a machine format, the same in every language).
    private func words(_ text: String) -> Set<String> {
        let prose = text.components(separatedBy: "\n").filter { !$0.hasPrefix("{") }.joined(separator: "\n")
        return Set(prose.split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) }.map(String.init).filter { $0.count >= 3 })
    }

    func testVietnameseOutputHasNoEnglishWord() throws {
        let english = try everything("en")
        let vietnamese = try everything("vi")
        // Identifiers and data, the same in both languages.
        // Identifiers and data, the same in both languages: the records, the names and files of this run,
        // command and option names, format and claim names.
        let neutral = words(data + folder.path + " Cục Cảnh sát giao thông keys/dn.pub.pem keys/other.pub.pem out/ blank.png missing.png"
                            + " trust.cose revocations.cose qrcert verify image QC1 QC2 ES256 EdDSA VNM Ctrl base45 zlib cose iss iat nbf exp cti")
        let foreign = words(english).subtracting(neutral).filter { word in
            // Hex (key ids, cti, digests), numbers and codes are identifiers.
            !(word.allSatisfy(\.isHexDigit) || word.contains("_") || word.allSatisfy(\.isNumber))
        }
        XCTAssertGreaterThan(foreign.count, 40, "the English runs say too little to test against: \(foreign.sorted())")
        let leaked = words(vietnamese).intersection(foreign)
        XCTAssertEqual(leaked.sorted(), [], "English in --lang vi output:\n\(vietnamese)")
        // A key from a test environment's trust list says so in the band itself.
        XCTAssertTrue(english.contains("\n ✔ VALID · TEST   Driving licence\n"), english)
        XCTAssertTrue(vietnamese.contains("\n ✔ HỢP LỆ · THỬ NGHIỆM   Giấy phép lái xe\n"), vietnamese)
        XCTAssertTrue(english.contains("\n ✘ SUSPENDED · TEST   Driving licence\n"), english)
        // Dates in the reader's convention.
        XCTAssertTrue(vietnamese.contains("01/03/2025 → 01/03/2035"), vietnamese)
        // ISO dates only in JSON lines (a machine format).
        XCTAssertFalse(vietnamese.components(separatedBy: "\n").contains { !$0.hasPrefix("{") && $0.contains("2025-03-01") }, vietnamese)
        XCTAssertTrue(english.contains("2025-03-01 → 2035-03-01"), english)
    }
}
