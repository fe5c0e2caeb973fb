import Foundation
import QRCertFormat
import QRCertImage
@testable import QRCertPrint
import XCTest

/// Cards checked by poppler and zbar: page size, every code read back, the text exact, modules measured.
final class CardTests: XCTestCase {
    static let fonts = Result { try TypesetterPool() }

    func card(_ item: PrintItem, _ options: PrintOptions = PrintOptions(size: .module(0.5)), format: PrintFormat = .pdf,
              in folder: URL, name: String = "card") throws -> URL {
        let bytes = try CardRenderer.render(item, format: format, options: options, fonts: try Self.fonts.get())
        let url = folder.appendingPathComponent("\(name).\(format.rawValue)")
        try Data(bytes).write(to: url)
        return url
    }

    func testCardsDecodeAt300And150DPIAndCarryTheirTextExactly() throws {
        let folder = try Tools.folder(for: self)
        for index in 0..<3 {
            let item = try Samples.item(index)
            let pdf = try card(item, in: folder, name: "card\(index)")
            let (w, h) = try Tools.pageSize(pdf)
            XCTAssertEqual(w, 85.60 * 72 / 25.4, accuracy: 0.01)
            XCTAssertEqual(h, 53.98 * 72 / 25.4, accuracy: 0.01)
            for dpi in [300, 150] {
                let pages = try Tools.rasterise(pdf, dpi: dpi, into: folder, prefix: "card\(index)")
                XCTAssertEqual(pages.count, 1)
                XCTAssertEqual(try Tools.zbar(pages[0]), [Samples.payload(index)], "card \(index) at \(dpi) dpi")
            }
            // pdftotext, not our code, reads the text back: byte for byte, so NFC stays NFC.
            let text = Data(try Tools.text(pdf).utf8)
            for needle in [item.name, Samples.addresses[index], "GIẤY PHÉP LÁI XE", "Ngày sinh: 06/09/1961",
                           "Phòng CSGT Công an TP. Đà Nẵng", "QR EC Q · v\(item.code.version) · 0.50 mm/module"] {
                XCTAssertTrue(text.containsUTF8(needle), "\(needle) not in: \(String(decoding: text, as: UTF8.self))")
            }
        }
    }

    /// The module size on the bitmap matches the request within half a pixel; the quiet zone is blank and 2 mm
    /// clear of the card's edge.
    func testModulesMeasureAsAskedAndTheQuietZoneIsBlank() throws {
        let folder = try Tools.folder(for: self)
        let item = try Samples.item(1)
        for (module, dpi) in [(0.5, 300), (0.4, 300), (0.5, 150)] {
            let pdf = try card(item, PrintOptions(size: .module(module)), in: folder, name: "m\(module)")
            let bitmap = try Bitmap.render(pdf, dpi: dpi, in: folder)
            let outer = Double(item.code.size + 8) * module
            let qx = 85.60 - CardRenderer.edge - outer, qy = (53.98 - outer) / 2
            let zone = (x0: Int(px(qx, dpi).rounded(.down)), y0: Int(px(qy, dpi).rounded(.down)),
                        x1: Int(px(qx + outer, dpi).rounded(.up)), y1: Int(px(qy + outer, dpi).rounded(.up)))
            let box = try XCTUnwrap(bitmap.darkBox(in: zone))
            let measuredX = Double(box.x1 - box.x0) / Double(item.code.size)
            let measuredY = Double(box.y1 - box.y0) / Double(item.code.size)
            XCTAssertEqual(measuredX, px(module, dpi), accuracy: 0.5, "module width at \(dpi) dpi")
            XCTAssertEqual(measuredY, px(module, dpi), accuracy: 0.5, "module height at \(dpi) dpi")
            XCTAssertEqual(Double(box.x1 - box.x0), px(Double(item.code.size) * module, dpi), accuracy: 1.5, "symbol width")
            // The quiet zone: four modules of nothing on every side of the symbol (a pixel in from each edge for
            // anti-aliasing), and its outer edge at least 2 mm from the card's edge.
            let quiet = px(4 * module, dpi)
            let q = Int(quiet) - 1
            XCTAssertTrue(bitmap.isBlank((box.x0 - q, box.y0 - q, box.x0 - 1, box.y1 + q)), "left quiet zone")
            XCTAssertTrue(bitmap.isBlank((box.x1 + 1, box.y0 - q, box.x1 + q, box.y1 + q)), "right quiet zone")
            XCTAssertTrue(bitmap.isBlank((box.x0 - q, box.y0 - q, box.x1 + q, box.y0 - 1)), "top quiet zone")
            XCTAssertTrue(bitmap.isBlank((box.x0 - q, box.y1 + 1, box.x1 + q, box.y1 + q)), "bottom quiet zone")
            XCTAssertGreaterThanOrEqual(Double(bitmap.width - box.x1) - quiet, px(CardRenderer.edge, dpi) - 1)
            XCTAssertGreaterThanOrEqual(Double(box.y0) - quiet, px(CardRenderer.edge, dpi) - 1)
            XCTAssertGreaterThanOrEqual(Double(bitmap.height - box.y1) - quiet, px(CardRenderer.edge, dpi) - 1)
        }
    }

