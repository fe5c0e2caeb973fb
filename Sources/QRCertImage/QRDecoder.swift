internal import Dispatch
public import QRCertFormat

/// Finds and reads QR codes in images with libzbar, in-process.
public enum QRDecoder {
    /// Largest image file read, 64 MiB: a 50-megapixel photo is a fraction of it, and a bigger file is
    /// refused by its size before it is read (`IMG_TOO_LARGE`), from a path or from stdin alike.
    public static let maxFileBytes = 64 << 20

    /// Decodes every QR code in a PNG or JPEG file's bytes (format sniffed from magic bytes) in-process
    /// with libzbar (QR codes only, raw bytes read as UTF-8). Returns [] when the image has no readable
    /// code; symbols come in reading order (top to bottom, then left to right), with positions in the
    /// image's pixels.
    ///
    /// zbar scans the image halved down to about a megapixel, then each larger halving, then the image as
    /// it is; the first of these scans that reads codes is the answer (a smaller one only when its codes
    /// have modules of 2 px or more there, so that a sheet of codes too small for it is read in full at a
    /// larger size). A JPEG's smallest copy is decoded at that size by libjpeg (DCT scaling), and the whole
    /// image only if that scan gives no answer. Only when none of them reads a code does zbar scan again after each of
    /// `DecodePass.retries` (smoothing, local thresholding, enlargement, keystone corrections; run in
    /// parallel on a copy of at most 3.2 megapixels), keeping every code any retry reads, once:
    /// docs/DEGRADATION.md shows what the retries add to zbar alone on photographed and scanned codes,
    /// and docs/PERFORMANCE.md what the smaller scans save on photos and camera frames.
    ///
    /// Throws `IMG_UNSUPPORTED` (not PNG/JPEG), `IMG_BAD_DATA` (corrupt), `IMG_TOO_LARGE` (more than
    /// 50 megapixels). Safe to call from several threads at once.
    public static func decode(imageBytes: [UInt8]) throws(QRCertError) -> [DecodedSymbol] {
        guard imageBytes.count <= maxFileBytes else {
            throw QRCertError(.image, "IMG_TOO_LARGE", "image file is \(imageBytes.count) bytes, more than the \(maxFileBytes >> 20) MiB an image may be")
        }
        // A JPEG's first scan is made on a copy libjpeg decodes at the reduced size: a 1920x1080 frame costs
        // half the decoding and no halving pass, and a phone photo a quarter. The full image is decoded only
        // when that scan reads nothing, and its scans then skip the size already scanned.
        let (first, halvings) = try GrayImage.read(imageBytes, reducedTo: DecodePass.firstPassPixels)
        guard halvings > 0 else { return try scan(first) }
        if let symbols = try reducedScan(first, halvings: halvings) { return symbols }
        return try scan(GrayImage.read(imageBytes), scanned: halvings)
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

    /// `scanned`: the halvings of a reduced copy already scanned without an answer (skipped here).
    private static func scan(_ image: GrayImage, scanned: Int? = nil) throws(QRCertError) -> [DecodedSymbol] {
        // The image and its halvings down to `DecodePass.firstPassPixels`: a camera frame or a phone photo
        // is read at a few hundred thousand pixels in milliseconds, where zbar on the whole photo takes
        // a third of a second. Smallest first; the image itself comes last, as zbarimg scans it.
        var levels = [image]
        while let last = levels.last, last.width * last.height > DecodePass.firstPassPixels, last.width >= 2, last.height >= 2 {
            levels.append(last.halved())
        }
        for (halvings, level) in levels.enumerated().reversed() where halvings > 0 && halvings != scanned {
            if let symbols = try reducedScan(level, halvings: halvings) { return symbols }
        }
        var found = try ZBarScanner().scan(image)
        // Read as it is, as zbarimg reads it: the retries are for codes no plain scan reads.
        if !found.isEmpty {
            return readingOrder(found)
        }
        // The largest level with at most `workingPixels`: the image halved until it has no more.
        let halvings = levels.firstIndex { $0.width * $0.height <= DecodePass.workingPixels } ?? levels.count - 1
        let working = levels[halvings]
        let factor = Double(1 << halvings)
        let pixels = working.width * working.height
        let passes = DecodePass.retries.filter { pixels <= $0.maxPixels }
        // Each pass writes only its own slot; zbar scanners are not shared between threads.
        let results = UnsafeMutableBufferPointer<Result<[DecodedSymbol], QRCertError>>.allocate(capacity: passes.count)
        results.initialize(repeating: .success([]))
        defer {
            _ = results.deinitialize()
            results.deallocate()
        }
        let source = working, scale = factor
        nonisolated(unsafe) let slots = results  // disjoint writes, read after concurrentPerform returns
        DispatchQueue.concurrentPerform(iterations: passes.count) { i in
            let (image, toInput) = passes[i].apply(to: source)
            do throws(QRCertError) {
                slots[i] = .success(try ZBarScanner().scan(image).map { $0.mapped(toInput, scale: scale) })
            } catch {
                slots[i] = .failure(error)
            }
        }
        for result in results {
            for symbol in try result.get() where !found.contains(where: { $0.overlaps(symbol) }) {
                found.append(symbol)
            }
        }
        return readingOrder(found)
    }

    /// The codes zbar reads in `level`, the image halved `halvings` times, placed in the image's pixels; nil when
    /// it reads none, or one with modules under `DecodePass.reducedModulePixels` there.
    private static func reducedScan(_ level: GrayImage, halvings: Int) throws(QRCertError) -> [DecodedSymbol]? {
        let reads = try ZBarScanner().read(level)
        // A code read here with modules of at least 2 px (zbar alone reads every 2 px copy of
        // docs/DEGRADATION.md's scale-50 row) means any other code of its size is read here too;
        // codes read with smaller modules could have neighbours only the larger images show.
        guard !reads.isEmpty, reads.allSatisfy({ $0.side / Double(largestSize(of: $0.symbol.text)) >= DecodePass.reducedModulePixels })
        else { return nil }
        let scale = Double(1 << halvings)
        // A halved pixel covers two: its centre is at 2x + 0.5 in the larger image.
        let offset = (scale - 1) / (2 * scale)
        return readingOrder(reads.map { $0.symbol.mapped({ x, y in (x + offset, y + offset) }, scale: scale) })
    }

    /// Modules per side of the largest symbol a minimal-version encoder makes for `text`: its version at
    /// EC level H, the most redundant (177, version 40, if even that does not hold it). A code's side
    /// over this is at most its real module size.
    private static func largestSize(of text: String) -> Int {
        do throws(QRCertError) {
            return try QRCode.encode(text, level: .H).size
        } catch {
            return 177
        }
    }

    /// Rows top to bottom, each left to right. Codes whose centres lie within half a code's height of the
    /// row's first (top-most) code share its row: a sheet's row of codes of slightly different sizes reads
    /// left to right, not by a pixel's difference in height.
    private static func readingOrder(_ symbols: [DecodedSymbol]) -> [DecodedSymbol] {
        var rest = symbols.sorted { ($0.y, $0.x) < ($1.y, $1.x) }
        var ordered: [DecodedSymbol] = []
        while let first = rest.first {
            let reach = max(first.height, 8) / 2
            let row = rest.filter { $0.y - first.y <= reach }
            rest.removeAll { $0.y - first.y <= reach }
            ordered += row.sorted { ($0.x, $0.y) < ($1.x, $1.y) }
        }
        return ordered
    }
}

extension DecodedSymbol {
    /// The symbol with its position taken back through a pass's map and the working image's scale.
    fileprivate func mapped(_ toInput: (Double, Double) -> (Double, Double), scale: Double) -> DecodedSymbol {
        let (cx, cy) = toInput(Double(x), Double(y))
        let (ax, ay) = toInput(Double(x - width / 2), Double(y - height / 2))
        let (bx, by) = toInput(Double(x + width / 2), Double(y + height / 2))
        return DecodedSymbol(text: text, x: Int((cx * scale).rounded()), y: Int((cy * scale).rounded()),
                             width: Int((abs(bx - ax) * scale).rounded()), height: Int((abs(by - ay) * scale).rounded()))
    }

    /// The same code found again: same text, centre within half its size of this one. (Two copies of one
    /// licence on a sheet are two codes; one code read by several passes is one.)
    fileprivate func overlaps(_ other: DecodedSymbol) -> Bool {
        text == other.text && abs(x - other.x) <= max(width, 8) / 2 && abs(y - other.y) <= max(height, 8) / 2
    }
}
