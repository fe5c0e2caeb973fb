import Foundation
import QRCertFormat
import QRCertImage
import XCTest

/// The decoder's retries (docs/DEGRADATION.md) on images that zbar alone cannot read: each case is made by
/// ImageMagick from one of our PNGs, `zbarimg` (the same libzbar, no retries) must fail on it, and
/// `QRDecoder` must read it, once, at the right place.
final class DecodeRetryTests: XCTestCase {
    /// A typical licence payload: 380 Base45 characters at EC Q, a version 15 symbol, 4 px modules, 340 px.
    private let text = ImageTestSupport.base45Payload(count: 380, seed: 51)

    private func source(in directory: URL, level: ErrorCorrection = .Q) throws -> URL {
        let file = directory.appendingPathComponent("code.png")
        let png = try PNGRenderer.render(QRCode.encode(text, level: level), options: PNGOptions(moduleSize: 4))
        try Data(png).write(to: file)
        return file
    }

    /// `convert SOURCE OPTIONS OUT` (seeded, so the noise is the same on every run).
    private func degrade(_ source: URL, _ options: [String], name: String) throws -> URL {
        let out = source.deletingLastPathComponent().appendingPathComponent(name)
        XCTAssertEqual(try ImageTestSupport.run("convert", ["-seed", "7", source.path] + options + [out.path]).status, 0)
        return out
    }

    private func assertOnlyRetriesRead(_ file: URL, centre: (Int, Int), tolerance: Int = 12,
                                       line: UInt = #line) throws {
        XCTAssertEqual(try ImageTestSupport.zbarimg(file), [], "zbarimg reads it: not a retry case", line: line)
        let symbols = try QRDecoder.decode(imageBytes: [UInt8](Data(contentsOf: file)))
        XCTAssertEqual(symbols.map(\.text), [text], line: line)
        guard let symbol = symbols.first else { return }
        XCTAssertLessThanOrEqual(abs(symbol.x - centre.0), tolerance, "x \(symbol.x), expected \(centre.0)", line: line)
        XCTAssertLessThanOrEqual(abs(symbol.y - centre.1), tolerance, "y \(symbol.y), expected \(centre.1)", line: line)
    }

    /// Camera tilted: the left edge 24% shorter (keystone correction).
    func testTiltedCode() throws {
        let file = try source(in: ImageTestSupport.temporaryDirectory(for: self))
        let tilted = try degrade(file, ["-virtual-pixel", "white", "-distort", "Perspective",
                                        "0,0 24,41  340,0 340,0  340,340 340,340  0,340 24,299"], name: "tilted.png")
        // The symbol's centre is where the diagonals of the distorted square cross: (160.3, 170).
        try assertOnlyRetriesRead(tilted, centre: (160, 170), tolerance: 3)
    }

    /// Shrunk to a third: 1.3 px per module (Catmull-Rom enlargement, then local threshold).
    func testModulesOf1Point3Pixels() throws {
        let file = try source(in: ImageTestSupport.temporaryDirectory(for: self))
        let small = try degrade(file, ["-resize", "33%"], name: "small.png")
        try assertOnlyRetriesRead(small, centre: (56, 56), tolerance: 4)
    }

    /// Out of focus: Gaussian blur of half a module.
    func testBlurredCode() throws {
        let file = try source(in: ImageTestSupport.temporaryDirectory(for: self))
        let blurred = try degrade(file, ["-gaussian-blur", "0x2.2"], name: "blurred.png")
        try assertOnlyRetriesRead(blurred, centre: (170, 170), tolerance: 3)
    }

    /// Sensor noise on a soft image (smoothing).
    func testNoisyCode() throws {
        let file = try source(in: ImageTestSupport.temporaryDirectory(for: self))
        let noisy = try degrade(file, ["-blur", "0x1", "-attenuate", "2.5", "+noise", "Gaussian", "-colorspace", "Gray"],
                                name: "noisy.png")
        try assertOnlyRetriesRead(noisy, centre: (170, 170), tolerance: 3)
    }

