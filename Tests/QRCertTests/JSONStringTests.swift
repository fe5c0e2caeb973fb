import Foundation
@testable import QRCert
import XCTest

/// The one JSON string quoting: what a JSON parser reads back is the string itself, no unsafe character is left
/// raw, and the bytes are those of the rule written out scalar by scalar, wherever an escape falls in the eight-byte
/// words the quoting checks at a time.
final class JSONStringTests: XCTestCase {
    /// The rule of `JSONString`'s documentation, one scalar at a time.
    private func reference(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                guard DisplayText.isUnsafe(scalar) else { out.unicodeScalars.append(scalar); continue }
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            }
        }
        return out + "\""
    }

    /// Every piece at every position of strings up to 40 bytes long, so each crosses the words' edges.
    private var samples: [String] {
        let pieces = ["\"", "\\", "\n", "\r", "\t", "\u{01}", "\u{1F}", "\u{7F}", "é", "ữ", "\u{85}", "\u{AD}", "\u{202E}",
                      "\u{2028}", "\u{FEFF}", "😀", "\u{E0001}", "~", " ", "/"]
        var samples = [""]
        for length in [1, 7, 8, 9, 15, 16, 17, 31, 40] {
            let plain = String(repeating: "x", count: length)
            samples.append(plain)
            for piece in pieces {
                for position in 0...length {
                    var s = plain
                    s.insert(contentsOf: piece, at: s.index(s.startIndex, offsetBy: position))
                    samples.append(s)
                }
            }
        }
        samples.append("NGUYỄN MAI DUNG, 222 Tây Sơn, Phường Khâm Thiên, Hà Nội")
        return samples
    }

    func testQuotedBytesFollowTheRule() {
        for s in samples {
            XCTAssertEqual(JSONString.quoted(s), reference(s), s.debugDescription)
        }
    }

    func testAJSONParserReadsBackTheString() throws {
        for s in samples {
            let line = "[" + JSONString.quoted(s) + "]"
            let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String]
            XCTAssertEqual(parsed, [s], line.debugDescription)
        }
    }

    func testNoUnsafeCharacterIsLeftRaw() {
        for s in samples {
            XCTAssertFalse(DisplayText.containsUnsafe(JSONString.quoted(s)), s.debugDescription)
        }
    }

    func testBothBuffersGetTheSameBytes() {
        let buffer = WriteBuffer(capacity: 64)  // grows on the way
        var array: [UInt8] = [0x7B]
        buffer.append(0x7B)
        for s in samples {
            JSONString.quote(s, into: &array)
            JSONString.quote(s, into: buffer)
        }
        XCTAssertEqual(buffer.bytes, array)
    }

    func testKnownLine() {
        XCTAssertEqual(JSONString.quoted("a\"b\\c\n\u{1}\u{202E}😀\u{E0001}é"), #""a\"b\\c\n\u0001\u202e😀\udb40\udc01é""#)
    }
}
