import Foundation
import QRCert
import QRCertFormat
import QRCertImage
import QRCertIO
import XCTest

/// `ImageScan.scan`: an image given as bytes (an upload), one answer per code, and zbar's reading of our PNG.
final class ImageScanTests: XCTestCase {
    func testPNGBytesGiveOneVerdictPerCode() throws {
        let (_, key) = try VerdictRendererTests.answer(at: "2030-01-01")
        let verifier = try VerifierSources(trust: [key]).load(now: 1_893_456_000).accepted()
        let png = try PNGRenderer.render(QRCode.encode(VerdictRendererTests.vector, level: .M), options: PNGOptions(moduleSize: 4))
        XCTAssertEqual(try ImageScan.codes(in: png, file: "upload.png").map(\.text), [VerdictRendererTests.vector])
        let answers = ImageScan.scan(png, file: "upload.png", verifier: verifier, at: 1_893_456_000)
        XCTAssertEqual(answers.count, 1)
        guard case .verdict(let verdict)? = answers.first?.0 else { return XCTFail("\(answers)") }
        XCTAssertTrue(verdict.isValid, "\(verdict.failures)")
        XCTAssertEqual(verdict.credential?.id, "048090001234")
        XCTAssertEqual(answers[0].1.file, "upload.png")
        XCTAssertEqual(answers[0].1.index, 1)
        XCTAssertEqual(answers[0].1.count, 1)
        XCTAssertNotNil(answers[0].1.symbol)
    }

    func testBytesThatAreNoImageOrHoldNoCode() throws {
        let verifier = try VerifierSources(trust: [IOFixtures.path("keys/TEST-ONLY-ed25519.pub.pem")]).load(now: 0).accepted()
        let text = ImageScan.scan(Array("QC1:not an image".utf8), file: "upload.bin", verifier: verifier, at: 0)
        guard text.count == 1, case .unread(let error) = text[0].0 else { return XCTFail("\(text)") }
        XCTAssertEqual(error.code, "IMG_UNSUPPORTED")
        XCTAssertTrue(error.message.hasPrefix("upload.bin"), error.message)
        XCTAssertNil(text[0].1.symbol)
        // A code that is no payload: an answer (its verdict), not silence. The text is verified as read.
        let hello = try PNGRenderer.render(QRCode.encode("hello", level: .L), options: PNGOptions(moduleSize: 4))
        let answers = ImageScan.scan(hello, file: "-", verifier: verifier, at: 0)
        guard answers.count == 1, case .verdict(let verdict) = answers[0].0 else { return XCTFail("\(answers)") }
        XCTAssertEqual(verdict.failures.map(\.code), ["PREFIX_UNKNOWN"])
    }
}
