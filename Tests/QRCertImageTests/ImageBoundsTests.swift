import Foundation
import QRCertFormat
import QRCertImage
import XCTest

/// Bounds on what an image can cost before a code is read: its bytes and a progressive JPEG's scans.
final class ImageBoundsTests: XCTestCase {
    /// A QR code rendered with libqrencode, saved by ImageMagick as a progressive JPEG.
    private func progressiveJPEG(_ text: String) throws -> [UInt8] {
        let directory = try ImageTestSupport.temporaryDirectory(for: self)
        let source = directory.appendingPathComponent("code.png"), jpeg = directory.appendingPathComponent("code.jpg")
        let code = try QRCode.encode(text, level: .M)
        try Data(PNGRenderer.render(code, options: PNGOptions(moduleSize: 4))).write(to: source)
        XCTAssertEqual(try ImageTestSupport.run("convert", [source.path, "-interlace", "JPEG", "-quality", "80", jpeg.path]).status, 0)
        return [UInt8](try Data(contentsOf: jpeg))
    }

    /// The byte range of each scan (SOS header and its entropy-coded data) in a JPEG.
    private func scans(_ bytes: [UInt8]) -> [Range<Int>] {
        var found: [Range<Int>] = [], i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            if marker == 0xD9 { break }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            var end = i + 2 + length
            if marker == 0xDA {
                // Entropy-coded data runs to the next marker that is neither a stuffed 0x00 nor a restart marker.
                while end + 1 < bytes.count, !(bytes[end] == 0xFF && bytes[end + 1] != 0x00 && !(0xD0...0xD7).contains(bytes[end + 1])) { end += 1 }
                found.append(i..<end)
            }
            i = end
        }
        return found
    }

    /// 2,000 copies of the last refinement scan: the old decoder worked through every one over the whole image.
    func testProgressiveJPEGWithThousandsOfScansIsRefused() throws {
        let text = "QC1:PROGRESSIVE 0123456789"
        let jpeg = try progressiveJPEG(text)
        let found = scans(jpeg)
        XCTAssertGreaterThan(found.count, 2, "ImageMagick wrote a progressive JPEG")
        XCTAssertEqual(try QRDecoder.decode(imageBytes: jpeg).map(\.text), [text], "a real progressive JPEG still reads")
        let last = try XCTUnwrap(found.last)
        let hostile = Array(jpeg[..<last.upperBound]) + Array(repeating: Array(jpeg[last]), count: 2_000).flatMap { $0 }
            + Array(jpeg[last.upperBound...])
        XCTAssertEqual(scans(hostile).count, found.count + 2_000)
        assertThrows(.image, "IMG_TOO_LARGE", "jpeg image has more than 500 scans (progressive refinements)") { () throws(QRCertError) in
            _ = try QRDecoder.decode(imageBytes: hostile)
        }
    }

    func testImageBytesAreBounded() {
        XCTAssertEqual(QRDecoder.maxFileBytes, 67_108_864)
        assertThrows(.image, "IMG_TOO_LARGE", "image file is 67108865 bytes, more than the 64 MiB an image may be") { () throws(QRCertError) in
            _ = try QRDecoder.decode(imageBytes: [UInt8](repeating: 0, count: QRDecoder.maxFileBytes + 1))
        }
    }
}
