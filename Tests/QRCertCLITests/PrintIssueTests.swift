import Foundation
import XCTest

/// `issue --format pdf|svg --layout card|sheet|stamp` as a process, its files read back by poppler, zbar and
/// librsvg; PNG's pHYs read by ImageMagick; the resume rules of a sheet.
final class PrintIssueTests: XCTestCase {
    private static let csvLines = try! String(contentsOf: CLI.fixture("records/driving-licences.csv"), encoding: .utf8)
        .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)

    /// The header and the first `n` fixture licences.
    private func records(_ n: Int, in folder: URL, name: String = "records.csv") throws -> URL {
        let url = folder.appendingPathComponent(name)
        try (Self.csvLines.prefix(n + 1).joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func issue(_ extra: [String], folder: URL) throws -> CLI.Result {
        try CLI.run(["issue", "--key", try CLI.key("ed25519", in: folder), "--issuer", "Phòng CSGT Công an TP. Đà Nẵng",
                     "--profile", "driving-licence"] + extra)
    }

    private func run(_ program: String, _ arguments: [String]) throws -> CLI.Result {
        try CLI.runProgram(URL(fileURLWithPath: "/usr/bin/env"), [program] + arguments, stdin: nil)
    }

    private func manifest(_ out: URL) throws -> [[String: Any]] {
        try CLI.jsonObjects(try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8))
    }

    /// pdftoppm at `dpi`, then zbarimg on each page.
    private func decode(_ pdf: URL, dpi: Int, scratch: URL) throws -> [[String]] {
        let base = scratch.appendingPathComponent("\(pdf.deletingPathExtension().lastPathComponent)-\(dpi)")
        let raster = try run("pdftoppm", ["-r", "\(dpi)", "-gray", "-png", pdf.path, base.path])
        XCTAssertEqual(raster.status, 0, raster.stderr)
        let pages = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
            .filter { $0.hasPrefix(base.lastPathComponent + "-") && $0.hasSuffix(".png") }.sorted()
        return try pages.map { try CLI.zbarimg([scratch.appendingPathComponent($0).path]) }
    }

    /// Field `column` of fixture row `index` (1-based), as the CSV holds it (quoted fields unquoted).
    private func field(_ index: Int, _ column: String) -> String {
        let header = Self.csvLines[0].split(separator: ",").map(String.init)
        var fields: [String] = [], current = "", quoted = false
        for c in Self.csvLines[index] {
            if c == "\"" { quoted.toggle() } else if c == "," && !quoted { fields.append(current); current = "" } else { current.append(c) }
        }
        fields.append(current)
        return fields[header.firstIndex(of: column)!]
    }

    func testCardsOnePDFPerLicenceReadBackExactly() throws {
        let folder = try CLI.temporaryDirectory(for: self), scratch = folder.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = folder.appendingPathComponent("cards")
        let result = try issue(["--format", "pdf", "--layout", "card", "--out", out.path, try records(3, in: folder).path], folder: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.errorLines.last?.hasPrefix("qrcert: issued 3, rejected 0 in "), true, result.stderr)
        let lines = try manifest(out)
        XCTAssertEqual(lines.count, 3)
        for (index, line) in lines.enumerated() {
            let file = try XCTUnwrap(line["file"] as? String)
            XCTAssertEqual(file, field(index + 1, "licence_no") + ".pdf")
            XCTAssertEqual(line["layout"] as? String, "card")
            XCTAssertEqual(line["module_um"] as? Int, 500)
            let pdf = out.appendingPathComponent(file)
            XCTAssertEqual(line["bytes"] as? Int, try Data(contentsOf: pdf).count)
            for dpi in [300, 150] {
                XCTAssertEqual(try decode(pdf, dpi: dpi, scratch: scratch), [[try XCTUnwrap(line["payload"] as? String)]], "\(file) at \(dpi) dpi")
            }
            let text = try run("pdftotext", ["-enc", "UTF-8", pdf.path, "-"])
            let words = text.stdout.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            for value in [field(index + 1, "full_name"), field(index + 1, "address"), "Phòng CSGT Công an TP. Đà Nẵng"] {
                // Bytes, not String ==: Swift equates NFC and NFD, the test must not.
                XCTAssertNotNil(Data(words.utf8).range(of: Data(value.utf8)), "\(value) not in \(words)")
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.contains(".tmp-") }, [])
    }

    func testSheetOnePDFOfPagesWithEveryCodeAndCaption() throws {
        let folder = try CLI.temporaryDirectory(for: self), scratch = folder.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = folder.appendingPathComponent("sheet")
        let result = try issue(["--format", "pdf", "--layout", "sheet", "--module-mm", "0.45", "--grid", "4x5",
                                "--out", out.path, try records(30, in: folder).path], folder: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), ["manifest.jsonl", "sheet.pdf"])
        let lines = try manifest(out)
        XCTAssertEqual(lines.map { "\($0["page"] as? Int ?? 0).\($0["slot"] as? Int ?? 0)" },
                       (1...20).map { "1.\($0)" } + (1...10).map { "2.\($0)" })
        XCTAssertEqual(Set(lines.compactMap { $0["file"] as? String }), ["sheet.pdf"])
        let pages = try decode(out.appendingPathComponent("sheet.pdf"), dpi: 150, scratch: scratch)
        XCTAssertEqual(pages.count, 2)
        XCTAssertEqual(Set(pages[0]), Set(lines.prefix(20).compactMap { $0["payload"] as? String }))
        XCTAssertEqual(Set(pages[1]), Set(lines.suffix(10).compactMap { $0["payload"] as? String }))
        let text = try run("pdftotext", ["-enc", "UTF-8", out.appendingPathComponent("sheet.pdf").path, "-"])
        let words = text.stdout.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        for index in 1...30 {
            let caption = field(index, "licence_no") + " " + field(index, "full_name").split(separator: " ").joined(separator: " ")
            XCTAssertNotNil(Data(words.utf8).range(of: Data(caption.utf8)), caption)
        }
        XCTAssertNotNil(words.range(of: "trang 2 · QR EC Q · 0.45 mm/module"))
    }

    /// A sheet resumed with a longer input: the earlier sheet stays, the rest goes into sheet-2.pdf, the
    /// manifest holds every record once; temporaries of a killed run are swept first.
    func testSheetResumeWritesTheRestIntoTheNextSheet() throws {
        let folder = try CLI.temporaryDirectory(for: self), scratch = folder.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = folder.appendingPathComponent("sheet")
        let first = try issue(["--format", "pdf", "--layout", "sheet", "--out", out.path, try records(4, in: folder, name: "four.csv").path], folder: folder)
        XCTAssertEqual(first.status, 0, first.stderr)
        let before = try Data(contentsOf: out.appendingPathComponent("sheet.pdf"))
        let earlierLines = try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
        // What kill -9 during a later run leaves: a sheet and a manifest under temporary names.
        for name in ["sheet-2.pdf.tmp-4242", "manifest.jsonl.tmp-4242"] {
            try Data("partial".utf8).write(to: out.appendingPathComponent(name))
        }
        let again = try issue(["--format", "pdf", "--layout", "sheet", "--resume", "--out", out.path,
                               try records(9, in: folder, name: "nine.csv").path], folder: folder)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.errorLines.first, "qrcert: removed 2 unfinished temporary file(s) of the earlier run")
        XCTAssertTrue(again.errorLines.last?.hasSuffix("; 4 already issued by the earlier run") == true, again.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), ["manifest.jsonl", "sheet-2.pdf", "sheet.pdf"])
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("sheet.pdf")), before)
        let text = try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
        XCTAssertTrue(text.hasPrefix(earlierLines))
        let lines = try manifest(out)
        XCTAssertEqual(lines.map { $0["file"] as? String ?? "" }, Array(repeating: "sheet.pdf", count: 4) + Array(repeating: "sheet-2.pdf", count: 5))
        XCTAssertEqual(Set(try decode(out.appendingPathComponent("sheet-2.pdf"), dpi: 150, scratch: scratch)[0]),
                       Set(lines.suffix(5).compactMap { $0["payload"] as? String }))

        // A sheet the manifest names has gone: resuming cannot place those records.
        try FileManager.default.removeItem(at: out.appendingPathComponent("sheet-2.pdf"))
        let lost = try issue(["--format", "pdf", "--layout", "sheet", "--resume", "--out", out.path,
                              folder.appendingPathComponent("nine.csv").path], folder: folder)
        XCTAssertEqual(lost.status, 2)
        XCTAssertEqual(lost.errorLines.first, "qrcert: error: \(out.path)/manifest.jsonl:5: sheet-2.pdf, which holds \(field(5, "licence_no")), is missing [RESUME_MISMATCH]")
    }

    /// At 0.52 mm in a 3 x 5 grid a version 16 code and its caption fit a cell, a version 17 code does not (the
    /// fixtures have a few, the first near row 176): the sheet run fails while placing it, after some pages were
    /// written, and leaves nothing (no sheet, no manifest, no temporaries).
    func testASheetRunThatFailsLeavesNothing() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let input = try records(300, in: folder).path
        let sheet = folder.appendingPathComponent("sheet")
        // Version 1 payloads: QC2: ones are all version 16 or smaller, and fit.
        let failed = try issue(["--format", "pdf", "--layout", "sheet", "--module-mm", "0.52", "--payload-version", "1", "--out", sheet.path, input],
                               folder: folder)
        XCTAssertEqual(failed.status, 2)
        let error = try XCTUnwrap(failed.errorLines.first)
        XCTAssertTrue(error.hasPrefix("qrcert: error: \(input):"), error)
        XCTAssertTrue(error.hasSuffix(": the caption does not fit under the code even at 5.00 pt [PRINT_TEXT_OVERFLOW]"), error)
        let line = try XCTUnwrap(Int(error.dropFirst("qrcert: error: \(input):".count).prefix { $0.isNumber }))
        XCTAssertGreaterThan(line, 16, "at least one page was written before the failure")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: sheet.path), [])
    }

    func testAFreshSheetRunRefusesAFolderWithAManifest() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("sheet")
        XCTAssertEqual(try issue(["--format", "pdf", "--layout", "sheet", "--out", out.path, try records(2, in: folder).path], folder: folder).status, 0)
        let second = try issue(["--format", "pdf", "--layout", "sheet", "--out", out.path, try records(2, in: folder).path], folder: folder)
        XCTAssertEqual(second.status, 2)
        XCTAssertEqual(second.errorLines.first, "qrcert: error: \(out.path)/manifest.jsonl already exists: the folder holds an earlier run [IO_EXISTS]")
    }

    func testStampsAsSVGDecodeThroughLibrsvg() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("stamps")
        let result = try issue(["--format", "svg", "--layout", "stamp", "--code-mm", "40", "--stamp-at", "150,230",
                                "--out", out.path, try records(2, in: folder).path], folder: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        for line in try manifest(out) {
            let svg = out.appendingPathComponent(try XCTUnwrap(line["file"] as? String))
            XCTAssertEqual(svg.pathExtension, "svg")
            let png = folder.appendingPathComponent(svg.deletingPathExtension().lastPathComponent + ".png")
            let converted = try run("rsvg-convert", ["--dpi-x", "150", "--dpi-y", "150", "-b", "white", "-o", png.path, svg.path])
            XCTAssertEqual(converted.status, 0, converted.stderr)
            XCTAssertEqual(try CLI.zbarimg([png.path]), [try XCTUnwrap(line["payload"] as? String)])
            let version = try XCTUnwrap(line["qr_version"] as? Int)
            XCTAssertEqual(line["module_um"] as? Int, Int((40_000 / Double(17 + 4 * version)).rounded()))
        }
    }

    func testPNGCarriesItsPhysicalSizeInPHYs() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let out = folder.appendingPathComponent("png")
        let result = try issue(["--module-mm", "0.5", "--module-size", "4", "--out", out.path, try records(1, in: folder).path], folder: folder)
        XCTAssertEqual(result.status, 0, result.stderr)
        let png = out.appendingPathComponent(field(1, "licence_no") + ".png")
        // 4 pixels a 0.5 mm module: 8000 pixels per metre, 80 per centimetre (203.2 dpi).
        let identify = try run("identify", ["-units", "PixelsPerCentimeter", "-format", "%x %y %U", png.path])
        XCTAssertEqual(identify.stdout, "80 80 PixelsPerCentimeter")
        XCTAssertEqual(try CLI.zbarimg([png.path]).count, 1)
    }

    func testPhysicalRulesAndUsage() throws {
        let folder = try CLI.temporaryDirectory(for: self)
        let input = try records(1, in: folder).path
        let small = try issue(["--format", "pdf", "--module-mm", "0.3", "--out", folder.appendingPathComponent("a").path, input], folder: folder)
        XCTAssertEqual(small.status, 2)
        XCTAssertEqual(small.errorLines, [
            "qrcert: error: module size 0.30 mm, below the 0.33 mm that printed codes need to scan reliably [PRINT_MODULE_TOO_SMALL]",
            "qrcert: hint: use a larger --module-mm or --code-mm, or --force after testing the printer and scanners",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("a").path))
        let forced = try issue(["--format", "pdf", "--module-mm", "0.3", "--force", "--out", folder.appendingPathComponent("b").path, input], folder: folder)
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(forced.errorLines.first, "qrcert: warning: modules below 0.40 mm (GS1's minimum for codes the public scans): test the printed codes with the scanners in use")
        let large = try issue(["--format", "pdf", "--module-mm", "0.8", "--out", folder.appendingPathComponent("c").path, input], folder: folder)
        XCTAssertEqual(large.status, 2)
        XCTAssertTrue(large.errorLines.first?.hasPrefix("qrcert: error: \(input):2: record \(field(1, "licence_no")): card for \(field(1, "licence_no")): the code with its quiet zone is ") == true, large.stderr)
        XCTAssertTrue(large.errorLines.first?.hasSuffix(" [PRINT_CODE_TOO_LARGE]") == true, large.stderr)
        let out = folder.appendingPathComponent("d").path
        let cases: [([String], String)] = [
            (["--format", "svg", "--layout", "sheet", "--out", out, input], "--layout sheet needs --format pdf (an SVG file holds one page)"),
            (["--layout", "card", "--out", out, input], "--layout, --code-mm, --grid and --stamp-at need --format pdf or svg (png takes --module-mm)"),
            (["--format", "payload", "--module-mm", "0.5", input], "--layout, --module-mm, --code-mm and the other print options need --format pdf, svg or png"),
            (["--format", "pdf", "--module-mm", "0.5", "--code-mm", "30", "--out", out, input], "--module-mm and --code-mm exclude each other"),
            (["--format", "pdf", "--layout", "sheet", "--grid", "3by5", "--out", out, input], "--grid must look like 3x5: 1 to 20 columns, 1 to 30 rows"),
            (["--format", "pdf", "--layout", "stamp", "--stamp-at", "here", "--out", out, input], "--stamp-at must look like 150,240 (mm from the page's top-left corner)"),
            (["--format", "pdf", "--layout", "sheet", "--shard", "2", "--out", out, input], "--shard does not apply to --layout sheet (one PDF)"),
            (["--format", "pdf", input], "--out is required with --format pdf"),
        ]
        for (arguments, message) in cases {
            let result = try issue(arguments, folder: folder)
            XCTAssertEqual(result.status, 2, arguments.joined(separator: " "))
            XCTAssertEqual(result.errorLines.first, "qrcert: error: \(message) [USAGE]", arguments.joined(separator: " "))
        }
    }
}
