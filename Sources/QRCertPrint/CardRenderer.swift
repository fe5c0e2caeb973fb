import QRCertFormat
import QRCertImage

/// One ISO/IEC 7810 ID-1 card (85.60 x 53.98 mm) per credential: the title, the profile's fields and the
/// signer on the left, the code on the right with its quiet zone inside the card and `edge` mm clear of the
/// card's edge, the EC level and module size in the margin under the code.
public enum CardRenderer {
    /// Clear space between the quiet zone and the card's edge, mm: card printers do not print to the last
    /// millimetre, and a trimmed or worn edge must not eat the quiet zone.
    public static let edge = 2.0
    /// Left and top margin of the text, mm.
    static let textMargin = 3.5
    /// Field text sizes tried in turn, points: the first at which every field fits is used.
    static let fieldSizes: [Double] = [6.0, 5.5, 5.0, 4.5, 4.0]

    /// The card as a one-page PDF or SVG document.
    public static func render(_ item: PrintItem, format: PrintFormat, options: PrintOptions,
                              fonts: TypesetterPool) throws(QRCertError) -> [UInt8] {
        let page = PageSize.id1
        let code = item.code
        let module = try ModuleRules.moduleSize(of: code, options.size, force: options.force)
        let outer = Double(code.size + 2 * ModuleRules.quietZone) * module
        let room = page.height - 2 * edge
        guard outer <= room + 1e-9 else {
            throw QRCertError(.image, "PRINT_CODE_TOO_LARGE",
                              "card for \(item.id): the code with its quiet zone is \(ModuleRules.format(outer)) mm, more than the \(ModuleRules.format(room)) mm a card leaves inside its \(ModuleRules.format(edge)) mm edges",
                              hint: "use a smaller --module-mm or --code-mm, or a lower --ec")
        }
        let qx = page.width - edge - outer, qy = (page.height - outer) / 2
        let left = textMargin, right = qx - 0.8
        let width = right - left
        guard width >= 25 else {
            throw QRCertError(.image, "PRINT_CODE_TOO_LARGE",
                              "card for \(item.id): a \(ModuleRules.format(outer)) mm code leaves \(ModuleRules.format(max(width, 0))) mm for the fields, less than 25 mm",
                              hint: "use a smaller --module-mm or --code-mm, or a lower --ec")
        }
        var bytes: [UInt8] = []
        try fonts.with { (typesetter: Typesetter) throws(QRCertError) in
            let canvas = try Canvas(format: format, page: page, typesetter: typesetter, title: "\(item.title) \(item.id)",
                                    date: item.date) { (chunk: UnsafeRawBufferPointer) throws(QRCertError) in bytes.append(contentsOf: chunk) }
            func checked(_ block: TextBlock, _ what: String) throws(QRCertError) -> TextBlock {
                guard block.unknownGlyphs == 0 else {
                    throw QRCertError(.image, "PRINT_GLYPH_MISSING",
                                      "card for \(item.id): \(what) has \(block.unknownGlyphs) character(s) that \(Typesetter.family) cannot show")
                }
                return block
            }
            var y = textMargin - 0.5
            let title = try checked(canvas.text(item.title.uppercased(), points: 7, bold: true, width: width), "the title")
            canvas.draw(title, x: left, y: y, gray: 0.05)
            y += title.height
            if !item.subtitle.isEmpty {
                let subtitle = try checked(canvas.text(item.subtitle, points: 5, width: width), "the subtitle")
                canvas.draw(subtitle, x: left, y: y, gray: 0.35)
                y += subtitle.height
            }
            y += 0.8
            let footer = try checked(canvas.text(item.issuerLabel + ": " + item.issuer, points: 4.5,
                                                 boldPrefix: item.issuerLabel.utf8.count + 1, width: width, hanging: 2.5), "the issuer")
            let footerTop = page.height - textMargin + 0.5 - footer.height
            let available = footerTop - 0.6 - y
            var chosen: [TextBlock]?
            for points in fieldSizes {
                var blocks: [TextBlock] = []
                var total = 0.0
                for field in item.fields {
                    let block = try checked(canvas.text(field.label + ": " + field.value, points: points,
                                                        boldPrefix: field.label.utf8.count + 1, width: width, hanging: 2.5),
                                              "field \(field.label)")
                    blocks.append(block)
                    total += block.height + spacing
                }
                if total <= available + 1e-9 { chosen = blocks; break }
            }
            guard let chosen else {
                throw QRCertError(.image, "PRINT_TEXT_OVERFLOW",
                                  "card for \(item.id): the fields do not fit in \(ModuleRules.format(width)) x \(ModuleRules.format(available)) mm beside the code, even at \(ModuleRules.format(fieldSizes.last ?? 4)) pt",
                                  hint: "use a smaller --module-mm or --code-mm, or shorter field values")
            }
            for block in chosen {
                canvas.draw(block, x: left, y: y)
                y += block.height + spacing
            }
            canvas.draw(footer, x: left, y: footerTop, gray: 0.2)

            canvas.drawCode(code, x: qx + Double(ModuleRules.quietZone) * module, y: qy + Double(ModuleRules.quietZone) * module, module: module)
            let note = try checked(canvas.text(Self.note(code, module: module), points: 3.5), "the margin note")
            // Below the quiet zone when there is room, else above it: never inside it.
            let below = qy + outer + 0.2
            let noteY = below + note.height <= page.height - 0.5 ? below : max(0.5, qy - 0.2 - note.height)
            canvas.draw(note, x: qx + outer - note.width, y: noteY, gray: 0.4)
            canvas.showPage()
            try canvas.finish()
        }
        return bytes
    }

    /// The margin note: EC level, version, module size and the symbol's size, for the operator.
    static func note(_ code: QRCode, module: Double) -> String {
        "QR EC \(code.level.rawValue) · v\(code.version) · \(ModuleRules.format(module)) mm/module · \(ModuleRules.format(Double(code.size) * module)) mm"
    }

    /// Space between two fields, mm.
    static let spacing = 0.35
}
