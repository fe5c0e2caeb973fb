import QRCertFormat
import QRCertImage

/// An A4 page holding only the code and a one-line caption, to lay over a result document
/// (`qpdf --overlay stamp.pdf -- result.pdf out.pdf`: both pages A4, so qpdf does not scale it).
public enum StampRenderer {
    /// Default distance of the stamp from the page's right and bottom edges, mm.
    public static let corner = 15.0
    /// Nothing is drawn closer than this to the page's edge (printers' unprintable border), mm.
    public static let edge = 5.0
    /// Caption sizes tried in turn, points.
    static let captionSizes: [Double] = [8, 7, 6]

    /// The stamp page as PDF or SVG.
    public static func render(_ item: PrintItem, format: PrintFormat, options: PrintOptions,
                              fonts: TypesetterPool) throws(QRCertError) -> [UInt8] {
        let page = PageSize.a4
        let code = item.code
        let module = try ModuleRules.moduleSize(of: code, options.size, force: options.force)
        let quiet = Double(ModuleRules.quietZone) * module
        let outer = Double(code.size) * module + 2 * quiet
        var bytes: [UInt8] = []
        try fonts.with { (typesetter: Typesetter) throws(QRCertError) in
            let canvas = try Canvas(format: format, page: page, typesetter: typesetter, title: "\(item.title) \(item.id)",
                                    date: item.date) { (chunk: UnsafeRawBufferPointer) throws(QRCertError) in bytes.append(contentsOf: chunk) }
            let text = item.name.isEmpty ? item.id : "\(item.id) · \(item.name)"
            let widest = page.width - 2 * edge
            var caption: TextBlock?
            for points in captionSizes {
                let block = canvas.text(text, points: points)
                if block.width <= widest { caption = block; break }
            }
            guard let caption else {
                throw QRCertError(.image, "PRINT_TEXT_OVERFLOW",
                                  "stamp for \(item.id): the caption is wider than the page even at \(ModuleRules.format(captionSizes.last ?? 6)) pt")
            }
            let note = canvas.text(CardRenderer.note(code, module: module), points: 4.5)
            for block in [caption, note] where block.unknownGlyphs > 0 {
                throw QRCertError(.image, "PRINT_GLYPH_MISSING",
                                  "stamp for \(item.id): the caption has \(block.unknownGlyphs) character(s) that \(Typesetter.family) cannot show")
            }
            let height = outer + caption.height + note.height
            let origin = options.stampOrigin ?? (page.width - corner - outer, page.height - corner - height)
            guard origin.x >= edge - 1e-9, origin.y >= edge - 1e-9, origin.x + outer <= page.width - edge + 1e-9,
                  origin.y + height <= page.height - edge + 1e-9 else {
                throw QRCertError(.image, "PRINT_OFF_PAGE",
                                  "stamp for \(item.id): a \(ModuleRules.format(outer)) x \(ModuleRules.format(height)) mm stamp at \(ModuleRules.format(origin.x)),\(ModuleRules.format(origin.y)) mm does not stay \(ModuleRules.format(edge)) mm inside the A4 page",
                                  hint: "move it with --stamp-at X,Y (mm from the top-left corner) or make the code smaller")
            }
            canvas.drawCode(code, x: origin.x + quiet, y: origin.y + quiet, module: module)
            func centred(_ block: TextBlock) -> Double {
                min(max(origin.x + outer / 2 - block.width / 2, edge), page.width - edge - block.width)
            }
            // Under the quiet zone, never inside it.
            canvas.draw(caption, x: centred(caption), y: origin.y + outer)
            canvas.draw(note, x: centred(note), y: origin.y + outer + caption.height, gray: 0.4)
            canvas.showPage()
            try canvas.finish()
        }
        return bytes
    }
}
