import Foundation
import QRCertFormat
@testable import QRCertImage
import XCTest

final class QRDecoderTests: XCTestCase {
    private func png(_ text: String, level: ErrorCorrection = .M, module: Int = 4) throws -> [UInt8] {
        try PNGRenderer.render(QRCode.encode(text, level: level), options: PNGOptions(moduleSize: module))
    }

    /// Three codes composed on one page by ImageMagick (an 8-bit image, not ours) are all found.
    func testPageWithThreeCodes() throws {
        let directory = try ImageTestSupport.temporaryDirectory(for: self)
        let texts = ["QC1:FIRST CODE 111", ImageTestSupport.base45Payload(count: 200, seed: 21), ImageTestSupport.vietnamese]
        var files: [String] = []
        for (i, text) in texts.enumerated() {
            let file = directory.appendingPathComponent("code\(i).png")
            try Data(png(text)).write(to: file)
            files.append(file.path)
        }
        let page = directory.appendingPathComponent("page.png")
        let offsets = [(40, 30), (700, 120), (320, 600)]
        var arguments = ["-size", "1200x1100", "xc:white"]
        for (file, offset) in zip(files, offsets) {
            arguments += [file, "-geometry", "+\(offset.0)+\(offset.1)", "-composite"]
        }
        arguments += ["-colorspace", "Gray", "-depth", "8", page.path]
        XCTAssertEqual(try ImageTestSupport.run("convert", arguments).status, 0)

        let symbols = try QRDecoder.decode(imageBytes: [UInt8](Data(contentsOf: page)))
        XCTAssertEqual(Set(symbols.map(\.text)), Set(texts))
        XCTAssertEqual(symbols.count, 3)
        XCTAssertEqual(Set(symbols.map { "\($0.x),\($0.y)" }).count, 3)
        // Reading order: top to bottom.
        XCTAssertEqual(symbols.map(\.text), texts)
        for (symbol, offset) in zip(symbols, offsets) {
            // Each centre lies inside the square its image was pasted into.
            XCTAssertGreaterThan(symbol.x, offset.0)
            XCTAssertGreaterThan(symbol.y, offset.1)
            XCTAssertLessThan(symbol.x, offset.0 + 2 * symbol.width)
            XCTAssertLessThan(symbol.y, offset.1 + 2 * symbol.height)
        }
    }

    func testJPEGAtQuality50() throws {
        let directory = try ImageTestSupport.temporaryDirectory(for: self)
        let text = ImageTestSupport.base45Payload(count: 380, seed: 22)
        let source = directory.appendingPathComponent("code.png")
        let jpeg = directory.appendingPathComponent("code.jpg")
        try Data(png(text, level: .Q)).write(to: source)
        XCTAssertEqual(try ImageTestSupport.run("convert", [source.path, "-quality", "50", jpeg.path]).status, 0)
        let bytes = [UInt8](try Data(contentsOf: jpeg))
        XCTAssertEqual(Array(bytes.prefix(3)), [0xFF, 0xD8, 0xFF])
        XCTAssertEqual(try QRDecoder.decode(imageBytes: bytes).map(\.text), [text])
    }

    /// Colour, 16-bit and transparent PNGs all become 8-bit grey; transparency is composited on white.
    func testOtherPNGKinds() throws {
        let directory = try ImageTestSupport.temporaryDirectory(for: self)
        let text = "QC1:COLOUR AND ALPHA 0123456789"
        let source = directory.appendingPathComponent("code.png")
        try Data(png(text)).write(to: source)
        let variants: [(String, [String])] = [
            ("rgb16.png", ["-type", "TrueColor", "-depth", "16"]),
            ("palette.png", ["-type", "Palette", "-fill", "navy", "-opaque", "black"]),
            ("transparent.png", ["-transparent", "white", "-type", "TrueColorAlpha"]),
            ("grey-alpha.png", ["-alpha", "set", "-channel", "A", "-evaluate", "set", "100%", "+channel",
                                "-type", "GrayscaleAlpha"]),
        ]
        for (name, options) in variants {
            let file = directory.appendingPathComponent(name)
            XCTAssertEqual(try ImageTestSupport.run("convert", [source.path] + options + [file.path]).status, 0)
            XCTAssertEqual(try QRDecoder.decode(imageBytes: [UInt8](Data(contentsOf: file))).map(\.text), [text], name)
        }
    }

