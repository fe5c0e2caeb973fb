import QRCertFormat
import QRCertImage

/// A4 pages of codes with captions (id, name) in a grid of cells, cut marks at the cell corners and the EC
/// level and module size in each page's top margin, for label stock. Pages are written as they fill: memory
/// stays the same whatever the number of codes.
///
/// One thread at a time: `add` codes in order, then `finish`.
public final class SheetWriter {
    /// Page margins, mm: the top one holds the operator's line.
    static let top = 14.0, bottom = 10.0, side = 10.0
    /// Space kept inside each cell around the code and caption, mm.
    static let padding = 1.5
    /// Caption sizes tried in turn, points.
    static let captionSizes: [Double] = [7, 6, 5]

    private let canvas: Canvas
    private let typesetter: Typesetter
    private let options: PrintOptions
    private let title: String
    private let cellWidth: Double, cellHeight: Double
    /// Pages begun so far, and codes on the current page.
    public private(set) var pages = 0
    private var slot = 0
    private var level: ErrorCorrection?

    /// A sheet whose PDF bytes go to `output`. `title` heads every page (the credential's name).
    public init(options: PrintOptions, title: String, date: String?,
                output: @escaping (UnsafeRawBufferPointer) throws(QRCertError) -> Void) throws(QRCertError) {
        guard (1...20).contains(options.columns), (1...30).contains(options.rows) else {
            throw QRCertError(.image, "PRINT_BAD_SIZE", "a sheet grid of \(options.columns) x \(options.rows) cells: columns must be 1 to 20, rows 1 to 30")
        }
        typesetter = try Typesetter()
        canvas = try Canvas(format: .pdf, page: .a4, typesetter: typesetter, title: title, date: date, output: output)
        self.options = options
        self.title = title
        cellWidth = (PageSize.a4.width - 2 * Self.side) / Double(options.columns)
        cellHeight = (PageSize.a4.height - Self.top - Self.bottom) / Double(options.rows)
    }

    /// Places `item` in the next cell (beginning a page when the last one is full); returns its 1-based page and slot.
    @discardableResult
    public func add(_ item: PrintItem) throws(QRCertError) -> (page: Int, slot: Int) {
        let code = item.code
        let module = try ModuleRules.moduleSize(of: code, options.size, force: options.force)
        let quiet = Double(ModuleRules.quietZone) * module
        let outer = Double(code.size) * module + 2 * quiet
        let inner = cellWidth - 2 * Self.padding
        guard outer <= inner + 1e-9, outer <= cellHeight - 2 * Self.padding + 1e-9 else {
            throw QRCertError(.image, "PRINT_CODE_TOO_LARGE",
                              "sheet cell for \(item.id): the code with its quiet zone is \(ModuleRules.format(outer)) mm, more than the \(ModuleRules.format(min(inner, cellHeight - 2 * Self.padding))) mm a \(options.columns) x \(options.rows) cell leaves",
                              hint: "use fewer --grid columns or rows, or a smaller --module-mm or --code-mm")
        }
        var caption: (TextBlock, TextBlock)?
        for points in Self.captionSizes {
            let id = canvas.text(item.id, points: points, bold: true, width: inner, align: .center)
            let name = canvas.text(item.name, points: points, width: inner, align: .center)
            if outer + id.height + name.height <= cellHeight - 2 * Self.padding + 1e-9 { caption = (id, name); break }
        }
        guard let caption else {
            throw QRCertError(.image, "PRINT_TEXT_OVERFLOW",
                              "sheet cell for \(item.id): the caption does not fit under the code even at \(ModuleRules.format(Self.captionSizes.last ?? 5)) pt",
                              hint: "use fewer --grid rows or a smaller code")
        }
        for block in [caption.0, caption.1] where block.unknownGlyphs > 0 {
            throw QRCertError(.image, "PRINT_GLYPH_MISSING",
                              "sheet cell for \(item.id): the caption has \(block.unknownGlyphs) character(s) that \(Typesetter.family) cannot show")
        }
        if slot == options.columns * options.rows {
            canvas.showPage()
            slot = 0
        }
        if slot == 0 { beginPage(level: code.level, module: module) }
        let column = slot % options.columns, row = slot / options.columns
        let x = Self.side + Double(column) * cellWidth, y = Self.top + Double(row) * cellHeight
        let qx = x + (cellWidth - outer) / 2, qy = y + Self.padding
        canvas.drawCode(code, x: qx + quiet, y: qy + quiet, module: module)
        canvas.draw(caption.0, x: x + Self.padding, y: qy + outer)
        canvas.draw(caption.1, x: x + Self.padding, y: qy + outer + caption.0.height)
        slot += 1
        return (pages, slot)
    }

    /// Ends the last page and writes the rest of the document.
    public func finish() throws(QRCertError) {
        if slot > 0 { canvas.showPage() }
        try canvas.finish()
    }

    private func beginPage(level: ErrorCorrection, module: Double) {
        pages += 1
        let size: String
        switch options.size {
        case .module(let mm): size = "\(ModuleRules.format(mm)) mm/module"
        case .code(let mm): size = "code \(ModuleRules.format(mm)) mm"
        }
        let line = "\(title) · trang \(pages) · QR EC \(level.rawValue) · \(size) · cắt theo dấu / cut at the marks"
        let header = canvas.text(line, points: 6, width: PageSize.a4.width - 2 * Self.side)
        canvas.draw(header, x: Self.side, y: 5, gray: 0.35)
        // Cut marks: a cross at every corner of the grid, on the cell borders (outside every quiet zone).
        let arm = 2.5
        for r in 0...options.rows {
            for c in 0...options.columns {
                let x = Self.side + Double(c) * cellWidth, y = Self.top + Double(r) * cellHeight
                canvas.line(from: (x - arm, y), to: (x + arm, y), width: 0.12)
                canvas.line(from: (x, y - arm), to: (x, y + arm), width: 0.12)
            }
        }
    }
}
