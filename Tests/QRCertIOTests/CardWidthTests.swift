import QRCert
@testable import QRCertIO
import XCTest

/// The card pads labels and cuts values by characters as a person counts them: the fast count must be
/// `String.count` for every text, the Vietnamese it is made for and the text it hands to `count`.
final class CardWidthTests: XCTestCase {
    func testCharactersIsStringCount() {
        let samples = ["", "Họ và tên", "Nơi cấp (trên giấy tờ)", "NGUYỄN MAI DUNG", "Đà Nẵng", "ĐƯỜNG", "Licence no.",
                       "e\u{301}", "Tây Sơn\u{0323}", "a\r\nb", "\r", "\n\r", "🇻🇳", "👩‍💻", "©\u{200D}®", "한국어", "\u{1100}\u{1161}",
                       "ǅ ȸ ʯ ˿", "\u{AD}x", "\u{7F}\u{85}", "ḀỿẠ", "\u{1F00}", "x\u{0E31}", "क्ष", "\u{0600}x", "\\u{202e}"]
        for sample in samples {
            XCTAssertEqual(VerdictRenderer.characters(sample), sample.count, sample.debugDescription)
        }
        // Every scalar the fast count takes, alone and after a letter.
        for value in Array(0x20..<0x300) + Array(0x1E00..<0x1F00) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a" + String(Character(scalar)) + "b"
            XCTAssertEqual(VerdictRenderer.characters(text), text.count, String(value, radix: 16))
        }
    }
}

/// The card writes every value through `DisplayText.write`, which copies safe runs and escapes the rest as it
/// appends: the bytes must be `DisplayText.escaped`'s, for every unsafe scalar at every place in an 8-byte word.
final class CardEscapeTests: XCTestCase {
    func testWriteIsDisplayTextEscaped() {
        var samples = ["", "Licence no.", "2024-10-14", "abed228435c4eb6e ES256 (key.pub.pem)", "~ !\"#", "Nguyễn", "2024 → 2034",
                       "a\u{202E}b\u{202C}c\u{7}", "\u{1B}[31mred\u{1B}[0m", "𝔘nicode 👩‍💻 \u{E0001}\u{E007F}", "x\u{AD}\u{AD}y",
                       "\u{85}\u{9F}\u{A0}\u{61C}\u{2066}ĐÀ NẴNG\u{2069}", String(repeating: "Họ và tên ", count: 9)]
        for value in Array(0..<0xA0) + [0xAD, 0x200E, 0x202E, 0x2028, 0xFEFF, 0xE0001] {
            guard let scalar = Unicode.Scalar(value) else { continue }
            for length in [0, 3, 7, 8, 9, 16] {
                var text = String(repeating: "x", count: length)
                text.unicodeScalars.append(scalar)
                samples.append(text)
                samples.append(String(scalar) + text)
                samples.append(text + "ệ" + text)
            }
        }
        let out = WriteBuffer(capacity: 64)
        for sample in samples {
            out.removeAll()
            out.append("·")
            DisplayText.write(sample, into: out)
            XCTAssertEqual(out.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }, "·" + DisplayText.escaped(sample), sample.debugDescription)
        }
    }
}
