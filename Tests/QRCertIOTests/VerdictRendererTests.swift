import Foundation
import QRCert
import QRCertFormat
import QRCertIO
import XCTest

/// `VerdictRenderer` gives the bytes `qrcert verify` prints: each expected answer below was printed by the
/// `qrcert` binary of main before the renderer moved into QRCertIO (`@TRUST@` is the key file's path).
final class VerdictRendererTests: XCTestCase {
    /// The Ed25519 regression vector (`IssueVerifyTests.ed25519Vector`), signed with Fixtures/keys/TEST-ONLY-ed25519.key.pem.
    static let vector = "QC1:NCFOXN%TSMAHO.J%TGGKVR1E%+3H$HQG49X5RP5+0G/SFDMGP690DH4FIN3H385- 7*+M*06E 8%LCJRVEZLYGLL-E5EM-C9R-109M/X9D8HIXDTJCES2 4CWBJ22JC7JFXO7LHGBPF*O.GOOGO+GOQHP%VG3 O9:N/KEE0K099GZ1Q%5JJU 7O*06SIJGY886WYK5JUJ*6M2VN6VE$5H/HU8CHN-2385QY3 Q9UR9 $U$0T946TR6J11JKBI5LPEI$L9M99/BS+7JUJSTQ4AJO8XSEJL3JKRH8+PTJU7M8G0U9CZGOH2OTO7SQ$4U9+DZGRE5CV+5M+D313TPGK+1PN8-ZDH1F/T2Y0CNQJWQFLFSAL2BT5/SO*TH9BRO56DOUITRHHO53R892+DA22PMXL5%SHYD"

    static let validJSONEnglish = """
{"valid":true,"stage":null,"code":null,"message":null,"reason":null,"failures":[],"prefix":"QC1:","kid":"0e33f4fb000c1bb1","alg":"EdDSA","signature_verified":true,"trusted_by":"@TRUST@","issuer":"Sở GTVT Đà Nẵng","issued_at":"2024-02-29T17:00:00Z","not_before":"2024-02-29T17:00:00Z","expires_at":"2034-03-01T17:00:00Z","cti":"1e4ad98264c2dcb1","checked_at":"2030-01-01T00:00:00Z","type":"vn.dl","id":"048090001234","record":{"licence_no":"048090001234","full_name":"Nguyễn Thị Thu Hương","sex":"Nữ","date_of_birth":"1992-04-30","class":"B","issue_date":"2024-03-01","expiry_date":"2034-03-01","issuing_authority":"Sở GTVT Đà Nẵng","nationality":"VNM","address":"12 Trần Phú, Phường Hải Châu 1, Quận Hải Châu, Đà Nẵng"},"trust_list":null,"revocation_lists":[],"revocation":null}

"""

    static let expiredJSONVietnamese = """
{"valid":false,"stage":"validity","code":"CWT_EXPIRED","message":"expired at 2034-03-01T17:00:00Z","reason":"Giấy tờ đã hết hạn","failures":[{"stage":"validity","code":"CWT_EXPIRED","message":"expired at 2034-03-01T17:00:00Z"}],"prefix":"QC1:","kid":"0e33f4fb000c1bb1","alg":"EdDSA","signature_verified":true,"trusted_by":"@TRUST@","issuer":"Sở GTVT Đà Nẵng","issued_at":"2024-02-29T17:00:00Z","not_before":"2024-02-29T17:00:00Z","expires_at":"2034-03-01T17:00:00Z","cti":"1e4ad98264c2dcb1","checked_at":"2040-01-01T00:00:00Z","type":"vn.dl","id":"048090001234","record":{"licence_no":"048090001234","full_name":"Nguyễn Thị Thu Hương","sex":"Nữ","date_of_birth":"1992-04-30","class":"B","issue_date":"2024-03-01","expiry_date":"2034-03-01","issuing_authority":"Sở GTVT Đà Nẵng","nationality":"VNM","address":"12 Trần Phú, Phường Hải Châu 1, Quận Hải Châu, Đà Nẵng"},"trust_list":null,"revocation_lists":[],"revocation":null}

"""

    static let validCardEnglish = """
 ✔ VALID   Driving licence
  Valid          2024-03-01 → 2034-03-01
  Licence no.    048090001234
  Full name      Nguyễn Thị Thu Hương
  Sex            Nữ
  Date of birth  1992-04-30
  Class          B
  Issue date     2024-03-01
  Valid until    2034-03-01
  Nationality    VNM
  Address        12 Trần Phú, Phường Hải Châu 1, Quận Hải Châu, Đà Nẵng
  Signed by      Sở GTVT Đà Nẵng
  Key            0e33f4fb000c1bb1 EdDSA (@TRUST@)


"""

