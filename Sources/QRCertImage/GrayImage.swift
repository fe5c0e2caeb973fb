internal import CImageIO
internal import QRCertFormat

/// An 8-bit greyscale bitmap, row-major, 0 = black. The only Swift user of CImageIO.
struct GrayImage: Sendable {
    /// Images above this many pixels are refused before they are decoded.
    static let maxPixels = 50_000_000

    var pixels: [UInt8]
    var width: Int
    var height: Int

    /// The container formats `read(_:)` understands, told apart by their magic bytes.
    enum Format: String {
        case png, jpeg

        init?(sniffing bytes: [UInt8]) {
            if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
                self = .png
            } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
                self = .jpeg
            } else {
                return nil
            }
        }
    }

    /// Decodes a PNG or JPEG file's bytes to grey. IMG_UNSUPPORTED, IMG_BAD_DATA or IMG_TOO_LARGE.
    static func read(_ bytes: [UInt8]) throws(QRCertError) -> GrayImage {
        try read(bytes, reducedTo: nil).image
    }

    /// `read(_:)`, a JPEG halved while it has more than `pixels` pixels (as many times as `halved()` would
    /// be repeated, at most 3) by libjpeg as it decodes: the full-size image is never made, and the IDCT runs at
    /// the reduced size. A PNG, or a JPEG with at most `pixels` pixels, comes back whole (`halvings` 0). The
    /// reduced sides are the full ones / 2^halvings rounded up, where `halved()` rounds down.
    static func read(_ bytes: [UInt8], reducedTo pixels: Int?) throws(QRCertError) -> (image: GrayImage, halvings: Int) {
        guard let format = Format(sniffing: bytes) else {
            throw QRCertError(.image, "IMG_UNSUPPORTED", "image is neither png nor jpeg",
                              hint: "give a png or jpeg file")
        }
        var out: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0
        var height: Int32 = 0
        var halvings: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let messageCount = message.count
        let status = bytes.withUnsafeBufferPointer { data in
            message.withUnsafeMutableBufferPointer { err in
                switch format {
                case .png:
                    qrcert_png_read_gray8(data.baseAddress, data.count, UInt64(maxPixels),
                                          &out, &width, &height, err.baseAddress, messageCount)
                case .jpeg:
                    qrcert_jpeg_read_gray8_reduced(data.baseAddress, data.count, UInt64(maxPixels),
                                                   pixels.map { UInt64(max($0, 0)) } ?? .max,
                                                   &out, &width, &height, &halvings, err.baseAddress, messageCount)
                }
            }
        }
        defer { qrcert_imageio_free(out) }
        switch Int(status) {
        case Int(QRCERT_IMAGEIO_OK):
            guard let out, width > 0, height > 0 else { break }
            let count = Int(width) * Int(height)
            return (GrayImage(pixels: Array(UnsafeBufferPointer(start: out, count: count)),
                              width: Int(width), height: Int(height)), Int(halvings))
        case Int(QRCERT_IMAGEIO_TOO_LARGE):
            throw QRCertError(.image, "IMG_TOO_LARGE", "\(format.rawValue) image has more than 50 megapixels")
        case Int(QRCERT_IMAGEIO_TOO_MANY_SCANS):
            throw QRCertError(.image, "IMG_TOO_LARGE", "jpeg image has more than 500 scans (progressive refinements)")
        case Int(QRCERT_IMAGEIO_NO_MEMORY):
            throw QRCertError(.image, "IMG_TOO_LARGE", "not enough memory to decode the \(format.rawValue) image")
        default:
            break
        }
        throw QRCertError(.image, "IMG_BAD_DATA",
                          "corrupt \(format.rawValue) image: \(cMessage(message))")
    }

    /// Encodes packed 1-bit rows (MSB first, 1 = white) as a greyscale PNG.
    static func writePNG(packedRows: [UInt8], side: Int, level: Int32, strategy: Int32,
                         filters: Int32, pixelsPerMetre: UInt32 = 0) throws(QRCertError) -> [UInt8] {
        guard side > 0, side <= Int(Int32.max), packedRows.count == (side + 7) / 8 * side else {
            throw QRCertError(.internal, "IMG_INTERNAL", "packed rows do not match a \(side) pixel square")
        }
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        let messageCount = message.count
        let status = packedRows.withUnsafeBufferPointer { rows in
            message.withUnsafeMutableBufferPointer { err in
                qrcert_png_write_gray1_phys(rows.baseAddress, Int32(side), Int32(side), level, strategy, filters,
                                            pixelsPerMetre, &out, &length, err.baseAddress, messageCount)
            }
        }
        defer { qrcert_imageio_free(out) }
        guard status == QRCERT_IMAGEIO_OK, let out else {
            throw QRCertError(.image, "IMG_PNG_WRITE_FAILED", "cannot write png: \(cMessage(message))")
        }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }

    /// libpng/libjpeg texts start with capitals; our messages are lower case.
    private static func cMessage(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        return text.isEmpty ? "unknown error" : text
    }
}
