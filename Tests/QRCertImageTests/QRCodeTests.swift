import QRCertFormat
import QRCertImage
import XCTest

final class QRCodeTests: XCTestCase {
    func testSizeIs17Plus4TimesVersionAtEveryLevel() throws {
        let texts = ["QC1:6BF", ImageTestSupport.base45Payload(count: 380, seed: 1),
                     ImageTestSupport.vietnamese, ImageTestSupport.base45Payload(count: 1200, seed: 2)]
        for text in texts {
            var previous = 0
            for level in ErrorCorrection.allCases {
                let code = try QRCode.encode(text, level: level)
                XCTAssertEqual(code.level, level)
                XCTAssertTrue((1...40).contains(code.version))
                XCTAssertEqual(code.size, 17 + 4 * code.version)
                // More error correction never makes a smaller symbol.
                XCTAssertGreaterThanOrEqual(code.version, previous)
                previous = code.version
            }
        }
    }

    func testKnownVersionsAndFinderPattern() throws {
        // "QC1:6BF" is 7 alphanumeric characters: version 1 holds 25 at L, 10 at H.
        let small = try QRCode.encode("QC1:6BF", level: .H)
        XCTAssertEqual(small.version, 1)
        XCTAssertEqual(small.size, 21)
        // 380 Base45 characters, one alphanumeric segment: 4 + 11 + 11 * 190 = 2105 bits;
        // version 10-L holds 2192 data bits (ISO/IEC 18004 table 7), version 9-L only 1856.
        let typical = try QRCode.encode(ImageTestSupport.base45Payload(count: 380, seed: 1), level: .L)
        XCTAssertEqual(typical.version, 10)
        // Finder pattern: dark 7x7 ring, light ring, dark 3x3 centre, in the top-left corner.
        for i in 0..<7 {
            XCTAssertTrue(small.isDark(x: i, y: 0))
            XCTAssertTrue(small.isDark(x: 0, y: i))
            XCTAssertTrue(small.isDark(x: i, y: 6))
        }
        XCTAssertFalse(small.isDark(x: 1, y: 1))
        XCTAssertTrue(small.isDark(x: 3, y: 3))
        XCTAssertFalse(small.isDark(x: 7, y: 0))
        // Outside the symbol is the light quiet zone.
        XCTAssertFalse(small.isDark(x: -1, y: 0))
        XCTAssertFalse(small.isDark(x: 0, y: 21))
    }

    func testCaseMattersLowercaseIsNotFoldedToAlphanumeric() throws {
        // Case-sensitive encoding must keep lower case (it would not round-trip otherwise) and so
        // needs byte mode, which makes the same length of text a larger symbol.
        let upper = try QRCode.encode(String(repeating: "ABCDEFGH", count: 20), level: .M)
        let lower = try QRCode.encode(String(repeating: "abcdefgh", count: 20), level: .M)
        XCTAssertGreaterThan(lower.version, upper.version)
    }

    func testTooLongTextIsRefused() {
        let text = ImageTestSupport.base45Payload(count: 4_297, seed: 3)
        // Version 40-L holds 4296 alphanumeric characters.
        XCTAssertNoThrow(try QRCode.encode(String(text.dropLast()), level: .L))
        assertThrows(.image, "IMG_TOO_LONG",
                     "text of 4297 bytes does not fit a version 40 qr code at level L") {
            () throws(QRCertError) in try QRCode.encode(text, level: .L)
        }
        assertThrows(.image, "IMG_TOO_LONG",
                     "text of 1853 bytes does not fit a version 40 qr code at level H") {
            () throws(QRCertError) in try QRCode.encode(String(text.prefix(1853)), level: .H)
        }
    }

    /// `fits` answers as `encode` does at each level's boundary: for one alphanumeric segment from the length,
    /// for a text with a long digit run or lower-case letters by encoding it.
    func testFitsAgreesWithEncodeAtEveryLevelsLimit() throws {
        for level in ErrorCorrection.allCases {
            let capacity = level.alphanumericCapacity
            let atLimit = "QC2:" + String(String(repeating: "AB12$", count: capacity / 5 + 1).prefix(capacity - 4))
            XCTAssertEqual(atLimit.utf8.count, capacity)
            XCTAssertTrue(try QRCode.fits(atLimit, level: level), "\(level)")
            XCTAssertEqual(try QRCode.encode(atLimit, level: level).version, 40, "\(level)")
            XCTAssertFalse(try QRCode.fits(atLimit + "A", level: level), "\(level)")
            assertThrows(.image, "IMG_TOO_LONG", "text of \(capacity + 1) bytes does not fit a version 40 qr code at level \(level.rawValue)") {
                () throws(QRCertError) in try QRCode.encode(atLimit + "A", level: level)
            }
        }
        // Past the alphanumeric limit, but the digits go in a numeric segment: encode decides, and it fits.
        let digits = "QC2:" + String(repeating: "1234567890", count: 450)
        XCTAssertTrue(try QRCode.fits(digits, level: .L))
        XCTAssertNoThrow(try QRCode.encode(digits, level: .L))
        // Lower case is byte mode: 100 bytes fit at H, 1,300 do not.
        XCTAssertTrue(try QRCode.fits(String(repeating: "a", count: 100), level: .H))
        XCTAssertFalse(try QRCode.fits(String(repeating: "a", count: 1_300), level: .H))
    }

    func testEmptyTextIsRefused() {
        assertThrows(.image, "IMG_EMPTY_TEXT", "cannot encode an empty text as a qr code") {
            () throws(QRCertError) in try QRCode.encode("", level: .M)
        }
    }
}
