internal import CCairo
import Foundation
import QRCertFormat
import QRCertImage

/// A cairo PDF or SVG surface whose user units are millimetres, writing to `output` as cairo produces bytes.
///
/// Owns the surface, its context and a pango context over the typesetter's font map; `finish()` flushes the
/// document and reports the first write error or cairo failure.
final class Canvas {
    private let surface: OpaquePointer
    private let cr: OpaquePointer
    private let pango: OpaquePointer
    private let stream: Stream
    private var finished = false

    /// Where cairo's bytes go; a write error is kept and reported by `finish()`.
    /// cairo writes many small pieces: they are gathered into 64 KiB blocks before `write` sees them.
    final class Stream {
        let write: (UnsafeRawBufferPointer) throws(QRCertError) -> Void
        var error: QRCertError?
        private var buffer: [UInt8] = []
        init(_ write: @escaping (UnsafeRawBufferPointer) throws(QRCertError) -> Void) {
            self.write = write
            buffer.reserveCapacity(1 << 16)
        }

        func append(_ bytes: UnsafeRawBufferPointer) throws(QRCertError) {
            buffer.append(contentsOf: bytes)
            if buffer.count >= 1 << 16 { try flush() }
        }

        func flush() throws(QRCertError) {
            guard !buffer.isEmpty else { return }
            defer { buffer.removeAll(keepingCapacity: true) }
            var failure: QRCertError?
            buffer.withUnsafeBytes { raw in
                do throws(QRCertError) { try write(raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    /// Points per millimetre.
    static let pointsPerMM = 72.0 / 25.4

    init(format: PrintFormat, page: PageSize, typesetter: Typesetter, title: String?, date: String?,
         output: @escaping (UnsafeRawBufferPointer) throws(QRCertError) -> Void) throws(QRCertError) {
        stream = Stream(output)
        let closure = Unmanaged.passUnretained(stream).toOpaque()
        let write: cairo_write_func_t = { closure, data, length in
            let stream = Unmanaged<Canvas.Stream>.fromOpaque(closure!).takeUnretainedValue()
            guard stream.error == nil else { return CAIRO_STATUS_WRITE_ERROR }
            do throws(QRCertError) {
                try stream.append(UnsafeRawBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            } catch {
                stream.error = error
                return CAIRO_STATUS_WRITE_ERROR
            }
        }
        let w = page.width * Self.pointsPerMM, h = page.height * Self.pointsPerMM
        let made: OpaquePointer?
        switch format {
        case .pdf:
            made = cairo_pdf_surface_create_for_stream(write, closure, w, h)
            if let made {
                cairo_pdf_surface_restrict_to_version(made, CAIRO_PDF_VERSION_1_5)
                cairo_pdf_surface_set_metadata(made, CAIRO_PDF_METADATA_CREATOR, "qrcert")
                if let title { cairo_pdf_surface_set_metadata(made, CAIRO_PDF_METADATA_TITLE, title) }
                // Without a date cairo writes the clock's: a given date keeps the bytes reproducible.
                if let date {
                    cairo_pdf_surface_set_metadata(made, CAIRO_PDF_METADATA_CREATE_DATE, date)
                    cairo_pdf_surface_set_metadata(made, CAIRO_PDF_METADATA_MOD_DATE, date)
                }
            }
        case .svg:
            made = cairo_svg_surface_create_for_stream(write, closure, w, h)
            if let made { cairo_svg_surface_restrict_to_version(made, CAIRO_SVG_VERSION_1_1) }
        }
        guard let made, cairo_surface_status(made) == CAIRO_STATUS_SUCCESS else {
            if let made { cairo_surface_destroy(made) }
            throw QRCertError(.internal, "PRINT_CAIRO_FAILED", "cairo could not create a \(format.rawValue) surface")
        }
        surface = made
        cr = cairo_create(made)
        cairo_scale(cr, Self.pointsPerMM, Self.pointsPerMM)
        pango = pango_font_map_create_context(typesetter.fontMap)
        // Outlines at their design size: hinting would move glyphs to a device grid that a PDF does not have.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        pango_cairo_context_set_font_options(pango, options)
        cairo_font_options_destroy(options)
        // Pango rounds glyph positions to whole user units by default; here a unit is a millimetre.
        pango_context_set_round_glyph_positions(pango, 0)
        pango_cairo_update_context(cr, pango)
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(pango))
        cairo_destroy(cr)
        if !finished { cairo_surface_finish(surface) }
        cairo_surface_destroy(surface)
    }

    /// Draws the dark modules of `code` as filled rectangles, the symbol's top-left corner at (`x`, `y`) mm:
    /// vectors, so the printer, not a viewer, decides the pixels.
    ///
    /// The rectangles are drawn in module units on a recording surface that is painted scaled by `module`: cairo
    /// writes it as a form XObject whose path has small integer coordinates under one `cm`, a third of the bytes
    /// (and of the zlib and printf time) of the same path in page coordinates. Each horizontal run of dark modules
    /// is one rectangle, grown downwards while the rows below have the same run.
    func drawCode(_ code: QRCode, x: Double, y: Double, module: Double) {
        var extents = cairo_rectangle_t(x: 0, y: 0, width: Double(code.size), height: Double(code.size))
        let recording = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents)
        defer { cairo_surface_destroy(recording) }
        let rc = cairo_create(recording)
        defer { cairo_destroy(rc) }
        // open[c]: the run starting at column c that is still growing downwards (an array, not a dictionary, so
        // the rectangles come out in the same order every time and a card's bytes are reproducible).
        var open = [(end: Int, top: Int)?](repeating: nil, count: code.size)
        var next = open
        for row in 0...code.size {
            for i in next.indices { next[i] = nil }
            var col = 0
            while row < code.size && col < code.size {
                guard code.isDark(x: col, y: row) else { col += 1; continue }
                let start = col
                while col < code.size && code.isDark(x: col, y: row) { col += 1 }
                if let run = open[start], run.end == col {
                    next[start] = run
                    open[start] = nil
                } else {
                    next[start] = (col, row)
                }
            }
            for start in open.indices {
                if let run = open[start] {
                    cairo_rectangle(rc, Double(start), Double(run.top), Double(run.end - start), Double(row - run.top))
                }
            }
            swap(&open, &next)
        }
        cairo_set_source_rgb(rc, 0, 0, 0)
        cairo_fill(rc)
        cairo_save(cr)
        cairo_translate(cr, x, y)
        cairo_scale(cr, module, module)
        cairo_set_source_surface(cr, recording, 0, 0)
        cairo_paint(cr)
        cairo_restore(cr)
    }

    /// A straight line `width` mm wide.
    func line(from a: (Double, Double), to b: (Double, Double), width: Double, gray: Double = 0) {
        cairo_new_path(cr)
        cairo_move_to(cr, a.0, a.1)
        cairo_line_to(cr, b.0, b.1)
        cairo_set_line_width(cr, width)
        cairo_set_source_rgb(cr, gray, gray, gray)
        cairo_stroke(cr)
    }

    /// Lays `text` out at `points` in the typesetter's font; `width` (mm) wraps it at word boundaries, nil keeps
    /// one line. The first `boldPrefix` bytes are set bold (a label before its value).
    /// `hanging` indents the wrapped lines after the first by that many mm.
    func text(_ text: String, points: Double, bold: Bool = false, boldPrefix: Int = 0, width: Double? = nil,
              hanging: Double = 0, align: TextBlock.Alignment = .left) -> TextBlock {
        TextBlock(context: pango, text: text, points: points, bold: bold, boldPrefix: boldPrefix, width: width,
                  hanging: hanging, align: align)
    }

    /// Draws `block` with its top-left corner at (`x`, `y`) mm.
    func draw(_ block: TextBlock, x: Double, y: Double, gray: Double = 0) {
        cairo_set_source_rgb(cr, gray, gray, gray)
        cairo_move_to(cr, x, y)
        block.show(on: cr)
    }

    /// Ends the page.
    func showPage() { cairo_show_page(cr) }

    /// Finishes the document: every byte written, or the first error.
    func finish() throws(QRCertError) {
        cairo_surface_finish(surface)
        finished = true
        if stream.error == nil {
            do throws(QRCertError) { try stream.flush() } catch { stream.error = error }
        }
        if let error = stream.error { throw error }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw QRCertError(.internal, "PRINT_CAIRO_FAILED", "cairo failed: \(String(cString: cairo_status_to_string(status)))")
        }
    }
}

/// A laid-out paragraph (pango layout) with its size in millimetres.
final class TextBlock {
    /// Horizontal alignment inside the block's width.
    enum Alignment { case left, center, right }

    private let layout: OpaquePointer
    /// Width and height in mm of the inked-and-spaced (logical) extent.
    let width: Double, height: Double
    /// Characters the font has no glyph for (drawn as boxes): a layout with any is refused.
    let unknownGlyphs: Int
    /// Lines after wrapping.
    let lines: Int

    init(context: OpaquePointer, text: String, points: Double, bold: Bool, boldPrefix: Int,
         width: Double?, hanging: Double, align: Alignment) {
        let playout = pango_layout_new(context)!
        layout = playout
        let description = pango_font_description_new()
        pango_font_description_set_family(description, Typesetter.family)
        pango_font_description_set_weight(description, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        // Absolute size in user units (mm), so the size does not depend on any resolution setting.
        pango_font_description_set_absolute_size(description, points * 25.4 / 72 * Double(PANGO_SCALE))
        pango_layout_set_font_description(playout, description)
        pango_font_description_free(description)
        if let width {
            pango_layout_set_width(playout, Int32((width * Double(PANGO_SCALE)).rounded(.down)))
            pango_layout_set_wrap(playout, PANGO_WRAP_WORD_CHAR)
            // A negative indent is pango's hanging indent: the first line full width, the rest indented.
            if hanging > 0 { pango_layout_set_indent(playout, -Int32((hanging * Double(PANGO_SCALE)).rounded())) }
        }
        switch align {
        case .left: pango_layout_set_alignment(playout, PANGO_ALIGN_LEFT)
        case .center: pango_layout_set_alignment(playout, PANGO_ALIGN_CENTER)
        case .right: pango_layout_set_alignment(playout, PANGO_ALIGN_RIGHT)
        }
        pango_layout_set_text(playout, text, -1)
        if boldPrefix > 0 {
            let attributes = pango_attr_list_new()
            let weight = pango_attr_weight_new(PANGO_WEIGHT_BOLD)!
            weight.pointee.start_index = 0
            weight.pointee.end_index = UInt32(boldPrefix)
            pango_attr_list_insert(attributes, weight)
            pango_layout_set_attributes(playout, attributes)
            pango_attr_list_unref(attributes)
        }
        var w: Int32 = 0, h: Int32 = 0
        pango_layout_get_size(playout, &w, &h)
        self.width = Double(w) / Double(PANGO_SCALE)
        self.height = Double(h) / Double(PANGO_SCALE)
        unknownGlyphs = Int(pango_layout_get_unknown_glyphs_count(playout))
        lines = Int(pango_layout_get_line_count(playout))
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(layout)) }

    fileprivate func show(on cr: OpaquePointer) { pango_cairo_show_layout(cr, layout) }
}