    func testGreyBuffer() throws {
        let code = try QRCode.encode("QC1:GREY BUFFER", level: .L)
        let module = 3, margin = 4
        let side = (code.size + 2 * margin) * module
        var gray = [UInt8](repeating: 255, count: side * side)
        for y in 0..<side {
            for x in 0..<side where code.isDark(x: x / module - margin, y: y / module - margin) {
                gray[y * side + x] = 0
            }
        }
        XCTAssertEqual(try QRDecoder.decode(gray: gray, width: side, height: side).map(\.text), ["QC1:GREY BUFFER"])
        assertThrows(.image, "IMG_BAD_DATA", "grey buffer has \(side * side) bytes, expected \(side)x\(side + 1) = \(side * (side + 1))") {
            () throws(QRCertError) in try QRDecoder.decode(gray: gray, width: side, height: side + 1)
        }
        assertThrows(.image, "IMG_BAD_DATA", "grey image size 0x10 is empty") { () throws(QRCertError) in
            try QRDecoder.decode(gray: [], width: 0, height: 10)
        }
        assertThrows(.image, "IMG_TOO_LARGE", "grey image has more than 50 megapixels") { () throws(QRCertError) in
            try QRDecoder.decode(gray: [], width: 10_000, height: 5_001)
        }
    }

    /// `codes` drawn on a `width` x `height` grey page of `background`, each symbol's top-left module at the
    /// given pixel, with `module` px modules and a white 4-module quiet zone.
    private func page(width: Int, height: Int, background: UInt8 = 255,
                      _ codes: [(code: QRCode, module: Int, x: Int, y: Int)]) -> [UInt8] {
        var gray = [UInt8](repeating: background, count: width * height)
        for (code, module, left, top) in codes {
            let quiet = 4 * module
            for y in (top - quiet)..<(top + code.size * module + quiet) {
                for x in (left - quiet)..<(left + code.size * module + quiet) {
                    let (mx, my) = ((x - left) / module, (y - top) / module)
                    gray[y * width + x] = x >= left && y >= top && code.isDark(x: mx, y: my) ? 0 : 255
                }
            }
        }
        return gray
    }

    /// Six licence-sized codes with 4 px modules on a 6.6-megapixel page: the first scans, at a quarter and at
    /// half the size, see modules of 1 and 2 px, where zbar reads some of them and not others, depending on
    /// how the modules fall on the smaller pixels. A code read with modules under 2 px (estimated from the
    /// largest symbol of its text) does not end the search, so the full-size scan reads all six, on both of two
    /// placements; on at least one of them the first smaller scan that reads anything (the same
    /// halving and zbar) reads only part of the page.
    func testSheetTooSmallForTheReducedScanIsReadInFull() throws {
        let texts = (0..<6).map { ImageTestSupport.base45Payload(count: 380, seed: 60 + UInt64($0)) }
        let codes = try texts.map { text throws(QRCertError) in try QRCode.encode(text, level: .Q) }
        var partial = 0
        for shift in [1, 2] {
            let places = (0..<6).map { (x: 116 + $0 % 3 * 1000 + ($0 + shift) % 4, y: 176 + $0 / 3 * 1000 + shift) }
            let gray = page(width: 3000, height: 2200, zip(codes, places).map { ($0, 4, $1.x, $1.y) })
            let half = GrayImage(pixels: gray, width: 3000, height: 2200).halved()
            let small = try ZBarScanner().scan(half.halved()).count
            if (1...5).contains(small == 0 ? try ZBarScanner().scan(half).count : small) { partial += 1 }
            let symbols = try QRDecoder.decode(gray: gray, width: 3000, height: 2200)
            XCTAssertEqual(symbols.map(\.text), texts, "shift \(shift)")
            for (symbol, (code, place)) in zip(symbols, zip(codes, places)) {
                XCTAssertLessThanOrEqual(abs(symbol.x - (place.x + code.size * 2)), 1, "shift \(shift)")
                XCTAssertLessThanOrEqual(abs(symbol.y - (place.y + code.size * 2)), 1, "shift \(shift)")
            }
        }
        XCTAssertGreaterThan(partial, 0, "no placement is read only in part at a smaller size: the test shows nothing")
    }

