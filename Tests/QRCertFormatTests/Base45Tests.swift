import Foundation
import XCTest
@testable import QRCertFormat

final class Base45Tests: XCTestCase {
    private struct RFC9285Vectors: Decodable {
        struct Valid: Decodable {
            var bytes_utf8: String
            var base45: String
        }
        struct Invalid: Decodable {
            var base45: String
            var why: String
        }
        var valid: [Valid]
        var invalid: [Invalid]
    }

    /// `../shared/vectors/...` beside the package root, found from this file's path.
    private func sharedVector(_ relativePath: String) throws -> Data {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/vectors/\(relativePath)")
        return try Data(contentsOf: url)
    }

    private func loadRFC9285() throws -> RFC9285Vectors {
        try JSONDecoder().decode(RFC9285Vectors.self, from: sharedVector("base45/rfc9285.json"))
    }

    private func assertCode(
        _ text: String, _ code: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try Base45.decode(text), "\(text.debugDescription)", file: file, line: line) { error in
            XCTAssertEqual((error as? QRCertError)?.code, code, "\(text.debugDescription)", file: file, line: line)
            XCTAssertEqual((error as? QRCertError)?.stage, .base45, file: file, line: line)
        }
    }

    // MARK: RFC 9285

    func testRFC9285ValidVectorsEncode() throws {
        let vectors = try loadRFC9285()
        XCTAssertFalse(vectors.valid.isEmpty)
        for vector in vectors.valid {
            XCTAssertEqual(Base45.encode(Array(vector.bytes_utf8.utf8)), vector.base45, vector.bytes_utf8)
        }
    }

    func testRFC9285ValidVectorsDecode() throws {
        for vector in try loadRFC9285().valid {
            XCTAssertEqual(try Base45.decode(vector.base45), Array(vector.bytes_utf8.utf8), vector.base45)
        }
    }

    func testRFC9285InvalidVectorsRejectedWithCode() throws {
        // Characters are checked first, then length, then group values: that order decides "GGWA".
        let expected: [String: String] = [
            "GGW": "B45_OVERFLOW",
            "ZZ": "B45_OVERFLOW",
            "A": "B45_BAD_LENGTH",
            "GGWA": "B45_BAD_LENGTH",
            "a": "B45_BAD_CHAR",
        ]
        let vectors = try loadRFC9285()
        XCTAssertFalse(vectors.invalid.isEmpty)
        for vector in vectors.invalid {
            guard let code = expected[vector.base45] else {
                XCTFail("no expected code for new vector \(vector.base45.debugDescription) (\(vector.why))")
                continue
            }
            assertCode(vector.base45, code)
        }
    }

    // MARK: Limits of each group

    func testLargestTripleAndPairDecode() throws {
        // "FGW" = 15 + 16*45 + 32*45^2 = 65535; "U5" = 30 + 5*45 = 255.
        XCTAssertEqual(try Base45.decode("FGW"), [0xFF, 0xFF])
        XCTAssertEqual(try Base45.decode("U5"), [0xFF])
        XCTAssertEqual(Base45.encode([0xFF, 0xFF]), "FGW")
        XCTAssertEqual(Base45.encode([0xFF]), "U5")
    }

    func testOverflowIsAnErrorNotModulo() {
        assertCode("GGW", "B45_OVERFLOW")  // 65536
        assertCode("V5", "B45_OVERFLOW")  // 256
        assertCode("BB8GGW", "B45_OVERFLOW")
        assertCode("::::", "B45_BAD_LENGTH")
        assertCode(":::::", "B45_OVERFLOW")
    }

    func testBadLength() {
        assertCode("A", "B45_BAD_LENGTH")
        assertCode("BB8A", "B45_BAD_LENGTH")
        assertCode("BB8BB8A", "B45_BAD_LENGTH")
    }

    // MARK: Alphabet

    func testLowerCaseRejectedNamingCharAndOffset() {
        XCTAssertThrowsError(try Base45.decode("BBb")) { error in
            let error = error as? QRCertError
            XCTAssertEqual(error?.code, "B45_BAD_CHAR")
            XCTAssertEqual(error?.message, "invalid base45 character 'b' at offset 2")
        }
        assertCode("bb8", "B45_BAD_CHAR")
    }

    func testCharactersOutsideAlphabetRejected() {
        for text in ["BB\n", "BB\t", "=BB", "BB_", "BB€", "BB8\u{0}", "é"] {
            assertCode(text, "B45_BAD_CHAR")
        }
    }

    func testNonASCIIOffsetCountsCharactersAndIsNamedByCodePoint() {
        XCTAssertThrowsError(try Base45.decode("BB€")) { error in
            XCTAssertEqual((error as? QRCertError)?.message, "invalid base45 character U+20AC at offset 2")
        }
        XCTAssertThrowsError(try Base45.decode("B\nB")) { error in
            XCTAssertEqual((error as? QRCertError)?.message, "invalid base45 character U+000A at offset 1")
        }
    }

    func testBadCharacterReportedBeforeBadLength() {
        assertCode("a", "B45_BAD_CHAR")
        assertCode("BB8a", "B45_BAD_CHAR")
    }

    func testSymbolsDecode() throws {
        // ":" is 44: "::" = 44 + 44*45 = 2024 is over 255, "0:" = 44*45 = 1980 too; "$4" = 37 + 4*45 = 217.
        XCTAssertEqual(try Base45.decode("$4"), [217])
        assertCode("0:", "B45_OVERFLOW")
    }

    // MARK: Round trips

    func testEmpty() throws {
        XCTAssertEqual(Base45.encode([]), "")
        XCTAssertEqual(try Base45.decode(""), [])
    }

    func testRoundTripEveryByteAndLength() throws {
        let all = (0...255).map { UInt8($0) }
        XCTAssertEqual(try Base45.decode(Base45.encode(all)), all)
        for length in 0..<8 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 200) }
            let text = Base45.encode(bytes)
            XCTAssertEqual(text.count, length / 2 * 3 + length % 2 * 2)
            XCTAssertEqual(try Base45.decode(text), bytes)
        }
    }
}
