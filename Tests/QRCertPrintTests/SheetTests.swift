import Foundation
import QRCertFormat
import QRCertImage
@testable import QRCertPrint
import XCTest

/// Sheets: pages fill in order and stream out as they fill; every code read back by zbar, captions by pdftotext.
final class SheetTests: XCTestCase {
    func testTwentyCodesOnTwoPagesDecodeAndCarryTheirCaptions() throws {
        let folder = try Tools.folder(for: self)
        var bytes: [UInt8] = []
        let writer = try SheetWriter(options: PrintOptions(size: .module(0.5), columns: 3, rows: 5), title: "Giấy phép lái xe",
                                     date: "2026-03-01T09:00:00+07:00") { bytes.append(contentsOf: $0) }
        var places: [String] = []
        var items: [PrintItem] = []
        for index in 0..<20 {
            let item = try Samples.item(index)
            items.append(item)
            let place = try writer.add(item)
            places.append("\(place.page).\(place.slot)")
            if index == 15 {
                // Page 1 was finished when the 16th code began page 2: its bytes are out already.
                XCTAssertGreaterThan(bytes.count, 20_000)
            }
        }
        XCTAssertEqual(places, (1...15).map { "1.\($0)" } + (1...5).map { "2.\($0)" })
        try writer.finish()
        let pdf = folder.appendingPathComponent("sheet.pdf")
        try Data(bytes).write(to: pdf)
        let (w, h) = try Tools.pageSize(pdf)
        XCTAssertEqual(w, 595.28, accuracy: 0.01)
        XCTAssertEqual(h, 841.89, accuracy: 0.01)
        let pages = try Tools.rasterise(pdf, dpi: 150, into: folder)
        XCTAssertEqual(pages.count, 2)
        XCTAssertEqual(Set(try Tools.zbar(pages[0])), Set((0..<15).map { Samples.payload($0) }))
        XCTAssertEqual(Set(try Tools.zbar(pages[1])), Set((15..<20).map { Samples.payload($0) }))
        let text = Data(try Tools.text(pdf).utf8)
        for item in items {
            XCTAssertTrue(text.containsUTF8(item.id + " " + item.name), "\(item.id) \(item.name)")
        }
        XCTAssertTrue(text.containsUTF8("Giấy phép lái xe · trang 2 · QR EC Q · 0.50 mm/module"))
    }

    func testThreeHundredDPIAndModuleSize() throws {
        let folder = try Tools.folder(for: self)
        var bytes: [UInt8] = []
        let writer = try SheetWriter(options: PrintOptions(size: .module(0.4), columns: 1, rows: 1), title: "T", date: nil) {
            bytes.append(contentsOf: $0)
        }
        let item = try Samples.item(7)
        try writer.add(item)
        try writer.finish()
        let pdf = folder.appendingPathComponent("one.pdf")
        try Data(bytes).write(to: pdf)
        XCTAssertEqual(try Tools.zbar(try Tools.rasterise(pdf, dpi: 300, into: folder)[0]), [Samples.payload(7)])
        let bitmap = try Bitmap.render(pdf, dpi: 300, in: folder)
        // The single cell's code sits centred at the top of the cell, 1.5 mm under the grid's top line.
        let outer = Double(item.code.size + 8) * 0.4
        let x0 = 105 - outer / 2, y0 = SheetWriter.top + SheetWriter.padding
        let region = (x0: Int(px(x0, 300)), y0: Int(px(y0, 300)), x1: Int(px(x0 + outer, 300)) + 1, y1: Int(px(y0 + outer, 300)) + 1)
        let box = try XCTUnwrap(bitmap.darkBox(in: region))
        XCTAssertEqual(Double(box.x1 - box.x0) / Double(item.code.size), px(0.4, 300), accuracy: 0.5)
        XCTAssertEqual(Double(box.y1 - box.y0) / Double(item.code.size), px(0.4, 300), accuracy: 0.5)
    }

    func testACodeLargerThanItsCellIsRefused() throws {
        let writer = try SheetWriter(options: PrintOptions(size: .module(0.5), columns: 5, rows: 5), title: "T", date: nil) { _ in }
        let item = try Samples.item(0)
        let outer = ModuleRules.format(Double(item.code.size + 8) * 0.5)
        XCTAssertThrowsError(try writer.add(item)) { error in
            XCTAssertEqual("\(error)", "sheet cell for \(item.id): the code with its quiet zone is \(outer) mm, more than the 35.00 mm a 5 x 5 cell leaves [PRINT_CODE_TOO_LARGE]")
        }
        XCTAssertThrowsError(try SheetWriter(options: PrintOptions(columns: 0, rows: 5), title: "T", date: nil) { _ in }) { error in
            XCTAssertEqual((error as? QRCertError)?.code, "PRINT_BAD_SIZE")
        }
    }
}