    /// A code with 12 px modules on a 4.3-megapixel grey desk is read by the scan at a quarter of the size
    /// (3 px modules there) and placed in the image's own pixels: within 4 px, one pixel of that scan.
    func testBigCodeIsReadAtAReducedSizeAndPlacedInTheImagesPixels() throws {
        let text = ImageTestSupport.base45Payload(count: 380, seed: 66)
        let code = try QRCode.encode(text, level: .Q)
        let gray = page(width: 2400, height: 1800, background: 110, [(code, 12, 701, 403)])
        let symbols = try QRDecoder.decode(gray: gray, width: 2400, height: 1800)
        try assertBigCode(symbols, text: text, code: code)
    }

    /// The big code of the two tests above (12 px modules at (701, 403)) is the one read, within 4 px of its centre
    /// and 8 px of its side in the image's own pixels.
    private func assertBigCode(_ symbols: [DecodedSymbol], text: String, code: QRCode,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(symbols.map(\.text), [text], file: file, line: line)
        let symbol = try XCTUnwrap(symbols.first, file: file, line: line)
        let (centre, side) = (code.size * 6, code.size * 12)
        XCTAssertLessThanOrEqual(abs(symbol.x - (701 + centre)), 4, "x \(symbol.x)", file: file, line: line)
        XCTAssertLessThanOrEqual(abs(symbol.y - (403 + centre)), 4, "y \(symbol.y)", file: file, line: line)
        XCTAssertLessThanOrEqual(abs(symbol.width - side), 8, "width \(symbol.width)", file: file, line: line)
        XCTAssertLessThanOrEqual(abs(symbol.height - side), 8, "height \(symbol.height)", file: file, line: line)
    }

    /// `gray` as a JPEG made by ImageMagick (from a PGM), at `quality`.
    private func jpeg(_ gray: [UInt8], width: Int, height: Int, quality: Int = 92) throws -> [UInt8] {
        let directory = try ImageTestSupport.temporaryDirectory(for: self)
        let pgm = directory.appendingPathComponent("page.pgm"), jpg = directory.appendingPathComponent("page.jpg")
        try Data(Array("P5\n\(width) \(height)\n255\n".utf8) + gray).write(to: pgm)
        XCTAssertEqual(try ImageTestSupport.run("convert", [pgm.path, "-quality", "\(quality)", jpg.path]).status, 0)
        return [UInt8](try Data(contentsOf: jpg))
    }

    /// libjpeg decodes a JPEG straight at the first scan's size (DCT scaling): as many halvings as `halved()`
    /// would make, the sides rounded up, and the same picture as the full decode halved (within a grey level or
    /// two per pixel on average: the scaled IDCT is a low-pass filter, as the 2x2 mean is).
    func testJPEGIsDecodedAtTheReducedSizeAsTheHalvingsWouldMakeIt() throws {
        let code = try QRCode.encode(ImageTestSupport.base45Payload(count: 380, seed: 66), level: .Q)
        let gray = page(width: 2401, height: 1801, background: 110, [(code, 12, 701, 403)])
        let bytes = try jpeg(gray, width: 2401, height: 1801)
        let (reduced, halvings) = try GrayImage.read(bytes, reducedTo: DecodePass.firstPassPixels)
        XCTAssertEqual(halvings, 2)
        XCTAssertEqual([reduced.width, reduced.height], [601, 451])
        let (whole, none) = try GrayImage.read(bytes, reducedTo: nil)
        XCTAssertEqual(none, 0)
        XCTAssertEqual([whole.width, whole.height], [2401, 1801])
        let quarter = whole.halved().halved()
        var difference = 0
        for y in 0..<quarter.height {
            for x in 0..<quarter.width {
                difference += abs(Int(quarter.pixels[y * quarter.width + x]) - Int(reduced.pixels[y * reduced.width + x]))
            }
        }
        let mean = Double(difference) / Double(quarter.width * quarter.height)
        XCTAssertLessThan(mean, 2.5, "mean difference \(mean) per pixel")
        // A JPEG under the first scan's size, and a PNG, come whole.
        let small = try GrayImage.read(try jpeg(Array(gray.prefix(1000 * 1000)), width: 1000, height: 1000), reducedTo: DecodePass.firstPassPixels)
        XCTAssertEqual([small.image.width, small.image.height, small.halvings], [1000, 1000, 0])
        let png = try GrayImage.read(try self.png("QC1:PNG"), reducedTo: 1)
        XCTAssertEqual(png.halvings, 0)
    }

