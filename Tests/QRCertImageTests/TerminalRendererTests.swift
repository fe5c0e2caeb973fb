import QRCertImage
import XCTest

final class TerminalRendererTests: XCTestCase {
    /// Turns the half-block text back into pixels (`blockIsDark` says what a drawn half means), 4 px per half.
    private func pixels(_ text: String, blockIsDark: Bool) -> (gray: [UInt8], width: Int, height: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        let scale = 4
        let width = (lines.map(\.count).max() ?? 0) * scale
        let height = lines.count * 2 * scale
        var gray = [UInt8](repeating: 255, count: width * height)
        for (row, line) in lines.enumerated() {
            for (column, scalar) in line.enumerated() {
                let halves: (Bool, Bool)
                switch scalar {
                case "\u{2588}": halves = (true, true)
                case "\u{2580}": halves = (true, false)
                case "\u{2584}": halves = (false, true)
                case " ": halves = (false, false)
                default: XCTFail("unexpected character \(scalar)"); halves = (false, false)
                }
                for (half, drawn) in [(0, halves.0), (1, halves.1)] where drawn == blockIsDark {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            gray[((row * 2 + half) * scale + dy) * width + column * scale + dx] = 0
                        }
                    }
                }
            }
        }
        return (gray, width, height)
    }

    func testBothPolaritiesDecode() throws {
        let text = ImageTestSupport.base45Payload(count: 120, seed: 41)
        let code = try QRCode.encode(text, level: .M)
        // Default: blocks are the light modules (light text on a dark terminal).
        let normal = TerminalRenderer.render(code)
        let decodedNormal = pixels(normal, blockIsDark: false)
        XCTAssertEqual(try QRDecoder.decode(gray: decodedNormal.gray, width: decodedNormal.width,
                                            height: decodedNormal.height).map(\.text), [text])
        // Inverted: blocks are the dark modules.
        let inverted = TerminalRenderer.render(code, margin: 4, invert: true)
        let decodedInverted = pixels(inverted, blockIsDark: true)
        XCTAssertEqual(try QRDecoder.decode(gray: decodedInverted.gray, width: decodedInverted.width,
                                            height: decodedInverted.height).map(\.text), [text])
    }

    func testShape() throws {
        let code = try QRCode.encode("QC1:6BF", level: .L)  // version 1, 21 modules
        let text = TerminalRenderer.render(code, margin: 2)
        XCTAssertFalse(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, (21 + 4 + 1) / 2)
        XCTAssertTrue(lines.allSatisfy { $0.unicodeScalars.count == 25 })
        // The top quiet zone is one full line of light: full blocks by default, spaces when inverted.
        XCTAssertEqual(String(lines[0]), String(repeating: "\u{2588}", count: 25))
        let inverted = TerminalRenderer.render(code, margin: 2, invert: true).split(separator: "\n")
        XCTAssertEqual(String(inverted[0]).trimmingCharacters(in: .whitespaces), "")
        // Line 1 holds symbol rows 0 and 1: the finder's dark top edge over its dark-light-dark row.
        // Blocks are light: margin "██", finder edge column " ", five lower halves, edge " ", separator "█".
        XCTAssertEqual(String(lines[1].unicodeScalars.prefix(10).map(Character.init)),
                       "\u{2588}\u{2588} \u{2584}\u{2584}\u{2584}\u{2584}\u{2584} \u{2588}")
    }
}
