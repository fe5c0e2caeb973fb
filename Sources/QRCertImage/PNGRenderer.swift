internal import CImageIO
public import QRCertFormat

/// Draws QR symbols as PNG files.
///
/// Output is a 1-bit greyscale PNG. The zlib level, strategy and PNG filter defaults were measured on
/// typical symbols; the table and the way to reproduce it are in docs/PNG.md.
public enum PNGRenderer {
    /// The zlib level `PNGOptions` starts with: with Z_FILTERED, level 4 gave the smallest files measured
    /// (15% below libpng's default level 6) in half its time, and 3.4x faster than level 9 (docs/PNG.md).
    public static let defaultCompressionLevel: Int32 = 4
    /// zlib strategy used for every image: Z_FILTERED is smaller than Z_DEFAULT_STRATEGY at levels 4...9
    /// and identical at 1...3, where zlib ignores it; Z_RLE is 2.7x larger (docs/PNG.md).
    static let strategy = Int32(QRCERT_Z_FILTERED)
    /// PNG row filter used for every image: on 1-bit images filters only cost time (see docs/PNG.md).
    static let filters = Int32(QRCERT_PNG_FILTER_NONE)

    /// A 1-bit greyscale PNG of the symbol with its quiet zone, `(size + 2 * margin) * moduleSize`
    /// pixels square. Throws `IMG_BAD_OPTIONS` for a module size outside 1...64, a margin outside
    /// 0...100 or a compression level outside 0...9.
    public static func render(_ code: QRCode, options: PNGOptions) throws(QRCertError) -> [UInt8] {
        try render(code, options: options, strategy: strategy, filters: filters)
    }

    /// `render(_:options:)` with an explicit zlib strategy and PNG filter mask (for measurements).
    static func render(_ code: QRCode, options: PNGOptions, strategy: Int32,
                       filters: Int32) throws(QRCertError) -> [UInt8] {
        let module = options.moduleSize
        let margin = options.margin
        guard (1...64).contains(module) else {
            throw QRCertError(.image, "IMG_BAD_OPTIONS", "module size \(module) is outside 1...64")
        }
        guard (0...100).contains(margin) else {
            throw QRCertError(.image, "IMG_BAD_OPTIONS", "margin \(margin) is outside 0...100")
        }
        guard (0...9).contains(options.compressionLevel) else {
            throw QRCertError(.image, "IMG_BAD_OPTIONS",
                              "compression level \(options.compressionLevel) is outside 0...9")
        }
        let side = (code.size + 2 * margin) * module
        let stride = (side + 7) / 8
        // 1 bits are white: start from an all-white image and clear the dark modules. Each module row
        // is packed once and copied to its `module` pixel rows.
        var rows = [UInt8](repeating: 0xFF, count: stride * side)
        var line = [UInt8](repeating: 0xFF, count: stride)
        rows.withUnsafeMutableBufferPointer { image in
            line.withUnsafeMutableBufferPointer { row in
                for y in 0..<code.size {
                    for i in 0..<stride { row[i] = 0xFF }
                    var any = false
                    for x in 0..<code.size where code.isDark(x: x, y: y) {
                        any = true
                        let start = (margin + x) * module
                        for p in start..<(start + module) {
                            row[p >> 3] &= ~(0x80 as UInt8 >> UInt8(p & 7))
                        }
                    }
                    guard any else { continue }
                    let first = (margin + y) * module
                    for r in first..<(first + module) {
                        let base = r * stride
                        for i in 0..<stride { image[base + i] = row[i] }
                    }
                }
            }
        }
        return try GrayImage.writePNG(packedRows: rows, side: side, level: options.compressionLevel,
                                      strategy: strategy, filters: filters, pixelsPerMetre: options.pixelsPerMetre)
    }
}