    /// `halved()` is the 2x2 mean rounded half up, the last odd row and column dropped: against the plain formula on
    /// random pixels (the extremes included) at even and odd sizes.
    func testHalvedIsTheRoundedMeanOfEach2x2Square() {
        var generator = SplitMix64(seed: 77)
        for (width, height) in [(2, 2), (7, 5), (64, 33), (301, 200)] {
            var pixels = (0..<(width * height)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            pixels[0] = 255; pixels[1] = 255; pixels[width] = 255; pixels[width + 1] = 255
            let half = GrayImage(pixels: pixels, width: width, height: height).halved()
            XCTAssertEqual([half.width, half.height], [width / 2, height / 2])
            var expected: [UInt8] = []
            for y in 0..<(height / 2) {
                for x in 0..<(width / 2) {
                    let sum = [(0, 0), (1, 0), (0, 1), (1, 1)].reduce(0) { $0 + Int(pixels[(2 * y + $1.1) * width + 2 * x + $1.0]) }
                    expected.append(UInt8((sum + 2) / 4))
                }
            }
            XCTAssertEqual(half.pixels, expected, "\(width)x\(height)")
            XCTAssertEqual(half.pixels.first, 255)
        }
    }

    /// The big code of the test above as a JPEG: read in the copy libjpeg decoded at a quarter of the size and
    /// placed in the full image's pixels (within 4 px, one pixel of that copy), as from the grey buffer.
    func testJPEGCodeReadInTheScaledDecodeIsPlacedInTheFullImagesPixels() throws {
        let text = ImageTestSupport.base45Payload(count: 380, seed: 66)
        let code = try QRCode.encode(text, level: .Q)
        let gray = page(width: 2400, height: 1800, background: 110, [(code, 12, 701, 403)])
        let symbols = try QRDecoder.decode(imageBytes: try jpeg(gray, width: 2400, height: 1800))
        try assertBigCode(symbols, text: text, code: code)
    }

    /// The six-code sheet as a JPEG: the scaled decode's codes have modules of 1 px, which do not end the search,
    /// so the image is decoded again at full size and all six are read at their places.
    func testJPEGSheetTooSmallForTheScaledDecodeIsReadInFull() throws {
        let texts = (0..<6).map { ImageTestSupport.base45Payload(count: 380, seed: 60 + UInt64($0)) }
        let codes = try texts.map { text throws(QRCertError) in try QRCode.encode(text, level: .Q) }
        let places = (0..<6).map { (x: 116 + $0 % 3 * 1000 + ($0 + 1) % 4, y: 176 + $0 / 3 * 1000 + 1) }
        let gray = page(width: 3000, height: 2200, zip(codes, places).map { ($0, 4, $1.x, $1.y) })
        let symbols = try QRDecoder.decode(imageBytes: try jpeg(gray, width: 3000, height: 2200, quality: 95))
        XCTAssertEqual(symbols.map(\.text), texts)
        for (symbol, (code, place)) in zip(symbols, zip(codes, places)) {
            XCTAssertLessThanOrEqual(abs(symbol.x - (place.x + code.size * 2)), 2)
            XCTAssertLessThanOrEqual(abs(symbol.y - (place.y + code.size * 2)), 2)
        }
    }

    func testRandomBytesAreUnsupported() {
        var generator = SplitMix64(seed: 31)
        let bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        assertThrows(.image, "IMG_UNSUPPORTED", "image is neither png nor jpeg") { () throws(QRCertError) in
            try QRDecoder.decode(imageBytes: bytes)
        }
        assertThrows(.image, "IMG_UNSUPPORTED", "image is neither png nor jpeg") { () throws(QRCertError) in
            try QRDecoder.decode(imageBytes: [])
        }
        assertThrows(.image, "IMG_UNSUPPORTED", "image is neither png nor jpeg") { () throws(QRCertError) in
            try QRDecoder.decode(imageBytes: Array("GIF89a".utf8))
        }
    }

    func testTruncatedPNGIsBadDataAndSilent() throws {
        let whole = try png(ImageTestSupport.base45Payload(count: 380, seed: 32))
        // (Cutting only the 12-byte IEND chunk leaves every pixel readable, which libpng accepts.)
        for cut in [8, 20, 40, whole.count / 2, whole.count - 20] {
            var caught: QRCertError?
            let stderr = ImageTestSupport.capturingStderr {
                do throws(QRCertError) {
                    let symbols = try QRDecoder.decode(imageBytes: Array(whole.prefix(cut)))
                    XCTFail("decoded \(symbols) from \(cut) bytes")
                } catch {
                    caught = error
                }
            }
            XCTAssertEqual(stderr, "", "cut at \(cut)")
            XCTAssertEqual(caught?.code, "IMG_BAD_DATA", "cut at \(cut)")
            XCTAssertEqual(caught?.stage, .image)
            XCTAssertTrue(caught?.message.hasPrefix("corrupt png image: ") ?? false, caught?.message ?? "")
        }
    }

    /// The silence checks above only mean something if the capture sees C-level writes to fd 2.
    func testStderrCaptureSeesWrites() {
        let captured = ImageTestSupport.capturingStderr { _ = write(2, "seen\n", 5) }
        XCTAssertEqual(captured, "seen\n")
    }

    func testCorruptJPEGIsBadDataAndSilent() throws {
        let directory = try ImageTestSupport.temporaryDirectory(for: self)
        let source = directory.appendingPathComponent("code.png")
        let jpeg = directory.appendingPathComponent("code.jpg")
        try Data(png("QC1:JPEG")).write(to: source)
        XCTAssertEqual(try ImageTestSupport.run("convert", [source.path, jpeg.path]).status, 0)
        let whole = [UInt8](try Data(contentsOf: jpeg))
        var caught: QRCertError?
        let stderr = ImageTestSupport.capturingStderr {
            do throws(QRCertError) {
                _ = try QRDecoder.decode(imageBytes: Array(whole.prefix(10)))
            } catch {
                caught = error
            }
            // A JPEG cut inside its scan data is only a warning for libjpeg: it must stay silent too.
            _ = try? QRDecoder.decode(imageBytes: Array(whole.prefix(whole.count * 2 / 3)))
        }
        XCTAssertEqual(stderr, "")
        XCTAssertEqual(caught?.code, "IMG_BAD_DATA")
        XCTAssertTrue(caught?.message.hasPrefix("corrupt jpeg image: ") ?? false, caught?.message ?? "")
    }

    func testBlankWhitePNGHasNoSymbols() throws {
        let directory = try ImageTestSupport.temporaryDirectory(for: self)
        let file = directory.appendingPathComponent("white.png")
        XCTAssertEqual(try ImageTestSupport.run("convert", ["-size", "300x200", "xc:white", file.path]).status, 0)
        XCTAssertEqual(try QRDecoder.decode(imageBytes: [UInt8](Data(contentsOf: file))), [])
    }

    func testImagesAbove50MegapixelsAreRefusedBeforeDecoding() throws {
        // A valid PNG claiming 10000x5001 pixels whose IDAT holds almost nothing: the size alone refuses it.
        var ihdr: [UInt8] = []
        for value in [UInt32(10_000), UInt32(5_001)] {
            ihdr += withUnsafeBytes(of: value.bigEndian, Array.init)
        }
        ihdr += [8, 0, 0, 0, 0]
        let png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr)
            + chunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
        assertThrows(.image, "IMG_TOO_LARGE", "png image has more than 50 megapixels") { () throws(QRCertError) in
            try QRDecoder.decode(imageBytes: png)
        }
    }

    private func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return withUnsafeBytes(of: UInt32(data.count).bigEndian, Array.init) + body
            + withUnsafeBytes(of: crc32(body).bigEndian, Array.init)
    }

    private func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