    /// A 10-megapixel photo: retries run on a copy halved to 2.5 megapixels, and positions come back in the
    /// photo's own pixels.
    func testNoisyCodeInABigPhotoIsPlacedInThePhotosPixels() throws {
        let directory = try ImageTestSupport.temporaryDirectory(for: self)
        let file = try source(in: directory)
        let big = directory.appendingPathComponent("big.jpg")
        // The code at 2x (8 px modules, 680 px) pasted at (2300, 900), then the whole photo soft and noisy.
        let status = try ImageTestSupport.run("convert", [
            "-seed", "7", "-size", "3900x2600", "xc:gray60", "(", file.path, "-scale", "200%", ")", "-geometry", "+2300+900",
            "-composite", "-blur", "0x2", "-attenuate", "3", "+noise", "Gaussian", "-colorspace", "Gray", "-quality", "90", big.path,
        ]).status
        XCTAssertEqual(status, 0)
        try assertOnlyRetriesRead(big, centre: (2300 + 340, 900 + 340), tolerance: 4)
    }

    /// A clean render is read by the first scan and no retry runs: the code is reported once, at zbar's place.
    func testCleanCodeIsReportedOnce() throws {
        let file = try source(in: ImageTestSupport.temporaryDirectory(for: self))
        let symbols = try QRDecoder.decode(imageBytes: [UInt8](Data(contentsOf: file)))
        // zbar's box of the 77-module symbol: 308 px, inside the 16 px quiet zone.
        XCTAssertEqual(symbols, [DecodedSymbol(text: text, x: 169, y: 169, width: 308, height: 308)])
    }

    /// Two copies of one licence on a sheet, with text beside them, are two codes, each reported at its own
    /// place.
    func testTwoCopiesOfOneCodeOnASheetAreTwoCodes() throws {
        let directory = try ImageTestSupport.temporaryDirectory(for: self)
        let file = try source(in: directory, level: .M)
        let sheet = directory.appendingPathComponent("sheet.png")
        let status = try ImageTestSupport.run("convert", [
            "-size", "1000x600", "xc:white", file.path, "-geometry", "+40+60", "-composite",
            file.path, "-geometry", "+600+200", "-composite",
            "-fill", "black", "-draw", "rectangle 40,480 900,500", "-draw", "rectangle 40,530 700,550",
            "-colorspace", "Gray", sheet.path,
        ]).status
        XCTAssertEqual(status, 0)
        let alone = try XCTUnwrap(QRDecoder.decode(imageBytes: [UInt8](Data(contentsOf: file))).first)
        let symbols = try QRDecoder.decode(imageBytes: [UInt8](Data(contentsOf: sheet)))
        XCTAssertEqual(symbols.map(\.text), [text, text])
        XCTAssertEqual(symbols.map { [$0.x, $0.y] }, [[40 + alone.x, 60 + alone.y], [600 + alone.x, 200 + alone.y]])
    }

    /// The EU DCC suite's QR images each decode to exactly their `PREFIX` text, retries or not.
    func testDCCSuiteImagesDecodeToTheirPrefix() throws {
        let suite = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/conformance/dgc-testdata").standardized
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: suite.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".json") }.sorted()
        var checked = 0
        for name in files {
            let data = try Data(contentsOf: suite.appendingPathComponent(name))
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let code = (object["2DCODE"] ?? object["_2DCODE"]) as? String, let prefix = object["PREFIX"] as? String,
                  let png = Data(base64Encoded: code) else { continue }
            let expected = (object["EXPECTEDRESULTS"] as? [String: Any])?["EXPECTEDPICTUREDECODE"] as? Bool ?? true
            guard expected else { continue }  // common/2DCode/raw/Q1.json: its "PNG" is not an image
            XCTAssertEqual(try QRDecoder.decode(imageBytes: [UInt8](png)).map(\.text), [prefix], name)
            checked += 1
        }
        XCTAssertEqual(checked, 102)
    }
}
