public import QRCertFormat

/// Finds and reads QR codes in images with libzbar, in-process.
public enum QRDecoder {
    /// Decodes every QR code in a PNG or JPEG file's bytes (format sniffed from magic bytes) in-process
    /// with libzbar (QR codes only, raw bytes read as UTF-8). Returns [] when the image has no readable
    /// code; symbols come in reading order (top to bottom, then left to right).
    ///
    /// Throws `IMG_UNSUPPORTED` (not PNG/JPEG), `IMG_BAD_DATA` (corrupt), `IMG_TOO_LARGE` (more than
    /// 50 megapixels). Safe to call from several threads at once.
    public static func decode(imageBytes: [UInt8]) throws(QRCertError) -> [DecodedSymbol] {
        try scan(GrayImage.read(imageBytes))
    }

    /// Same on an 8-bit greyscale buffer (row-major, 0 = black, `width * height` bytes).
    /// Throws `IMG_BAD_DATA` when the buffer size does not match, `IMG_TOO_LARGE` above 50 megapixels.
    public static func decode(gray: [UInt8], width: Int, height: Int) throws(QRCertError) -> [DecodedSymbol] {
        guard width > 0, height > 0 else {
            throw QRCertError(.image, "IMG_BAD_DATA", "grey image size \(width)x\(height) is empty")
        }
        guard width.multipliedReportingOverflow(by: height).partialValue <= GrayImage.maxPixels,
              width <= GrayImage.maxPixels, height <= GrayImage.maxPixels else {
            throw QRCertError(.image, "IMG_TOO_LARGE", "grey image has more than 50 megapixels")
        }
        guard gray.count == width * height else {
            throw QRCertError(.image, "IMG_BAD_DATA",
                              "grey buffer has \(gray.count) bytes, expected \(width)x\(height) = \(width * height)")
        }
        return try scan(GrayImage(pixels: gray, width: width, height: height))
    }

    private static func scan(_ image: GrayImage) throws(QRCertError) -> [DecodedSymbol] {
        let symbols = try ZBarScanner().scan(image)
        return symbols.sorted { ($0.y, $0.x) < ($1.y, $1.x) }
    }
}
