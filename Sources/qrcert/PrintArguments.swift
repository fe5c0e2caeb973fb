import ArgumentParser
import QRCertFormat
import QRCertIO
import QRCertImage
import QRCertPrint

/// The print options of `issue` (docs/PRINT.md): layout and physical size.
struct PrintArguments: ParsableArguments {
    @Option(help: "With --format pdf or svg: card (one ID-1 card per record), sheet (A4 pages of codes with captions and cut marks, one PDF), stamp (an A4 page with the code, to overlay on a document). Example: --format pdf --layout sheet --out sheet/ (docs/PRINT.md).")
    var layout: PrintLayout?

    @Option(name: .customLong("module-mm"), help: "Module size in millimetres (default 0.5 for pdf and svg; with png it sets the pHYs resolution). Below 0.33 is refused without --force, below 0.4 warned about.")
    var moduleMM: Double?

    @Option(name: .customLong("code-mm"), help: "Symbol size in millimetres, without the quiet zone (instead of --module-mm; the module size follows from each code's version).")
    var codeMM: Double?

    @Flag(help: "Print modules smaller than 0.33 mm (after testing the printer and scanners).")
    var force = false

    @Option(help: "Sheet grid as COLUMNSxROWS of cells on each A4 page.")
    var grid: String = "3x5"

    @Option(name: .customLong("stamp-at"), help: "Stamp position X,Y: mm from the page's top-left corner to the quiet zone's (default: bottom right, 15 mm in).")
    var stampAt: String?

    /// Whether any print option was given.
    var isUsed: Bool { layout != nil || moduleMM != nil || codeMM != nil || force || grid != "3x5" || stampAt != nil }

    /// Checks the options against `format`; the returned options are those the layouts use.
    func options(for format: OutputFormat) throws -> PrintOptions? {
        if moduleMM != nil && codeMM != nil { throw ValidationError("--module-mm and --code-mm exclude each other") }
        switch format {
        case .payload:
            if isUsed { throw ValidationError("--layout, --module-mm, --code-mm and the other print options need --format pdf, svg or png") }
            return nil
        case .png:
            if layout != nil || codeMM != nil || grid != "3x5" || stampAt != nil {
                throw ValidationError("--layout, --code-mm, --grid and --stamp-at need --format pdf or svg (png takes --module-mm)")
            }
            return nil
        case .pdf, .svg:
            break
        }
        let layout = self.layout ?? .card
        if layout == .sheet && format == .svg { throw ValidationError("--layout sheet needs --format pdf (an SVG file holds one page)") }
        if layout != .sheet && grid != "3x5" { throw ValidationError("--grid applies to --layout sheet") }
        if layout != .stamp && stampAt != nil { throw ValidationError("--stamp-at applies to --layout stamp") }
        let size: PrintOptions.Size
        if let codeMM {
            guard codeMM.isFinite, codeMM > 0, codeMM <= 200 else { throw ValidationError("--code-mm must be above 0 and at most 200") }
            size = .code(codeMM)
        } else {
            size = .module(moduleMM ?? 0.5)
        }
        var options = PrintOptions(size: size, force: force)
        let cells = grid.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard cells.count == 2, let columns = cells[0], let rows = cells[1], (1...20).contains(columns), (1...30).contains(rows) else {
            throw ValidationError("--grid must look like 3x5: 1 to 20 columns, 1 to 30 rows")
        }
        options.columns = columns
        options.rows = rows
        if let stampAt {
            let parts = stampAt.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
            guard parts.count == 2, let x = parts[0], let y = parts[1], x.isFinite, y.isFinite else {
                throw ValidationError("--stamp-at must look like 150,240 (mm from the page's top-left corner)")
            }
            options.stampOrigin = (x, y)
        }
        return options
    }

    /// Checks a module size given up front against the physical rules (run time: a QRCertError with its code and
    /// hint, before any record is read); returns whether it is below the recommended 0.4 mm.
    func checkModuleSize() throws(QRCertError) -> Bool {
        guard let mm = moduleMM else { return false }
        try ModuleRules.check(mm, force: force)
        return ModuleRules.isBelowRecommended(mm)
    }
}

extension PrintLayout: ExpressibleByArgument {}