    func testSVGCardDecodesThroughLibrsvg() throws {
        let folder = try Tools.folder(for: self)
        let svg = try card(try Samples.item(2), format: .svg, in: folder)
        let head = try String(decoding: Data(contentsOf: svg).prefix(400), as: UTF8.self)
        XCTAssertTrue(head.contains(#"width="242.645669pt" height="153.014173pt""#), head)
        for dpi in [300, 150] {
            let png = folder.appendingPathComponent("svg-\(dpi).png")
            let result = try Tools.run("rsvg-convert", ["--dpi-x", "\(dpi)", "--dpi-y", "\(dpi)", "-b", "white", "-o", png.path, svg.path])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(try Tools.zbar(png), [Samples.payload(2)], "svg at \(dpi) dpi")
        }
    }

    /// Modules are vector rectangles: the page has no image at all (a bitmap would be rescaled by the viewer).
    func testCodeIsVectorNotAnImage() throws {
        let folder = try Tools.folder(for: self)
        let pdf = try card(try Samples.item(0), in: folder)
        let images = try Tools.run("pdfimages", ["-list", pdf.path])
        XCTAssertEqual(images.status, 0, images.stderr)
        XCTAssertEqual(images.text.split(separator: "\n").count, 2, images.text)  // the header lines only
    }

    func testTheSameCardIsTheSameBytes() throws {
        let fonts = try Self.fonts.get()
        let item = try Samples.item(3)
        let a = try CardRenderer.render(item, format: .pdf, options: PrintOptions(), fonts: fonts)
        let b = try CardRenderer.render(item, format: .pdf, options: PrintOptions(), fonts: fonts)
        XCTAssertEqual(a, b)
    }

    func testPhysicalRulesRefuse() throws {
        let fonts = try Self.fonts.get()
        let item = try Samples.item(0)
        func code(_ options: PrintOptions, _ item: PrintItem) -> String? {
            do { _ = try CardRenderer.render(item, format: .pdf, options: options, fonts: fonts); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(code(PrintOptions(size: .module(0.32)), item),
                       "module size 0.32 mm, below the 0.33 mm that printed codes need to scan reliably [PRINT_MODULE_TOO_SMALL]")
        XCTAssertNil(code(PrintOptions(size: .module(0.32), force: true), item))
        XCTAssertEqual(code(PrintOptions(size: .code(24)), item),
                       "a 24.00 mm version \(item.code.version) code (\(item.code.size) modules) has \(ModuleRules.format(24 / Double(item.code.size))) mm modules, below the 0.33 mm that printed codes need to scan reliably [PRINT_MODULE_TOO_SMALL]")
        XCTAssertEqual(code(PrintOptions(size: .module(6)), item), "module size 6.00 mm: outside 0 to 5.00 mm [PRINT_BAD_SIZE]")
        XCTAssertEqual(code(PrintOptions(size: .module(0.7)), item),
                       "card for \(item.id): the code with its quiet zone is \(ModuleRules.format(Double(item.code.size + 8) * 0.7)) mm, more than the 49.98 mm a card leaves inside its 2.00 mm edges [PRINT_CODE_TOO_LARGE]")
        var long = item
        long.fields.append(.init(label: "Ghi chú", value: String(repeating: "Đường Nguyễn Văn Linh ", count: 40)))
        let overflow = try XCTUnwrap(code(PrintOptions(), long))
        XCTAssertTrue(overflow.hasPrefix("card for \(item.id): the fields do not fit in \(overflowWidth(item)) x "), overflow)
        XCTAssertTrue(overflow.hasSuffix(" mm beside the code, even at 4.00 pt [PRINT_TEXT_OVERFLOW]"), overflow)
        var han = item
        han.fields[1].value = "漢字"
        XCTAssertEqual(code(PrintOptions(), han), "card for \(item.id): field Họ và tên has 2 character(s) that DejaVu Sans cannot show [PRINT_GLYPH_MISSING]")
        XCTAssertTrue(ModuleRules.isBelowRecommended(0.38))
        XCTAssertFalse(ModuleRules.isBelowRecommended(0.40))
    }

    /// The text column of a 0.5 mm card for `item`, as the overflow message states it.
    private func overflowWidth(_ item: PrintItem) -> String {
        let outer = Double(item.code.size + 8) * 0.5
        return ModuleRules.format(85.60 - CardRenderer.edge - outer - 0.8 - CardRenderer.textMargin)
    }

    func testAFontFontconfigCannotFindIsRefused() {
        XCTAssertThrowsError(try Typesetter(family: "No Such Family Sans")) { error in
            XCTAssertEqual((error as? QRCertError)?.code, "PRINT_FONT_MISSING")
            XCTAssertEqual((error as? QRCertError)?.message, "font No Such Family Sans Book not found by fontconfig")
        }
    }

    func testTheFontIsDejaVuFromItsDebianPackage() throws {
        XCTAssertEqual(try Self.fonts.get().fontFiles, ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                                                        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"])
    }
}
