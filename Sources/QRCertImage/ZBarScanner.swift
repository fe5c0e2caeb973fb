internal import CZBar
internal import QRCertFormat

/// Owns a zbar image scanner set up for QR codes only, returning raw bytes. The only Swift user of CZBar.
///
/// A zbar scanner keeps state between calls and is not thread-safe: make one per call or per thread.
final class ZBarScanner {
    private let scanner: OpaquePointer

    init() throws(QRCertError) {
        try Self.loadLibrary()
        guard let scanner = zbar_image_scanner_create() else {
            throw QRCertError(.image, "IMG_DECODER_FAILED", "cannot create a zbar image scanner")
        }
        self.scanner = scanner
        // Only QR; ZBAR_CFG_BINARY hands back the symbol's bytes instead of zbar's charset guess.
        let failed = zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0) != 0
            || zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1) != 0
            || zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1) != 0
        if failed {
            zbar_image_scanner_destroy(scanner)
            throw QRCertError(.image, "IMG_DECODER_FAILED", "cannot configure the zbar image scanner")
        }
    }

    deinit { zbar_image_scanner_destroy(scanner) }

    /// Loads libzbar (CZBar: dlopen()ed, not linked) the first time; throws `IMG_DECODER_MISSING` with the loader's
    /// message when it is not installed.
    static func loadLibrary() throws(QRCertError) {
        var message = [CChar](repeating: 0, count: 512)
        let count = message.count
        guard message.withUnsafeMutableBufferPointer({ qrcert_zbar_load($0.baseAddress, count) }) != 0 else { return }
        let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw QRCertError(.image, "IMG_DECODER_MISSING", "cannot load the qr decoder: \(reason)",
                          hint: "install libzbar0 (scripts/setup)")
    }

    /// A code zbar read, with the length of its side in pixels (the diagonal of its location polygon over
    /// √2, so that a rotated code is not measured by its bounding box).
    struct Read {
        let symbol: DecodedSymbol
        let side: Double
    }

    /// Every QR code zbar finds in an 8-bit grey image, in zbar's order.
    func scan(_ image: GrayImage) throws(QRCertError) -> [DecodedSymbol] {
        try read(image).map(\.symbol)
    }

    /// `scan(_:)` with each code's side.
    func read(_ image: GrayImage) throws(QRCertError) -> [Read] {
        let zimage = try ZBarImage()
        var result: Int32 = -1
        var symbols: [Read] = []
        image.pixels.withUnsafeBufferPointer { pixels in
            // zbar only borrows the pixels (no cleanup handler); they outlive the scan and the read-out.
            zbar_image_set_format(zimage.image, ZBarImage.y800)
            zbar_image_set_size(zimage.image, UInt32(image.width), UInt32(image.height))
            zbar_image_set_data(zimage.image, pixels.baseAddress, UInt(pixels.count), nil)
            result = zbar_scan_image(scanner, zimage.image)
            guard result > 0 else { return }
            var symbol = zbar_image_first_symbol(zimage.image)
            while let current = symbol {
                if zbar_symbol_get_type(current) == ZBAR_QRCODE {
                    symbols.append(Self.decoded(current))
                }
                symbol = zbar_symbol_next(current)
            }
            // Drop zbar's pointer to our pixels while they are still valid.
            zbar_image_set_data(zimage.image, nil, 0, nil)
        }
        if result < 0 {
            throw QRCertError(.image, "IMG_DECODER_FAILED", "zbar could not scan the image")
        }
        return symbols
    }

    private static func decoded(_ symbol: OpaquePointer) -> Read {
        let length = Int(zbar_symbol_get_data_length(symbol))
        let text: String
        if let data = zbar_symbol_get_data(symbol), length > 0 {
            text = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        } else {
            text = ""
        }
        var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min
        let points = zbar_symbol_get_loc_size(symbol)
        var corners: [(x: Int, y: Int)] = []
        for i in 0..<points {
            let px = Int(zbar_symbol_get_loc_x(symbol, i))
            let py = Int(zbar_symbol_get_loc_y(symbol, i))
            minX = min(minX, px); maxX = max(maxX, px)
            minY = min(minY, py); maxY = max(maxY, py)
            corners.append((px, py))
        }
        guard points > 0 else { return Read(symbol: DecodedSymbol(text: text, x: 0, y: 0, width: 0, height: 0), side: 0) }
        var diagonal = 0
        for a in corners {
            for b in corners { diagonal = max(diagonal, (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)) }
        }
        return Read(symbol: DecodedSymbol(text: text, x: (minX + maxX) / 2, y: (minY + maxY) / 2,
                                          width: maxX - minX, height: maxY - minY),
                    side: (Double(diagonal) / 2).squareRoot())
    }
}

/// Owns a zbar image (and, through it, the symbols a scan attaches to it).
final class ZBarImage {
    /// The fourcc of 8-bit greyscale, zbar's native format: 'Y' '8' '0' '0' little-endian.
    static let y800: UInt = 0x3030_3859

    let image: OpaquePointer

    init() throws(QRCertError) {
        guard let image = zbar_image_create() else {
            throw QRCertError(.image, "IMG_DECODER_FAILED", "cannot create a zbar image")
        }
        self.image = image
    }

    deinit { zbar_image_destroy(image) }
}
