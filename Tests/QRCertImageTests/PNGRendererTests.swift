import Foundation
import QRCertFormat
import QRCertImage
import XCTest

final class PNGRendererTests: XCTestCase {
    static let payloads: [(name: String, text: String)] = [
        ("short", "QC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B3KL6QM5/OVGA/MAT%ZSNP6QIS4I2"),
        ("base45-380", ImageTestSupport.base45Payload(count: 380, seed: 11)),
        ("vietnamese", ImageTestSupport.vietnamese),
        ("base45-1200", ImageTestSupport.base45Payload(count: 1200, seed: 12)),
    ]

    /// Every payload at every level: zbarimg and our decoder both read back the exact text.
    func testRoundTripThroughZbarimgAndQRDecoder() throws {
        let directory = try ImageTestSupport.temporaryDirectory(for: self)
        for (name, text) in Self.payloads {
            for level in ErrorCorrection.allCases {
                let code = try QRCode.encode(text, level: level)
                let options = PNGOptions(moduleSize: 4, margin: 4)
                let png = try PNGRenderer.render(code, options: options)

                let side = (code.size + 2 * options.margin) * options.moduleSize
                XCTAssertEqual(ImageTestSupport.pngHeader(png),
                               .init(width: side, height: side, bitDepth: 1, colorType: 0), "\(name) \(level)")

                let file = directory.appendingPathComponent("\(name)-\(level).png")
                try Data(png).write(to: file)
                XCTAssertEqual(try ImageTestSupport.zbarimg(file), [text], "\(name) \(level)")

                let symbols = try QRDecoder.decode(imageBytes: png)
                XCTAssertEqual(symbols.map(\.text), [text], "\(name) \(level)")
                if let symbol = symbols.first {
                    // The symbol sits in the middle of its quiet zone.
                    XCTAssertEqual(Double(symbol.x), Double(side) / 2, accuracy: 6)
                    XCTAssertEqual(Double(symbol.y), Double(side) / 2, accuracy: 6)
                    XCTAssertEqual(Double(symbol.width), Double(code.size * options.moduleSize), accuracy: 8)
                }
            }
        }
    }

    func testModuleSizeAndMarginSetTheDimensions() throws {
        let code = try QRCode.encode("QC1:6BF", level: .M)
        for (module, margin) in [(1, 4), (3, 4), (4, 6), (10, 8), (64, 4)] {
            let png = try PNGRenderer.render(code, options: PNGOptions(moduleSize: module, margin: margin))
            let side = (21 + 2 * margin) * module
            XCTAssertEqual(ImageTestSupport.pngHeader(png), .init(width: side, height: side, bitDepth: 1, colorType: 0))
            if module >= 3 {
                XCTAssertEqual(try QRDecoder.decode(imageBytes: png).map(\.text), ["QC1:6BF"])
            }
        }
    }

    func testDefaultsAreTheMeasuredOnes() {
        let options = PNGOptions()
        XCTAssertEqual(options.moduleSize, 4)
        XCTAssertEqual(options.margin, 4)
        XCTAssertEqual(options.compressionLevel, 4)
        XCTAssertEqual(PNGRenderer.defaultCompressionLevel, 4)
    }

    func testEveryCompressionLevelDecodes() throws {
        let code = try QRCode.encode(Self.payloads[1].text, level: .Q)
        for level in Int32(0)...9 {
            var options = PNGOptions()
            options.compressionLevel = level
            let png = try PNGRenderer.render(code, options: options)
            XCTAssertEqual(try QRDecoder.decode(imageBytes: png).map(\.text), [Self.payloads[1].text], "level \(level)")
        }
    }

    func testBadOptionsAreRefused() throws {
        let code = try QRCode.encode("QC1:6BF", level: .M)
        assertThrows(.image, "IMG_BAD_OPTIONS", "module size 0 is outside 1...64") { () throws(QRCertError) in
            try PNGRenderer.render(code, options: PNGOptions(moduleSize: 0))
        }
        assertThrows(.image, "IMG_BAD_OPTIONS", "module size 65 is outside 1...64") { () throws(QRCertError) in
            try PNGRenderer.render(code, options: PNGOptions(moduleSize: 65))
        }
        assertThrows(.image, "IMG_BAD_OPTIONS", "margin -1 is outside 0...100") { () throws(QRCertError) in
            try PNGRenderer.render(code, options: PNGOptions(margin: -1))
        }
        var options = PNGOptions()
        options.compressionLevel = 10
        assertThrows(.image, "IMG_BAD_OPTIONS", "compression level 10 is outside 0...9") { () throws(QRCertError) in
            try PNGRenderer.render(code, options: options)
        }
    }

    /// The issuer renders on every core at once.
    func testConcurrentEncodeRenderDecode() throws {
        let texts = (0..<16).map { ImageTestSupport.base45Payload(count: 300 + $0 * 7, seed: UInt64(100 + $0)) }
        let results = UnsafeSendableBox([String?](repeating: nil, count: texts.count))
        DispatchQueue.concurrentPerform(iterations: texts.count) { i in
            do {
                let png = try PNGRenderer.render(QRCode.encode(texts[i], level: .M), options: PNGOptions())
                results.set(i, try QRDecoder.decode(imageBytes: png).map(\.text).joined(separator: "|"))
            } catch {
                results.set(i, "error: \(error)")
            }
        }
        XCTAssertEqual(results.values, texts.map { Optional($0) })
    }
}

/// Collects per-index results from `concurrentPerform`.
final class UnsafeSendableBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String?]
    init(_ values: [String?]) { storage = values }
    func set(_ index: Int, _ value: String?) { lock.lock(); storage[index] = value; lock.unlock() }
    var values: [String?] { lock.lock(); defer { lock.unlock() }; return storage }
}