/// Stamps: an A4 page with the code where it was asked, decodable alone and laid over a document with qpdf.
final class StampTests: XCTestCase {
    func testStampAtAPlaceDecodesAloneAndOverlaidWithQPDF() throws {
        let folder = try Tools.folder(for: self)
        let item = try Samples.item(2)
        let fonts = try TypesetterPool()
        let bytes = try StampRenderer.render(item, format: .pdf, options: PrintOptions(size: .module(0.5), stampOrigin: (20, 30)), fonts: fonts)
        let stamp = folder.appendingPathComponent("stamp.pdf")
        try Data(bytes).write(to: stamp)
        let (w, h) = try Tools.pageSize(stamp)
        XCTAssertEqual(w, 595.28, accuracy: 0.01)
        XCTAssertEqual(h, 841.89, accuracy: 0.01)
        for dpi in [300, 150] {
            XCTAssertEqual(try Tools.zbar(try Tools.rasterise(stamp, dpi: dpi, into: folder, prefix: "stamp")[0]), [Samples.payload(2)])
        }
        let bitmap = try Bitmap.render(stamp, dpi: 300, in: folder)
        let quiet = 4 * 0.5
        let box = try XCTUnwrap(bitmap.darkBox(in: (0, 0, bitmap.width, Int(px(30 + quiet + Double(item.code.size) * 0.5, 300)) + 1)))
        XCTAssertEqual(Double(box.x0), px(20 + quiet, 300), accuracy: 1)
        XCTAssertEqual(Double(box.y0), px(30 + quiet, 300), accuracy: 1)
        XCTAssertEqual(Double(box.x1 - box.x0) / Double(item.code.size), px(0.5, 300), accuracy: 0.5)
        let text = Data(try Tools.text(stamp).utf8)
        XCTAssertTrue(text.containsUTF8("\(item.id) · \(item.name)"))
        XCTAssertTrue(text.containsUTF8("QR EC Q · v\(item.code.version) · 0.50 mm/module"))

        // A result document not made by cairo: A4, a black bar 17 to 27 mm from the top, 80 to 190 mm from the left.
        let document = folder.appendingPathComponent("result.pdf")
        try resultDocument("0 0 0 rg 226.77 765.35 311.81 28.35 re f").write(to: document)
        let check = try Tools.run("qpdf", ["--check", document.path])
        XCTAssertEqual(check.status, 0, check.text + check.stderr)
        let overlaid = folder.appendingPathComponent("overlaid.pdf")
        let qpdf = try Tools.run("qpdf", [document.path, "--overlay", stamp.path, "--", overlaid.path])
        XCTAssertEqual(qpdf.status, 0, qpdf.stderr)
        let page = try Bitmap.render(overlaid, dpi: 300, in: folder)
        XCTAssertLessThan(page[Int(px(100, 300)), Int(px(22, 300))], 64, "the document's own content is still there")
        XCTAssertGreaterThan(page[Int(px(100, 300)), Int(px(12, 300))], 192)
        let again = try XCTUnwrap(page.darkBox(in: (0, Int(px(30, 300)), page.width, Int(px(30 + quiet + Double(item.code.size) * 0.5, 300)) + 1)))
        XCTAssertEqual(Double(again.x0), px(20 + quiet, 300), accuracy: 1, "qpdf did not move or scale the stamp")
        XCTAssertEqual(Double(again.x1 - again.x0) / Double(item.code.size), px(0.5, 300), accuracy: 0.5)
        XCTAssertEqual(try Tools.zbar(try Tools.rasterise(overlaid, dpi: 150, into: folder, prefix: "overlaid")[0]), [Samples.payload(2)])
    }

    func testAStampOffThePageIsRefused() throws {
        let item = try Samples.item(0)
        XCTAssertThrowsError(try StampRenderer.render(item, format: .pdf, options: PrintOptions(stampOrigin: (180, 250)), fonts: try TypesetterPool())) { error in
            XCTAssertEqual((error as? QRCertError)?.code, "PRINT_OFF_PAGE")
            XCTAssertTrue("\(error)".hasPrefix("stamp for \(item.id): a "), "\(error)")
        }
    }
}
