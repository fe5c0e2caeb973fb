import Foundation
import QRCert
import QRCertCrypto
import QRCertFormat
import XCTest

/// Nothing unverified reaches a screen raw (issue 10): every human-readable output escapes C0, DEL, C1 and
/// the Unicode bidi and format controls at render time, and the issuer refuses them in what it signs.
/// Payloads are assembled here (claims map, COSE_Sign1, signature), not by `qrcert issue`, which refuses them.
final class DisplayEscapeTests: XCTestCase {
    /// What an attacker puts in a scanned text or a signed field: clear screen, cursor up, a C1 CSI,
    /// a right-to-left override, an isolate, a left-to-right mark, an Arabic letter mark.
    static let hostile = "A\u{1B}[2J\u{1B}[1A\u{9B}31m\u{202E}B\u{2066}C\u{200E}\u{061C}\u{7F}"
    static let shown = "A\\u{1b}[2J\\u{1b}[1A\\u{9b}31m\\u{202e}B\\u{2066}C\\u{200e}\\u{61c}\\u{7f}"

    /// No byte of `text` is a control, bidi or format character (the ones our own styles use are off: NO_COLOR).
    private func assertClean(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let bad = text.unicodeScalars.filter { $0 != "\n" && DisplayText.isUnsafe($0) }
        XCTAssertTrue(bad.isEmpty, "raw \(bad.map { String($0.value, radix: 16) }) in: \(text)", file: file, line: line)
    }

    /// A payload signed with the committed Ed25519 key over `claims`, built by hand.
    private func signed(_ claims: [CBORPair]) throws -> String {
        let text = try String(contentsOf: CLI.fixture("keys/TEST-ONLY-ed25519.key.pem"), encoding: .utf8)
        let key = try PrivateKey.pem(text, passphrase: nil)
        var cose = CoseSign1(protectedHeader: [CBORPair(.int(1), .int(-8)), CBORPair(.int(4), .bytes(key.publicKey.keyID))],
                             payload: CBOREncoder.encode(.map(claims)))
        cose.signature = try key.sign(cose.toBeSigned())
        return Payload.encode(cose)
    }

    func testEscapeFunction() {
        XCTAssertEqual(DisplayText.escaped(Self.hostile), Self.shown)
        XCTAssertEqual(DisplayText.escaped("Sở GTVT Đà Nẵng"), "Sở GTVT Đà Nẵng")
        XCTAssertEqual(DisplayText.escaped("soft\u{AD}hyphen\u{2028}line\u{FEFF}"), "soft\\u{ad}hyphen\\u{2028}line\\u{feff}")
        XCTAssertEqual(DisplayText.escaped("Nguyễn Thị Thu Hương\u{0301}"), "Nguyễn Thị Thu Hương\u{0301}", "combining marks stay")
        XCTAssertEqual(DisplayText.escaped("\u{E0041}"), "\\u{e0041}", "tag characters are format controls")
    }

    /// `PREFIX_UNKNOWN` quotes the start of the scanned text: in the scanner loop it used to erase its own INVALID.
    func testScannedEscapesAreShownEscaped() throws {
        let result = try CLI.run(["verify", "--trust", CLI.publicKey("ed25519"), "-"], stdin: Self.hostile + ":X\n")
        XCTAssertEqual(result.status, 1, result.stderr)
        assertClean(result.stdout)
        XCTAssertTrue(result.lines.contains("  prefix: payload does not start with a known prefix (QC1:, QC2:, HC1:), found \"A\\u{1b}[2J\\u{1b}[1\" [PREFIX_UNKNOWN]"),
                      result.stdout)
        let json = try CLI.run(["verify", "--json", "--trust", CLI.publicKey("ed25519"), "-"], stdin: "\u{202E}X:1\n")
        XCTAssertTrue(json.stdout.contains("found \\\"\\u202eX\\\""), json.stdout)
    }

    /// A signed `iss` and a signed field with escapes: the verdict (INVALID) and its card show them escaped.
    func testSignedTextIsShownEscaped() throws {
        let payload = try signed([CBORPair(.int(1), .text(Self.hostile)), CBORPair(.int(4), .int(2_000_000_000)),
                                  CBORPair(.int(-70001), .text(Self.hostile))])
        let result = try CLI.run(["verify", "--at", "2025-06-01", "--trust", CLI.publicKey("ed25519"), payload])
        XCTAssertEqual(result.status, 1, result.stdout)
        assertClean(result.stdout)
        XCTAssertTrue(result.stdout.contains(Self.shown), result.stdout)
        let inspect = try CLI.run(["inspect", payload])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        assertClean(inspect.stdout)
        XCTAssertTrue(inspect.lines.contains("iss         \(Self.shown)"), inspect.stdout)
        XCTAssertTrue(inspect.lines.contains("claim -70001  \"A\\u001b[2J\\u001b[1A\\u009b31m\\u202eB\\u2066C\\u200e\\u061c\\u007f\""), inspect.stdout)
    }

    /// The issuer refuses control and bidi characters in `--issuer` and in record text; its stderr is escaped.
    func testIssuerRefusesControlAndBidiCharacters() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let key = try CLI.key("ed25519", in: folder)
        let record = "licence_no,full_name,sex,date_of_birth,class,issue_date,expiry_date,issuing_authority,nationality\n"
        let good = record + "048090001234,Nguyễn Văn An,Nam,1990-01-01,B,2024-03-01,2034-03-01,Sở GTVT Đà Nẵng,VNM\n"
        let issuer = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT\u{202E} Đà Nẵng", "--profile", "driving-licence",
                                  "--format", "payload"], stdin: good)
        XCTAssertEqual(issuer.status, 2)
        XCTAssertEqual(issuer.errorLines.first, "qrcert: error: issuer name must not hold control or bidi formatting characters [ISSUER_BAD_NAME]")
        let bidi = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence", "--format", "payload"],
                               stdin: record + "048090001234,Nguyễn\u{2067} Văn An\u{1B}[2J,Nam,1990-01-01,B,2024-03-01,2034-03-01,Sở GTVT Đà Nẵng,VNM\n")
        XCTAssertEqual(bidi.status, 1)
        XCTAssertEqual(bidi.stdout, "")
        XCTAssertEqual(bidi.errorLines.first, "<stdin>:2: full_name: contains a control character [REC_BAD_TEXT]")
        // A value the message quotes (an enum) is shown escaped on stderr.
        let quoted = try CLI.run(["issue", "--key", key, "--issuer", "Sở GTVT Đà Nẵng", "--profile", "driving-licence", "--format", "payload"],
                                 stdin: record + "048090001234,Nguyễn Văn An,Nam,1990-01-01,B\u{1B}[2J\u{202E},2024-03-01,2034-03-01,Sở GTVT Đà Nẵng,VNM\n")
        XCTAssertEqual(quoted.status, 1)
        assertClean(quoted.stderr)
        XCTAssertTrue(quoted.errorLines.first?.hasPrefix("<stdin>:2: class: \"B\\u{1b}[2J\\u{202e}\" is not one of") == true, quoted.stderr)
    }
}
