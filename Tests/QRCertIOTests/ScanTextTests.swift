import Foundation
@testable import QRCertIO
import XCTest

/// A scanned line straight from the input's bytes: the same text (or the same blank) as `normalize` gives for
/// the line decoded, wherever the case, the spaces or a non-ASCII byte fall in the eight-byte words it checks.
final class ScanTextTests: XCTestCase {
    private func payload(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { ScanText.payload($0) }
    }

    /// `normalize` on the decoded line, nil when nothing is left: what `verify -` did line by line before.
    private func expected(_ bytes: [UInt8]) -> String? {
        let text = ScanText.normalize(String(decoding: bytes, as: UTF8.self))
        return text.isEmpty ? nil : text
    }

    func testSameAsNormalizeOnTheDecodedLine() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [Array("a".utf8), Array("z".utf8), Array("A".utf8), Array("Z".utf8), Array("0".utf8),
                                 Array("`".utf8), Array("{".utf8), Array("@".utf8), Array("[".utf8), Array(":".utf8),
                                 Array("%".utf8), [0x7F], [0x20], [0x09], [0x0D], [0x0B], [0x0C], Array("é".utf8),
                                 Array("\u{00A0}".utf8), Array("\u{3000}".utf8), [0xFF], [0xC3]]
        var lines: [[UInt8]] = [[], [0x20], [0x20, 0x0D], Array("   \t  ".utf8)]
        for _ in 0..<4000 {
            let length = Int.random(in: 0...40, using: &generator)
            lines.append((0..<length).flatMap { _ in pieces.randomElement(using: &generator)! })
        }
        for length in [7, 8, 9, 16, 17, 33] {
            for position in 0..<length {
                for piece in pieces {
                    var line = Array(repeating: UInt8(ascii: "Q"), count: length)
                    line.replaceSubrange(position..<(position + 1), with: piece)
                    lines.append(line)
                }
            }
        }
        for line in lines {
            XCTAssertEqual(payload(line), expected(line), "\(line)")
        }
    }

    func testKnownScans() {
        XCTAssertEqual(payload(Array("  qc1:6bf+abc \r".utf8)), "QC1:6BF+ABC")
        XCTAssertEqual(payload(Array("QC1:NCF%20".utf8)), "QC1:NCF%20")
        XCTAssertEqual(payload(Array("`{@[az]}".utf8)), "`{@[AZ]}")  // only a-z change case
        XCTAssertNil(payload(Array(" \t\r\u{0B}\u{0C}".utf8)))
        XCTAssertNil(payload(Array("\u{00A0} \u{3000}".utf8)))  // Unicode spaces are trimmed too
        XCTAssertEqual(payload(Array("\u{00A0}qc1:é\u{00A0}".utf8)), "QC1:é")
    }
}