    static let expiredCardVietnamese = """
 ✘ KHÔNG HỢP LỆ   Giấy phép lái xe
  Giấy tờ đã hết hạn
  Mã lỗi: CWT_EXPIRED
  Hiệu lực        01/03/2024 → 01/03/2034
  Số GPLX         048090001234
  Họ và tên       Nguyễn Thị Thu Hương
  Giới tính       Nữ
  Ngày sinh       30/04/1992
  Hạng            B
  Ngày cấp        01/03/2024
  Có giá trị đến  01/03/2034
  Quốc tịch       VNM
  Nơi cư trú      12 Trần Phú, Phường Hải Châu 1, Quận Hải Châu, Đà Nẵng
  Ký bởi          Sở GTVT Đà Nẵng
  Khóa            0e33f4fb000c1bb1 EdDSA (@TRUST@)


"""

    /// The verdict on the vector at `at`, by a verifier built as `verify --trust KEY --at AT` builds it.
    static func answer(at: String) throws -> (VerdictRenderer.Answer, String) {
        let key = IOFixtures.path("keys/TEST-ONLY-ed25519.pub.pem")
        let setup = VerifierSources(trust: [key], at: at).load(now: 0)
        let verifier = try setup.accepted()
        return (.verdict(verifier.verify(ScanText.normalize(vector), at: setup.time)), key)
    }

    func testJSONLineIsVerifyJSONByteForByte() throws {
        let (valid, key) = try Self.answer(at: "2030-01-01")
        var out: [UInt8] = []
        VerdictRenderer(language: .en, style: Style(enabled: false)).jsonLine(valid, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), Self.validJSONEnglish.replacingOccurrences(of: "@TRUST@", with: key))
        let (expired, _) = try Self.answer(at: "2040-01-01")
        out.removeAll()
        VerdictRenderer(language: .vi, style: Style(enabled: false)).jsonLine(expired, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), Self.expiredJSONVietnamese.replacingOccurrences(of: "@TRUST@", with: key))
        // The line is `json` and a line feed: one answer, one line.
        XCTAssertEqual(VerdictRenderer(language: .vi, style: Style(enabled: false)).json(expired, origin: nil) + "\n",
                       Self.expiredJSONVietnamese.replacingOccurrences(of: "@TRUST@", with: key))
    }

    func testTextCardIsVerifyOutputByteForByte() throws {
        let (valid, key) = try Self.answer(at: "2030-01-01")
        XCTAssertEqual(VerdictRenderer(language: .en, style: Style(enabled: false)).text(valid, origin: nil),
                       Self.validCardEnglish.replacingOccurrences(of: "@TRUST@", with: key))
        let (expired, _) = try Self.answer(at: "2040-01-01")
        XCTAssertEqual(VerdictRenderer(language: .vi, style: Style(enabled: false)).text(expired, origin: nil),
                       Self.expiredCardVietnamese.replacingOccurrences(of: "@TRUST@", with: key))
    }

    /// Colour is ANSI escapes around the band and rows; the text inside is the same.
    func testStyleOnlyAddsEscapes() throws {
        let (valid, key) = try Self.answer(at: "2030-01-01")
        let coloured = VerdictRenderer(language: .en, style: Style(enabled: true)).text(valid, origin: nil)
        XCTAssertTrue(coloured.hasPrefix("\u{1B}[1;97;42m ✔ VALID \u{1B}[0m"), coloured.debugDescription)
        let stripped = coloured.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        XCTAssertEqual(stripped, Self.validCardEnglish.replacingOccurrences(of: "@TRUST@", with: key))
    }

    func testReasonTextInBothLanguages() {
        let expired = QRCertError(.validity, "CWT_EXPIRED", "expired at 2034-03-01T17:00:00Z")
        XCTAssertEqual(ReasonText.sentence(expired, language: .en), "The document has expired")
        XCTAssertEqual(ReasonText.sentence(expired, language: .vi), "Giấy tờ đã hết hạn")
        // A code without a sentence of its own falls back to its stage's.
        let later = QRCertError(.signature, "SIG_SOMETHING_NEW", "x")
        XCTAssertEqual(ReasonText.sentence(later, language: .en), "The signature does not match: the document may be forged or altered")
        XCTAssertEqual(ReasonText.plain(expired, language: .en), "The document has expired (validity: expired at 2034-03-01T17:00:00Z)")
    }
}
